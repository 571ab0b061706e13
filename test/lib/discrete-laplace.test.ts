import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  bernoulliExp,
  discreteLaplaceSampler,
  exactRational,
  type RandomSource,
  sampleDiscreteLaplace,
} from '../../src/lib/discrete-laplace.js'

/** A seeded byte stream: SHA-256 in counter mode, so every run draws the same samples. */
function seededSource(seed: string): RandomSource {
  let counter = 0
  let buffer = new Uint8Array(0)
  let offset = 0
  return (length) => {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i++) {
      if (offset === buffer.length) {
        buffer = createHash('sha256').update(`${seed}/${counter++}`).digest()
        offset = 0
      }
      out[i] = buffer[offset++]!
    }
    return out
  }
}

/** Pearson's chi-square statistic of observed counts against expected probabilities. */
function chiSquare(observed: readonly number[], expected: readonly number[], n: number): number {
  return observed.reduce((sum, o, i) => sum + (o - n * expected[i]!) ** 2 / (n * expected[i]!), 0)
}

// Upper 0.1 % points of the chi-square distribution (scipy.stats.chi2.ppf(0.999, df)).
const CHI2_999: Readonly<Record<number, number>> = { 1: 10.828, 12: 32.909, 22: 48.268 }

/** Observed counts of z in [-range, range] plus one bin per tail, against the exact pmf. */
function pmfCheck(scale: number, range: number, draws: readonly number[]) {
  const q = Math.exp(-1 / scale)
  const pmf = (z: number) => ((1 - q) / (1 + q)) * q ** Math.abs(z)
  const tail = q ** (range + 1) / (1 + q) // P(Z > range), equal to P(Z < -range)
  const expected = [tail, ...Array.from({ length: 2 * range + 1 }, (_, i) => pmf(i - range)), tail]
  const observed = new Array<number>(expected.length).fill(0)
  for (const z of draws) {
    const bin = z < -range ? 0 : z > range ? expected.length - 1 : z + range + 1
    observed[bin]!++
  }
  return { statistic: chiSquare(observed, expected, draws.length), df: expected.length - 1 }
}

describe('discrete Laplace (Canonne, Kamath and Steinke 2020)', () => {
  it('holds the exact value of a double as a fraction', () => {
    expect(exactRational(0.5, 'x')).toEqual({ num: 1n, den: 2n })
    expect(exactRational(3, 'x')).toEqual({ num: 3n, den: 1n })
    // 0.1 is not 1/10 in binary: the exact double is 3602879701896397 / 2^55.
    expect(exactRational(0.1, 'x')).toEqual({ num: 3602879701896397n, den: 2n ** 55n })
  })

  it('matches the exact pmf for scale 2 (chi-square, 100,000 seeded draws)', () => {
    const random = seededSource('pmf-scale-2')
    const draw = discreteLaplaceSampler(1, 0.5)
    const draws = Array.from({ length: 100_000 }, () => draw(random))
    const { statistic, df } = pmfCheck(2, 10, draws)
    expect(df).toBe(22)
    expect(statistic).toBeLessThan(CHI2_999[22]!)
    expect(draws.every(Number.isInteger)).toBe(true)
  })

  it('matches the exact pmf for a non-dyadic scale 24 / 0.7 (chi-square, 50,000 draws)', () => {
    const random = seededSource('pmf-scale-24/0.7')
    const draw = discreteLaplaceSampler(24, 0.7)
    const scale = 24 / 0.7
    // Bins of width 1 are too thin at this scale: fold z into |z| deciles of the exact cdf.
    const q = Math.exp(-1 / scale)
    const draws = Array.from({ length: 50_000 }, () => draw(random))
    const cuts = [0, 3, 7, 12, 18, 25, 34, 46, 62, 85, 120]
    const mass = (a: number, b: number) => {
      // P(a <= |Z| < b) for 0 <= a < b
      const atLeast = (m: number) => (m === 0 ? 1 : (2 * q ** m) / (1 + q))
      return atLeast(a) - atLeast(b)
    }
    const expected = [
      ...cuts.slice(1).map((b, i) => mass(cuts[i]!, b)),
      (2 * q ** cuts.at(-1)!) / (1 + q),
    ]
    const observed = new Array<number>(expected.length).fill(0)
    for (const z of draws) {
      const bin = cuts.findIndex((cut, i) => i > 0 && Math.abs(z) < cut)
      observed[bin === -1 ? expected.length - 1 : bin - 1]!++
    }
    expect(expected.length - 1).toBe(10)
    expect(chiSquare(observed, expected, draws.length)).toBeLessThan(29.588) // chi2.ppf(.999, 10)
  })

  it('is symmetric: the sign is a fair coin (binomial test, 5 standard errors)', () => {
    const random = seededSource('sign')
    const draw = discreteLaplaceSampler(1, 0.25)
    let positive = 0
    let nonZero = 0
    for (let i = 0; i < 40_000; i++) {
      const z = draw(random)
      if (z !== 0) nonZero++
      if (z > 0) positive++
    }
    expect(Math.abs(positive - nonZero / 2)).toBeLessThan(5 * Math.sqrt(nonZero / 4))
  })

  it('draws Bernoulli(exp(-gamma)) with the exact probability for gamma below and above 1', () => {
    const random = seededSource('bernoulli-exp')
    for (const [num, den] of [
      [1n, 3n],
      [1n, 1n],
      [7n, 2n],
    ] as const) {
      const n = 40_000
      let ones = 0
      for (let i = 0; i < n; i++) if (bernoulliExp(num, den, random)) ones++
      const p = Math.exp(-Number(num) / Number(den))
      const { statistic } = {
        statistic: chiSquare([ones, n - ones], [p, 1 - p], n),
      }
      expect(statistic).toBeLessThan(CHI2_999[1]!)
    }
  })

  it('is reproducible with an injected random source', () => {
    const draw = discreteLaplaceSampler(3, 0.5)
    const a = seededSource('same')
    const b = seededSource('same')
    expect(Array.from({ length: 50 }, () => draw(a))).toEqual(
      Array.from({ length: 50 }, () => draw(b)),
    )
  })

  it('refuses a random source that returns constant bytes instead of looping forever', () => {
    const zeros: RandomSource = (length) => new Uint8Array(length)
    expect(() => sampleDiscreteLaplace({ num: 2n, den: 1n }, zeros)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
    const short: RandomSource = () => new Uint8Array(0)
    expect(() => sampleDiscreteLaplace({ num: 300n, den: 1n }, short)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
  })

  it('rejects a sensitivity or epsilon that is not a finite number > 0', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => discreteLaplaceSampler(bad, 1)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      )
      expect(() => discreteLaplaceSampler(1, bad)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      )
    }
  })
})
