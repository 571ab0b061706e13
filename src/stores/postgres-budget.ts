// The privacy-budget ledger in PostgreSQL, shared by every gate instance: each spend is one
// statement that, under the ledger's advisory lock, reads the entries it charges, applies all the
// charges or none (the rule of export/budget.ts, applyCharges), and commits.
import { createHash } from 'node:crypto'
import { DatagateError } from '../errors.js'
import {
  assertCharges,
  type BudgetCharge,
  type BudgetOutcome,
  type BudgetStore,
} from '../export/budget.js'
import { assertObject } from '../lib/assert.js'
import { auditTableNames, type PostgresQueryable } from './postgres-schema.js'

/**
 * Options of {@link postgresBudgetStore} and {@link migrateBudget}.
 *
 * @example
 * ```ts
 * import type { PostgresBudgetOptions } from 'datagate/postgres'
 *
 * const options: PostgresBudgetOptions = { table: 'privacy_budget' }
 * console.log(options.table) // 'privacy_budget'
 * ```
 */
export interface PostgresBudgetOptions {
  /** Table of the ledger; default `datagate_budget`. Quoted as an identifier. */
  readonly table?: string
  /** Schema of the table; default the connection's `search_path`. */
  readonly schema?: string
}

const DEFAULT_TABLE = 'datagate_budget'

