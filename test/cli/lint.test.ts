import { join } from 'node:path'
import { LintReportSchema, MatrixReportSchema } from 'datagate/cli'
import { describe, expect, it } from 'vitest'
import { fixtures, runCli } from './run-cli.js'

const project = (name: string) => join(fixtures, name)

describe('datagate lint', () => {
  it('a clean policy exits 0 with no findings', () => {
    const run = runCli(['lint', '--at', '2026-06-01', '--format', 'json'], {
      cwd: project('clean'),
    })
    expect(run.code).toBe(0)
    const report = LintReportSchema.parse(JSON.parse(run.stdout))
    expect(report.findings).toEqual([])
    expect(report.policyHash).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  it('a sensitive grant exits 1 naming partner, agreement and field', () => {
    const run = runCli(['lint'], { cwd: project('sensitive') })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('sensitive_field_granted')
    expect(run.stdout).toContain('partner rental-co')
    expect(run.stdout).toContain('agreement courtesy-car-2026')
    expect(run.stdout).toContain('field idNumber')
    const json = runCli(['lint', '--format', 'json'], { cwd: project('sensitive') })
    const report = LintReportSchema.parse(JSON.parse(json.stdout))
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        code: 'sensitive_field_granted',
        partner: 'rental-co',
        agreement: 'courtesy-car-2026',
        field: 'idNumber',
      }),
    )
  })

  it('warns of expiry, suspended partners, quasi-identifiers, cut identifiers and scores', () => {
    const dir = project('warnings')
    const run = runCli(
      ['lint', '--at', '2026-06-01', '--scores', 'scores.yaml', '--format', 'json'],
      { cwd: dir },
    )
    expect(run.code).toBe(0)
    const report = LintReportSchema.parse(JSON.parse(run.stdout))
    const codes = report.findings.map((f) => `${f.code}:${f.partner ?? f.field}`)
    expect(codes.sort()).toEqual([
      'agreement_expiring:rental-co',
      'inactive_partner_holds_agreements:old-co',
      'quasi_identifiers_ungeneralised:rental-co',
      'reversible_operator_on_identifier:phone',
      'standing_disagrees_with_scores:rental-co',
    ])
    // Judged later, the agreement is no longer about to expire (it has expired).
    const later = LintReportSchema.parse(
      JSON.parse(runCli(['lint', '--at', '2026-07-01', '--format', 'json'], { cwd: dir }).stdout),
    )
    expect(later.findings.some((f) => f.code === 'agreement_expiring')).toBe(false)
    expect(
      runCli(['lint', '--at', '2026-06-01', '--fail-level', 'warning'], { cwd: dir }).code,
    ).toBe(1)
  })

  it('finds the config through --config, DATAGATE_CONFIG and upward search; none is exit 2', () => {
    const cfg = join(project('sensitive'), 'datagate.config.json')
    expect(runCli(['--config', cfg, 'lint']).code).toBe(1)
    expect(runCli(['lint'], { env: { DATAGATE_CONFIG: cfg } }).code).toBe(1)
    // A TypeScript config (jiti), found by the upward search from a subfolder.
    const ts = runCli(['lint', '--format', 'json'], { cwd: join(project('ts-config')) })
    expect(ts.code).toBe(0)
    expect(LintReportSchema.parse(JSON.parse(ts.stdout)).policy).toBe(
      join(project('clean'), 'policy.yaml'),
    )
    expect(runCli(['lint'], { cwd: join(project('clean'), '..', '..') }).code).toBe(2)
    const missing = runCli(['--config', 'nope.yaml', 'lint'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('nope.yaml')
  })

  it('usage errors exit 2 with a suggestion; help shows an example', () => {
    const typo = runCli(['lnit'])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain('Did you mean lint?')
    const flag = runCli(['lint', '--fromat', 'json'], { cwd: project('clean') })
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain('--format')
    expect(runCli(['lint', '--format', 'xml'], { cwd: project('clean') }).code).toBe(2)
    expect(runCli(['lint', '--at', 'yesterday'], { cwd: project('clean') }).code).toBe(2)
    const help = runCli(['lint', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/Examples:\n {2}\$ datagate lint/)
  })

  it('every command has --help with an example', () => {
    for (const command of [
      ['lint'],
      ['matrix'],
      ['explain'],
      ['test'],
      ['diff'],
      ['log', 'verify'],
      ['log', 'report'],
      ['scan'],
      ['risk'],
      ['keys', 'generate'],
      ['standing'],
      ['log'],
      ['keys'],
    ]) {
      const help = runCli([...command, '--help'])
      expect(help.code, command.join(' ')).toBe(0)
      expect(help.stdout, command.join(' ')).toMatch(
        new RegExp(`Examples:\\n {2}\\$ datagate ${command[0]}`),
      )
    }
    expect(runCli(['--help']).stdout).toContain('Exit codes: 0 clean, 1 findings')
  })

  it('colours only on a TTY or with FORCE_COLOR, never with NO_COLOR', () => {
    const dir = project('sensitive')
    expect(runCli(['lint'], { cwd: dir }).stdout).not.toContain('\u001b[')
    expect(runCli(['lint'], { cwd: dir, env: { FORCE_COLOR: '1' } }).stdout).toContain('\u001b[31m')
    expect(runCli(['lint'], { cwd: dir, env: { FORCE_COLOR: '0' } }).stdout).not.toContain(
      '\u001b[',
    )
  })
})

describe('datagate matrix', () => {
  it('gives the form and the granting agreement of each cell at --at', () => {
    const run = runCli(['matrix', '--at', '2026-06-01', '--format', 'json'], {
      cwd: project('clean'),
    })
    expect(run.code).toBe(0)
    const matrix = MatrixReportSchema.parse(JSON.parse(run.stdout))
    const cell = (partner: string, dataset: string, field: string) =>
      matrix.cells.find((c) => c.partner === partner && c.dataset === dataset && c.field === field)
    expect(cell('rental-co', 'repair_order', 'customerId')).toMatchObject({
      form: 'transformed',
      operator: expect.stringMatching(/^pseudonymize/),
      agreements: [{ id: 'courtesy-car-2026', purpose: 'courtesy-car' }],
    })
    expect(cell('maps-co', 'customer', 'city')).toMatchObject({ form: 'public', operator: 'keep' })
    expect(cell('maps-co', 'customer', 'phone')).toMatchObject({
      form: 'denied',
      reason: 'not_core',
    })
    expect(cell('rental-co', 'customer', 'idNumber')).toMatchObject({
      form: 'denied',
      reason: 'sensitive',
    })
    const after = MatrixReportSchema.parse(
      JSON.parse(
        runCli(['matrix', '--at', '2027-01-01', '--format', 'json'], { cwd: project('clean') })
          .stdout,
      ),
    )
    expect(after.cells.every((c) => c.form === 'denied')).toBe(true)
  })

  it('renders text and CSV; an invalid policy is exit 2', () => {
    const text = runCli(['matrix', '--at', '2026-06-01', '--dataset', 'repair_order'], {
      cwd: project('clean'),
    })
    expect(text.stdout).toMatch(/orderId\s+public\s+public \(courtesy-car-2026\)/)
    const csvOut = runCli(['matrix', '--at', '2026-06-01', '--format', 'csv'], {
      cwd: project('clean'),
    })
    const lines = csvOut.stdout.trim().split('\r\n')
    expect(lines[0]).toBe(
      'partner,category,standing,dataset,field,class,form,operator,agreements,reason',
    )
    expect(lines).toContain(
      'maps-co,traffic,silver,customer,city,public,public,keep,city-stats-2026:city-stats,',
    )
    const bad = runCli(['matrix'], { cwd: project('sensitive') })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('run datagate lint')
  })
})
