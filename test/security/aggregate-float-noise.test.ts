// Threat: floating-point Laplace noise leaks the true value through its low bits and the set of
// doubles it can produce (Mironov 2012). Noise is now whole grid steps of exact discrete Laplace.
import { describe, expect, it } from 'vitest'
import { aggregate } from '../../src/anonymize/aggregate.js'
import { noise } from '../../src/anonymize/noise.js'

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
})