function names(options: PostgresBudgetOptions, what: string) {
  const n = auditTableNames(options.table ?? DEFAULT_TABLE, options.schema, what)
  const key = createHash('sha256').update(`datagate-budget:${n.table}`).digest().readBigInt64BE(0)
  return { table: n.table, spend: n.append.replace(/_append"$/, '_spend"'), plain: n.plain, key }
}

/**
 * Creates (or updates) the ledger's table and its spend function, idempotently.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { migrateBudget } from 'datagate/postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATAGATE_TEST_PG })
 * await migrateBudget(pool, { table: 'datagate_budget_example' })
 * const { rows } = await pool.query("SELECT to_regclass('datagate_budget_example') IS NOT NULL AS ok")
 * console.log(rows[0].ok) // true
 * await pool.end()
 * ```
 */
export async function migrateBudget(
  pool: PostgresQueryable,
  options: PostgresBudgetOptions = {},
): Promise<void> {
  assertObject(pool, 'migrateBudget: pool')
  assertObject(options, 'migrateBudget: options')
  const { table, spend, key } = names(options, 'migrateBudget')
  await pool.query(`SELECT pg_advisory_xact_lock(${key});
CREATE TABLE IF NOT EXISTS ${table} (key text PRIMARY KEY, total bigint NOT NULL CHECK (total >= 0));
CREATE OR REPLACE FUNCTION ${spend}(p_keys text[], p_amounts bigint[], p_limits bigint[])
RETURNS TABLE (r_ok boolean, r_totals bigint[])
LANGUAGE plpgsql AS $datagate$
DECLARE
  v_current bigint[] := '{}';
  v_after bigint[] := '{}';
  v_ok boolean := true;
  v_total bigint;
  n int := coalesce(array_length(p_keys, 1), 0);
BEGIN
  -- Bounded waits, local to this transaction: a spend behind a transaction that holds the lock
  -- and sits idle fails (closed) after 5 s instead of hanging, and such a transaction is ended.
  PERFORM set_config('lock_timeout', '5000ms', true);
  IF current_setting('idle_in_transaction_session_timeout')::interval = interval '0'
    OR current_setting('idle_in_transaction_session_timeout')::interval > interval '10 seconds' THEN
    PERFORM set_config('idle_in_transaction_session_timeout', '10000ms', true);
  END IF;
  PERFORM pg_advisory_xact_lock(${key});
  FOR i IN 1 .. n LOOP
    SELECT b.total INTO v_total FROM ${table} b WHERE b.key = p_keys[i];
    v_current := v_current || coalesce(v_total, 0);
  END LOOP;
  -- Two charges on one key add up before the check.
  FOR i IN 1 .. n LOOP
    v_total := v_current[i];
    FOR j IN 1 .. n LOOP
      IF p_keys[j] = p_keys[i] THEN v_total := v_total + p_amounts[j]; END IF;
    END LOOP;
    v_after := v_after || v_total;
    IF v_total > p_limits[i] THEN v_ok := false; END IF;
  END LOOP;
  IF NOT v_ok THEN
    RETURN QUERY SELECT false, v_current;
    RETURN;
  END IF;
  FOR i IN 1 .. n LOOP
    INSERT INTO ${table} (key, total) VALUES (p_keys[i], v_after[i])
      ON CONFLICT (key) DO UPDATE SET total = EXCLUDED.total;
  END LOOP;
  RETURN QUERY SELECT true, v_after;
END
$datagate$`)
}

/**
 * The store made by {@link postgresBudgetStore}: its `spend` always answers with a promise.
 *
 * @example
 * ```ts
 * import type { PostgresBudgetStore } from 'datagate/postgres'
 *
 * const spends: PostgresBudgetStore['spend'][] = []
 * console.log(spends.length) // 0
 * ```
 */
export interface PostgresBudgetStore extends BudgetStore {
  /** Spends every charge or none, in one statement under the ledger's advisory lock. */
  spend(charges: readonly BudgetCharge[]): Promise<BudgetOutcome>
}

/**
 * A `BudgetStore` in PostgreSQL, for gates on several instances or hosts: `spend` is atomic
 * across all of them (one statement under the ledger's advisory lock: every charge or none, and
 * no two spends both pass a limit only one fits under). When the database cannot be reached, or
 * the ledger's lock is not free within 5 s, the spend throws `ERR_BUDGET_UNAVAILABLE` and the
 * release is refused. Run {@link migrateBudget} first.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { migrateBudget, postgresBudgetStore } from 'datagate/postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATAGATE_TEST_PG })
 * const table = `datagate_budget_doc_${Date.now()}`
 * await migrateBudget(pool, { table })
 * const store = postgresBudgetStore({ pool, table })
 * console.log(await store.spend([{ key: 'a', amount: 2, limit: 3 }])) // { ok: true, totals: [2] }
 * console.log(await store.spend([{ key: 'a', amount: 2, limit: 3 }])) // { ok: false, totals: [2] }
 * await pool.end()
 * ```
 */
export function postgresBudgetStore(
  options: PostgresBudgetOptions & { readonly pool: PostgresQueryable },
): PostgresBudgetStore {
  assertObject(options, 'postgresBudgetStore: options')
  const { pool } = options
  assertObject(pool, 'postgresBudgetStore: pool')
  const { spend, plain } = names(options, 'postgresBudgetStore')
  const sql = `SELECT r_ok, r_totals::text[] AS totals FROM ${spend}($1, $2, $3)`
  return Object.freeze({
    async spend(charges: readonly BudgetCharge[]): Promise<BudgetOutcome> {
      assertCharges(charges)
      let row: { r_ok: boolean; totals: string[] } | undefined
      try {
        const { rows } = await pool.query(sql, [
          charges.map((c) => c.key),
          charges.map((c) => String(c.amount)),
          charges.map((c) => String(c.limit)),
        ])
        row = rows[0] as typeof row
      } catch (cause) {
        throw new DatagateError(
          'ERR_BUDGET_UNAVAILABLE',
          `the budget ledger ${plain} in PostgreSQL could not be charged; nothing was released`,
          { cause },
        )
      }
      const totals = row?.totals.map(Number)
      if (row === undefined || totals === undefined || totals.length !== charges.length)
        throw new DatagateError(
          'ERR_BUDGET_UNAVAILABLE',
          `the budget ledger ${plain} gave no answer`,
        )
      return { ok: row.r_ok === true, totals }
    },
  })
}
