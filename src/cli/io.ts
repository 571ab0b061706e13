// What a command writes to: standard output for results, standard error for progress and
// messages, and whether each may carry colour. Colour follows the convention tools share:
// FORCE_COLOR (not "0") forces it, NO_COLOR (non-empty) turns it off, else only on a TTY.
import { styleText } from 'node:util'

/** A stream the CLI writes to. */
export interface CliStream {
  write(text: string): unknown
  readonly isTTY?: boolean
}

/** Colours used by the renderers; identity functions when colour is off. */
export interface Palette {
  readonly red: (text: string) => string
  readonly yellow: (text: string) => string
  readonly green: (text: string) => string
  readonly dim: (text: string) => string
  readonly bold: (text: string) => string
}

/** The environment a command runs in. */
export interface CliIo {
  readonly stdout: CliStream
  readonly stderr: CliStream
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
}

/** Whether `stream` should get colour under `env`. */
export function colourEnabled(
  stream: CliStream,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const force = env.FORCE_COLOR
  if (force !== undefined) return force !== '0' && force !== 'false'
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  return stream.isTTY === true
}

const plain = (text: string) => text

/** The palette for `stream`. */
export function palette(stream: CliStream, env: CliIo['env']): Palette {
  if (!colourEnabled(stream, env))
    return { red: plain, yellow: plain, green: plain, dim: plain, bold: plain }
  // validateStream: false because colourEnabled already decided, FORCE_COLOR included.
  const style =
    (format: Parameters<typeof styleText>[0]) =>
    (text: string): string =>
      styleText(format, text, { validateStream: false })
  return {
    red: style('red'),
    yellow: style('yellow'),
    green: style('green'),
    dim: style('dim'),
    bold: style('bold'),
  }
}

// The exact SGR codes the palette writes (bold, dim, red, green, yellow and their resets): kept
// when colour is on. Others (8m conceals text) are made visible.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ESC is the point
const SGR = /^\x1b\[(?:1|2|22|31|32|33|39)m/
// C0 controls but tab and newline, DEL and C1 (0x9b is a CSI on some terminals).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g

/**
 * Output with every terminal control character made visible (`\x1b` as the four characters
 * `\x1b`), so a partner id, file name or log field cannot move the cursor, retitle the window
 * or hide text. JSON (and SARIF) output gets `\u00XX` escapes instead, still valid JSON with the
 * same value. CRLF (CSV line ends) and, when `colour` is on, the palette's own SGR codes are kept.
 */
export function neutralise(text: string, colour: boolean, json = false): string {
  return text.replace(CONTROL, (char, offset: number) => {
    if (char === '\r' && text[offset + 1] === '\n') return char
    if (colour && char === '\x1b' && SGR.test(text.slice(offset, offset + 5))) return char
    const hex = char.charCodeAt(0).toString(16).padStart(2, '0')
    return json ? `\\u00${hex}` : `\\x${hex}`
  })
}
