// The audit sink on PostgreSQL: one chain shared by every gate instance. The client never reads
// the head to write after it: the database links each event under its own lock, in one
// statement (postgres-migrate.ts), and the client hands it the canonical JSON around the two
// members only the database knows (audit-template.ts).
import { randomUUID } from 'node:crypto'
import { DatagateError } from '../errors.js'
import {
  AUDIT_GENESIS,
  type AuditEvent,
  type AuditHead,
  type AuditLinkInput,
  type AuditSink,
  auditEventSchema,
  deepFreeze,
} from '../export/audit-event.js'
import { assertNumber, assertObject, invalidArgument } from '../lib/assert.js'
import { canonicalJson } from '../lib/canonical-json.js'
import { textDigest } from '../lib/digest.js'
import { formatIssuePath, issueFinding } from '../lib/zod-findings.js'
import { fillTemplate, linkTemplate } from './audit-template.js'
import { auditTableNames, type PostgresQueryable } from './postgres-schema.js'

/**
 * Options of {@link postgresAuditSink}.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import type { PostgresAuditSinkOptions } from 'datagate/postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATAGATE_TEST_PG })
 * const options: PostgresAuditSinkOptions = { pool, table: 'datagate_audit', lockTimeoutMs: 2_000 }
 * console.log(options.lockTimeoutMs) // 2000
 * await pool.end()
 * ```
 */
export interface PostgresAuditSinkOptions {
  /** A `pg` Pool (or anything with its `query`). */
  readonly pool: PostgresQueryable
  /** Table made by `migrate`; default `datagate_audit`. */
  readonly table?: string
  /** Schema of the table; default the connection's `search_path`. */
  readonly schema?: string
  /** How long an append waits for the chain's lock before it fails (closed). Default 5,000 ms. */
  readonly lockTimeoutMs?: number
  /** Retries, with the same event id, after the connection was lost mid-append. Default 3. */
  readonly retries?: number
}

/**
 * The sink made by {@link postgresAuditSink}.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { postgresAuditSink, type PostgresAuditSink } from 'datagate/postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATAGATE_TEST_PG })
 * const sink: PostgresAuditSink = postgresAuditSink({ pool })
 * console.log(typeof sink.appendLinked, typeof sink.appendLinkedBatch) // 'function' 'function'
 * await pool.end()
 * ```
 */
export interface PostgresAuditSink extends AuditSink {
  /** Links and inserts one event: the database links it under its own lock, in one statement. */
  appendLinked(input: AuditLinkInput): Promise<AuditEvent>
  /** Links `inputs` one after the other in one statement (the log's group commit). */
  appendLinkedBatch(inputs: readonly AuditLinkInput[]): Promise<AuditEvent[]>
  /** The chain's head in the database, `undefined` for an empty chain. */
  head(): Promise<AuditHead | undefined>
}

interface AppendRow {
  r_seq: string
  r_prev: string
  r_hash: string
  r_event: string
  r_inserted: boolean
}

/**
 * An {@link AuditSink} on PostgreSQL that links events itself (`appendLinked`), so that any
 * number of gate instances, in any number of processes, write one chain: `seq` 0, 1, 2, ...
 * with every `prev` the hash before it, no gap and no fork. Each append is one statement: the
 * table's append function locks the chain, fills `prev` and `seq` into the canonical JSON this
 * sink sends, hashes it with SHA-256 (the same bytes as `auditEventHash`) and inserts; appends
 * that queued up in a log while one was in flight go together in one statement
 * (`appendLinkedBatch`, group commit). Once it
 * resolves the event is committed (durable as the server's `synchronous_commit` makes it). When
 * the connection is lost mid-append the sink retries with the same event id, and gets the event
 * back if it had committed: never written twice. Any other failure rejects, and a gate then
 * releases nothing (`ERR_AUDIT_WRITE_FAILED`). Run {@link migrate} first.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { createAuditLog, verifyAuditChain } from 'datagate/export'
 * import { migrate, postgresAuditSink, readPostgresAuditLog } from 'datagate/postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATAGATE_TEST_PG })
 * const table = `datagate_audit_doc_${Date.now()}`
 * await migrate(pool, { table })
 * const log = createAuditLog({ sink: postgresAuditSink({ pool, table }) })
 * const event = await log.append({ type: 'denied', partner: 'p', dataset: 'd', purpose: 'u',
 *   policyHash: 'sha256:11', code: 'ERR_NOT_PERMITTED' })
 * const events = []
 * for await (const stored of readPostgresAuditLog(pool, { table })) events.push(stored)
 * console.log(event.seq, verifyAuditChain(events).ok) // 0 true
 * await pool.end()
 * ```
 */
