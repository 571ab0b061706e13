// What every command shares: the program state (exit code, io), the `--format` option and
// writing a result through the renderer of the chosen format. A command computes data; the
// renderers in reports/ turn it into text, JSON, CSV, Markdown, SARIF or JUnit.
import { type Command, Option } from 'commander'
import { type CliIo, colourEnabled, neutralise, type Palette, palette } from './io.js'

/** Shared state of one run of the bin. */
export interface CliState {
  readonly io: CliIo
  /** Highest exit code so far (0 clean, 1 findings). */
  exitCode: number
}

/** Renderers of one command's data, by format. */
export type Renderers<T> = Readonly<Record<string, (data: T, colours: Palette) => string>>

/** Adds `--format` with the formats the renderers know (the first is the default). */
export function formatOption(command: Command, formats: readonly string[]): Command {
  return command.addOption(
    new Option('--format <format>', 'output format').choices(formats).default(formats[0]),
  )
}

/** Writes `data` in `format` to standard output. */
export function emit<T>(state: CliState, renderers: Renderers<T>, format: string, data: T): void {
  const render = renderers[format] ?? renderers.text
  if (!render) throw new Error(`no renderer for ${format}`)
  const colour = colourEnabled(state.io.stdout, state.io.env)
  const json = format === 'json' || format === 'sarif'
  const out = neutralise(render(data, palette(state.io.stdout, state.io.env)), colour, json)
  state.io.stdout.write(out.endsWith('\n') ? out : `${out}\n`)
}

/** Raises the run's exit code to at least `code`. */
export function fail(state: CliState, code: number): void {
  state.exitCode = Math.max(state.exitCode, code)
}

/** The help text block with examples shown after a command's options. */
export function examples(command: Command, lines: readonly string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`)
}

/** JSON with a trailing newline, two-space indented. */
export function json(data: unknown): string {
  return `${JSON.stringify(data, null, 2)}\n`
}
