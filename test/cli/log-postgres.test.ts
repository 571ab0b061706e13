// The log commands over the shared chain in PostgreSQL: the config's `audit: { postgres, table }`
// (and a `postgres://` URL as LOG) read through readPostgresAuditLog, against the real server
// scripts/test-services.sh starts. An insider's edit of one row is named by its seq.
import { ComplianceReportSchema, LogReportSchema, LogVerifyReportSchema } from 'datagate/cli'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { migrate, postgresAuditSink, readPostgresAuditLog } from '../../src/stores/postgres.js'
import { describeWith, PG_URL, uniqueTable } from '../stores/services.js'
import { type LogProject, makeLogProject } from './make-log.js'
import { runCli } from './run-cli.js'

describeWith(PG_URL, 'DATAGATE_TEST_PG', 'datagate log commands over PostgreSQL', () => {
  let pool: pg.Pool
  let table: string
  let project: LogProject
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 2 })
    table = uniqueTable('cli')
    await migrate(pool, { table, idleInTransactionTimeoutMs: false })
    project = await makeLogProject({
      sink: postgresAuditSink({ pool, table }),
      spec: { postgres: PG_URL, table },
    })
  })
  afterAll(() => pool?.end())

  const run = (args: string[]) => runCli([...args, '--format', 'json'], { cwd: project.dir })

  it('log verify reads the chain from the config and checks it with receipts', async () => {
    const stored: unknown[] = []
    for await (const event of readPostgresAuditLog(pool, { table })) stored.push(event)
    const { code, stdout, stderr } = run(['log', 'verify', '--receipts', project.receipts])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const report = LogVerifyReportSchema.parse(JSON.parse(stdout))
    expect(report.ok).toBe(true)
    expect(report.count).toBe(stored.length)
    // Reports name the database without its credentials.
    expect(stdout).not.toContain(new URL(PG_URL as string).password || '\u0000')
  })

  it('log report keeps the ledger apart by event type, as from a file', () => {
    const { code, stdout } = run(['log', 'report'])
    expect(code).toBe(0)
    const report = LogReportSchema.parse(JSON.parse(stdout))
    const types = new Set(report.entries.map((entry) => entry.type))
    expect([...types].sort()).toEqual(['delta', 'export', 'release', 'stream'])
    expect(report.denied.length).toBeGreaterThan(0)
    expect(report.chain.ok).toBe(true)
  })

  it('report reads the same chain for its status, ledger and volumes', () => {
    const { code, stdout } = run(['report'])
    expect(code).toBe(0)
    const report = ComplianceReportSchema.parse(JSON.parse(stdout))
    expect(report.chain?.ok).toBe(true)
    expect(report.ledger?.entries.length).toBeGreaterThan(0)
  })

  it('an insider edit of one row exits 1 and names its seq', async () => {
    const client = await pool.connect()
    try {
      // The insider owns the table: drops the append-only trigger, rewrites the partner of the first export (rental-co's).
      const { rows } = await client.query<{ tgname: string }>(
        `SELECT tgname FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal`,
        [table],
      )
      for (const { tgname } of rows)
        await client.query(`ALTER TABLE "${table}" DISABLE TRIGGER "${tgname}"`)
      const target = await client.query<{ seq: string }>(
        `SELECT seq FROM "${table}" WHERE event LIKE '%"type":"export"%' ORDER BY seq LIMIT 1`,
      )
      const seq = Number(target.rows[0]?.seq)
      await client.query(
        `UPDATE "${table}" SET event = replace(event, '"partner":"rental-co"', '"partner":"someone-else"') WHERE seq = $1`,
        [seq],
      )
      const { code, stdout } = run(['log', 'verify'])
      expect(code).toBe(1)
      const report = LogVerifyReportSchema.parse(JSON.parse(stdout))
      expect(report.ok).toBe(false)
      expect(report.firstBroken?.seq).toBe(seq)
    } finally {
      client.release()
    }
  })

  it('an unreachable database is unreadable input (exit 2), its password never shown', () => {
    const url = new URL(PG_URL as string)
    url.port = '1'
    url.password = 'not-the-password-7f3a'
    for (const args of [[url.toString()], ['--audit', url.toString()]]) {
      const { code, stdout, stderr } = runCli(['log', 'verify', ...args], { cwd: project.dir })
      expect(code).toBe(2)
      expect(stdout + stderr).not.toContain('not-the-password-7f3a')
      expect(stderr).toContain('cannot read audit log postgres://127.0.0.1:1/')
    }
  })
})
