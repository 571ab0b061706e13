// The one spelling of a content digest across datagate: `sha256:` and lower-case hex of the
// SHA-256 of a text's UTF-8 (schema hashes, policy hashes, view digests, audit event hashes,
// stream chunk digests).
import { sha256, sha256Text } from '#hash'
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
