// How the Fastify adapter reads a request and hands the core's reply to Fastify: status and
// headers set on the reply, the body as bytes or as the NDJSON stream (no Web `Response` between).
import type { FastifyReply } from 'fastify'
import type { Reply } from '../reply.js'

const encoder = new TextEncoder()

/**
 * Sets the reply's status and headers on Fastify's `reply` and returns the payload to send:
 * bytes (text encoded once: Fastify would append `; charset=utf-8` to the media type of a
 * string, and no serializer of the handler's touches bytes), the NDJSON stream (which Fastify
 * pipes with backpressure, destroying the socket when it fails), or `undefined` for no body.
 */
export function payloadOf(
  reply: FastifyReply,
  answer: Reply,
): Uint8Array | ReadableStream<Uint8Array> | undefined {
  reply.code(answer.status)
  for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value)
  const { body } = answer
  if (body === null) return undefined
  return typeof body === 'string' ? encoder.encode(body) : body
}
