// The privacy-budget ledger in PostgreSQL: four processes spending from one budget at once never
// pass its limit, all-or-nothing holds across keys, the charge rules are memoryBudgetStore's, and
// an unreachable database refuses with ERR_BUDGET_UNAVAILABLE.
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { isDatagateError } from '../../src/errors.js'
import { migrateBudget, postgresBudgetStore } from '../../src/stores/postgres.js'
import { startChild, tagged } from './children.js'
import { describeWith, PG_URL, uniqueTable } from './services.js'

describeWith(PG_URL, 'DATAGATE_TEST_PG', 'the PostgreSQL budget ledger', () => {
  let pool: pg.Pool
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 2 })
  })
  afterAll(() => pool?.end())

  it('4 processes x 25 concurrent spends of 3 from a limit of 100: exactly 33 pass, the total is 99', async () => {
    const table = uniqueTable('budget')
    await migrateBudget(pool, { table })
    const spenders = Array.from({ length: 4 }, () =>
      startChild('budget-spender', [PG_URL!, table, 'eps', '3', '100', '25']),
    )
    expect(await Promise.all(spenders.map((s) => s.exited))).toEqual([0, 0, 0, 0])
    const spent = spenders.flatMap((s) => tagged(s.lines, 'spent').map(Number))
    expect(spent).toHaveLength(33)
    // Every accepted spend saw a distinct running total: 3, 6, ..., 99.
    expect(spent.sort((a, b) => a - b)).toEqual(Array.from({ length: 33 }, (_, i) => 3 * (i + 1)))
    const { rows } = await pool.query(`SELECT key, total::int FROM "${table}" ORDER BY key`)
    // The second key moved only with the spends that passed.
    expect(rows).toEqual([
      { key: 'eps', total: 99 },
      { key: 'eps-once', total: 33 },
    ])
  })

  it('applies charges as memoryBudgetStore does: two on one key add up; a refusal changes nothing', async () => {
    const table = uniqueTable('budget_rules')
    await migrateBudget(pool, { table })
    const store = postgresBudgetStore({ pool, table })
    expect(
      await store.spend([
        { key: 'a', amount: 2, limit: 5 },
        { key: 'a', amount: 2, limit: 5 },
      ]),
    ).toEqual({ ok: true, totals: [4, 4] })
    expect(
      await store.spend([
        { key: 'b', amount: 1, limit: 9 },
        { key: 'a', amount: 2, limit: 5 },
      ]),
    ).toEqual({ ok: false, totals: [0, 4] })
    expect(await store.spend([{ key: 'b', amount: 9, limit: 9 }])).toEqual({
      ok: true,
      totals: [9],
    })
    const error = await store.spend([{ key: 'a', amount: -1, limit: 5 }]).catch((e: unknown) => e)
    expect(isDatagateError(error, 'ERR_INVALID_ARGUMENT')).toBe(true)
  })

  it('a spend behind a transaction holding the ledger lock fails closed instead of waiting for ever', async () => {
    // A spend called inside BEGIN that never commits (a hung script, a client handed over
    // mid-transaction) held the ledger's lock with no timeout: every later spend, and the
    // release waiting on it, hung. Now the wait is bounded by the function's lock_timeout.
    const table = uniqueTable('budget_held')
    await migrateBudget(pool, { table })
    const holder = await pool.connect()
    try {
      await holder.query('BEGIN')
      await postgresBudgetStore({ pool: holder, table }).spend([{ key: 'a', amount: 1, limit: 5 }])
      const store = postgresBudgetStore({ pool, table })
      const outcome = await Promise.race([
        store.spend([{ key: 'a', amount: 1, limit: 5 }]).catch((e: unknown) => e),
        new Promise((resolve) => setTimeout(() => resolve('still waiting'), 15_000)),
      ])
      expect(isDatagateError(outcome, 'ERR_BUDGET_UNAVAILABLE'), String(outcome)).toBe(true)
      expect((outcome as { cause?: { code?: string } }).cause?.code).toBe('55P03')
      await holder.query('ROLLBACK')
    } finally {
      holder.release(true)
    }
  }, 30_000)

  it('an unreachable database refuses the spend with ERR_BUDGET_UNAVAILABLE', async () => {
    const down = new pg.Pool({
      connectionString: 'postgres://postgres@127.0.0.1:1/postgres',
      max: 1,
    })
    try {
      const store = postgresBudgetStore({ pool: down, table: 'anything' })
      const error = await store.spend([{ key: 'a', amount: 1, limit: 5 }]).catch((e: unknown) => e)
      expect(isDatagateError(error, 'ERR_BUDGET_UNAVAILABLE')).toBe(true)
    } finally {
      await down.end()
    }
  })
})
