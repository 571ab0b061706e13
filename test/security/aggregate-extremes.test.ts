// Threat: `max` and `min` publish one person's exact value; noise does not fix that.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { aggregate } from '../../src/anonymize/aggregate.js'
import { findingCodes, policyOf, row } from './aggregate-fixtures.js'

describe('threat: max and min of a personal field', () => {
  it('max of a cell is one record’s exact value, so max/min on desensitised or quasi-identifier fields never load', () => {
    const rows = [
      row('Kiel', 'A4', 2, 1),
      row('Kiel', 'A4', 3, 2),
      { ...row('Kiel', 'A4', 4, 3), birthYear: 1931 },
    ]
    const { rows: out } = aggregate(rows, {
      by: ['city'],
      measures: { oldest: { op: 'min', field: 'birthYear' } },
      k: 3,
    })
    expect(out[0]?.values.oldest).toBe(1931) // one person's birth year, published as is
    const fields = ['city', 'model', 'hours', 'age', 'birthYear']
    for (const [op, path] of [
      ['min', 'birthYear'],
      ['max', 'birthYear'],
      ['max', 'age'],
      ['min', 'city'],
    ] as const) {
      expect(
        findingCodes(() =>
          policyOf([
            {
              fields,
              aggregate: { by: ['model'], measures: { x: { op, field: path } }, once: true },
            },
          ]),
        ),
        `${op} of ${path}`,
      ).toEqual(['aggregate_extreme_of_personal_field'])
    }
    // Noise does not help: the finding stays, and noise with extremes is its own finding.
    expect(
      findingCodes(() =>
        policyOf(
          [
            {
              fields,
              aggregate: {
                by: ['model'],
                measures: { x: { op: 'max', field: 'age' } },
                noise: { epsilon: 0.5, sensitivity: 100 },
              },
            },
          ],
          { budget: { epsilon: 2, period: 'month' } },
        ),
      ),
    ).toEqual(['aggregate_extreme_of_personal_field', 'aggregate_noise_with_extremes'])
    // A public field that is not a quasi-identifier may carry max/min.
    expect(
      findingCodes(() =>
        policyOf([
          {
            fields,
            aggregate: {
              by: ['model'],
              measures: { x: { op: 'max', field: 'hours' } },
              once: true,
            },
          },
        ]),
      ),
    ).toEqual([])
  })

  it('on random groups of at least k records, max and min are always one record’s exact value; the finding follows the field’s class', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1900, max: 2010 }), { minLength: 3, maxLength: 40 }),
        fc.constantFrom('min' as const, 'max' as const),
        fc.constantFrom('hours', 'age', 'birthYear', 'city', 'model'),
        (years, op, path) => {
          const rows = years.map((birthYear, i) => ({ ...row('Kiel', 'A4', 1, i), birthYear }))
          const { rows: out } = aggregate(rows, {
            by: ['city'],
            measures: { x: { op, field: 'birthYear' } },
            k: 3,
          })
          expect(years).toContain(out[0]?.values.x)
          const personal = ['age', 'birthYear', 'city'].includes(path)
          const codes = findingCodes(() =>
            policyOf([
              {
                fields: ['city', 'model', 'hours', 'age', 'birthYear'],
                aggregate: { by: ['model'], measures: { x: { op, field: path } }, once: true },
              },
            ]),
          )
          expect(codes).toEqual(personal ? ['aggregate_extreme_of_personal_field'] : [])
        },
      ),
      { numRuns: 150, seed: 13 },
    )
  })
})
