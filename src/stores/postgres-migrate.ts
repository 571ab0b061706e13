// The schema of the shared audit chain, and the one SQL function every append goes through.
import { createHash } from 'node:crypto'
import { DatagateError } from '../errors.js'
import { assertNumber, assertObject, invalidArgument } from '../lib/assert.js'
import { type AuditTableNames, auditTableNames, type PostgresQueryable } from './postgres-schema.js'

/**
 * Options of {@link migrate}.
 *
 * @example
 * ```ts
 * import type { MigrateOptions } from 'datagate/postgres'
 *
 * const options: MigrateOptions = { table: 'audit_events', idleInTransactionTimeoutMs: 5_000 }
 * console.log(options.table) // 'audit_events'
 * ```
 */
export interface MigrateOptions {
  /** Table of the chain; default `datagate_audit`. Quoted as an identifier. */
  readonly table?: string
  /** Schema of the table; default the connection's `search_path`. */
  readonly schema?: string
  /**
   * `idle_in_transaction_session_timeout` that every append sets for its own transaction
   * (`set_config(..., true)`, like `SET LOCAL`; a stricter value already in force is kept), so
   * a transaction that took the chain's lock through the append function and then sits idle (a
   * console or script that called it inside `BEGIN`, a client handed over mid-transaction) is
   * ended by the server, whatever its role. Nothing outside that transaction changes. Default
   * 10,000 ms; `false`: appends do not set it.
   */
  readonly idleInTransactionTimeoutMs?: number | false
  /**
   * Opt-in: also `ALTER ROLE CURRENT_USER SET idle_in_transaction_session_timeout`, for sessions
   * of the migrating role that take the chain's lock without the append function. This changes
   * the role's settings for every later session of it, so it is off by default.
   */
  readonly alterRole?: boolean
}

/** The advisory lock key of one chain: 64 bits of SHA-256 of its qualified, quoted name. */
export function chainLockKey(names: AuditTableNames): string {
  const digest = createHash('sha256').update(`datagate-audit:${names.table}`).digest()
  return digest.readBigInt64BE(0).toString()
}

/**
 * Creates (or updates) the audit chain's table and append function, idempotently, under an
 * advisory lock so that instances starting together do not race. The table has `seq` as primary
 * key and unique `event_id`, `prev` and `hash`: two events can never follow one (a fork) nor be
 * written twice. A trigger refuses UPDATE, DELETE and TRUNCATE (a guard against mistakes, not
 * against the table's owner, who can drop it: that is what signed checkpoints are for). Appends
 * run in the function `<table>_append`: it takes `pg_advisory_xact_lock`, reads the head, and
 * for each event given (one, or a group) returns the one already written under its `event_id`
 * (a retry), else fills in `prev` and `seq`, hashes and inserts, in one statement; it sets
 * `idle_in_transaction_session_timeout` for its own transaction only. `migrate` changes no role
 * or session setting unless `alterRole` asks it to. Throws
 * `ERR_INVALID_ARGUMENT` when the database encoding is not UTF8 (the hash is over UTF-8 bytes).
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { migrate } from 'datagate/postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATAGATE_TEST_PG })
 * await migrate(pool, { table: 'datagate_audit_example' })
 * const { rows } = await pool.query("SELECT to_regclass('datagate_audit_example') IS NOT NULL AS ok")
 * console.log(rows[0].ok) // true
 * await pool.end()
 * ```
 */
export async function migrate(
  pool: PostgresQueryable,
  options: MigrateOptions = {},
): Promise<void> {
  assertObject(pool, 'migrate: pool')
  assertObject(options, 'migrate: options')
  const names = auditTableNames(options.table, options.schema, 'migrate')
  const idle = options.idleInTransactionTimeoutMs ?? 10_000
  if (idle !== false)
    assertNumber(idle, 'migrate: idleInTransactionTimeoutMs', { integer: true, min: 1 })
  const alterRole = options.alterRole ?? false
  if (typeof alterRole !== 'boolean') invalidArgument('type', 'migrate: alterRole', 'a boolean')
  if (alterRole && idle === false)
    invalidArgument('range', 'migrate: alterRole', 'false when idleInTransactionTimeoutMs is false')
  const { rows } = await pool.query('SHOW server_encoding')
  const encoding = (rows[0] as { server_encoding?: unknown } | undefined)?.server_encoding
  if (encoding !== 'UTF8')
    throw new DatagateError(
      'ERR_INVALID_ARGUMENT',
      `migrate: the database encoding is ${String(encoding)}; the audit chain needs UTF8`,
    )
  // One simple query of several statements runs as one transaction: the lock covers them all.
  await pool.query(
    [
      `SELECT pg_advisory_xact_lock(${chainLockKey(names)})`,
      schemaSql(names),
      appendFunctionSql(names, idle),
      guardSql(names),
      ...(alterRole
        ? [`ALTER ROLE CURRENT_USER SET idle_in_transaction_session_timeout = '${idle}ms'`]
        : []),
    ].join(';\n'),
  )
}

