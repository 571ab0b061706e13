// The lines of an NDJSON body, one signed token each, read with a bound: a line longer than the
// limit is ERR_STREAM_INVALID before it is buffered whole, so a server (or a proxy) that never
// sends a newline cannot make the partner's client hold an unbounded string.
import { DatagateError } from '../errors.js'

/** 64 Mi characters: a chunk of 10,000 records of a few kilobytes each fits. */
export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024 * 1024

/** Yields each non-empty line; a broken connection or an over-long line is `ERR_STREAM_INVALID`. */
export async function* lines(
  body: ReadableStream<Uint8Array>,
  maxLength: number,
): AsyncGenerator<string, void, undefined> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  // The pieces of the line being read: joined once, when its newline arrives.
  let pieces: string[] = []
  let length = 0
  const tooLong = () =>
    new DatagateError(
      'ERR_STREAM_INVALID',
      `an NDJSON line is longer than ${maxLength} characters (maxLineLength)`,
    )
  try {
    for (;;) {
      let read: ReadableStreamReadResult<Uint8Array>
      try {
        read = await reader.read()
      } catch {
        throw new DatagateError('ERR_STREAM_INVALID', 'the stream broke off before its manifest')
      }
      const text = read.done ? decoder.decode() : decoder.decode(read.value, { stream: true })
      let from = 0
      for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', from)) {
        length += at - from
        if (length > maxLength) throw tooLong()
        pieces.push(text.slice(from, at))
        const line = pieces.join('').trim()
        pieces = []
        length = 0
        from = at + 1
        if (line !== '') yield line
      }
      length += text.length - from
      if (length > maxLength) throw tooLong()
      if (from < text.length) pieces.push(text.slice(from))
      if (read.done) break
    }
    const rest = pieces.join('').trim()
    if (rest !== '') yield rest
  } finally {
    await reader.cancel().catch(() => {})
  }
}
