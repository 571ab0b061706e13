// Threat: an attacker who knows how suppression works solves the published constraints of an
// aggregate table (cells, subtotals, total, integrality, non-negativity, non-empty groups) and
// pins or narrows a suppressed cell. Issue 7, section 2.
import fc from 'fast-check'
import highs from 'highs'
import { beforeAll, describe, expect, it } from 'vitest'
import { type AggregateRow, aggregate } from '../../src/anonymize/aggregate.js'
import { createHighsAuditor, type IntervalAuditor } from '../../src/anonymize/interval-audit.js'
import { expectCode } from '../anonymize/helpers.js'
import { attack, attackerSolver, recordsFor } from './aggregate-attacker.js'

type Solver = Awaited<ReturnType<typeof attackerSolver>>
type CountRow = AggregateRow<{ readonly n: { readonly op: 'count' } }>
const count = { n: { op: 'count' } } as const

/** What the old suppression did: margins kept at two or more hidden members, nothing more. */
const subtractionOnly: IntervalAuditor = {
  name: 'subtraction-only',
  ranges: (problem) => problem.lower.map((min) => ({ min, max: Number.POSITIVE_INFINITY })),
}

let auditor: IntervalAuditor
let solver: Solver
beforeAll(async () => {
  auditor = await createHighsAuditor(highs)
  solver = await attackerSolver()
})

const table = (
  counts: readonly (readonly number[])[],
  options: { k: number; totals: 'overall' | 'margins'; auditor?: IntervalAuditor; width?: number },
): readonly CountRow[] =>
  aggregate(recordsFor(counts), {
    by: ['a', 'b'],
    measures: count,
    k: options.k,
    totals: options.totals,
    suppressedCells: 'mark',
    ...(options.auditor ? { auditor: options.auditor } : {}),
    ...(options.width ? { protectionWidth: options.width } : {}),
  }).rows

