// Table names reach SQL as quoted identifiers. PostgreSQL truncates an identifier to 63 bytes
// (not characters) with only a NOTICE, so two names that differ after byte 63 would be one table
// while their chains' advisory locks differ. Names that do not fit are refused; names full of
// SQL are just names.
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { isDatagateError } from '../../src/errors.js'
import { createAuditLog, verifyAuditChain } from '../../src/export/audit.js'
import type { AuditEvent } from '../../src/export/audit-event.js'
import { migrate, postgresAuditSink, readPostgresAuditLog } from '../../src/stores/postgres.js'
import { describeWith, PG_URL, uniqueTable } from './services.js'

const denied = {
  type: 'denied',
  partner: 'p',
  dataset: 'd',
  purpose: 'u',
  policyHash: 'sha256:11',
  code: 'ERR_NOT_PERMITTED',
} as const

describeWith(PG_URL, 'DATAGATE_TEST_PG', 'audit table names', () => {
  let pool: pg.Pool
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 2 })
  })
  afterAll(() => pool?.end())

  it('refuses a name PostgreSQL would truncate: 53 characters, 93 bytes', async () => {
    const stem = `${uniqueTable('t')}${'é'.repeat(40)}`
    for (const table of [`${stem}a`, `${stem}b`]) {
      const error = await migrate(pool, { table, idleInTransactionTimeoutMs: false }).catch(
        (e: unknown) => e,
      )
      expect(isDatagateError(error, 'ERR_INVALID_ARGUMENT'), String(error)).toBe(true)
      expect(() => postgresAuditSink({ pool, table })).toThrow(/table/)
    }
    const { rows } = await pool.query(
      'SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE $1',
      [`${stem.slice(0, 12)}%`],
    )
    expect(rows[0].n).toBe(0)
  })

  it('a name of 56 bytes in 28 characters works, and differs from its neighbour', async () => {
    const stem = `${uniqueTable('nm')}${'é'.repeat(21)}`
    const a = `${stem}a`
    const b = `${stem}b`
    expect(Buffer.byteLength(a)).toBe(56)
    for (const table of [a, b]) {
      await migrate(pool, { table, idleInTransactionTimeoutMs: false })
      await createAuditLog({ sink: postgresAuditSink({ pool, table }) }).append(denied)
    }
    for (const table of [a, b]) {
      const events: AuditEvent[] = []
      for await (const event of readPostgresAuditLog(pool, { table })) events.push(event)
      expect(events.map((e) => e.type)).toEqual(['denied'])
      expect(verifyAuditChain(events).ok).toBe(true)
    }
  })

  it('a name made of SQL is only a name', async () => {
    const victim = uniqueTable('victim')
    await pool.query(`CREATE TABLE ${victim} (x int)`)
    const table = `x"; DROP TABLE ${victim}; --'`
    await migrate(pool, { table, idleInTransactionTimeoutMs: false })
    await createAuditLog({ sink: postgresAuditSink({ pool, table }) }).append(denied)
    const { rows } = await pool.query('SELECT to_regclass($1) IS NOT NULL AS ok', [victim])
    expect(rows[0].ok).toBe(true)
    const events: AuditEvent[] = []
    for await (const event of readPostgresAuditLog(pool, { table })) events.push(event)
    expect(events.length).toBe(1)
    await pool.query(`DROP TABLE ${victim}`)
  })
})
