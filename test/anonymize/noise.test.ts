import { describe, expect, expectTypeOf, it } from 'vitest'
import { noise } from '../../src/anonymize/noise.js'
import type { Operator, RandomSource } from '../../src/anonymize/operator.js'
import { laplaceNoise } from '../../src/lib/laplace.js'
import { context, expectCode, expectOperatorFailed } from './helpers.js'

/** Bytes (37 i + 11) mod 256 for a running index i, as in test/lib/laplace.test.ts. */
function sequenceSource(): RandomSource {
  let index = 0
  return (length) => {
    const out = new Uint8Array(length)
    for (let k = 0; k < length; k++) out[k] = ((index + k) * 37 + 11) & 0xff
    index += length
    return out
  }
}

describe('noise.laplace', () => {
  it('adds exact, reproducible noise of scale sensitivity / epsilon from context.random', () => {
    const operator = noise.laplace({ epsilon: 0.5, sensitivity: 1 })
    const transform = operator.bind({ ...context, random: sequenceSource() })
    // Recomputed independently (Python): 42 + Laplace(scale 2) draws of the byte sequence.
    expect([transform(42), transform(42), transform(42)]).toEqual([
      41.28464988115995, 41.76138662565293, 42.15759049643498,
    ])
    const again = operator.bind({ ...context, random: sequenceSource() })
    expect(again(42)).toBe(41.28464988115995)
  })

  it('draws the same noise as laplaceNoise, which aggregation reuses', () => {
    const transform = noise
      .laplace({ epsilon: 2, sensitivity: 3 })
      .bind({ ...context, random: sequenceSource() })
    const reference = sequenceSource()
    for (const value of [0, -7.5, 1e6])
      expect(transform(value)).toBe(value + laplaceNoise(1.5, reference))
  })

  it('uses crypto.getRandomValues by default, with mean 0 and MAD = scale', () => {
    const transform = noise.laplace({ epsilon: 0.1, sensitivity: 1 }).bind(context)
    const n = 20_000
    let sum = 0
    let absolute = 0
    for (let i = 0; i < n; i++) {
      const x = transform(100) - 100
      sum += x
      absolute += Math.abs(x)
    }
    // scale 10: standard error of the mean 0.14, of the MAD 0.07 (0.7%).
    expect(Math.abs(sum / n)).toBeLessThan(0.5)
    expect(Math.abs(absolute / n / 10 - 1)).toBeLessThan(0.05)
  })

  it('rejects non-numbers without quoting them', () => {
    const transform = noise.laplace({ epsilon: 1, sensitivity: 1 }).bind(context)
    expectOperatorFailed(() => transform('4242' as never), '4242')
    expectOperatorFailed(() => transform(Number.NaN))
    expectOperatorFailed(() => transform(Number.NEGATIVE_INFINITY), 'Infinity')
    expectOperatorFailed(() => transform(4242n as never), '4242')
  })

  it('rejects bad options and a random source that is not a function', () => {
    for (const epsilon of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expectCode(() => noise.laplace({ epsilon, sensitivity: 1 }), 'ERR_INVALID_ARGUMENT')
    for (const sensitivity of [0, -1, Number.NaN])
      expectCode(() => noise.laplace({ epsilon: 1, sensitivity }), 'ERR_INVALID_ARGUMENT')
    expectCode(() => noise.laplace({ epsilon: 1e-320, sensitivity: 1e300 }), 'ERR_INVALID_ARGUMENT')
    expectCode(() => noise.laplace(undefined as never), 'ERR_INVALID_ARGUMENT')
    const operator = noise.laplace({ epsilon: 1, sensitivity: 1 })
    expectCode(() => operator.bind({ ...context, random: 'x' as never }), 'ERR_INVALID_ARGUMENT')
    const short = operator.bind({ ...context, random: () => new Uint8Array(2) })
    expectCode(() => short(1), 'ERR_INVALID_ARGUMENT')
  })

  it('is typed number -> number, of kind noise', () => {
    const operator = noise.laplace({ epsilon: 0.5, sensitivity: 1 })
    expect(operator.kind).toBe('noise')
    expect(operator.name).toBe('noise.laplace(epsilon=0.5,sensitivity=1)')
    expectTypeOf(operator).toEqualTypeOf<Operator<number, number>>()
    expect(Object.isFrozen(noise)).toBe(true)
  })
})
