import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { LintReportSchema, LogReportSchema } from 'datagate/cli'
import { beforeAll, describe, expect, it } from 'vitest'
import { type LogProject, makeLogProject } from './make-log.js'
import { runCli } from './run-cli.js'

let project: LogProject
beforeAll(async () => {
  project = await makeLogProject()
})

const report = (args: string[] = []) => {
  const run = runCli(['log', 'report', ...args, '--format', 'json'], { cwd: project.dir })
  expect(run.code).toBe(0)
  return LogReportSchema.parse(JSON.parse(run.stdout))
}

describe('datagate log report', () => {
  it('keeps releases, exports, deltas, streams and refusals apart, with fields and operators', () => {
    const r = report()
    expect(r.chain.ok).toBe(true)
    expect(r.entries.map((e) => `${e.type}:${e.partner}:${e.records}`)).toEqual([
      'release:rental-co:3',
      'export:rental-co:5',
      'export:maps-co:4',
      'delta:rental-co:3',
      'export:maps-co:6',
      'stream:rental-co:7',
    ])
    expect(r.denied.map((d) => `${d.partner}:${d.purpose}:${d.code}`)).toEqual([
      'maps-co:courtesy-car:ERR_NOT_PERMITTED',
      'rental-co:marketing:ERR_NOT_PERMITTED',
    ])
    const stream = r.entries.find((e) => e.type === 'stream')
    expect(stream?.fields).toContainEqual({
      path: 'customerId',
      operator: expect.stringMatching(/^pseudonymize/),
    })
    // rental-co's export and release totals are never summed together.
    const rental = r.totals.byPartner.filter((t) => t.partner === 'rental-co')
    expect(rental.map((t) => `${t.type}:${t.events}:${t.records}`)).toEqual([
      'delta:1:3',
      'denied:1:0',
      'export:1:5',
      'release:1:3',
      'stream:1:7',
    ])
    expect(
      r.totals.byMonth.find((t) => t.month === '2026-05' && t.type === 'export'),
    ).toMatchObject({ events: 2, records: 9 })
  })

  it('explains old events with the policy in force at their time', () => {
    const r = report(['--partner', 'maps-co'])
    const exports = r.entries.filter((e) => e.type === 'export')
    expect(
      exports.map((e) => [e.time.slice(0, 10), e.category, e.fields.map((f) => f.path).join(' ')]),
    ).toEqual([
      ['2026-05-16', 'traffic', 'city'],
      ['2026-06-15', 'innovation', 'city vehicle.model'],
    ])
    expect(r.policies.every((p) => p.inLog)).toBe(true)
    expect(new Set(exports.map((e) => e.policyHash)).size).toBe(2)
  })

  it('filters by month, dates, dataset and purpose; CSV has one line per event', () => {
    expect(report(['--month', '2026-06']).entries.map((e) => e.seq)).toEqual(
      report(['--from', '2026-06-01', '--to', '2026-06-30']).entries.map((e) => e.seq),
    )
    expect(report(['--to', '2026-05-05']).entries.map((e) => e.type)).toEqual(['release', 'export'])
    expect(report(['--dataset', 'customer']).entries.every((e) => e.dataset === 'customer')).toBe(
      true,
    )
    expect(report(['--purpose', 'marketing']).entries).toEqual([])
    const csv = runCli(['log', 'report', '--format', 'csv'], { cwd: project.dir })
      .stdout.trimEnd()
      .split('\r\n')
    expect(csv[0]).toBe(
      'seq,time,type,partner,category,dataset,purpose,agreement,records,fields,code,policyHash',
    )
    expect(csv).toHaveLength(1 + 6 + 2)
    expect(
      csv.some((l) =>
        /^4,2026-05-06T[^,]+,denied,maps-co,traffic,repair_order,courtesy-car,,0,,ERR_NOT_PERMITTED,sha256:/.test(
          l,
        ),
      ),
    ).toBe(true)
    expect(runCli(['log', 'report', '--month', '2026-13'], { cwd: project.dir }).code).toBe(2)
  })
})

describe('datagate lint with an audit log', () => {
  it('warns of agreements in force in the audit period that no event used', () => {
    // Only the first days of the log: maps-co's agreement was in force and unused.
    const lines = readFileSync(project.log, 'utf8').trimEnd().split('\n').slice(0, 4)
    writeFileSync(join(project.dir, 'early.jsonl'), `${lines.join('\n')}\n`)
    const config = join(project.dir, 'early.config.json')
    const configText = readFileSync(join(project.dir, 'datagate.config.yaml'), 'utf8')
    const datasets = /datasets: (.*)/.exec(configText)?.[1]
    writeFileSync(config, JSON.stringify({ datasets, policy: 'policy.yaml', audit: 'early.jsonl' }))
    const run = runCli(['--config', config, 'lint', '--at', '2026-05-10', '--format', 'json'], {
      cwd: project.dir,
    })
    expect(run.code).toBe(0)
    const report = LintReportSchema.parse(JSON.parse(run.stdout))
    expect(
      report.findings
        .filter((f) => f.code === 'agreement_unused')
        .map((f) => `${f.partner}/${f.agreement}`),
    ).toEqual(['maps-co/city-stats-2026'])
    const full = LintReportSchema.parse(
      JSON.parse(
        runCli(['lint', '--at', '2026-05-10', '--format', 'json'], { cwd: project.dir }).stdout,
      ),
    )
    expect(full.findings.filter((f) => f.code === 'agreement_unused')).toEqual([])
  })
})
