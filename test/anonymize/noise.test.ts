import { describe, expect, expectTypeOf, it } from 'vitest'
import { noise } from '../../src/anonymize/noise.js'
import type { Operator, RandomSource } from '../../src/anonymize/operator.js'
import { discreteLaplaceSampler } from '../../src/lib/discrete-laplace.js'
import { context, expectCode, expectOperatorFailed } from './helpers.js'

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

describe('noise.laplace', () => {
  // Behaviour changed deliberately: noise.laplace now draws exact discrete Laplace noise on a
  // grid (CKS 2020) instead of a floating-point inverse-CDF draw, whose low bits leak (Mironov 2012).
  it('adds reproducible integer noise from context.random, the sampler aggregation reuses', () => {
    const operator = noise.laplace({ epsilon: 0.5, sensitivity: 1 })
    const first = operator.bind({ ...context, random: sequenceSource() })
    const again = operator.bind({ ...context, random: sequenceSource() })
    const draws = [first(42), first(42), first(42)]
    expect([again(42), again(42), again(42)]).toEqual(draws)
    expect(draws.every(Number.isInteger)).toBe(true)
    const reference = sequenceSource()
    const draw = discreteLaplaceSampler(1, 0.5)
    const replay = operator.bind({ ...context, random: sequenceSource() })
    for (const value of [0, -7.4, 1e6])
      expect(replay(value)).toBe(Math.round(value) + draw(reference))
  })

  it('rounds to the granularity and adds whole grid steps of noise', () => {
    const cents = noise.laplace({ epsilon: 1, sensitivity: 0.05, granularity: 0.01 })
    expect(cents.name).toBe('noise.laplace(epsilon=1,sensitivity=0.05,granularity=0.01)')
    const transform = cents.bind(context)
    for (let i = 0; i < 200; i++) {
      const steps = transform(12.345) / 0.01
      expect(Math.abs(steps - Math.round(steps))).toBeLessThan(1e-6)
    }
  })

  it('uses crypto.getRandomValues by default, with mean 0 and MAD of the discrete Laplace', () => {
    const transform = noise.laplace({ epsilon: 0.1, sensitivity: 1 }).bind(context)
    const n = 20_000
    let sum = 0
    let absolute = 0
    for (let i = 0; i < n; i++) {
      const x = transform(100) - 100
      sum += x
      absolute += Math.abs(x)
    }
    // scale 10: E|Z| = 2q / (1 - q^2) with q = exp(-0.1), about 9.98; standard errors as before.
    const q = Math.exp(-0.1)
    expect(Math.abs(sum / n)).toBeLessThan(0.5)
    expect(Math.abs(absolute / n / ((2 * q) / (1 - q * q)) - 1)).toBeLessThan(0.05)
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
