// HMAC-SHA-256 of short texts, written out over the SHA-256 compression function (FIPS 180-4
// §6.2) with both key pads absorbed once, when the key is bound: a pseudonym then costs two
// compressions, and no object but its string.
//
// Written by hand because neither library does this well on short inputs. node:crypto's
// `createHmac` re-derives both pads and crosses into C++ three times per call; two one-shot
// `crypto.hash` calls (what hash.node.ts did before) cost two Buffers and hash the pad blocks
// again; `Hash.copy()` cost more than either. @noble/hashes clones two hash objects with their
// buffers per call (hmac.create(...).clone()). Measured on Node 20.20, 100,000 values
// (bench/pseudonymize.ts, docs/benchmarks.md): about 0.9 us a value here against 2.4-2.5 us for
// `createHmac` and for the two `crypto.hash` calls. Pure JavaScript, so every runtime computes
// the same bytes with the same code; test/lib/hmac-sha256.test.ts checks it against RFC 4231 and
// against node:crypto on random keys and texts, short and long.

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])

/** The initial hash value H(0) of SHA-256. */
const IV = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
])

const BLOCK = 64
/** Bytes of text encoded into the bound function's own buffer; longer text gets a buffer of its own. */
const SCRATCH = 1024
/** The base64url alphabet (RFC 4648 §5) as UTF-16 units. */
const ALPHABET = Array.from(
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
  (c) => c.charCodeAt(0),
)
const encoder = new TextEncoder()

/**
 * One SHA-256 compression of the block in `w[0..15]` into `state`; `w` (64 words) is
 * overwritten with the message schedule.
 */
