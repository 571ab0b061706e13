// Reading the shared chain back: ranges and batches in seq order, and what verifyAuditLog makes
// of a table an insider edited (the trigger dropped first), of a row that is not JSON, and of a
// database that goes away part-way through the read.
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type AuditEvent, createAuditLog } from '../../src/export/audit.js'
import { verifyAuditLog } from '../../src/export/audit-verify-log.js'
import type { KeyRing } from '../../src/export/key-ring.js'
import { generateKeys } from '../../src/export/keys.js'
import { migrate, postgresAuditSink, readPostgresAuditLog } from '../../src/stores/postgres.js'
import { describeWith, PG_URL, uniqueTable } from './services.js'

const denied = (n: number) =>
  ({
    type: 'denied',
    partner: `p-${n}`,
    dataset: 'd',
    purpose: 'u',
    policyHash: 'sha256:11',
    code: 'ERR_NOT_PERMITTED',
  }) as const

async function collect(source: AsyncIterable<AuditEvent>): Promise<AuditEvent[]> {
  const out: AuditEvent[] = []
  for await (const event of source) out.push(event)
  return out
}

describeWith(PG_URL, 'DATAGATE_TEST_PG', 'reading the PostgreSQL chain', () => {
  let pool: pg.Pool
  let keys: KeyRing
  let table: string
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 2 })
    keys = await generateKeys()
    table = uniqueTable('read')
    await migrate(pool, { table, idleInTransactionTimeoutMs: false })
    const log = createAuditLog({
      sink: postgresAuditSink({ pool, table }),
      checkpoint: { keys, issuer: 'oem', every: 10, intervalMs: 0 },
    })
    for (let n = 0; n < 40; n++) await log.append(denied(n))
    await log.close()
  })
  afterAll(() => pool?.end())

  it('yields ranges in seq order whatever the batch size', async () => {
    const all = await collect(readPostgresAuditLog(pool, { table }))
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i))
    for (const batchSize of [1, 7, 1000]) {
      const part = await collect(readPostgresAuditLog(pool, { table, from: 5, to: 20, batchSize }))
      expect(part.map((e) => e.seq)).toEqual(Array.from({ length: 16 }, (_, i) => i + 5))
    }
    const report = await verifyAuditLog(readPostgresAuditLog(pool, { table, batchSize: 3 }), {
      jwks: keys.jwks(),
      issuer: 'oem',
    })
    expect(report.ok).toBe(true)
    expect(report.count).toBe(all.length)
  })

  it('an edited row and a row that is not JSON are caught by verifyAuditLog', async () => {
    const copy = uniqueTable('read_edited')
    await pool.query(`CREATE TABLE "${copy}" AS SELECT * FROM "${table}"`)
    // The insider: rewrites the partner of one event (no trigger on the copy), breaks a later row.
    const { rows } = await pool.query(
      `UPDATE "${copy}" SET event = replace(event, '"partner":"p-10"', '"partner":"p-99"')
       WHERE event LIKE '%"partner":"p-10"%' RETURNING seq::int`,
    )
    const edited = rows[0].seq as number
    await pool.query(`UPDATE "${copy}" SET event = '{not json' WHERE seq = $1`, [edited + 15])
    const report = await verifyAuditLog(readPostgresAuditLog(pool, { table: copy }), {
      jwks: keys.jwks(),
      issuer: 'oem',
    })
    expect(report.ok).toBe(false)
    expect(report.firstBroken).toMatchObject({ seq: edited, reason: 'hash_mismatch' })
    expect(report.issues.map((i) => i.code)).toContain('malformed')
  })

  it('a database that goes away part-way is unreadable, not a pass', async () => {
    // One connection (a pg Client), so nothing reconnects behind the reader's back.
    const other = new pg.Client({ connectionString: PG_URL })
    other.on('error', () => undefined)
    await other.connect()
    const { rows } = await other.query('SELECT pg_backend_pid() AS pid')
    let read = 0
    const source = (async function* () {
      for await (const event of readPostgresAuditLog(other, { table, batchSize: 5 })) {
        yield event
        // After the first batch, the server ends this reader's session.
        if (++read === 5) await pool.query('SELECT pg_terminate_backend($1)', [rows[0].pid])
      }
    })()
    const report = await verifyAuditLog(source, { jwks: keys.jwks(), issuer: 'oem' })
    await other.end().catch(() => undefined)
    expect(report.ok).toBe(false)
    expect(report.issues.map((i) => i.code)).toContain('unreadable')
    expect(report.count).toBe(5)
  })
})
