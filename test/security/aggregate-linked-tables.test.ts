// Threat: two aggregates of one partner on the same data (by [city] and by [city, model]) let the
// partner subtract one from the other and recover a suppressed cell, its count and its sum.
import { describe, expect, it } from 'vitest'
import { aggregate } from '../../src/anonymize/aggregate.js'
import { findingCodes, policyOf, row } from './aggregate-fixtures.js'

const measures = { n: { op: 'count' }, hours: { op: 'sum', field: 'hours' } } as const

describe('threat: linked tables', () => {
  it('subtracting a [city] table from a [city, model] table recovers a suppressed cell and its sum', () => {
    const rows = [
      ...Array.from({ length: 4 }, (_, i) => row('Kiel', 'A4', 2, i)),
      ...Array.from({ length: 3 }, (_, i) => row('Kiel', 'Golf', 3, i)),
      row('Kiel', 'Polo', 11), // one person's repair: suppressed in the fine table
    ]
    const coarse = aggregate(rows, { by: ['city'], measures, k: 3 }).rows
    const fine = aggregate(rows, { by: ['city', 'model'], measures, k: 3 }).rows
    expect(fine.map((r) => r.key.join('/'))).toEqual(['Kiel/A4', 'Kiel/Golf']) // Polo is hidden
    const kiel = coarse[0]!.values
    const published = fine.reduce(
      (sum, r) => ({ n: sum.n + (r.values.n ?? 0), hours: sum.hours + (r.values.hours ?? 0) }),
      { n: 0, hours: 0 },
    )
    // The attack works on the tables themselves ...
    expect({ n: (kiel.n ?? 0) - published.n, hours: (kiel.hours ?? 0) - published.hours }).toEqual({
      n: 1,
      hours: 11,
    })
    // ... so the policy may not grant both to one partner.
    expect(
      findingCodes(() =>
        policyOf([
          { aggregate: { by: ['city'], measures, once: true } },
          { aggregate: { by: ['city', 'model'], measures, once: true } },
        ]),
      ),
    ).toEqual(['aggregate_linked'])
  })

  it('linked aggregates load when both add noise from a budget, and not when only one does', () => {
    const noise = { epsilon: 0.25, sensitivity: 24 }
    const budget = { epsilon: 4, period: 'month' }
    expect(
      findingCodes(() =>
        policyOf(
          [
            { aggregate: { by: ['city'], measures, noise } },
            { aggregate: { by: ['city', 'model'], measures, noise } },
          ],
          { budget },
        ),
      ),
    ).toEqual([])
    expect(
      findingCodes(() =>
        policyOf(
          [
            { aggregate: { by: ['city'], measures, noise } },
            { aggregate: { by: ['city', 'model'], measures, once: true } },
          ],
          { budget },
        ),
      ),
    ).toEqual(['aggregate_linked'])
  })

  it('aggregates on the same dataset in periods that do not overlap are not linked', () => {
    expect(
      findingCodes(() =>
        policyOf([
          { aggregate: { by: ['city'], measures, once: true }, validUntil: '2026-03-31' },
          { aggregate: { by: ['city', 'model'], measures, once: true }, validFrom: '2026-04-01' },
        ]),
      ),
    ).toEqual([])
  })
})
