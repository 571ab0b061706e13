// What every adapter's core produces: a plain reply (status, lower-case headers, body), not a Web
// `Response`. The Express and Fastify adapters write it to Node's response as it is (no undici
// `Response`, `Headers` or body stream built per request only to be read back); the fetch and
// Hono adapters, whose frameworks take a Web `Response`, make one at the edge by `toResponse`.
// Runtime-neutral: no `node:` imports.

/** A reply of an adapter's core, before any framework writes it. */
export interface Reply {
  readonly status: number
  /** Lower-case names, one value each. */
  readonly headers: Readonly<Record<string, string>>
  /**
   * The body: bytes or text as they are (text is UTF-8 on the wire), the NDJSON stream (piped
   * with backpressure), or none.
   */
  readonly body: Uint8Array<ArrayBuffer> | string | ReadableStream<Uint8Array> | null
}

/** Headers on every adapter response: never cached, varies by the caller's credentials. */
export const SHARE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cache-control': 'no-store',
  vary: 'Authorization',
})

/** A reply of an adapter: the status, body and headers, with {@link SHARE_HEADERS}. */
export function respond(
  status: number,
  body: Reply['body'],
  headers: Record<string, string>,
): Reply {
  return { status, headers: { ...SHARE_HEADERS, ...headers }, body }
}

/** The reply as a Web `Response`, for the adapters whose framework sends one (fetch, Hono). */
export function toResponse(reply: Reply): Response {
  return new Response(reply.body, { status: reply.status, headers: reply.headers })
}
