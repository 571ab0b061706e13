// Exact discrete Laplace sampling (Canonne, Kamath and Steinke 2020, "The Discrete Gaussian for
// Differential Privacy", Algorithms 1 and 2): integers with P(z) proportional to exp(-|z| / scale),
// drawn with exact rational arithmetic on BigInt from uniform random bytes. No floating-point
// logarithm or exponential is evaluated, so no output depends on rounding: floating-point Laplace
// leaks through the low bits of its output and the gaps between representable values (Mironov
// 2012), which this removes by construction.
//
// Written here because no maintained JavaScript package implements these samplers (OpenDP and
// Google's differential-privacy library ship them for Rust, Python, Go and C++ only) and the
// algorithms are short enough to check line by line against the paper.
import { DatagateError } from '../errors.js'
import { assertBytes, assertNumber } from './assert.js'

/** Returns `length` fresh random bytes; the same shape as the operators' `RandomSource`. */
export type RandomSource = (length: number) => Uint8Array

/** A positive rational number `num / den`, both BigInt. */
export interface Rational {
  readonly num: bigint
  readonly den: bigint
}

// A correct sampler ends each loop after a handful of rounds (the expected count is below 3; the
// chance of 4,096 rounds is below 2^-4000). A random source that returns constant bytes would
// loop forever instead, so it is refused.
const MAX_ROUNDS = 4096

// Draws must stay exact integers once added to a count or sum, so below 2^53 with room to spare:
// at scale 2^45, |draw| >= 2^52 has probability exp(-128), so the draws never reach it.
const MAX_SCALE = 2n ** 45n
const MAX_DRAW = 2n ** 52n

function brokenSource(): never {
  const message = 'random source: output does not look random (a sampler did not terminate)'
  throw new DatagateError('ERR_INVALID_ARGUMENT', message, { cause: new RangeError(message) })
}

function defaultRandom(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length))
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b]
  return a
}

/** The exact value of a finite double > 0 as a reduced fraction (every double is dyadic). */
export function exactRational(value: number, what: string): Rational {
  assertNumber(value, what, { exclusiveMin: 0 })
  let mantissa = value
  let exponent = 0
  // Doubling is exact in binary floating point, so this ends with the exact mantissa.
  while (!Number.isInteger(mantissa)) {
    mantissa *= 2
    exponent++
  }
  const num = BigInt(mantissa)
  const den = 1n << BigInt(exponent)
  const divisor = gcd(num, den)
  return { num: num / divisor, den: den / divisor }
}

/** `a / b` of two rationals, reduced. */
export function divide(a: Rational, b: Rational): Rational {
  const num = a.num * b.den
  const den = a.den * b.num
  const divisor = gcd(num, den)
  return { num: num / divisor, den: den / divisor }
}

/** A uniform integer in [0, n) by rejection sampling over the fewest bytes that cover n - 1. */
function uniformBelow(n: bigint, random: RandomSource): bigint {
  if (n <= 1n) return 0n
  const bits = (n - 1n).toString(2).length
  const length = Math.ceil(bits / 8)
  const topMask = 0xff >>> (length * 8 - bits)
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const bytes = random(length)
    assertBytes(bytes, 'random source output', { minLength: length })
    let value = BigInt(bytes[0]! & topMask)
    for (let i = 1; i < length; i++) value = (value << 8n) | BigInt(bytes[i]!)
    if (value < n) return value
  }
  return brokenSource()
}

/** Bernoulli(num / den) for 0 <= num <= den. */
function bernoulli(num: bigint, den: bigint, random: RandomSource): boolean {
  return uniformBelow(den, random) < num
}

/** Bernoulli(exp(-num / den)) for num >= 0 (CKS 2020, Algorithm 1). */
export function bernoulliExp(num: bigint, den: bigint, random: RandomSource): boolean {
  if (num <= den) {
    // K is the first index at which Bernoulli(gamma / K) fails; exp(-gamma) = P(K is odd).
    for (let k = 1n; k <= BigInt(MAX_ROUNDS); k++) {
      if (!bernoulli(num, den * k, random)) return k % 2n === 1n
    }
    return brokenSource()
  }
  for (let i = 0n; i < num / den; i++) if (!bernoulliExp(1n, 1n, random)) return false
  return bernoulliExp(num % den, den, random)
}

/**
 * One draw from the discrete Laplace distribution with the given rational scale:
 * P(z) = (1 - q) / (1 + q) * q^|z| with q = exp(-1 / scale), for every integer z
 * (CKS 2020, Algorithm 2, with scale = t / s).
 */
export function sampleDiscreteLaplace(scale: Rational, random: RandomSource): bigint {
  const t = scale.num
  const s = scale.den
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const u = uniformBelow(t, random)
    if (!bernoulliExp(u, t, random)) continue
    let v = 0n
    while (bernoulliExp(1n, 1n, random)) {
      v++
      if (v > BigInt(MAX_ROUNDS)) brokenSource()
    }
    const magnitude = (u + t * v) / s
    const negative = bernoulli(1n, 2n, random)
    if (negative && magnitude === 0n) continue
    return negative ? -magnitude : magnitude
  }
  return brokenSource()
}

/**
 * A sampler of integer noise for the Laplace mechanism: discrete Laplace of scale
 * `sensitivity / epsilon`, both taken as the exact rationals their doubles hold. `sensitivity` is
 * in the units of the noised integer (1 for counts). Draws use `random`, else
 * `crypto.getRandomValues`.
 *
 * @example
 * ```ts
 * import { discreteLaplaceSampler } from './discrete-laplace.js'
 *
 * const draw = discreteLaplaceSampler(1, 0.5) // counts, epsilon 0.5: scale 2
 * console.log(Number.isInteger(draw())) // true
 * ```
 */
export function discreteLaplaceSampler(
  sensitivity: number,
  epsilon: number,
): (random?: RandomSource) => number {
  const scale = divide(
    exactRational(sensitivity, 'noise sensitivity'),
    exactRational(epsilon, 'noise epsilon'),
  )
  if (scale.num > MAX_SCALE * scale.den) {
    const message =
      'noise: sensitivity / epsilon is above 2^45 grid steps; draws could pass 2^53, where doubles are no exact integers and their rounding depends on the true value'
    throw new DatagateError('ERR_INVALID_ARGUMENT', message, { cause: new RangeError(message) })
  }
  return (random = defaultRandom) => {
    const draw = sampleDiscreteLaplace(scale, random)
    // Beyond reach at scale 2^45 (probability below e^-128), unless the source is broken.
    if (draw > MAX_DRAW || draw < -MAX_DRAW) brokenSource()
    return Number(draw)
  }
}
