// The body an adapter response was made from, kept beside the Web `Response`, so the Express and
// Fastify adapters write those bytes as they are instead of reading them back through the
// Response's stream (and, in Fastify, decoding them to text and encoding them again). Streams
// (NDJSON) are not kept: they are piped with backpressure.

const bodies = new WeakMap<Response, string | Uint8Array>()
const encoder = new TextEncoder()

/** `new Response(body, init)`, remembering a string or byte body. */
export function responseOf(body: BodyInit | null, init: ResponseInit): Response {
  const response = new Response(body, init)
  if (typeof body === 'string' || body instanceof Uint8Array) bodies.set(response, body)
  return response
}

/** The bytes `response` was made from by {@link responseOf}, or `undefined`. */
export function rawBody(response: Response): Uint8Array | undefined {
  const body = bodies.get(response)
  return typeof body === 'string' ? encoder.encode(body) : body
}
