// Portable hashing backend (@noble/hashes). Under the `node` export condition the package's
// `#hash` import resolves to hash.node.ts instead, which gives byte-identical output through
// node:crypto (about 3-4x faster per HMAC call on short values). test/lib/hash.test.ts proves
// the two agree. Both files must export the same names with the same signatures.
import { hkdf } from '@noble/hashes/hkdf.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'

/** Which implementation this build uses. */
export const hashBackend: 'noble' | 'node' = 'noble'

/** SHA-256 of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data)
}

/** Returns an HMAC-SHA-256 function bound to `key`; the key is prepared once, not per call. */
export function hmacSha256(key: Uint8Array): (data: Uint8Array) => Uint8Array {
  const prepared = hmac.create(nobleSha256, key)
  return (data) => prepared.clone().update(data).digest()
}

/** HKDF-SHA-256 (RFC 5869): `length` bytes of output keying material. */
export function hkdfSha256(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Uint8Array {
  return hkdf(nobleSha256, ikm, salt, info, length)
}
