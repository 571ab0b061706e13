// Threat: exporting an exact aggregate again after one record was added reveals that record's
// exact value (differencing).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { aggregate } from '../../src/anonymize/aggregate.js'
import { memoryAuditSink } from '../../src/export/audit.js'
import { memoryBudgetStore } from '../../src/export/budget.js'
import { createGate } from '../../src/export/gate.js'
import { generateKeys } from '../../src/export/keys.js'
import { expectCode } from '../export/helpers.js'
import { findingCodes, NOW, policyOf, Repair, row } from './aggregate-fixtures.js'

const measures = { n: { op: 'count' }, hours: { op: 'sum', field: 'hours' } } as const
const base = Array.from({ length: 6 }, (_, i) => row('Kiel', 'A4', 2 + i, i))
const request = { partner: 'stats-co', dataset: 'repair', purpose: 'stats-0' }

describe('threat: differencing two exact releases', () => {
  it('an exact table released again after one record is added gives that record away', () => {
    const before = aggregate(base, { by: ['city'], measures, k: 3 }).rows[0]!.values
    const after = aggregate([...base, row('Kiel', 'A4', 17, 99)], { by: ['city'], measures, k: 3 })
      .rows[0]!.values
    expect((after.hours ?? 0) - (before.hours ?? 0)).toBe(17)
  })

  it('on random tables, re-releasing after one record is added reveals its value whenever its group is published', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('Kiel', 'Ulm'), fc.integer({ min: 0, max: 20 })), {
          minLength: 6,
          maxLength: 30,
        }),
        fc.constantFrom('Kiel', 'Ulm'),
        fc.integer({ min: 0, max: 50 }),
        (cells, city, hours) => {
          const rows = cells.map(([c, h], i) => row(c, 'A4', h, i))
          const before = aggregate(rows, { by: ['city'], measures, k: 3 }).rows
          const after = aggregate([...rows, row(city, 'A4', hours, 999)], {
            by: ['city'],
            measures,
            k: 3,
          }).rows
          const was = before.find((r) => r.key[0] === city)
          const now = after.find((r) => r.key[0] === city)
          if (!was || !now) return
          expect((now.values.hours ?? 0) - (was.values.hours ?? 0)).toBe(hours)
        },
      ),
      { numRuns: 200, seed: 9 },
    )
  })

  it('an exact aggregate agreement without once: true or noise does not load', () => {
    expect(findingCodes(() => policyOf([{ aggregate: { by: ['city'], measures } }]))).toEqual([
      'aggregate_repeatable',
    ])
  })

  it('with once: true the second release in a period is refused with ERR_BUDGET_EXCEEDED, the next period is allowed', async () => {
    let now = NOW
    const audit = memoryAuditSink()
    const gate = createGate({
      issuer: 'oem',
      datasets: [Repair],
      policy: policyOf([{ aggregate: { by: ['city'], measures, once: true } }]),
      keys: await generateKeys(),
      budget: memoryBudgetStore(),
      audit,
      now: () => now,
    })
    await gate.export(base, request)
    await expectCode(
      gate.export([...base, row('Kiel', 'A4', 17, 99)], request),
      'ERR_BUDGET_EXCEEDED',
    )
    await expectCode(gate.release(base, request), 'ERR_BUDGET_EXCEEDED')
    now = new Date('2026-07-01T00:00:00Z')
    await gate.release(base, request)
    // Any second time in the same month is refused, wherever in the month it falls.
    for (const day of ['2026-07-01T00:00:01Z', '2026-07-15T08:00:00Z', '2026-07-31T23:59:59Z']) {
      now = new Date(day)
      await expectCode(gate.release(base, request), 'ERR_BUDGET_EXCEEDED')
    }
    // Only releases carry a spend (refusals, if audited, are other event types).
    const details = audit.events
      .filter((event) => event.type === 'export' || event.type === 'release')
      .map((event) => event.details)
    expect(details[0]).toMatchObject({ budgetPeriod: '2026-06', once: true })
    expect(details.at(-1)).toMatchObject({ budgetPeriod: '2026-07', once: true })
  })
})
