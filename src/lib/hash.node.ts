// node:crypto and Buffer backend of `#hash`, chosen under the `node` export condition. It must export the
// same names with the same signatures and byte-identical output as hash.ts (tested).
import { createHash, createHmac, createSecretKey, hkdfSync } from 'node:crypto'

/** Which implementation this build uses. */
export const hashBackend: 'noble' | 'node' = 'node'

function toUint8Array(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

/** SHA-256 of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  return toUint8Array(createHash('sha256').update(data).digest())
}

/** SHA-256 of the UTF-8 encoding of `text`; node:crypto encodes it natively, in native memory. */
export function sha256Text(text: string): Uint8Array {
  return toUint8Array(createHash('sha256').update(text, 'utf8').digest())
}

/**
 * An incremental SHA-256 of the UTF-8 of texts given in parts (the digest of their
 * concatenation). A part must not end inside a surrogate pair: each is encoded on its own.
 */
export function sha256TextStream(): {
  update(text: string): void
  digest(): Uint8Array
} {
  const state = createHash('sha256')
  return {
    update(text) {
      state.update(text, 'utf8')
    },
    digest: () => toUint8Array(state.digest()),
  }
}

/** Returns an HMAC-SHA-256 function bound to `key`; the key is prepared once, not per call. */
export function hmacSha256(key: Uint8Array): (data: Uint8Array) => Uint8Array {
  const secret = createSecretKey(key)
  return (data) => toUint8Array(createHmac('sha256', secret).update(data).digest())
}

/** HKDF-SHA-256 (RFC 5869): `length` bytes of output keying material. */
export function hkdfSha256(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length))
}

/** base64url without padding, by Buffer: one native pass, one string. */
export function base64url(bytes: Uint8Array): string {
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return buffer.toString('base64url')
}

/** Bytes encoded per native call by {@link base64urlInto}: a multiple of 3, so the parts join. */
const BASE64_SLICE = 49_152

/**
 * Writes the unpadded base64url text of `bytes` as ASCII codes into `out` at `start` (room for
 * `ceil(4n / 3)` bytes); returns the end. Natively, 48 KiB at a time: each part's 64 KiB string
 * dies young, where one string of a whole chunk's payload outlived young collections and raised
 * the stream's peak by about 20 MB (docs/benchmarks.md, the fourth pass). Measured here: 5-6 ms
 * for 21 MB against 26 ms for the portable loop in bytes.ts.
 */
export function base64urlInto(bytes: Uint8Array, out: Uint8Array, start: number): number {
  let end = start
  for (let i = 0; i < bytes.length; i += BASE64_SLICE)
    end += asciiInto(base64url(bytes.subarray(i, i + BASE64_SLICE)), out, end)
  return end
}

/** Bytes of base64url text (validated by the caller), by Buffer. */
export function base64urlDecode(text: string): Uint8Array {
  return toUint8Array(Buffer.from(text, 'base64url'))
}

/**
 * Bytes of ASCII text (a JWS signing input), for which UTF-8 and Latin-1 agree: Latin-1 is a
 * straight copy of one byte per unit, where UTF-8 encoding of a 28 MB signing input cost about
 * 5 % of an export (bench:profile).
 */
export function asciiBytes(text: string): Uint8Array<ArrayBuffer> {
  const buffer = Buffer.from(text, 'latin1')
  return new Uint8Array(buffer.buffer as ArrayBuffer, buffer.byteOffset, buffer.byteLength)
}

/** Writes ASCII `text` into `target` at `offset` (one byte per unit); returns the bytes written. */
export function asciiInto(text: string, target: Uint8Array, offset: number): number {
  const buffer = Buffer.isBuffer(target)
    ? target
    : Buffer.from(target.buffer, target.byteOffset, target.byteLength)
  return buffer.write(text, offset, 'latin1')
}

/**
 * The text of ASCII bytes (a JWS), by Buffer: one flat string, outside the JS heap from about a
 * megabyte. Measured (bench/stream-memory.ts): a heap string here (TextDecoder) raised the
 * stream's peak by 10-15 MB, as it counts toward the old generation's limit, which V8 lets
 * grow to four times the live heap before a full collection.
 */
export function asciiText(bytes: Uint8Array): string {
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return buffer.toString('latin1')
}
