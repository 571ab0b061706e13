// Consent events in PostgreSQL, shared by every gate instance and by the consent platform that
// records them: an append-only table of grant and withdraw events; a query answers, for a batch
// of subjects in one statement, whose last event at or before the asked time is a grant.
import { createHash } from 'node:crypto'
import { DatagateError } from '../errors.js'
import { assertConsentQuery, type ConsentStore } from '../export/consent-store.js'
import { assertObject } from '../lib/assert.js'
import { auditTableNames, type PostgresQueryable } from './postgres-schema.js'

/**
 * Options of {@link postgresConsentStore} and {@link migrateConsent}.
 *
 * @example
 * ```ts
 * import type { PostgresConsentOptions } from 'datagate/postgres'
 *
 * const options: PostgresConsentOptions = { table: 'consent_events' }
 * console.log(options.table) // 'consent_events'
 * ```
 */
export interface PostgresConsentOptions {
  /** Table of the events; default `datagate_consent`. Quoted as an identifier. */
  readonly table?: string
  /** Schema of the table; default the connection's `search_path`. */
  readonly schema?: string
}

const DEFAULT_TABLE = 'datagate_consent'

function names(options: PostgresConsentOptions, what: string) {
  // The audit table's rules for names (quoting, NUL, $, 56 bytes), so `<table>_lookup` fits in 63.
  const n = auditTableNames(options.table ?? DEFAULT_TABLE, options.schema, what)
  const key = createHash('sha256').update(`datagate-consent:${n.table}`).digest().readBigInt64BE(0)
  const index = `"${`${n.plain}_lookup`.replaceAll('"', '""')}"`
  return { table: n.table, index, plain: n.plain, key }
}

/**
 * Creates the consent table and its lookup index, idempotently (under an advisory lock, so
 * instances starting together do not race). Rows are never updated: a withdrawal is a new row.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { migrateConsent } from 'datagate/postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATAGATE_TEST_PG })
 * await migrateConsent(pool, { table: 'datagate_consent_example' })
 * const { rows } = await pool.query("SELECT to_regclass('datagate_consent_example') IS NOT NULL AS ok")
 * console.log(rows[0].ok) // true
 * await pool.end()
 * ```
 */
export async function migrateConsent(
  pool: PostgresQueryable,
  options: PostgresConsentOptions = {},
): Promise<void> {
  assertObject(pool, 'migrateConsent: pool')
  assertObject(options, 'migrateConsent: options')
  const { table, index, key } = names(options, 'migrateConsent')
  await pool.query(`SELECT pg_advisory_xact_lock(${key});
CREATE TABLE IF NOT EXISTS ${table} (
  id bigserial PRIMARY KEY,
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 256),
  scope text NOT NULL CHECK (length(scope) BETWEEN 1 AND 128),
  at timestamptz NOT NULL,
  granted boolean NOT NULL,
  recorded timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS ${index} ON ${table} (scope, subject, at DESC, id DESC)`)
}

/**
 * The store made by {@link postgresConsentStore}: it always answers with a promise.
 *
 * @example
 * ```ts
 * import type { PostgresConsentStore } from 'datagate/postgres'
 *
 * const grants: PostgresConsentStore['grant'][] = []
 * console.log(grants.length) // 0
 * ```
 */
export interface PostgresConsentStore extends ConsentStore {
  has(subject: string, scope: string, at: Date): Promise<boolean>
  filter(subjects: readonly string[], scope: string, at: Date): Promise<string[]>
  /** Records a grant of `scope` by `subject`, effective from `at`. */
  grant(subject: string, scope: string, at: Date): Promise<void>
  /** Records a withdrawal of `scope` by `subject`, effective from `at`. */
  withdraw(subject: string, scope: string, at: Date): Promise<void>
}

/**
 * A `ConsentStore` in PostgreSQL (`pg` Pool): one statement per batch of subjects, each decided
 * by its last event at or before `at` (of two at the same time, the later recorded). When the
 * database cannot be reached or the table is missing, it throws `ERR_CONSENT_UNAVAILABLE` and the
 * gate releases nothing. Run {@link migrateConsent} first.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { migrateConsent, postgresConsentStore } from 'datagate/postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATAGATE_TEST_PG })
 * const table = `datagate_consent_doc_${Date.now()}`
 * await migrateConsent(pool, { table })
 * const store = postgresConsentStore({ pool, table })
 * await store.grant('C-1', 'share-with-insurers', new Date('2026-01-01T00:00:00Z'))
 * await store.withdraw('C-1', 'share-with-insurers', new Date('2026-03-01T00:00:00Z'))
 * console.log(await store.has('C-1', 'share-with-insurers', new Date('2026-02-01T00:00:00Z'))) // true
 * console.log(await store.filter(['C-1'], 'share-with-insurers', new Date('2026-04-01T00:00:00Z'))) // []
 * await pool.end()
 * ```
 */
export function postgresConsentStore(
  options: PostgresConsentOptions & { readonly pool: PostgresQueryable },
): PostgresConsentStore {
  assertObject(options, 'postgresConsentStore: options')
  const { pool } = options
  assertObject(pool, 'postgresConsentStore: pool')
  const { table, plain } = names(options, 'postgresConsentStore')
  const lookup = `SELECT s.subject FROM unnest($1::text[]) WITH ORDINALITY AS s(subject, n)
WHERE (SELECT c.granted FROM ${table} c WHERE c.scope = $2 AND c.subject = s.subject AND c.at <= $3
  ORDER BY c.at DESC, c.id DESC LIMIT 1)
ORDER BY s.n`
  const insert = `INSERT INTO ${table} (subject, scope, at, granted) VALUES ($1, $2, $3, $4)`

  async function run(sql: string, values: unknown[]): Promise<unknown[]> {
    try {
      return (await pool.query(sql, values)).rows
    } catch (error) {
      // Only the SQLSTATE is kept: a server message can quote the subject ids it was given.
      const code = (error as { code?: unknown }).code
      throw new DatagateError(
        'ERR_CONSENT_UNAVAILABLE',
        `the consent table ${plain} in PostgreSQL could not be read or written; nothing was released`,
        {
          cause: new Error(
            `postgres consent store: ${typeof code === 'string' ? code.slice(0, 32) : 'no answer'}`,
          ),
        },
      )
    }
  }

  async function filter(subjects: readonly string[], scope: string, at: Date): Promise<string[]> {
    assertConsentQuery(subjects, scope, at, 'consent.filter')
    if (subjects.length === 0) return []
    const rows = await run(lookup, [[...new Set(subjects)], scope, at.toISOString()])
    return rows.map((row) => (row as { subject: string }).subject)
  }

  async function record(subject: string, scope: string, at: Date, granted: boolean) {
    assertConsentQuery([subject], scope, at, granted ? 'consent.grant' : 'consent.withdraw')
    await run(insert, [subject, scope, at.toISOString(), granted])
  }

  return Object.freeze({
    async has(subject: string, scope: string, at: Date): Promise<boolean> {
      return (await filter([subject], scope, at)).length === 1
    },
    filter,
    grant: (subject: string, scope: string, at: Date) => record(subject, scope, at, true),
    withdraw: (subject: string, scope: string, at: Date) => record(subject, scope, at, false),
  })
}
