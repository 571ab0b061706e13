// The one spelling of a content digest across datagate: `sha256:` and lower-case hex of the
// SHA-256 of a text's UTF-8 (schema hashes, policy hashes, view digests, audit event hashes,
// stream chunk digests).
import { sha256, sha256Text, sha256TextStream } from '#hash'
import { DatagateError } from '../errors.js'
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
  return textDigest(stringify(value) ?? 'null')
}

/**
 * `JSON.stringify(value)`; a value it cannot write (a bigint, a cycle) is `ERR_INVALID_ARGUMENT`,
 * with no cause: JSON.stringify's own message names the key that closes a cycle, a data key.
 */
function stringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value)
  } catch {
    throw new DatagateError('ERR_INVALID_ARGUMENT', 'records are not JSON-serialisable')
  }
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
  for (let start = 0; start < values.length; start += DIGEST_SLICE)
    hashSlice(hash, values.slice(start, start + DIGEST_SLICE), start === 0)
  return closeArray(hash)
}

type TextHash = ReturnType<typeof sha256TextStream>

/** Hashes the elements' part of `JSON.stringify(slice)`, opening the array or after a comma. */
function hashSlice(hash: TextHash, slice: readonly unknown[], first: boolean): void {
  const text = stringify(slice) as string
  hash.update(first ? `[${text.slice(1, -1)}` : `,${text.slice(1, -1)}`)
}

function closeArray(hash: TextHash): string {
  hash.update(']')
  return `sha256:${hex(hash.digest())}`
}

/**
 * An array whose {@link jsonArrayDigest} is computed as it is filled: every 200 elements pushed
 * are written by `JSON.stringify` and hashed while they are still fresh in the cache, rather
 * than in a second pass over the whole array. `digest()` gives exactly
 * `jsonArrayDigest(values)` of the elements pushed (and must be called once, at the end).
 * Measured on the bench's release (100,000 rows, 60,037 released; docs/benchmarks.md):
 * gate.release 294-295 ms against 300-303 ms digesting after the run.
 */
export function digestingArray<T>(): {
  readonly values: T[]
  push(value: T): void
  digest(): string
} {
  const values: T[] = []
  const hash = sha256TextStream()
  let hashed = 0
  const flush = () => {
    hashSlice(hash, values.slice(hashed), hashed === 0)
    hashed = values.length
  }
  return {
    values,
    push(value) {
      values.push(value)
      if (values.length - hashed >= DIGEST_SLICE) flush()
    },
    digest() {
      if (values.length === 0) return jsonDigest(values)
      if (hashed < values.length) flush()
      return closeArray(hash)
    },
  }
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
