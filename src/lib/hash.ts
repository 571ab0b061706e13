// Portable hashing and encoding backend (@noble/hashes). Under the `node` export condition the package's
// `#hash` import resolves to hash.node.ts instead, which gives byte-identical output through
// node:crypto. test/lib/hash.test.ts proves the two agree. (HMACs of short texts, a pseudonym's,
// are neither's: lib/hmac-sha256.ts computes them alike on every runtime.) Both files must export the same names with the same signatures.
import { hkdf } from '@noble/hashes/hkdf.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import {
  base64url as portableBase64url,
  base64urlInto as portableBase64urlInto,
  base64urlDecode as portableDecode,
} from './bytes.js'

/** Which implementation this build uses. */
export const hashBackend: 'noble' | 'node' = 'noble'

/** SHA-256 of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data)
}

const textEncoder = new TextEncoder()
const SLICE = 16_384 // UTF-16 units per slice: at most 49,152 UTF-8 bytes, within the scratch
const scratch = new Uint8Array(64 * 1024)

/**
 * SHA-256 of the UTF-8 encoding of `text`, without materialising the whole encoding: digests of
 * megabyte payloads would otherwise allocate a megabyte buffer each. Slices never split a
 * surrogate pair.
 */
export function sha256Text(text: string): Uint8Array {
  if (text.length <= SLICE) return nobleSha256(textEncoder.encode(text))
  const hash = nobleSha256.create()
  updateText(hash, text)
  return hash.digest()
}

function updateText(hash: ReturnType<typeof nobleSha256.create>, text: string): void {
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + SLICE, text.length)
    const last = text.charCodeAt(end - 1)
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--
    const { written } = textEncoder.encodeInto(text.slice(start, end), scratch)
    hash.update(scratch.subarray(0, written))
    start = end
  }
}

/**
 * An incremental SHA-256 of the UTF-8 of texts given in parts (the digest of their
 * concatenation). A part must not end inside a surrogate pair: each is encoded on its own.
 */
export function sha256TextStream(): {
  update(text: string): void
  digest(): Uint8Array
} {
  const hash = nobleSha256.create()
  return {
    update(text) {
      updateText(hash, text)
    },
    digest: () => hash.digest(),
  }
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

type WithToBase64 = Uint8Array & {
  toBase64?: (options: { alphabet: 'base64url'; omitPadding: boolean }) => string
}

/**
 * base64url without padding. Uses the runtime's native encoder where it has one (ES2026
 * `Uint8Array.prototype.toBase64`), which makes one string instead of the several large
 * intermediates of a `btoa` chain: exports sign megabytes at a time.
 */
export function base64url(bytes: Uint8Array): string {
  const native = (bytes as WithToBase64).toBase64
  return native
    ? native.call(bytes, { alphabet: 'base64url', omitPadding: true })
    : portableBase64url(bytes)
}

/** Bytes encoded per native call by {@link base64urlInto}: a multiple of 3, so the parts join. */
const BASE64_SLICE = 49_152

/**
 * Writes the unpadded base64url text of `bytes` as ASCII codes into `out` at `start` (room for
 * `ceil(4n / 3)` bytes); returns the end. With the runtime's native encoder 48 KiB at a time
 * (small strings that die young), else by the portable loop in bytes.ts.
 */
export function base64urlInto(bytes: Uint8Array, out: Uint8Array, start: number): number {
  if (!(bytes as WithToBase64).toBase64) return portableBase64urlInto(bytes, out, start)
  let end = start
  for (let i = 0; i < bytes.length; i += BASE64_SLICE)
    end += asciiInto(base64url(bytes.subarray(i, i + BASE64_SLICE)), out, end)
  return end
}

type Uint8ArrayWithFromBase64 = typeof Uint8Array & {
  fromBase64?: (text: string, options: { alphabet: 'base64url' }) => Uint8Array
}

/** Bytes of base64url text (validated by the caller), natively where the runtime can. */
export function base64urlDecode(text: string): Uint8Array {
  const native = (Uint8Array as Uint8ArrayWithFromBase64).fromBase64
  return native ? native(text, { alphabet: 'base64url' }) : portableDecode(text)
}

/** Bytes of ASCII text (a JWS signing input), for which UTF-8 and Latin-1 agree. */
export function asciiBytes(text: string): Uint8Array<ArrayBuffer> {
  return textEncoder.encode(text)
}

/** Writes ASCII `text` into `target` at `offset` (one byte per unit); returns the bytes written. */
export function asciiInto(text: string, target: Uint8Array, offset: number): number {
  return textEncoder.encodeInto(text, target.subarray(offset)).written
}

const textDecoder = new TextDecoder()

/** The text of ASCII bytes (a JWS). */
export function asciiText(bytes: Uint8Array): string {
  return textDecoder.decode(bytes)
}
