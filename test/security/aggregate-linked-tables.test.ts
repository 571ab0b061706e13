// Threat: two aggregates of one partner on the same data (by [city] and by [city, model]) let the
// partner subtract one from the other and recover a suppressed cell, its count and its sum.
import fc from 'fast-check'
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

  it('on random tables, subtraction recovers every hidden cell that is alone in its published city (count and sum)', () => {
    const cities = ['Kiel', 'Ulm', 'Jena']
    const models = ['A4', 'Golf', 'Polo']
    let recovered = 0
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 9 })), {
          minLength: 9,
          maxLength: 9,
        }),
        (cells) => {
          const rows = cells.flatMap(([n, hours], i) =>
            Array.from({ length: n }, (_, j) =>
              row(cities[i % 3]!, models[Math.floor(i / 3)]!, hours, j),
            ),
          )
          const coarse = aggregate(rows, { by: ['city'], measures, k: 3 }).rows
          const fine = aggregate(rows, { by: ['city', 'model'], measures, k: 3 }).rows
          for (const [c, city] of cities.entries()) {
            const total = coarse.find((r) => r.key[0] === city)
            const mine = cells.filter((_, i) => i % 3 === c && cells[i]![0] > 0)
            const hidden = mine.filter(([n]) => n < 3)
            if (!total || hidden.length !== 1) continue
            const shown = fine.filter((r) => r.key[0] === city)
            const n = (total.values.n ?? 0) - shown.reduce((a, r) => a + (r.values.n ?? 0), 0)
            const h =
              (total.values.hours ?? 0) - shown.reduce((a, r) => a + (r.values.hours ?? 0), 0)
            expect([n, h]).toEqual([hidden[0]![0], hidden[0]![0] * hidden[0]![1]])
            recovered++
          }
        },
      ),
      { numRuns: 200, seed: 3 },
    )
    expect(recovered).toBeGreaterThan(20)
  })

  it('for random pairs of aggregate agreements, aggregate_linked is found exactly when they overlap and are not both noisy', () => {
    const agreementArb = fc.record({
      by: fc.constantFrom(['city'], ['city', 'model'], ['model']),
      noisy: fc.boolean(),
      from: fc.integer({ min: 1, max: 12 }),
      months: fc.integer({ min: 0, max: 6 }),
    })
    const month = (m: number, end: boolean) =>
      end ? `2026-${String(m).padStart(2, '0')}-28` : `2026-${String(m).padStart(2, '0')}-01`
    fc.assert(
      fc.property(agreementArb, agreementArb, (a, b) => {
        const spec = (x: typeof a) => ({
          aggregate: {
            by: x.by,
            measures,
            ...(x.noisy ? { noise: { epsilon: 0.1, sensitivity: 24 } } : { once: true }),
          },
          validFrom: month(x.from, false),
          validUntil: month(Math.min(12, x.from + x.months), true),
        })
        const overlap =
          a.from <= Math.min(12, b.from + b.months) && b.from <= Math.min(12, a.from + a.months)
        const codes = findingCodes(() =>
          policyOf([spec(a), spec(b)], { budget: { epsilon: 10, period: 'month' } }),
        )
        expect(codes).toEqual(overlap && !(a.noisy && b.noisy) ? ['aggregate_linked'] : [])
      }),
      { numRuns: 200, seed: 5 },
    )
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
