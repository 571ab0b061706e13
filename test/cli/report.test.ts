import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ComplianceReportSchema, LogReportSchema } from 'datagate/cli'
import { beforeAll, describe, expect, it } from 'vitest'
import type { LogProject } from './make-log.js'
import { BASIS, CONTACT, HOSTILE_NAME, makeReportProject } from './report-project.js'
import { runCli } from './run-cli.js'

let project: LogProject
beforeAll(async () => {
  project = await makeReportProject()
})

const report = (args: string[]) => runCli(['report', ...args], { cwd: project.dir })

describe('datagate report', () => {
  it('assembles matrix, lint, chain, the month ledger, volumes and the record of processing', () => {
    const run = report(['--month', '2026-06', '--format', 'json'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const r = ComplianceReportSchema.parse(JSON.parse(run.stdout))
    expect(r.month).toBe('2026-06')
    expect(r.asOf).toBe('2026-06-30T23:59:59.999Z')
    expect(r.policy).toMatchObject({ issuer: 'oem-aftersales', partners: 2, agreements: 2 })
    expect(r.policy.hash).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(r.matrix.policyHash).toBe(r.policy.hash)
    expect(r.lint.policyHash).toBe(r.policy.hash)
    expect(r.chain?.ok).toBe(true)
    expect(r.chain?.anchored).not.toBeNull()
    // The month's ledger is what `log report --month` prints for the same log.
    const ledger = LogReportSchema.parse(
      JSON.parse(
        runCli(['log', 'report', '--month', '2026-06', '--format', 'json'], { cwd: project.dir })
          .stdout,
      ),
    )
    expect(r.ledger).toEqual(ledger)
    expect(r.ledger?.entries.every((e) => e.time.startsWith('2026-06'))).toBe(true)
    expect(r.ledger?.denied.map((d) => `${d.partner}:${d.code}`)).toEqual([
      'rental-co:ERR_NOT_PERMITTED',
    ])
    // Volumes run up to the month and keep the types apart.
    expect(r.volumes.map((v) => `${v.month}:${v.partner}:${v.type}:${v.records}`)).toEqual([
      '2026-05:maps-co:export:4',
      '2026-05:rental-co:export:5',
      '2026-05:rental-co:release:3',
      '2026-06:maps-co:export:6',
      '2026-06:rental-co:delta:3',
      '2026-06:rental-co:stream:7',
    ])
    const rental = r.processing.find((p) => p.partner === 'rental-co')
    expect(rental?.name).toBe(HOSTILE_NAME)
    expect(rental?.agreements[0]).toMatchObject({
      id: 'courtesy-car-2026',
      purpose: 'courtesy-car',
      validFrom: '2026-01-01',
      validUntil: '2026-12-31',
      inForce: true,
      basis: BASIS,
    })
    expect(rental?.agreements[0]?.categories.public).toContain('vehicle.model')
    expect(rental?.agreements[0]?.categories.desensitised).toContainEqual({
      path: 'customerId',
      operator: expect.stringMatching(/^pseudonymize/),
    })
    expect(r.processing.find((p) => p.partner === 'maps-co')?.agreements[0]?.basis).toBeNull()
  })

  it('lists the PIPL Art. 23 notice per agreement that releases personal information', () => {
    const run = report(['--format', 'json'])
    expect(run.code).toBe(0)
    const r = ComplianceReportSchema.parse(JSON.parse(run.stdout))
    const rental = r.notices.find((n) => n.partner === 'rental-co')
    expect(rental).toMatchObject({
      agreement: 'courtesy-car-2026',
      recipient: { name: HOSTILE_NAME, contact: CONTACT },
      role: 'handler',
      roleDeclared: true,
      separateConsent: true,
      purpose: 'courtesy-car',
      consent: { scope: 'courtesy-car-share', subject: 'customerId' },
    })
    expect(rental?.method).toContain('signed API export (JWS)')
    expect(rental?.method.some((m) => m.includes('delta'))).toBe(true)
    expect(rental?.categories).toContainEqual({
      path: 'customerId',
      pii: null,
      operator: expect.stringMatching(/^pseudonymize/),
    })
    // Public fields without a pii tag are no personal information: not a category of the notice.
    expect(rental?.categories.map((c) => c.path)).not.toContain('vehicle.model')
    // Every notice is of an agreement that grants personal information.
    for (const n of r.notices) expect(n.categories.length).toBeGreaterThan(0)
    const md = report(['--format', 'md']).stdout
    expect(md).toContain(CONTACT)
    expect(md).toContain('courtesy-car-share, subject customerId')
  })

  it('writes Markdown with every section to --out', () => {
    const run = report(['--month', '2026-06', '--format', 'md', '--out', 'report.md'])
    expect(run.code).toBe(0)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('report written to report.md')
    const md = readFileSync(join(project.dir, 'report.md'), 'utf8')
    for (const heading of [
      '# Compliance report 2026-06',
      '## Policy',
      '## Access matrix',
      '## Lint findings',
      '## Chain status',
      '## Sharing ledger',
      '#### Denied (1)',
      '### datagate lint: 0 error(s), 1 warning(s)',
      '## Release volumes',
      '## Record of processing',
      '## Notice manifest (PIPL Art. 23)',
    ])
      expect(md).toContain(heading)
    expect(md).toContain('chain intact')
    expect(md).toContain(BASIS)
    expect(md).toContain('| 2026-06 | rental-co | stream | 1 | 7 |')
  })

  it('escapes every value in HTML: a partner named <script> is text', () => {
    const run = report(['--month', '2026-06', '--format', 'html'])
    expect(run.code).toBe(0)
    const html = run.stdout
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/)
    expect(html).not.toContain('<script')
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co')
    // Self-contained: nothing is fetched from anywhere.
    expect(html).not.toMatch(/\b(src|href)=|@import|url\(/)
    expect(html).toContain('<svg class="chart" role="img"')
  })

  it('exits 1 when the chain is broken, and still writes the report', () => {
    const log = readFileSync(project.log, 'utf8').split('\n')
    const at = log.findIndex((line) => line.includes('"type":"export"'))
    const tampered = log.map((line, i) =>
      i === at ? line.replace(/"rows":\d+/, '"rows":500') : line,
    )
    expect(tampered[at]).not.toBe(log[at])
    writeFileSync(project.log, tampered.join('\n'))
    try {
      const run = report(['--format', 'json'])
      expect(run.code).toBe(1)
      const r = ComplianceReportSchema.parse(JSON.parse(run.stdout))
      expect(r.month).toBeNull()
      expect(r.chain?.ok).toBe(false)
      expect(r.chain?.firstBroken?.line).toBe(at + 1)
    } finally {
      writeFileSync(project.log, log.join('\n'))
    }
  })

  it('rejects a malformed month with exit 2', () => {
    const run = report(['--month', '2026-13', '--format', 'json'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--month: expected YYYY-MM')
  })
})
