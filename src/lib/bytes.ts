// Byte and encoding helpers shared by the core modules; runtime-neutral (no node: imports).

const encoder = new TextEncoder()

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text)
}

const ALPHABET = new TextEncoder().encode(
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
)
const ascii = new TextDecoder()

/**
 * base64url without padding (RFC 4648 §5), portable. Writes ASCII codes into one buffer and
 * decodes it once, so a megabyte payload makes one string, not a rope of small ones.
 */
export function base64url(bytes: Uint8Array): string {
  const out = new Uint8Array(base64urlLength(bytes.length))
  return ascii.decode(out.subarray(0, base64urlInto(bytes, out, 0)))
}

/** Length of the unpadded base64url text of `length` bytes. */
export function base64urlLength(length: number): number {
  return Math.ceil((length * 4) / 3)
}

/**
 * Writes the unpadded base64url text of `bytes` as ASCII codes into `out` at `start` (room for
 * {@link base64urlLength} bytes); returns the end. Streams encode each chunk's payload straight
 * into the token's buffer with it, instead of making a megabyte string first.
 */
export function base64urlInto(bytes: Uint8Array, out: Uint8Array, start: number): number {
  let o = start
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out[o++] = ALPHABET[n >> 18]!
    out[o++] = ALPHABET[(n >> 12) & 63]!
    out[o++] = ALPHABET[(n >> 6) & 63]!
    out[o++] = ALPHABET[n & 63]!
  }
  const rest = bytes.length - i
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0)
    out[o++] = ALPHABET[n >> 18]!
    out[o++] = ALPHABET[(n >> 12) & 63]!
    if (rest === 2) out[o++] = ALPHABET[(n >> 6) & 63]!
  }
  return o
}

const DECODE = new Int16Array(128).fill(-1)
for (const [i, code] of ALPHABET.entries()) DECODE[code] = i

/**
 * Bytes of unpadded base64url text, portable. Throws a RangeError on a character outside the
 * alphabet or an impossible length.
 */
export function base64urlDecode(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new RangeError('invalid base64url length')
  const out = new Uint8Array(Math.floor((text.length * 3) / 4))
  let o = 0
  let buffer = 0
  let bits = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    const value = code < 128 ? (DECODE[code] as number) : -1
    if (value < 0) throw new RangeError('invalid base64url character')
    buffer = (buffer << 6) | value
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (buffer >> bits) & 0xff
    }
  }
  return out.subarray(0, o)
}

/** Lower-case hex of bytes. */
export function hex(bytes: Uint8Array): string {
  let out = ''
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0')
  return out
}

/** Bytes of a hex string; throws a RangeError on odd length or a non-hex digit. */
export function fromHex(text: string): Uint8Array {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) throw new RangeError('invalid hex')
  const out = new Uint8Array(text.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16)
  return out
}