describe('threat: non-empty groups and totals pin suppressed cells', () => {
  it('cells 1, 1, 10 publishing 10 and a total of 12 no longer pin both hidden cells to 1', () => {
    const records = [{ c: 'a' }, { c: 'b' }, ...Array.from({ length: 10 }, () => ({ c: 'z' }))]
    const run = (with_: IntervalAuditor | undefined) =>
      aggregate(records, {
        by: ['c'],
        measures: count,
        k: 3,
        totals: 'overall',
        suppressedCells: 'mark',
        ...(with_ ? { auditor: with_ } : {}),
      }).rows
    // The old rule: two hidden members in the margin, so subtraction alone recovers nothing ...
    expect(attack(solver, run(subtractionOnly))).toEqual([
      { row: 'cell:a', min: 1, max: 1 },
      { row: 'cell:b', min: 1, max: 1 },
    ])
    // ... but non-emptiness does. The audit hides 10 as well: each hidden cell is in [1, 10].
    expect(attack(solver, run(auditor))).toEqual([
      { row: 'cell:a', min: 1, max: 10 },
      { row: 'cell:b', min: 1, max: 10 },
      { row: 'cell:z', min: 1, max: 10 },
    ])
    // Without an auditor the total is withheld: nothing bounds a hidden cell from above.
    expect(attack(solver, run(undefined)).every(({ max }) => max === Infinity)).toBe(true)
  })

  it('over 300 random 3x3 tables with margins, an LP attacker narrows no suppressed cell below the protection width', () => {
    const cell = fc.integer({ min: 0, max: 12 })
    const tables = fc.sample(
      fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 3, maxLength: 3 }),
      {
        numRuns: 300,
        seed: 20261201,
      },
    )
    let leakedBefore = 0
    let narrowedBefore = 0
    let narrowedAfter = 0
    let hiddenBefore = 0
    let hiddenAfter = 0
    let auditMs = 0
    const started = performance.now()
    for (const counts of tables) {
      const before = attack(
        solver,
        table(counts, { k: 3, totals: 'margins', auditor: subtractionOnly }),
      )
      if (before.some(({ min, max }) => min === max)) leakedBefore++
      if (before.some(({ min, max }) => max - min < 3)) narrowedBefore++
      hiddenBefore += before.length
      const auditStarted = performance.now()
      const audited = table(counts, { k: 3, totals: 'margins', auditor })
      auditMs += performance.now() - auditStarted
      const after = attack(solver, audited)
      if (after.some(({ min, max }) => max - min < 3)) narrowedAfter++
      hiddenAfter += after.length
    }
    const ms = Math.round(performance.now() - started)
    console.info(
      `3x3 margins, k = 3, 300 tables: leaked exactly before ${leakedBefore}, narrower than 3 before ${narrowedBefore}, after ${narrowedAfter}; hidden rows ${hiddenBefore} -> ${hiddenAfter}; audit ${(auditMs / 300).toFixed(1)} ms per table, ${ms} ms in all`,
    )
    expect(leakedBefore).toBeGreaterThan(0) // the threat is real on this sample
    expect(narrowedAfter).toBe(0)
  })

  it('random small tables, any k, totals and width: every hidden row keeps a range of at least the width', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 4 }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.integer({ min: 2, max: 5 }),
        fc.constantFrom('overall' as const, 'margins' as const),
        fc.integer({ min: 1, max: 8 }),
        (counts, k, totals, width) => {
          const rows = table(counts, { k, totals, auditor, width })
          for (const { row, min, max } of attack(solver, rows))
            expect(max - min, `${row} in ${JSON.stringify(counts)}`).toBeGreaterThanOrEqual(width)
        },
      ),
      { numRuns: 150, seed: 7 },
    )
  })

  it('without an auditor, every margin over a hidden row is withheld and no hidden row is bounded above', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 3, maxLength: 3 }), {
          minLength: 3,
          maxLength: 3,
        }),
        (counts) => {
          const rows = table(counts, { k: 3, totals: 'margins' })
          for (const { max } of attack(solver, rows)) expect(max).toBe(Infinity)
        },
      ),
      { numRuns: 100, seed: 11 },
    )
  })

  it('an auditor answer that is not a feasible range (NaN, inverted, missing, below the known lower bound) fails closed instead of passing the table', () => {
    // Cells 1, 1, 10 with a total: the true range of each hidden cell is [1, 1]. An auditor whose
    // answer cannot be a feasible range must not let that table through as protected.
    const broken: readonly (readonly unknown[])[] = [
      [
        { min: Number.NaN, max: Number.NaN },
        { min: Number.NaN, max: Number.NaN },
      ],
      [
        { min: 5, max: 1 },
        { min: 5, max: 1 },
      ],
      [undefined, undefined],
      [
        { min: '1', max: 'Infinity' },
        { min: '1', max: 'Infinity' },
      ],
      [
        { min: 0, max: Number.POSITIVE_INFINITY },
        { min: 0, max: Number.POSITIVE_INFINITY },
      ],
      [
        { min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY },
        { min: 1, max: 9 },
      ],
    ]
    for (const answer of broken) {
      const liar = { name: 'liar', ranges: () => answer } as unknown as IntervalAuditor
      expectCode(
        () => table([[1, 1, 10]], { k: 3, totals: 'overall', auditor: liar }),
        'ERR_INTERVAL_AUDIT_FAILED',
      )
    }
  })

  it('an auditor that throws fails closed with ERR_INTERVAL_AUDIT_FAILED, without repeating its message', () => {
    const thrower: IntervalAuditor = {
      name: 'thrower',
      ranges: () => {
        throw new TypeError('hidden cell x0 = 1 of 12')
      },
    }
    let caught: unknown
    try {
      table([[1, 1, 10]], { k: 3, totals: 'overall', auditor: thrower })
    } catch (error) {
      caught = error
    }
    expectCode(() => {
      throw caught
    }, 'ERR_INTERVAL_AUDIT_FAILED')
    expect((caught as Error).message).not.toContain('x0 = 1')
  })

  it('the audited table still publishes true counts for every published row', () => {
    const counts = [
      [1, 5, 7],
      [6, 2, 9],
      [8, 8, 8],
    ]
    const rows = table(counts, { k: 3, totals: 'margins', auditor })
    const truth = (row: CountRow) =>
      row.kind === 'total'
        ? 54
        : row.kind === 'subtotal'
          ? counts[row.key[0] as number]!.reduce((a, b) => a + b, 0)
          : counts[row.key[0] as number]![row.key[1] as number]!
    for (const row of rows) if (!row.suppressed) expect(row.values.n).toBe(truth(row))
    expect(rows.filter((row) => !row.suppressed).length).toBeGreaterThan(0)
  })
})
