// How the Express adapter reads a request and writes the core's reply: Node's own response
// methods, with the reply's status, headers and bytes as they are (no Web `Response` between).
import type { Response } from 'express'
import type { Reply } from '../reply.js'

/** The response's own writers, kept before the handler runs so that only the middleware uses them. */
export interface Writers {
  readonly write: Response['write']
  readonly end: Response['end']
  readonly writeHead: Response['writeHead']
}

const encoder = new TextEncoder()

/**
 * Writes a reply to Express's `res`: bytes (text encoded once, as UTF-8) with their
 * `content-length`; an NDJSON stream chunk by chunk with backpressure, the socket destroyed when
 * the stream fails (the partner sees no manifest) and the stream cancelled when the partner goes.
 */
export async function writeReply(
  res: Response,
  reply: Reply,
  writers: Writers = { write: res.write, end: res.end, writeHead: res.writeHead },
): Promise<void> {
  const write = (chunk: Uint8Array): boolean => Reflect.apply(writers.write, res, [chunk])
  const end = (chunk?: Uint8Array): void => {
    Reflect.apply(writers.end, res, chunk === undefined ? [] : [chunk])
  }
  // The head goes out by the kept writeHead, with the status and headers set just before it.
  const head = () => {
    res.status(reply.status)
    for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value)
    Reflect.apply(writers.writeHead, res, [reply.status])
  }
  const { body } = reply
  if (body === null) {
    head()
    end()
    return
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const bytes = typeof body === 'string' ? encoder.encode(body) : body
    res.setHeader('content-length', String(bytes.byteLength))
    head()
    end(bytes)
    return
  }
  head()
  const reader = body.getReader()
  let closed = false
  res.once('close', () => {
    closed = true
    void reader.cancel().catch(() => {})
  })
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (closed) return
      if (!write(value))
        await new Promise<void>((resolve) => {
          res.once('drain', resolve)
          res.once('close', resolve)
        })
    }
    end()
  } catch (error) {
    // Data has gone out: abort the connection, the partner sees no manifest.
    res.destroy(error instanceof Error ? error : undefined)
  }
}
