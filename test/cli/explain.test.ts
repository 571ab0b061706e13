import { join } from 'node:path'
import { ExplainReportSchema } from 'datagate/cli'
import { describe, expect, it } from 'vitest'
import { fixtures, runCli } from './run-cli.js'

const cwd = join(fixtures, 'clean')
const base = [
  'explain',
  '--partner',
  'rental-co',
  '--dataset',
  'repair_order',
  '--purpose',
  'courtesy-car',
  '--at',
  '2026-06-01',
]

describe('datagate explain', () => {
  it('explains each field and, with --record, which clause decided each row', () => {
    const run = runCli([...base, '--record', 'orders.json', '--format', 'json'], { cwd })
    expect(run.code).toBe(0)
    const why = ExplainReportSchema.parse(JSON.parse(run.stdout))
    expect(why.refusal).toBeNull()
    expect(why.fields.find((f) => f.path === 'customerPhone')).toMatchObject({
      released: false,
      reasons: ['not_granted'],
    })
    expect(why.fields.find((f) => f.path === 'customerId')).toMatchObject({
      released: true,
      agreement: 'courtesy-car-2026',
    })
    expect(why.rows?.map((r) => [r.released, r.reason, r.decidedBy?.field ?? null])).toEqual([
      [true, null, null],
      [false, 'condition_failed', 'estimatedHours'],
      [false, 'condition_failed', 'city'],
      [false, 'record_invalid', null],
    ])
    const text = runCli([...base, '--record', 'orders.json'], { cwd }).stdout
    expect(text).toContain('estimatedHours $gt 4 did not hold')
  })

  it('explains a refusal; a missing flag or an unknown dataset is exit 2', () => {
    const run = runCli(
      [
        'explain',
        '--partner',
        'maps-co',
        '--dataset',
        'repair_order',
        '--purpose',
        'courtesy-car',
        '--format',
        'json',
      ],
      { cwd },
    )
    expect(ExplainReportSchema.parse(JSON.parse(run.stdout)).refusal?.code).toBe(
      'ERR_NOT_PERMITTED',
    )
    expect(runCli(['explain', '--partner', 'maps-co'], { cwd }).code).toBe(2)
    expect(
      runCli(['explain', '--partner', 'p', '--dataset', 'nope', '--purpose', 'x'], { cwd }).code,
    ).toBe(2)
  })
})