function compress(state: Int32Array, w: Int32Array): void {
  for (let t = 16; t < 64; t++) {
    const x = w[t - 15] as number
    const y = w[t - 2] as number
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)
    w[t] = ((w[t - 16] as number) + s0 + (w[t - 7] as number) + s1) | 0
  }
  let a = state[0] as number
  let b = state[1] as number
  let c = state[2] as number
  let d = state[3] as number
  let e = state[4] as number
  let f = state[5] as number
  let g = state[6] as number
  let h = state[7] as number
  // Eight rounds a pass, the working variables renamed instead of shifted (FIPS 180-4 §6.2.2
  // step 3 as written moves all eight every round).
  for (let t = 0; t < 64; t += 8) {
    h =
      (h +
        (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
        ((e & f) ^ (~e & g)) +
        (K[t + 0] as number) +
        (w[t + 0] as number)) |
      0
    d = (d + h) | 0
    h =
      (h +
        (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
        ((a & b) ^ (a & c) ^ (b & c))) |
      0
    g =
      (g +
        (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) +
        ((d & e) ^ (~d & f)) +
        (K[t + 1] as number) +
        (w[t + 1] as number)) |
      0
    c = (c + g) | 0
    g =
      (g +
        (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) +
        ((h & a) ^ (h & b) ^ (a & b))) |
      0
    f =
      (f +
        (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) +
        ((c & d) ^ (~c & e)) +
        (K[t + 2] as number) +
        (w[t + 2] as number)) |
      0
    b = (b + f) | 0
    f =
      (f +
        (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) +
        ((g & h) ^ (g & a) ^ (h & a))) |
      0
    e =
      (e +
        (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) +
        ((b & c) ^ (~b & d)) +
        (K[t + 3] as number) +
        (w[t + 3] as number)) |
      0
    a = (a + e) | 0
    e =
      (e +
        (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) +
        ((f & g) ^ (f & h) ^ (g & h))) |
      0
    d =
      (d +
        (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) +
        ((a & b) ^ (~a & c)) +
        (K[t + 4] as number) +
        (w[t + 4] as number)) |
      0
    h = (h + d) | 0
    d =
      (d +
        (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) +
        ((e & f) ^ (e & g) ^ (f & g))) |
      0
    c =
      (c +
        (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) +
        ((h & a) ^ (~h & b)) +
        (K[t + 5] as number) +
        (w[t + 5] as number)) |
      0
    g = (g + c) | 0
    c =
      (c +
        (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) +
        ((d & e) ^ (d & f) ^ (e & f))) |
      0
    b =
      (b +
        (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) +
        ((g & h) ^ (~g & a)) +
        (K[t + 6] as number) +
        (w[t + 6] as number)) |
      0
    f = (f + b) | 0
    b =
      (b +
        (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) +
        ((c & d) ^ (c & e) ^ (d & e))) |
      0
    a =
      (a +
        (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) +
        ((f & g) ^ (~f & h)) +
        (K[t + 7] as number) +
        (w[t + 7] as number)) |
      0
    e = (e + a) | 0
    a =
      (a +
        (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) +
        ((b & c) ^ (b & d) ^ (c & d))) |
      0
  }
  state[0] = ((state[0] as number) + a) | 0
  state[1] = ((state[1] as number) + b) | 0
  state[2] = ((state[2] as number) + c) | 0
  state[3] = ((state[3] as number) + d) | 0
  state[4] = ((state[4] as number) + e) | 0
  state[5] = ((state[5] as number) + f) | 0
  state[6] = ((state[6] as number) + g) | 0
  state[7] = ((state[7] as number) + h) | 0
}

/** Compresses the 64-byte blocks of `bytes[0..end)` (end a multiple of 64) into `state`. */
function compressBlocks(state: Int32Array, w: Int32Array, bytes: Uint8Array, end: number): void {
  for (let at = 0; at < end; at += BLOCK) {
    for (let i = 0; i < 16; i++) {
      const p = at + 4 * i
      w[i] =
        ((bytes[p] as number) << 24) |
        ((bytes[p + 1] as number) << 16) |
        ((bytes[p + 2] as number) << 8) |
        (bytes[p + 3] as number)
    }
    compress(state, w)
  }
}

/**
 * Appends SHA-256 padding behind the `length` message bytes in `bytes` for a message of
 * `prefix + length` bytes in all, and returns the end of the last block. `bytes` must have room
 * for `length + 72` bytes.
 */
function pad(bytes: Uint8Array, length: number, prefix: number): number {
  bytes[length] = 0x80
  const end = (length + 9 + 63) & ~63
  bytes.fill(0, length + 1, end - 8)
  // The length in bits as 64 bits, big-endian (exact: a JS string's UTF-8 is below 2^53 bits).
  const bits = (prefix + length) * 8
  const high = Math.floor(bits / 0x1_0000_0000)
  bytes[end - 8] = high >>> 24
  bytes[end - 7] = high >>> 16
  bytes[end - 6] = high >>> 8
  bytes[end - 5] = high
  bytes[end - 4] = bits >>> 24
  bytes[end - 3] = bits >>> 16
  bytes[end - 2] = bits >>> 8
  bytes[end - 1] = bits
  return end
}

/** SHA-256 of `bytes` (for keys longer than a block, RFC 2104 §2). */
function sha256Of(bytes: Uint8Array): Uint8Array {
  const w = new Int32Array(64)
  const state = IV.slice()
  const padded = new Uint8Array(bytes.length + 72)
  padded.set(bytes)
  compressBlocks(state, w, padded, pad(padded, bytes.length, 0))
  return wordsToBytes(state, 32)
}

function wordsToBytes(state: Int32Array, length: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = (state[i >> 2] as number) >>> (24 - 8 * (i & 3))
  return out
}

/** An HMAC-SHA-256 of the UTF-8 of texts, bound to one key. */
export interface TextHmac {
  /** The 32 bytes of the HMAC of `text`'s UTF-8, in a new array. */
  bytes(text: string): Uint8Array
  /** Unpadded base64url of the first `length` bytes (1 to 32) of the HMAC of `text`'s UTF-8. */
  base64url(text: string, length: number): string
}

/**
 * Binds HMAC-SHA-256 (RFC 2104) to `key`: the inner and outer pad blocks are compressed once,
 * here, so each text costs the compressions of its own blocks (one for up to 55 bytes) and one
 * for the outer hash. Text is encoded as UTF-8 the way `TextEncoder` does it (a lone surrogate
 * becomes U+FFFD, as it does in node:crypto and Buffer). The key's bytes are copied into the pad
 * state and not kept.
 *
 * @example
 * ```ts
 * import { textHmac } from './hmac-sha256.js'
 *
 * const mac = textHmac(new Uint8Array(20).fill(0x0b)) // RFC 4231 test case 1
 * console.log(mac.base64url('Hi There', 32)) // sDRMYdjbOFNcqK_OrwvxK4gdwgDJgz2nJuk3bC4yz_c
 * ```
 */
export function textHmac(key: Uint8Array): TextHmac {
  const w = new Int32Array(64)
  const inner = IV.slice()
  const outer = IV.slice()
  const block = new Uint8Array(BLOCK)
  block.set(key.length > BLOCK ? sha256Of(key) : key)
  for (const [state, mask] of [
    [inner, 0x36],
    [outer, 0x5c],
  ] as const) {
    for (let i = 0; i < 16; i++) {
      let word = 0
      for (let j = 0; j < 4; j++) word = (word << 8) | ((block[4 * i + j] as number) ^ mask)
      w[i] = word
    }
    compress(state, w)
  }
  block.fill(0)
  const scratch = new Uint8Array(SCRATCH + 72)
  const state = new Int32Array(8)
  /** The characters of the last base64url, reused while the length stays. */
  let units: number[] = []
  const digest = new Uint8Array(32)

  /** Leaves the HMAC of `text` in `state`. */
  function run(text: string): void {
    // UTF-16 units of the ASCII prefix are its bytes; the rest goes through TextEncoder.
    const count = text.length
    const buffer = count * 3 <= SCRATCH ? scratch : new Uint8Array(count * 3 + 72)
    let length = 0
    while (length < count) {
      const unit = text.charCodeAt(length)
      if (unit >= 0x80) break
      buffer[length++] = unit
    }
    if (length < count)
      length += encoder.encodeInto(text.slice(length), buffer.subarray(length)).written
    state.set(inner)
    compressBlocks(state, w, buffer, pad(buffer, length, BLOCK))
    // The outer hash of the inner digest: one block of 32 bytes, 0x80, zeros and 768 bits.
    for (let i = 0; i < 8; i++) w[i] = state[i] as number
    w[8] = 0x80000000 | 0
    w.fill(0, 9, 15)
    w[15] = (BLOCK + 32) * 8
    state.set(outer)
    compress(state, w)
  }

  return {
    bytes(text) {
      run(text)
      return wordsToBytes(state, 32)
    },
    base64url(text, length) {
      run(text)
      const size = Math.ceil((4 * length) / 3)
      if (units.length !== size) units = new Array<number>(size).fill(0)
      for (let k = 0; k < length; k++) digest[k] = (state[k >> 2] as number) >>> (24 - 8 * (k & 3))
      let i = 0
      let j = 0
      for (; i + 3 <= length; i += 3) {
        const v =
          ((digest[i] as number) << 16) |
          ((digest[i + 1] as number) << 8) |
          (digest[i + 2] as number)
        units[j++] = ALPHABET[v >>> 18] as number
        units[j++] = ALPHABET[(v >>> 12) & 63] as number
        units[j++] = ALPHABET[(v >>> 6) & 63] as number
        units[j++] = ALPHABET[v & 63] as number
      }
      if (length - i === 1) {
        const v = digest[i] as number
        units[j++] = ALPHABET[v >>> 2] as number
        units[j++] = ALPHABET[(v & 3) << 4] as number
      } else if (length - i === 2) {
        const v = ((digest[i] as number) << 8) | (digest[i + 1] as number)
        units[j++] = ALPHABET[v >>> 10] as number
        units[j++] = ALPHABET[(v >>> 4) & 63] as number
        units[j++] = ALPHABET[(v & 15) << 2] as number
      }
      // One string from the units: measured 0.12 us a 22-character pseudonym here, against
      // 0.62 us for concatenating its characters and 0.22 us through TextDecoder.
      return String.fromCharCode.apply(null, units)
    },
  }
}