function schemaSql({ table }: AuditTableNames): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  seq bigint PRIMARY KEY CHECK (seq >= 0),
  event_id text NOT NULL UNIQUE,
  prev text NOT NULL UNIQUE,
  hash text NOT NULL UNIQUE,
  event text NOT NULL
)`
}

// `event` holds the exact text that was hashed (the canonical JSON without `hash`), so anyone can
// recompute a hash in SQL: 'sha256:' || encode(sha256(convert_to(event, 'UTF8')), 'hex').
function appendFunctionSql(names: AuditTableNames, idle: number | false): string {
  const { table, append } = names
  // Local to the append's transaction: it ends a transaction left idle holding the lock, and
  // leaves the session and the role as they were. A stricter timeout in force is kept.
  const idleSql =
    idle === false
      ? ''
      : `
  IF current_setting('idle_in_transaction_session_timeout')::interval = interval '0'
    OR current_setting('idle_in_transaction_session_timeout')::interval > interval '${idle} milliseconds' THEN
    PERFORM set_config('idle_in_transaction_session_timeout', '${idle}ms', true);
  END IF;`
  // Arrays, so that one statement links a group of events (group commit); one event is an
  // array of one. Each element is one event: its id and the three pieces around its holes.
  return `DROP FUNCTION IF EXISTS ${append}(text, text, text, text, text);
CREATE OR REPLACE FUNCTION ${append}(
  p_event_ids text[], p_before_prev text[], p_before_seq text[], p_after text[], p_lock_timeout text)
RETURNS TABLE (r_seq bigint, r_prev text, r_hash text, r_event text, r_inserted boolean)
LANGUAGE plpgsql AS $datagate$
DECLARE
  v_seq bigint;
  v_prev text;
  v_event text;
  v_hash text;
  v_found boolean;
BEGIN
  -- Under REPEATABLE READ or SERIALIZABLE the snapshot predates the lock, so the head read below
  -- would be stale and concurrent appends would fail on the unique constraints at random.
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'the datagate audit append needs READ COMMITTED, not %',
      current_setting('transaction_isolation') USING ERRCODE = 'invalid_transaction_state';
  END IF;
  PERFORM set_config('lock_timeout', p_lock_timeout, true);${idleSql}
  PERFORM pg_advisory_xact_lock(${chainLockKey(names)});
  SELECT a.seq + 1, a.hash INTO v_seq, v_prev FROM ${table} a ORDER BY a.seq DESC LIMIT 1;
  v_found := FOUND;
  IF NOT v_found THEN
    v_seq := 0;
    v_prev := 'sha256:' || repeat('0', 64);
  END IF;
  FOR i IN 1 .. coalesce(array_length(p_event_ids, 1), 0) LOOP
    -- A retry of an event already written returns it as it was.
    RETURN QUERY SELECT a.seq, a.prev, a.hash, a.event, false FROM ${table} a
      WHERE a.event_id = p_event_ids[i];
    IF NOT FOUND THEN
      v_event := p_before_prev[i] || '"' || v_prev || '"' || p_before_seq[i] || v_seq::text || p_after[i];
      v_hash := 'sha256:' || encode(sha256(convert_to(v_event, 'UTF8')), 'hex');
      INSERT INTO ${table} (seq, event_id, prev, hash, event)
        VALUES (v_seq, p_event_ids[i], v_prev, v_hash, v_event);
      RETURN QUERY SELECT v_seq, v_prev, v_hash, v_event, true;
      v_seq := v_seq + 1;
      v_prev := v_hash;
    END IF;
  END LOOP;
END
$datagate$`
}

function guardSql({ table, append }: AuditTableNames): string {
  const guard = append.replace(/_append"$/, '_append_only"')
  return `CREATE OR REPLACE FUNCTION ${guard}() RETURNS trigger LANGUAGE plpgsql AS $datagate$
BEGIN
  RAISE EXCEPTION 'the datagate audit chain is append-only';
END
$datagate$;
DO $datagate$
BEGIN
  -- Created only when missing: dropping and re-creating it took an ACCESS EXCLUSIVE lock, so a
  -- migrate at an instance's start waited (holding the chain's lock) behind any open reader.
  IF NOT EXISTS (SELECT 1 FROM pg_trigger
      WHERE tgrelid = to_regclass(${literal(table)}) AND tgname = 'datagate_append_only') THEN
    CREATE TRIGGER datagate_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ${table}
      FOR EACH STATEMENT EXECUTE FUNCTION ${guard}();
  END IF;
END
$datagate$`
}

/**
 * A string literal, dollar-quoted: names never hold `$` (postgres-schema.ts), so nothing in them
 * can end it, whatever `standard_conforming_strings` says.
 */
const literal = (text: string) => `$name$${text}$name$`
