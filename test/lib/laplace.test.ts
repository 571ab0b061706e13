import { describe, expect, it } from 'vitest'
import { isDatagateError } from '../../src/errors.js'
import { laplaceNoise, type RandomSource, uniform01 } from '../../src/lib/laplace.js'

/** Bytes (37 i + 11) mod 256 for a running index i: deterministic and easy to recompute. */
function sequenceSource(): RandomSource {
  let index = 0
  return (length) => {
    const out = new Uint8Array(length)
    for (let k = 0; k < length; k++) out[k] = ((index + k) * 37 + 11) & 0xff
    index += length
    return out
  }
}

const constant =
  (...bytes: number[]): RandomSource =>
  (length) =>
    Uint8Array.from({ length }, (_, i) => bytes[i] ?? 0)

describe('uniform01', () => {
  it('uses exactly 53 bits: 0 for zero bytes, just under 1 for all-ones, top 3 bits ignored', () => {
    expect(uniform01(constant(0, 0, 0, 0, 0, 0, 0))).toBe(0)
    expect(uniform01(constant(0xe0, 0, 0, 0, 0, 0, 0))).toBe(0)
    expect(uniform01(constant(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))).toBe(1 - 2 ** -53)
    expect(uniform01(constant(0x10, 0, 0, 0, 0, 0, 0))).toBe(0.5)
    expect(uniform01(constant(0, 0, 0, 0, 0, 0, 1))).toBe(2 ** -53)
  })

  it('rejects a random source that returns too few bytes', () => {
    expect(() => uniform01(() => new Uint8Array(6))).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
  })

  it('is uniform over 20,000 draws from crypto.getRandomValues', () => {
    const n = 20_000
    let sum = 0
    let below = 0
    let outside = 0
    for (let i = 0; i < n; i++) {
      const u = uniform01()
      if (!(u >= 0 && u < 1)) outside++
      sum += u
      if (u < 0.25) below++
    }
    expect(outside).toBe(0)
    // Standard errors: mean 0.002, quarter fraction 0.003; bounds are 5+ standard errors.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01)
    expect(Math.abs(below / n - 0.25)).toBeLessThan(0.015)
  })
})

describe('laplaceNoise', () => {
  it('gives exact, reproducible draws from an injected source', () => {
    const random = sequenceSource()
    const draws = Array.from({ length: 6 }, () => laplaceNoise(2, random))
    // Recomputed independently (Python, same byte sequence and inverse CDF).
    expect(draws).toEqual([
      -0.7153501188400506, -0.23861337434706442, 0.15759049643498024, 0.6130670365551818,
      1.2038413665618022, 2.0459528042982726,
    ])
    const again = sequenceSource()
    expect(Array.from({ length: 6 }, () => laplaceNoise(2, again))).toEqual(draws)
  })

  it('never reaches log(0): the extreme uniforms give ±scale·53·ln 2', () => {
    const extreme = 53 * Math.LN2
    expect(laplaceNoise(1, constant(0, 0, 0, 0, 0, 0, 0))).toBeCloseTo(-extreme, 12)
    expect(laplaceNoise(1, constant(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))).toBeCloseTo(
      extreme,
      12,
    )
    expect(laplaceNoise(3, constant(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))).toBeCloseTo(
      3 * extreme,
      12,
    )
  })

  it('is symmetric around the median: the two middle cells give ∓ln(1 - 2^-53)', () => {
    const below = laplaceNoise(1, constant(0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
    const above = laplaceNoise(1, constant(0x10, 0, 0, 0, 0, 0, 0))
    expect(above).toBeGreaterThan(0)
    expect(below).toBe(-above)
    expect(above).toBeCloseTo(2 ** -53, 20)
  })

  it('maps the first quartile of u to -scale·ln 2', () => {
    // k = 2^51, u ≈ 0.25: x = scale · ln(2u) ≈ -scale · ln 2.
    expect(laplaceNoise(4, constant(0x08, 0, 0, 0, 0, 0, 0))).toBeCloseTo(-4 * Math.LN2, 12)
  })

  it('rejects a scale that is not a finite number > 0', () => {
    for (const scale of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      let caught: unknown
      try {
        laplaceNoise(scale)
      } catch (error) {
        caught = error
      }
      expect(isDatagateError(caught, 'ERR_INVALID_ARGUMENT')).toBe(true)
    }
  })

  it('has mean 0 and mean absolute deviation = scale over 20,000 real draws', () => {
    const n = 20_000
    const scale = 2.5
    let sum = 0
    let absolute = 0
    let squares = 0
    let positive = 0
    for (let i = 0; i < n; i++) {
      const x = laplaceNoise(scale)
      sum += x
      absolute += Math.abs(x)
      squares += x * x
      if (x > 0) positive++
    }
    // Standard errors: mean 0.025 (= 0.7% of scale), MAD 0.7%, variance 1.6%, sign 0.35%.
    expect(Math.abs(sum / n)).toBeLessThan(0.05 * scale)
    expect(Math.abs(absolute / n / scale - 1)).toBeLessThan(0.05)
    expect(Math.abs(squares / n / (2 * scale * scale) - 1)).toBeLessThan(0.1)
    expect(Math.abs(positive / n - 0.5)).toBeLessThan(0.02)
  })
})
