// Group commit on the PostgreSQL sink: appends that queue up in one log while a write is in flight
// go together in one statement, still linked one after the other and each resolved only once
// written; a group that cannot be written fails every append in it and leaves the chain as it was.
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { isDatagateError } from '../../src/errors.js'
import {
  type AuditEvent,
  auditEventHash,
  createAuditLog,
  verifyAuditChain,
} from '../../src/export/audit.js'
import { verifyAuditLog } from '../../src/export/audit-verify-log.js'
import { generateKeys } from '../../src/export/keys.js'
import {
  migrate,
  type PostgresQueryable,
  postgresAuditSink,
  readPostgresAuditLog,
} from '../../src/stores/postgres.js'
import { chainLockKey } from '../../src/stores/postgres-migrate.js'
import { auditTableNames } from '../../src/stores/postgres-schema.js'
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

describeWith(PG_URL, 'DATAGATE_TEST_PG', 'group commit on the PostgreSQL sink', () => {
  let pool: pg.Pool
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 3 })
  })
  afterAll(() => pool?.end())

  it('300 appends at once on one log: fewer statements, one whole chain, each resolved with its event', async () => {
    const table = uniqueTable('group')
    await migrate(pool, { table, idleInTransactionTimeoutMs: false })
    // The real pool, with its queries counted.
    let statements = 0
    const counted: PostgresQueryable = {
      query: (text, values) => {
        if (text.includes('_append')) statements++
        return pool.query(text, values)
      },
    }
    const keys = await generateKeys()
    const log = createAuditLog({
      sink: postgresAuditSink({ pool: counted, table }),
      checkpoint: { keys, issuer: 'oem', every: 50, intervalMs: 0 },
    })
    const returned = await Promise.all(Array.from({ length: 300 }, (_, n) => log.append(denied(n))))
    await log.close()
    expect(statements).toBeLessThan(100)
    // In call order: the n-th append got the n-th denied event.
    expect(returned.map((e) => (e.type === 'denied' ? e.partner : ''))).toEqual(
      returned.map((_, n) => `p-${n}`),
    )
    const events: AuditEvent[] = []
    for await (const event of readPostgresAuditLog(pool, { table })) events.push(event)
    expect(verifyAuditChain(events).ok).toBe(true)
    for (const event of events) expect(event.hash).toBe(auditEventHash(event))
    const bySeq = new Map(events.map((e) => [e.seq, e.hash]))
    for (const event of returned) expect(bySeq.get(event.seq)).toBe(event.hash)
    // A checkpoint after every group that brings 50 or more events since the last, and on close.
    expect(events.filter((e) => e.type === 'checkpoint').length).toBeGreaterThanOrEqual(5)
    const report = await verifyAuditLog(events, { jwks: keys.jwks(), issuer: 'oem' })
    expect(report.issues).toEqual([])
  })

  it('a group that cannot be written fails every append in it; the chain is not advanced', async () => {
    const table = uniqueTable('group_fail')
    await migrate(pool, { table, idleInTransactionTimeoutMs: false })
    const log = createAuditLog({ sink: postgresAuditSink({ pool, table, lockTimeoutMs: 200 }) })
    await log.append(denied(0))
    const holder = await pool.connect()
    try {
      await holder.query('BEGIN')
      await holder.query(
        `SELECT pg_advisory_xact_lock(${chainLockKey(auditTableNames(table, undefined, 'test'))})`,
      )
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, n) => log.append(denied(n + 1))),
      )
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected')
        const reason = outcome.status === 'rejected' ? outcome.reason : undefined
        expect(isDatagateError(reason, 'ERR_AUDIT_WRITE_FAILED')).toBe(true)
      }
      await holder.query('COMMIT')
    } finally {
      holder.release(true)
    }
    const next = await log.append(denied(99))
    expect(next.seq).toBe(1)
    const events: AuditEvent[] = []
    for await (const event of readPostgresAuditLog(pool, { table })) events.push(event)
    expect(events).toHaveLength(2)
    expect(verifyAuditChain(events).ok).toBe(true)
  })
})
