// `datagate standing --write` with the config's audit log in PostgreSQL (the shared chain), on
// the real server scripts/test-services.sh starts: the change lands on the chain a gate writes
// to, which still reads and verifies, and a database that refuses the write leaves the policy as
// it was.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { LogVerifyReportSchema, StandingReportSchema } from 'datagate/cli'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { migrate, postgresAuditSink, readPostgresAuditLog } from '../../src/stores/postgres.js'
import { describeWith, PG_URL, uniqueTable } from '../stores/services.js'
import { type LogProject, makeLogProject } from './make-log.js'
import { fixtures, runCli } from './run-cli.js'

const HEADER =
  'partner,month,satisfaction,responseSpeed,complaintHandling,priceFairness,complaintRate'

describeWith(PG_URL, 'DATAGATE_TEST_PG', 'datagate standing --write over PostgreSQL', () => {
  let pool: pg.Pool
  let table: string
  let project: LogProject
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 2 })
    table = uniqueTable('standing')
    await migrate(pool, { table, idleInTransactionTimeoutMs: false })
    project = await makeLogProject({
      sink: postgresAuditSink({ pool, table }),
      spec: { postgres: PG_URL, table },
    })
  })
  afterAll(() => pool?.end())

  const stored = async () => {
    const events: { type: string; seq: number }[] = []
    for await (const event of readPostgresAuditLog(pool, { table }))
      events.push(event as { type: string; seq: number })
    return events
  }

  it('appends the policy and the standing-change to the shared chain, which still verifies', async () => {
    const { dir } = project
    writeFileSync(
      join(dir, 'scores.csv'),
      `${HEADER}\nmaps-co,2026-06,3.9,3.9,3.9,3.9,0.5%\nrental-co,2026-06,4.9,4.9,4.9,4.9,0.1%\n`,
    )
    const before = await stored()
    const run = runCli(['standing', '--scores', 'scores.csv', '--write', '--format', 'json'], {
      cwd: dir,
    })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const report = StandingReportSchema.parse(JSON.parse(run.stdout))
    expect(report.changes.map((c) => `${c.partner} ${c.from}->${c.to}`)).toEqual([
      'maps-co silver->yellow',
    ])
    const after = await stored()
    expect(after.slice(before.length).map((e) => e.type)).toEqual([
      'resume',
      'policy',
      'standing-change',
    ])
    expect(report.audit).toMatchObject({ seq: after.at(-1)?.seq })
    expect(report.audit?.log).not.toContain(new URL(PG_URL as string).password || '\u0000')
    expect(readFileSync(join(dir, 'policy.yaml'), 'utf8')).toContain('standing: yellow')
    const verify = runCli(['log', 'verify', '--receipts', project.receipts, '--format', 'json'], {
      cwd: dir,
    })
    expect(verify.code).toBe(0)
    expect(LogVerifyReportSchema.parse(JSON.parse(verify.stdout))).toMatchObject({
      ok: true,
      count: after.length,
    })
  })

  it('a chain that refuses the write (no such table) leaves the policy as it was', () => {
    const { dir } = project
    const policy = readFileSync(join(dir, 'policy.yaml'), 'utf8')
    writeFileSync(
      join(dir, 'datagate.config.json'),
      JSON.stringify({
        datasets: join(fixtures, 'datasets.ts'),
        policy: './policy.yaml',
        audit: { postgres: PG_URL, table: uniqueTable('missing') },
      }),
    )
    writeFileSync(join(dir, 'scores.csv'), `${HEADER}\nmaps-co,2026-07,4.9,4.9,4.9,4.9,0.1%\n`)
    const run = runCli(
      ['standing', '--scores', 'scores.csv', '--write', '--config', 'datagate.config.json'],
      {
        cwd: dir,
      },
    )
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('ERR_AUDIT_WRITE_FAILED')
    expect(readFileSync(join(dir, 'policy.yaml'), 'utf8')).toBe(policy)
  })
})
