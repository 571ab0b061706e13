// The gate's pseudonym master key: checked for obvious weakness and copied at createGate.
// A caller that zeroes or reuses its buffer afterwards (good hygiene for secrets) would
// otherwise switch every later pseudonym to the new bytes, e.g. the all-zero key, silently.
// The weakness checks catch keys typed or filled by hand (`new Uint8Array(32).fill(7)`, a
// repeated word), not keys of low entropy in general: nothing can tell those from random bytes.
import { DatagateError } from '../errors.js'

/** Shortest pseudonym master key accepted: 256 bits. */
export const MIN_PSEUDONYM_KEY_BYTES = 32
// A random 32-byte key has about 30 distinct byte values; fewer than 8 happens with probability
// far below 2^-100, while hex or decimal text (16 or 10 values) still passes.
const MIN_DISTINCT_BYTES = 8
const MAX_JUDGED_BYTES = 256

/**
 * Why `key` is obviously weak, or `undefined`: all bytes equal, periodic or nearly so (three in
 * four bytes repeat the byte `period` before), or few distinct bytes.
 */
export function keyWeakness(whole: Uint8Array): string | undefined {
  // The near-repeat check is quadratic in the length; a key whose first bytes are not obviously
  // weak holds at least their entropy, so a long key is judged by its prefix.
  const key = whole.length > MAX_JUDGED_BYTES ? whole.subarray(0, MAX_JUDGED_BYTES) : whole
  if (key.every((byte) => byte === key[0]))
    return key[0] === 0 ? 'all its bytes are zero' : 'all its bytes are equal'
  // Nearly periodic counts too: a pattern repeated with a byte or two changed ("a twist") is as
  // guessable. A random key matches itself shifted at about 1 position in 256; three in four is
  // beyond chance (below 2^-90 for 32 bytes), for hex or decimal text as well.
  for (let period = 1; period <= key.length / 2; period++) {
    const compared = key.length - period
    let mismatches = 0
    for (let i = period; i < key.length && mismatches * 4 <= compared; i++)
      if (key[i] !== key[i - period]) mismatches++
    if (mismatches * 4 <= compared)
      return mismatches === 0
        ? `it repeats a pattern of ${period} byte(s)`
        : `it nearly repeats a pattern of ${period} byte(s)`
  }
  if (new Set(key).size < MIN_DISTINCT_BYTES)
    return `it holds fewer than ${MIN_DISTINCT_BYTES} distinct byte values`
  return undefined
}

/**
 * Checks a pseudonym master key (a Uint8Array of at least 32 bytes, not obviously weak) and
 * returns a private copy, or `undefined` for `undefined`. Throws `ERR_KEY_INVALID`; the message
 * says what is wrong, never the key.
 */
export function copyPseudonymKey(key: unknown, what: string): Uint8Array | undefined {
  if (key === undefined) return undefined
  const copy = ownCopy(key)
  if (copy === undefined || copy.length < MIN_PSEUDONYM_KEY_BYTES)
    throw new DatagateError(
      'ERR_KEY_INVALID',
      `${what} must be a Uint8Array of at least ${MIN_PSEUDONYM_KEY_BYTES} bytes`,
    )
  // Judged on the copy: the caller's object could change between the check and the copy.
  const weakness = keyWeakness(copy)
  if (weakness !== undefined)
    throw new DatagateError(
      'ERR_KEY_INVALID',
      `${what} is not random: ${weakness}; use 32 bytes from crypto.getRandomValues`,
    )
  return copy
}

// A fresh Uint8Array over its own ArrayBuffer, or `undefined` for anything that is not a real
// typed array. Not `key.slice()`: a Node Buffer's slice is a view of the same memory, so a caller
// zeroing its Buffer would still switch the key; a Proxy passes `instanceof` but holds no bytes.
function ownCopy(key: unknown): Uint8Array | undefined {
  if (!(key instanceof Uint8Array) || !ArrayBuffer.isView(key)) return undefined
  try {
    return new Uint8Array(key)
  } catch {
    return undefined
  }
}
