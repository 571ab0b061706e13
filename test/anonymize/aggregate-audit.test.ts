import highs from 'highs'
import { describe, expect, it } from 'vitest'
import { aggregate } from '../../src/anonymize/aggregate.js'
import {
  createHighsAuditor,
  type HighsSolver,
  type IntervalAuditor,
} from '../../src/anonymize/interval-audit.js'

const records = [
  { c: 'a' },
  { c: 'b' },
  ...Array.from({ length: 10 }, () => ({ c: 'z' })),
  ...Array.from({ length: 4 }, () => ({ c: 'y' })),
]
const options = { by: ['c'], measures: { n: { op: 'count' } }, k: 3, totals: 'overall' } as const

function codeOf(run: () => unknown): string | undefined {
  try {
    run()
  } catch (error) {
    return (error as { code?: string }).code
  }
  return undefined
}

describe('interval audit: the auditor contract', () => {
  it('solves each independent component once and reuses it while its hidden set is unchanged', async () => {
    const real = await createHighsAuditor(highs)
    const sizes: number[] = []
    const counting: IntervalAuditor = {
      name: 'counting',
      ranges: (problem) => {
        sizes.push(problem.unknowns)
        return real.ranges(problem)
      },
    }
    const margins = aggregate(
      [
        ...[1, 1, 10].flatMap((n, i) => Array.from({ length: n }, () => ({ a: 'p', b: i }))),
        ...[5, 6, 7].flatMap((n, i) => Array.from({ length: n }, () => ({ a: 'q', b: i }))),
      ],
      {
        by: ['a', 'b'],
        measures: { n: { op: 'count' } },
        k: 3,
        totals: 'margins',
        auditor: counting,
      },
    )
    expect(margins.report.protection).toMatchObject({ method: 'interval-audit', narrowest: 9 })
    // Round 1: the two hidden cells of p (pinned to 1); round 2: the three cells of p.
    expect(sizes).toEqual([2, 3])
  })

  it('fails closed with ERR_INTERVAL_AUDIT_FAILED when the solver fails, ends without a proof, or answers the wrong size', async () => {
    const failing =
      (status: string): (() => Promise<HighsSolver>) =>
      async () => ({
        solve: () => ({ Status: status, ObjectiveValue: 0 }),
      })
    for (const status of ['Infeasible', 'Time limit reached', 'Solve error']) {
      const auditor = await createHighsAuditor(failing(status))
      expect(
        codeOf(() => aggregate(records, { ...options, auditor })),
        status,
      ).toBe('ERR_INTERVAL_AUDIT_FAILED')
    }
    const throwing = await createHighsAuditor(async () => ({
      solve: () => {
        throw new Error('wasm trap')
      },
    }))
    expect(codeOf(() => aggregate(records, { ...options, auditor: throwing }))).toBe(
      'ERR_INTERVAL_AUDIT_FAILED',
    )
    const short: IntervalAuditor = { name: 'short', ranges: () => [] }
    expect(codeOf(() => aggregate(records, { ...options, auditor: short }))).toBe(
      'ERR_INTERVAL_AUDIT_FAILED',
    )
    await expect(
      createHighsAuditor(async () => {
        throw new Error('no wasm')
      }),
    ).rejects.toMatchObject({ code: 'ERR_INTERVAL_AUDIT_FAILED' })
  })

  it('rejects a protection width that is not an integer >= 1 and an auditor without ranges', () => {
    for (const protectionWidth of [0, 1.5, -2, Number.NaN])
      expect(codeOf(() => aggregate(records, { ...options, protectionWidth }))).toBe(
        'ERR_INVALID_ARGUMENT',
      )
    expect(codeOf(() => aggregate(records, { ...options, auditor: { name: 'x' } as never }))).toBe(
      'ERR_INVALID_ARGUMENT',
    )
  })
})
