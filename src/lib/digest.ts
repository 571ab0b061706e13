// The one spelling of a content digest across datagate: `sha256:` and lower-case hex of the
// SHA-256 of a text's UTF-8 (schema hashes, policy hashes, view digests, audit event hashes,
// stream chunk digests).
import { sha256, sha256Text, sha256TextStream } from '#hash'
import { hex } from './bytes.js'

/** `sha256:<hex>` of the UTF-8 encoding of `text`. */
export function textDigest(text: string): string {
  return `sha256:${hex(sha256Text(text))}`
}

/** `sha256:<hex>` of `bytes`: the digest of exactly the bytes that were signed. */
export function bytesDigest(bytes: Uint8Array): string {
  return `sha256:${hex(sha256(bytes))}`
}

/**
 * `sha256:<hex>` of `JSON.stringify(value)`: the digest of a released view exactly as an export
 * signs it (`records`, key order as released). A verifier recomputes it from the verified
 * records: `JSON.parse` keeps the key order, so `JSON.stringify` writes the same text again.
 */
export function jsonDigest(value: unknown): string {
  return textDigest(JSON.stringify(value) ?? 'null')
}

/** Records serialised per slice of the array by {@link jsonArrayDigest}. */
const DIGEST_SLICE = 200

/**
 * {@link jsonDigest} of an array, the same digest of the same text, without the one text of the
 * whole array: each slice of 200 elements is written by `JSON.stringify` and hashed as it comes.
 * `JSON.stringify` of an array is `[`, its elements' texts joined by `,`, then `]` (an element
 * that has no JSON text is written `null` in a slice as in the whole), so the parts concatenate
 * to exactly `JSON.stringify(values)`; every part is a complete JSON text, which never ends
 * inside a surrogate pair (lone surrogates are escaped). Measured (docs/benchmarks.md): on the
 * bench's 60,037 released records (14.9 million UTF-16 units of CJK text), one flat two-byte
 * string of the whole array, then its UTF-8, cost about a third more than the slices.
 * test/lib/digest.test.ts checks the equality.
 */
export function jsonArrayDigest(values: readonly unknown[]): string {
  if (values.length <= DIGEST_SLICE) return jsonDigest(values)
  const hash = sha256TextStream()
  hash.update('[')
  for (let start = 0; start < values.length; start += DIGEST_SLICE) {
    const text = JSON.stringify(values.slice(start, start + DIGEST_SLICE))
    hash.update(start === 0 ? text.slice(1, -1) : `,${text.slice(1, -1)}`)
  }
  hash.update(']')
  return `sha256:${hex(hash.digest())}`
}

/**
 * `textDigest(`[${texts.join(',')}]`)`: the digest of an array written from its elements' JSON
 * texts (a delta's view, from its records' canonical JSON), hashed slice by slice as
 * {@link jsonArrayDigest} does, without the one joined text. Each element must be a complete JSON
 * text (which never ends inside a surrogate pair). test/lib/digest.test.ts checks the equality.
 */
export function jsonTextsDigest(texts: readonly string[]): string {
  if (texts.length <= DIGEST_SLICE) return textDigest(`[${texts.join(',')}]`)
  const hash = sha256TextStream()
  hash.update('[')
  for (let start = 0; start < texts.length; start += DIGEST_SLICE) {
    const part = texts.slice(start, start + DIGEST_SLICE).join(',')
    hash.update(start === 0 ? part : `,${part}`)
  }
  hash.update(']')
  return `sha256:${hex(hash.digest())}`
}

/**
 * The RFC 9530 `Content-Digest` field value (`sha-256=:<base64>:`) of a body given in parts, as
 * `contentDigest` of lib/http-signature writes it; here without the structured-fields library,
 * so the gate (core entry) can name the body of a json-mode response it may sign.
 */
export function contentDigestOf(parts: readonly Uint8Array[]): string {
  let length = 0
  for (const part of parts) length += part.length
  const body = new Uint8Array(length)
  let at = 0
  for (const part of parts) {
    body.set(part, at)
    at += part.length
  }
  let binary = ''
  for (const byte of sha256(body)) binary += String.fromCharCode(byte)
  return `sha-256=:${btoa(binary)}:`
}
