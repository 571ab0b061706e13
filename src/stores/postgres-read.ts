// Reading the shared chain back, for verifyAuditLog and compliance: in seq order, a batch at a
// time, with bounded memory whatever the chain's length.
import type { AuditEvent } from '../export/audit-event.js'
import { assertNumber, assertObject } from '../lib/assert.js'
import { auditTableNames, type PostgresQueryable } from './postgres-schema.js'

/**
 * Options of {@link readPostgresAuditLog}.
 *
 * @example
 * ```ts
 * import type { ReadPostgresAuditLogOptions } from 'datagate/postgres'
 *
 * const options: ReadPostgresAuditLogOptions = { from: 1000, to: 1999, batchSize: 500 }
 * console.log(options.to! - options.from! + 1) // 1000
 * ```
 */
export interface ReadPostgresAuditLogOptions {
  /** First `seq` to read; default 0. */
  readonly from?: number
  /** Last `seq` to read (inclusive); default the end of the chain. */
  readonly to?: number
  /** Rows fetched per query; default 1,000. */
  readonly batchSize?: number
  /** Table made by `migrate`; default `datagate_audit`. */
  readonly table?: string
  /** Schema of the table; default the connection's `search_path`. */
  readonly schema?: string
}

/**
 * Reads the audit chain from PostgreSQL in `seq` order, `batchSize` rows per query, as an async
 * iterable that `verifyAuditLog` (and `verifyAuditChain`, once collected) accept. Each event is
 * the stored text parsed, with its stored `hash` (typed as an event so callers can narrow on
 * `type`; verify before trusting it): exactly what was hashed, so the verifier
 * recomputes every hash from what is in the table (a row whose text is not JSON is yielded as the
 * text, and the verifier reports it malformed). It pages by `seq` (`WHERE seq > last`) rather
 * than holding a server-side cursor: a cursor needs a transaction open for the whole read, which
 * a slow consumer (checking signatures) would leave idle until the server's
 * `idle_in_transaction_session_timeout` ended it. Bad options throw `ERR_INVALID_ARGUMENT`; a
 * failed query rejects with the driver's error, which `verifyAuditLog` reports as `unreadable`
 * without quoting it.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { createAuditLog } from 'datagate/export'
 * import { migrate, postgresAuditSink, readPostgresAuditLog } from 'datagate/postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATAGATE_TEST_PG })
 * const table = `datagate_audit_read_${Date.now()}`
 * await migrate(pool, { table })
 * const log = createAuditLog({ sink: postgresAuditSink({ pool, table }) })
 * for (const code of ['ERR_NOT_PERMITTED', 'ERR_PARTNER_SUSPENDED', 'ERR_PARTNER_REVOKED'])
 *   await log.append({ type: 'denied', partner: 'p', dataset: 'd', purpose: 'u', policyHash: 'sha256:11', code })
 * const codes: string[] = []
 * for await (const event of readPostgresAuditLog(pool, { table, from: 1, batchSize: 1 }))
 *   if (event.type === 'denied') codes.push(`${event.seq} ${event.code}`)
 * console.log(codes) // ['1 ERR_PARTNER_SUSPENDED', '2 ERR_PARTNER_REVOKED']
 * await pool.end()
 * ```
 */
export async function* readPostgresAuditLog(
  pool: PostgresQueryable,
  options: ReadPostgresAuditLogOptions = {},
): AsyncGenerator<AuditEvent, void, undefined> {
  assertObject(pool, 'readPostgresAuditLog: pool')
  assertObject(options, 'readPostgresAuditLog: options')
  const { from = 0, to = Number.MAX_SAFE_INTEGER, batchSize = 1_000 } = options
  assertNumber(from, 'readPostgresAuditLog: from', { integer: true, min: 0 })
  assertNumber(to, 'readPostgresAuditLog: to', { integer: true, min: 0 })
  assertNumber(batchSize, 'readPostgresAuditLog: batchSize', {
    integer: true,
    min: 1,
    max: 100_000,
  })
  const names = auditTableNames(options.table, options.schema, 'readPostgresAuditLog')
  const sql = `SELECT seq::text AS position, event, hash FROM ${names.table}
    WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT $3`
  let next = from
  while (next <= to) {
    const { rows } = await pool.query(sql, [next, to, batchSize])
    for (const row of rows as { position: string; event: string; hash: string }[]) {
      yield parseStored(row.event, row.hash)
      next = Number(row.position) + 1
    }
    if (rows.length < batchSize) return
  }
}

function parseStored(text: string, hash: string): AuditEvent {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return text as never
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return parsed as never
  return { ...(parsed as object), hash } as AuditEvent
}
