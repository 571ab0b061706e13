// Uniform and Laplace sampling from a cryptographic byte source. Shared by `noise.laplace` and
// the aggregation step (noisy counts), so both draw noise the same, testable way. lib/ sits below
// anonymize/, so the random source type is restated here rather than imported from operator.ts.
import { assertBytes, assertNumber } from './assert.js'

/** Returns `length` fresh random bytes; the same shape as the operators' `RandomSource`. */
export type RandomSource = (length: number) => Uint8Array

const TWO_POW_52 = 2 ** 52
const TWO_POW_53 = 2 ** 53
const TWO_POW_MINUS_52 = 2 ** -52
const TWO_POW_MINUS_53 = 2 ** -53

function defaultRandom(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length))
}

/** A uniformly distributed integer in [0, 2^53) built from 7 random bytes (53 of their 56 bits). */
function random53(random: RandomSource): number {
  const bytes = random(7)
  assertBytes(bytes, 'random source output', { minLength: 7 })
  // Multiplication, not bit shifts: shifts in JavaScript truncate to 32 bits.
  return (
    (bytes[0]! & 0x1f) * 2 ** 48 +
    bytes[1]! * 2 ** 40 +
    bytes[2]! * 2 ** 32 +
    bytes[3]! * 2 ** 24 +
    bytes[4]! * 2 ** 16 +
    bytes[5]! * 2 ** 8 +
    bytes[6]!
  )
}

/**
 * A uniform double in [0, 1) with 53 random bits, from `random` or `crypto.getRandomValues`.
 *
 * @example
 * ```ts
 * import { uniform01 } from './laplace.js'
 *
 * const u = uniform01()
 * console.log(u >= 0 && u < 1) // true
 * ```
 */
export function uniform01(random: RandomSource = defaultRandom): number {
  return random53(random) * TWO_POW_MINUS_53
}

/**
 * One draw from Laplace(0, `scale`) by the inverse CDF, from `random` or `crypto.getRandomValues`.
 *
 * The uniform draw u is taken at the centre of its 2^-53 cell, so it lies strictly inside (0, 1)
 * and the logarithm never sees 0: the largest magnitude returned is `scale * 53 * ln 2`.
 * Uses 7 bytes of `random` per draw.
 * Floating-point Laplace noise leaks in its low bits (Mironov 2012); callers that publish many
 * noisy values should round them to a coarse grid.
 *
 * @example
 * ```ts
 * import { laplaceNoise } from './laplace.js'
 *
 * const noisyCount = 120 + laplaceNoise(1 / 0.5) // epsilon 0.5, sensitivity 1
 * console.log(Number.isFinite(noisyCount)) // true
 * ```
 */
export function laplaceNoise(scale: number, random: RandomSource = defaultRandom): number {
  assertNumber(scale, 'Laplace scale', { exclusiveMin: 0 })
  // u = (k + 0.5) / 2^53. Each half is computed from its distance to the nearer end, so neither
  // 2u nor 2(1 - u) rounds to 0 (1 - 2^-54 would round to 1 in a double).
  const k = random53(random)
  const upper = k >= TWO_POW_52
  const j = upper ? TWO_POW_53 - 1 - k : k
  const magnitude = -scale * Math.log((j + 0.5) * TWO_POW_MINUS_52)
  return upper ? magnitude : -magnitude
}
