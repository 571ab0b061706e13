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
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url')
}

/** Bytes of base64url text (validated by the caller), by Buffer. */
export function base64urlDecode(text: string): Uint8Array {
  return toUint8Array(Buffer.from(text, 'base64url'))
}
