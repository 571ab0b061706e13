import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { assessRisk } from '../../src/anonymize/risk.js'
import { isDatagateError } from '../../src/errors.js'

const canary = 'CANARY-0815'

// classes over (city, vehicle.model): Berlin/A4 x3, Berlin/Golf x1, Hamburg/A4 x2, Munich/Polo x5
const customers = [
  ...['flu', 'flu', 'cold'].map((diagnosis) => ({
    city: 'Berlin',
    vehicle: { model: 'A4' },
    diagnosis,
  })),
  { city: 'Berlin', vehicle: { model: 'Golf' }, diagnosis: canary },
  ...['flu', 'flu'].map((diagnosis) => ({ city: 'Hamburg', vehicle: { model: 'A4' }, diagnosis })),
  ...['a', 'b', 'c', 'd', 'e'].map((diagnosis) => ({
    city: 'Munich',
    vehicle: { model: 'Polo' },
    diagnosis,
  })),
]
const quasiIdentifiers = ['city', 'vehicle.model']

function expectInvalid(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(isDatagateError(error, 'ERR_INVALID_ARGUMENT')).toBe(true)
    return (error as Error).message
  }
  throw new Error('expected a DatagateError')
}

describe('assessRisk', () => {
  it('computes k, classes, records at risk and the smallest class sizes', () => {
    const risk = assessRisk(customers, { quasiIdentifiers })
    expect(risk).toEqual({
      k: 1,
      classes: 4,
      records: 11,
      atRisk: { records: 6, share: 6 / 11 },
      smallestClasses: [
        { size: 1, classes: 1 },
        { size: 2, classes: 1 },
        { size: 3, classes: 1 },
        { size: 5, classes: 1 },
      ],
      issues: [
        {
          code: 'k_anonymity_below_threshold',
          path: 'city, vehicle.model',
          message:
            '6 records in 3 equivalence classes over city, vehicle.model are below the threshold of 5; the smallest class has 1 record',
        },
        {
          code: 'unique_records',
          path: 'city, vehicle.model',
          message: '1 record is unique over city, vehicle.model',
        },
      ],
    })
  })

  it('computes l-diversity and reports classes below the diversity threshold', () => {
    const risk = assessRisk(customers, {
      quasiIdentifiers,
      sensitive: 'diagnosis',
      k: 2,
      diversityThreshold: 3,
    })
    expect(risk.l).toBe(1)
    expect(risk.atRisk).toEqual({ records: 1, share: 1 / 11 })
    expect(risk.issues.map(({ code, path }) => [code, path])).toEqual([
      ['k_anonymity_below_threshold', 'city, vehicle.model'],
      ['unique_records', 'city, vehicle.model'],
      ['l_diversity_below_threshold', 'diagnosis'],
    ])
    expect(risk.issues[2]?.message).toBe(
      '3 equivalence classes over city, vehicle.model have fewer than 3 distinct values of diagnosis; the least diverse has 1',
    )
    for (const issue of risk.issues) {
      for (const value of ['Berlin', 'Golf', 'A4', 'flu', canary])
        expect(issue.message).not.toContain(value)
    }
  })

  it('reports nothing for a table that meets both thresholds', () => {
    const safe = customers.filter((customer) => customer.city === 'Munich')
    const risk = assessRisk(safe, { quasiIdentifiers, sensitive: 'diagnosis' })
    expect(risk).toMatchObject({
      k: 5,
      classes: 1,
      l: 5,
      atRisk: { records: 0, share: 0 },
      issues: [],
    })
  })

  it('defines the empty table: k 0, no classes, no findings', () => {
    expect(assessRisk([], { quasiIdentifiers, sensitive: 'diagnosis' })).toEqual({
      k: 0,
      classes: 0,
      records: 0,
      atRisk: { records: 0, share: 0 },
      smallestClasses: [],
      l: 0,
      issues: [],
    })
  })

  it('treats absent fields as null and keeps types apart (1 is not "1")', () => {
    const risk = assessRisk([{ a: 1 }, { a: '1' }, { a: null }, {}], {
      quasiIdentifiers: ['a'],
      k: 2,
    })
    expect(risk).toMatchObject({
      k: 1,
      classes: 3,
      smallestClasses: [
        { size: 1, classes: 2 },
        { size: 2, classes: 1 },
      ],
    })
  })

  it('rejects bad arguments without quoting values', () => {
    expect(
      expectInvalid(() => assessRisk([{ city: { name: canary } }], { quasiIdentifiers: ['city'] })),
    ).toBe('records[0].city: expected a string, number, boolean or null, got an object')
    expect(
      expectInvalid(() =>
        assessRisk([{ city: 'x', d: [canary] }], { quasiIdentifiers: ['city'], sensitive: 'd' }),
      ),
    ).not.toContain(canary)
    expectInvalid(() => assessRisk(customers, { quasiIdentifiers: ['__proto__'] }))
    expectInvalid(() => assessRisk(customers, { quasiIdentifiers: ['vehicle.prototype'] }))
    expectInvalid(() => assessRisk(customers, { quasiIdentifiers: [] }))
    expectInvalid(() => assessRisk(customers, { quasiIdentifiers, sensitive: 'a.constructor' }))
    for (const k of [1, 2.5, Number.NaN])
      expectInvalid(() => assessRisk(customers, { quasiIdentifiers, k }))
    expectInvalid(() => assessRisk(customers, { quasiIdentifiers, diversityThreshold: 1 }))
  })

  it('k equals the brute-force minimum class size, l the brute-force minimum diversity', () => {
    const recordArb = fc.record({
      a: fc.constantFrom('x', 'y', 'z'),
      b: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant(null)),
      nested: fc.record({ c: fc.boolean() }),
      s: fc.constantFrom('s1', 's2', 's3'),
    })
    fc.assert(
      fc.property(
        fc.array(recordArb, { maxLength: 60 }),
        fc.subarray(['a', 'b', 'nested.c'], { minLength: 1 }),
        fc.integer({ min: 2, max: 8 }),
        (records, qis, threshold) => {
          const tuple = (record: (typeof records)[number]) =>
            qis.map((path) => (path === 'nested.c' ? record.nested.c : record[path as 'a' | 'b']))
          const same = (x: unknown[], y: unknown[]) => x.every((value, i) => value === y[i])
          const sizes = records.map(
            (record) => records.filter((other) => same(tuple(record), tuple(other))).length,
          )
          const diversity = records.map(
            (record) =>
              new Set(
                records
                  .filter((other) => same(tuple(record), tuple(other)))
                  .map((other) => other.s),
              ).size,
          )
          const risk = assessRisk(records, { quasiIdentifiers: qis, sensitive: 's', k: threshold })
          expect(risk.k).toBe(records.length === 0 ? 0 : Math.min(...sizes))
          expect(risk.l).toBe(records.length === 0 ? 0 : Math.min(...diversity))
          expect(risk.records).toBe(records.length)
          expect(risk.atRisk.records).toBe(sizes.filter((size) => size < threshold).length)
          expect(risk.classes).toBeCloseTo(
            sizes.reduce((sum, size) => sum + 1 / size, 0),
            9,
          )
          expect(risk.issues.some((issue) => issue.code === 'k_anonymity_below_threshold')).toBe(
            sizes.some((size) => size < threshold),
          )
          expect(risk.issues.some((issue) => issue.code === 'unique_records')).toBe(
            sizes.includes(1),
          )
        },
      ),
      { numRuns: 300 },
    )
  })
})
