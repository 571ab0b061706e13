// Subject counters in PostgreSQL, shared by every gate instance: one row per non-empty
// HyperLogLog register (counter, index, rank). A merge is one statement: a function that takes
// the counters' advisory locks (in sorted order, so two merges never deadlock), computes each
// counter's histogram after a register-wise maximum with the release's registers, estimates it
// (Ertl's estimator, the same arithmetic as src/lib/hyperloglog.ts), and writes the maximum with
// an upsert only when no limit is passed. Concurrent merges serialise per counter, and merges
// commute, so no update is lost whatever the order.
import { createHash } from 'node:crypto'
import { DatagateError } from '../errors.js'
import {
  assertSubjectCountUpdate,
  type SubjectCounterStore,
  type SubjectCountOutcome,
  type SubjectCountUpdate,
} from '../export/subject-counter.js'
import { assertArray, assertObject, assertString } from '../lib/assert.js'
import { HLL_REGISTERS } from '../lib/hyperloglog.js'
import { auditTableNames, type PostgresQueryable } from './postgres-schema.js'

/**
 * Options of {@link postgresSubjectCounterStore} and {@link migrateSubjectCounters}.
 *
 * @example
 * ```ts
 * import type { PostgresSubjectCounterOptions } from 'datagate/postgres'
 *
 * const options: PostgresSubjectCounterOptions = { table: 'subject_counters' }
 * console.log(options.table) // 'subject_counters'
 * ```
 */
export interface PostgresSubjectCounterOptions {
  /** Table of the registers; default `datagate_subjects`. Quoted as an identifier. */
  readonly table?: string
  /** Schema of the table; default the connection's `search_path`. */
  readonly schema?: string
}

const DEFAULT_TABLE = 'datagate_subjects'

