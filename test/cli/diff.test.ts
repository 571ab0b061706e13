import { join } from 'node:path'
import { DiffReportSchema } from 'datagate/cli'
import { describe, expect, it } from 'vitest'
import { fixtures, runCli } from './run-cli.js'

const cwd = join(fixtures, 'clean')
const diff = (args: string[]) => {
  const run = runCli(['diff', ...args, '--format', 'json'], { cwd })
  return { code: run.code, report: DiffReportSchema.parse(JSON.parse(run.stdout)) }
}

describe('datagate diff', () => {
  it('a change that adds a desensitised field exits 1 with --fail-on widen and names it', () => {
    const text = runCli(['diff', 'policy.yaml', '../diff/widen.yaml', '--fail-on', 'widen'], {
      cwd,
    })
    expect(text.code).toBe(1)
    expect(text.stdout).toContain(
      'WIDEN  courtesy-car-2026: gains customerPhone (desensitised, mask.phone)',
    )
    const { code, report } = diff(['policy.yaml', '../diff/widen.yaml', '--fail-on', 'widen'])
    expect(code).toBe(1)
    expect(
      report.changes.map(
        (c) => `${c.direction} ${c.kind} ${c.partner} ${c.field ?? c.agreement ?? ''}`,
      ),
    ).toEqual([
      'widen field_gained rental-co customerPhone',
      'widen condition rental-co estimatedHours',
      'widen validity rental-co courtesy-car-2026',
      'widen partner_added ride-co ',
      'widen agreement_added ride-co ride-2026',
    ])
    // Without --fail-on, a diff is a report: exit 0.
    expect(runCli(['diff', 'policy.yaml', '../diff/widen.yaml'], { cwd }).code).toBe(0)
  })

  it('a narrowing change passes --fail-on widen and fails --fail-on any', () => {
    const { code, report } = diff(['policy.yaml', '../diff/narrow.yaml', '--fail-on', 'widen'])
    expect(code).toBe(0)
    expect(report.widened).toBe(0)
    expect(report.changes.map((c) => `${c.kind}:${c.from ?? ''}->${c.to ?? ''}`)).toEqual([
      'field_lost:public, keep->',
      'condition:city $in ["Hangzhou","Ningbo"]->city $in ["Hangzhou"]',
      'condition:->vehicle.model $ne "EX9"',
      'standing:silver->yellow',
    ])
    expect(
      runCli(['diff', 'policy.yaml', '../diff/narrow.yaml', '--fail-on', 'any'], { cwd }).code,
    ).toBe(1)
    // The reverse change widens.
    expect(diff(['../diff/narrow.yaml', 'policy.yaml']).report.widened).toBe(4)
  })

  it('tells a weaker operator from the datasets the old policy was written against', () => {
    const { code, report } = diff([
      'policy.yaml',
      'policy.yaml',
      '--old-datasets',
      '../diff/old-datasets.ts',
      '--fail-on',
      'widen',
    ])
    expect(code).toBe(1)
    expect(report.changes).toEqual([
      expect.objectContaining({
        kind: 'operator',
        direction: 'widen',
        field: 'city',
        from: 'mask.name',
        to: 'keep',
      }),
    ])
    expect(diff(['policy.yaml', 'policy.yaml']).report.changes).toEqual([])
  })

  it('an invalid policy or a bad --fail-on is exit 2', () => {
    expect(runCli(['diff', 'policy.yaml', '../sensitive/policy.yaml'], { cwd }).code).toBe(2)
    expect(runCli(['diff', 'policy.yaml', 'policy.yaml', '--fail-on', 'wider'], { cwd }).code).toBe(
      2,
    )
    expect(runCli(['diff', 'policy.yaml'], { cwd }).code).toBe(2)
  })
})