export function postgresAuditSink(options: PostgresAuditSinkOptions): PostgresAuditSink {
  assertObject(options, 'postgresAuditSink: options')
  const { pool, lockTimeoutMs = 5_000, retries = 3 } = options
  assertObject(pool, 'postgresAuditSink: pool')
  if (typeof pool.query !== 'function')
    throw new DatagateError('ERR_INVALID_ARGUMENT', 'postgresAuditSink: pool: expected a pg Pool')
  assertNumber(lockTimeoutMs, 'postgresAuditSink: lockTimeoutMs', { integer: true, min: 1 })
  assertNumber(retries, 'postgresAuditSink: retries', { integer: true, min: 0, max: 100 })
  const names = auditTableNames(options.table, options.schema, 'postgresAuditSink')
  const appendSql = `SELECT r_seq::text, r_prev, r_hash, r_event, r_inserted FROM ${names.append}($1, $2, $3, $4, $5)`

  async function appendMany(inputs: readonly AuditLinkInput[]): Promise<AuditEvent[]> {
    if (!Array.isArray(inputs) || inputs.length === 0 || inputs.length > 1000)
      invalidArgument('range', 'postgresAuditSink: inputs', 'an array of 1 to 1000 events')
    const prepared = inputs.map((input) => {
      const { time, ...body } = checkInput(input)
      return { time, body, template: linkTemplate(body, time), id: randomUUID() }
    })
    const values = [
      prepared.map((p) => p.id),
      prepared.map((p) => p.template.beforePrev),
      prepared.map((p) => p.template.beforeSeq),
      prepared.map((p) => p.template.after),
      `${lockTimeoutMs}ms`,
    ]
    let rows: AppendRow[]
    for (let attempt = 0; ; attempt++) {
      try {
        rows = (await pool.query(appendSql, values)).rows as AppendRow[]
        break
      } catch (cause) {
        // Lost before the answer came: the append may have committed. The same event ids
        // return it if so; any other error left nothing behind and is not retried.
        if (attempt >= retries || !connectionLost(cause))
          throw new DatagateError(
            'ERR_AUDIT_WRITE_FAILED',
            `PostgreSQL audit append to ${names.plain} failed${attempt > 0 ? ` after ${attempt} retries` : ''}`,
            { cause },
          )
        await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt))
      }
    }
    if (rows.length !== prepared.length)
      throw new DatagateError('ERR_AUDIT_WRITE_FAILED', 'the append function returned no event')
    return prepared.map(({ time, body, template }, i) => {
      const row = rows[i]!
      const seq = Number(row.r_seq)
      // The stored text must be what this sink asked for, filled in where the database links.
      if (!Number.isSafeInteger(seq) || row.r_event !== fillTemplate(template, row.r_prev, seq))
        throw new DatagateError(
          'ERR_AUDIT_WRITE_FAILED',
          `seq ${row.r_seq} of ${names.plain} is not the event this sink wrote`,
        )
      return deepFreeze({ seq, time, ...body, prev: row.r_prev, hash: row.r_hash }) as AuditEvent
    })
  }

  return {
    async appendLinked(input: AuditLinkInput): Promise<AuditEvent> {
      const [event] = await appendMany([input])
      return event!
    },
    appendLinkedBatch: appendMany,
    async head(): Promise<AuditHead | undefined> {
      let rows: unknown[]
      try {
        ;({ rows } = await pool.query(
          `SELECT seq::text AS position, hash FROM ${names.table} ORDER BY seq DESC LIMIT 1`,
        ))
      } catch (cause) {
        throw new DatagateError(
          'ERR_AUDIT_WRITE_FAILED',
          `the head of ${names.plain} could not be read`,
          { cause },
        )
      }
      const last = rows[0] as { position: string; hash: string } | undefined
      return last === undefined ? undefined : { seq: Number(last.position), hash: last.hash }
    },
  }
}

/**
 * Checks a direct caller's input as strictly as the log does its own, and returns what the
 * schema parsed: that is what a verifier sees when it reads the event back (zod drops members
 * such as a `__proto__` key), so it is what must be hashed and stored.
 */
function checkInput(input: AuditLinkInput): AuditLinkInput {
  assertObject(input, 'postgresAuditSink: input')
  for (const member of ['seq', 'prev', 'hash'])
    if (member in input)
      invalidArgument(
        'range',
        `postgresAuditSink: input.${member}`,
        'no value: the chain assigns it',
      )
  const parsed = auditEventSchema.safeParse({
    ...(input as object),
    seq: 0,
    prev: AUDIT_GENESIS,
    hash: AUDIT_GENESIS,
  })
  if (!parsed.success)
    throw new DatagateError('ERR_INVALID_ARGUMENT', 'postgresAuditSink: event input is invalid', {
      findings: parsed.error.issues.map((issue) =>
        issueFinding(issue, formatIssuePath(issue.path, 'input')),
      ),
    })
  const { seq: _seq, prev: _prev, hash: _hash, ...body } = parsed.data
  if (body.type === 'policy' && textDigest(canonicalJson(body.document)) !== body.policyHash)
    invalidArgument('range', 'postgresAuditSink: input.policyHash', 'the document hash')
  return body as AuditLinkInput
}

/**
 * Whether an error means the connection went away with the outcome unknown: no SQLSTATE at all
 * (a socket error, "Connection terminated"), class 08 (connection exception) or 57P01-57P03
 * (the server shutting down or ending the session).
 */
function connectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true
  return code.startsWith('08') || /^57P0[123]$/.test(code)
}
