// Threat: floating-point Laplace noise leaks the true value through its low bits and the set of
// doubles it can produce (Mironov 2012). Noise is now whole grid steps of exact discrete Laplace.
import { describe, expect, it } from 'vitest'
import { aggregate } from '../../src/anonymize/aggregate.js'
import { noise } from '../../src/anonymize/noise.js'
import { expectCode } from '../anonymize/helpers.js'

describe('threat: low bits of floating-point noise', () => {
  it('noisy counts, sums and noise.laplace outputs are whole grid steps, so no low bits depend on the true value', () => {
    // The old float mechanism (inverse CDF, as datagate drew it before): 42 + noise leaves a
    // fraction whose low bits depend on 42.
    const u = crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32 - 0.5 || 0.25
    const float = 42 - 2 * Math.sign(u) * Math.log(1 - 2 * Math.abs(u))
    expect(Number.isInteger(float)).toBe(false)
    const transform = noise
      .laplace({ epsilon: 0.5, sensitivity: 1 })
      .bind({ partner: 'p', path: 'v' })
    const cents = noise
      .laplace({ epsilon: 0.5, sensitivity: 1, granularity: 0.25 })
      .bind({ partner: 'p', path: 'v' })
    for (let i = 0; i < 500; i++) {
      expect(Number.isInteger(transform(42))).toBe(true)
      expect(Number.isInteger(cents(42.1) * 4)).toBe(true)
    }
    const records = Array.from({ length: 200 }, (_, i) => ({ c: i % 4, kwh: (i % 7) * 1.3 }))
    const { rows } = aggregate(records, {
      by: ['c'],
      measures: { n: { op: 'count' }, kwh: { op: 'sum', field: 'kwh' } },
      k: 3,
      totals: 'overall',
      noise: { epsilon: 0.5, sensitivity: 10, granularity: 0.5 },
    })
    for (const row of rows) {
      expect(Number.isInteger(row.values.n)).toBe(true)
      expect(Number.isInteger((row.values.kwh ?? 0) * 2)).toBe(true)
    }
  })

  it('noise so wide that its draws can pass 2^53 is refused: doubles there are no exact integers, and the rounding depends on the true value', () => {
    // Above 2^53 doubles are even numbers: 2^53 + 2 plus a count of 1 rounds (ties to even) to
    // 2^53 + 4, plus a count of 2 stays 2^53 + 4, plus 0 stays 2^53 + 2. Which outputs occur
    // tells the count's parity through noise far wider than the count.
    expect([0, 1, 2].map((count) => 2 ** 53 + 2 + count)).toEqual([
      2 ** 53 + 2,
      2 ** 53 + 4,
      2 ** 53 + 4,
    ])
    const records = Array.from({ length: 12 }, (_, i) => ({ city: i % 2 ? 'Kiel' : 'Ulm' }))
    for (const epsilon of [2 ** -60, 1e-18, 5e-324])
      expectCode(
        () =>
          aggregate(records, {
            by: ['city'],
            measures: { n: { op: 'count' } },
            k: 3,
            noise: { epsilon },
          }),
        'ERR_INVALID_ARGUMENT',
      )
    expectCode(() => noise.laplace({ epsilon: 2 ** -50, sensitivity: 1 }), 'ERR_INVALID_ARGUMENT')
    // Ordinary settings keep working: scale 24 / 1e-6 = 2.4e7 grid steps.
    expect(() => noise.laplace({ epsilon: 1e-6, sensitivity: 24 })).not.toThrow()
  })
})