function names(options: PostgresSubjectCounterOptions, what: string) {
  const n = auditTableNames(options.table ?? DEFAULT_TABLE, options.schema, what)
  const suffix = (s: string) => n.append.replace(/_append"$/, `_${s}"`)
  // A 32-bit lock class per table; the second key of each lock is the counter's hashtext.
  const key = createHash('sha256').update(`datagate-subjects:${n.table}`).digest().readInt32BE(0)
  return {
    table: n.table,
    merge: suffix('merge'),
    read: suffix('read'),
    estimate: suffix('est'),
    plain: n.plain,
    key,
  }
}

/**
 * Creates (or updates) the counters' table and functions, idempotently.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { migrateSubjectCounters } from 'datagate/postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATAGATE_TEST_PG })
 * await migrateSubjectCounters(pool, { table: 'datagate_subjects_example' })
 * const { rows } = await pool.query("SELECT to_regclass('datagate_subjects_example') IS NOT NULL AS ok")
 * console.log(rows[0].ok) // true
 * await pool.end()
 * ```
 */
export async function migrateSubjectCounters(
  pool: PostgresQueryable,
  options: PostgresSubjectCounterOptions = {},
): Promise<void> {
  assertObject(pool, 'migrateSubjectCounters: pool')
  assertObject(options, 'migrateSubjectCounters: options')
  const { table, merge, read, estimate, key } = names(options, 'migrateSubjectCounters')
  const m = HLL_REGISTERS
  await pool.query(`SELECT pg_advisory_xact_lock(${key}, 0);
CREATE TABLE IF NOT EXISTS ${table} (
  counter text NOT NULL,
  idx smallint NOT NULL CHECK (idx >= 0 AND idx < ${m}),
  rank smallint NOT NULL CHECK (rank >= 1 AND rank <= 51),
  PRIMARY KEY (counter, idx)
);
-- Ertl 2017, algorithm 6, over a histogram p_hist[1..52] of register values 0..51: the same
-- steps, in the same order, as estimateFromHistogram in src/lib/hyperloglog.ts.
CREATE OR REPLACE FUNCTION ${estimate}(p_hist int[]) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE AS $datagate$
DECLARE
  m constant double precision := ${m};
  x double precision;
  y double precision;
  z double precision;
  s double precision;
  previous double precision;
BEGIN
  x := 1 - p_hist[52] / m;
  IF x = 0 OR x = 1 THEN
    z := 0;
  ELSE
    y := 1;
    z := 1 - x;
    LOOP
      x := sqrt(x);
      previous := z;
      y := y * 0.5;
      z := z - (1 - x) * (1 - x) * y;
      EXIT WHEN z = previous;
    END LOOP;
    z := z / 3;
  END IF;
  z := m * z;
  FOR k IN REVERSE 50..1 LOOP
    z := 0.5 * (z + p_hist[k + 1]);
  END LOOP;
  x := p_hist[1] / m;
  IF x = 1 THEN RETURN 0; END IF;
  y := 1;
  s := x;
  LOOP
    x := x * x;
    previous := s;
    s := s + x * y;
    y := y + y;
    EXIT WHEN s = previous;
  END LOOP;
  z := z + m * s;
  RETURN (m * m) / (2 * ln(2::double precision) * z);
END
$datagate$;
CREATE OR REPLACE FUNCTION ${read}(p_counters text[]) RETURNS double precision[]
LANGUAGE plpgsql STABLE AS $datagate$
DECLARE
  v_out double precision[] := '{}';
  v_hist int[];
BEGIN
  FOR i IN 1 .. coalesce(array_length(p_counters, 1), 0) LOOP
    v_hist := array_fill(0, ARRAY[52]);
    SELECT array_agg(coalesce(h.n, 0) ORDER BY r.rank)::int[] INTO v_hist
      FROM generate_series(0, 51) AS r(rank)
      LEFT JOIN (SELECT t.rank, count(*) AS n FROM ${table} t
                 WHERE t.counter = p_counters[i] GROUP BY t.rank) h ON h.rank = r.rank;
    v_hist[1] := ${m} - (SELECT count(*) FROM ${table} t WHERE t.counter = p_counters[i]);
    v_out := v_out || ${estimate}(v_hist);
  END LOOP;
  RETURN v_out;
END
$datagate$;
CREATE OR REPLACE FUNCTION ${merge}(
  p_counters text[], p_idx smallint[], p_rank smallint[], p_limits bigint[])
RETURNS TABLE (r_ok boolean, r_estimates double precision[])
LANGUAGE plpgsql AS $datagate$
DECLARE
  v_estimates double precision[] := '{}';
  v_hist int[];
  v_ok boolean := true;
  v_counter text;
  n int := coalesce(array_length(p_counters, 1), 0);
BEGIN
  -- Bounded waits, local to this transaction, as the budget ledger's spend.
  PERFORM set_config('lock_timeout', '5000ms', true);
  IF current_setting('idle_in_transaction_session_timeout')::interval = interval '0'
    OR current_setting('idle_in_transaction_session_timeout')::interval > interval '10 seconds' THEN
    PERFORM set_config('idle_in_transaction_session_timeout', '10000ms', true);
  END IF;
  FOR v_counter IN SELECT DISTINCT c FROM unnest(p_counters) AS u(c) ORDER BY c LOOP
    PERFORM pg_advisory_xact_lock(${key}, hashtext(v_counter));
  END LOOP;
  FOR i IN 1 .. n LOOP
    SELECT array_agg(coalesce(h.n, 0) ORDER BY r.rank)::int[] INTO v_hist
      FROM generate_series(0, 51) AS r(rank)
      LEFT JOIN (
        SELECT merged.rank, count(*) AS n FROM (
          SELECT GREATEST(coalesce(t.rank, 0), coalesce(incoming.rank, 0)) AS rank
          FROM (SELECT tt.idx, tt.rank FROM ${table} tt WHERE tt.counter = p_counters[i]) t
          FULL JOIN unnest(p_idx, p_rank) AS incoming(idx, rank) ON incoming.idx = t.idx
        ) merged GROUP BY merged.rank
      ) h ON h.rank = r.rank;
    -- Registers in neither are 0; the join above counted only those present in one of them.
    v_hist[1] := ${m} - (SELECT sum(x) FROM unnest(v_hist[2:52]) AS u(x));
    v_estimates := v_estimates || ${estimate}(v_hist);
    IF p_limits[i] IS NOT NULL AND round(v_estimates[i]) > p_limits[i] THEN v_ok := false; END IF;
  END LOOP;
  IF v_ok THEN
    FOR v_counter IN SELECT DISTINCT c FROM unnest(p_counters) AS u(c) ORDER BY c LOOP
      INSERT INTO ${table} AS t (counter, idx, rank)
        SELECT v_counter, incoming.idx, incoming.rank
        FROM unnest(p_idx, p_rank) AS incoming(idx, rank) ORDER BY incoming.idx
        ON CONFLICT (counter, idx) DO UPDATE SET rank = EXCLUDED.rank WHERE t.rank < EXCLUDED.rank;
    END LOOP;
  END IF;
  RETURN QUERY SELECT v_ok, v_estimates;
END
$datagate$`)
}

/**
 * The store made by {@link postgresSubjectCounterStore}: its methods always answer with promises.
 *
 * @example
 * ```ts
 * import type { PostgresSubjectCounterStore } from 'datagate/postgres'
 *
 * const reads: PostgresSubjectCounterStore['read'][] = []
 * console.log(reads.length) // 0
 * ```
 */
export interface PostgresSubjectCounterStore extends SubjectCounterStore {
  /** One SQL function call: the counters' locks, the limit check, then the register upsert. */
  merge(update: SubjectCountUpdate): Promise<SubjectCountOutcome>
  /** The counters' rounded estimates, computed in SQL from their register rows. */
  read(counters: readonly string[]): Promise<readonly number[]>
}

/**
 * A `SubjectCounterStore` in PostgreSQL, for gates on several instances or hosts: each merge is
 * atomic across all of them, and a limit is checked and the registers written under the
 * counters' locks, so two releases never both pass a threshold only one fits under. It stores
 * registers only (index and rank), never a subject nor its HMAC. When the database cannot be
 * reached, or a counter's lock is not free within 5 s, it throws `ERR_COUNTER_UNAVAILABLE` and
 * the release is refused. Run {@link migrateSubjectCounters} first.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { migrateSubjectCounters, postgresSubjectCounterStore } from 'datagate/postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATAGATE_TEST_PG })
 * const table = `datagate_subjects_doc_${Date.now()}`
 * await migrateSubjectCounters(pool, { table })
 * const store = postgresSubjectCounterStore({ pool, table })
 * const registers = new Uint8Array(16384)
 * registers[3] = 1
 * registers[9] = 2
 * console.log(await store.merge({ counters: ['2026/overseas'], registers, limits: [1] }))
 * // { ok: false, estimates: [ 2 ] }
 * console.log(await store.merge({ counters: ['2026/overseas'], registers }))
 * // { ok: true, estimates: [ 2 ] }
 * console.log(await store.read(['2026/overseas', '2027/overseas'])) // [ 2, 0 ]
 * await pool.end()
 * ```
 */
export function postgresSubjectCounterStore(
  options: PostgresSubjectCounterOptions & { readonly pool: PostgresQueryable },
): PostgresSubjectCounterStore {
  assertObject(options, 'postgresSubjectCounterStore: options')
  const { pool } = options
  assertObject(pool, 'postgresSubjectCounterStore: pool')
  const { merge, read, plain } = names(options, 'postgresSubjectCounterStore')
  const mergeSql = `SELECT r_ok, r_estimates FROM ${merge}($1::text[], $2::smallint[], $3::smallint[], $4::bigint[])`
  const readSql = `SELECT ${read}($1::text[]) AS estimates`
  const unavailable = (cause: unknown) =>
    new DatagateError(
      'ERR_COUNTER_UNAVAILABLE',
      `the subject counters ${plain} in PostgreSQL could not be updated or read; nothing was released`,
      { cause },
    )
  return Object.freeze({
    async merge(update: SubjectCountUpdate): Promise<SubjectCountOutcome> {
      assertSubjectCountUpdate(update)
      const idx: number[] = []
      const rank: number[] = []
      update.registers.forEach((value, i) => {
        if (value > 0) {
          idx.push(i)
          rank.push(value)
        }
      })
      let row: { r_ok: boolean; r_estimates: number[] } | undefined
      try {
        const { rows } = await pool.query(mergeSql, [
          [...update.counters],
          idx,
          rank,
          update.counters.map((_, i) => update.limits?.[i] ?? null),
        ])
        row = rows[0] as typeof row
      } catch (cause) {
        throw unavailable(cause)
      }
      if (row === undefined || row.r_estimates?.length !== update.counters.length)
        throw unavailable(undefined)
      return { ok: row.r_ok === true, estimates: row.r_estimates.map((e) => Math.round(e)) }
    },
    async read(counters: readonly string[]): Promise<readonly number[]> {
      assertArray(counters, 'postgresSubjectCounterStore: counters')
      for (const counter of counters)
        assertString(counter, 'postgresSubjectCounterStore: counter', { maxLength: 512 })
      let estimates: number[] | undefined
      try {
        const { rows } = await pool.query(readSql, [[...counters]])
        estimates = (rows[0] as { estimates?: number[] } | undefined)?.estimates
      } catch (cause) {
        throw unavailable(cause)
      }
      if (estimates?.length !== counters.length) throw unavailable(undefined)
      return estimates.map((e) => Math.round(e))
    },
  })
}
