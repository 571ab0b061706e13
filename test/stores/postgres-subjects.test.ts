// Subject counters in PostgreSQL: the SQL estimator gives the estimates src/lib/hyperloglog.ts
// gives, concurrent merges over several connections leave exactly the register-wise maximum of
// every merge that passed, a limit is never passed under concurrency, a gate counts through the
// store, and an unreachable database refuses with ERR_COUNTER_UNAVAILABLE.
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { generalize } from '../../src/anonymize/generalize.js'
import { pseudonymize } from '../../src/anonymize/pseudonymize.js'
import { defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import { isDatagateError } from '../../src/errors.js'
import { memoryAuditSink } from '../../src/export/audit.js'
import { createGate } from '../../src/export/gate.js'
import { memorySubjectCounterStore } from '../../src/export/subject-counter.js'
import { estimate, HLL_REGISTERS, keyedAdder, merge } from '../../src/lib/hyperloglog.js'
import { loadPolicy } from '../../src/policy/load.js'
import { migrateSubjectCounters, postgresSubjectCounterStore } from '../../src/stores/postgres.js'
import { describeWith, PG_URL, uniqueTable } from './services.js'

const KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 29 + 3) & 0xff)

function sketch(from: number, count: number, key = KEY): Uint8Array {
  const registers = new Uint8Array(HLL_REGISTERS)
  const add = keyedAdder(key)
  for (let i = from; i < from + count; i++) add(registers, `subject-${i}`)
  return registers
}

async function storedRegisters(pool: pg.Pool, table: string, counter: string) {
  const registers = new Uint8Array(HLL_REGISTERS)
  const { rows } = await pool.query(`SELECT idx, rank FROM "${table}" WHERE counter = $1`, [
    counter,
  ])
  for (const row of rows as { idx: number; rank: number }[]) registers[row.idx] = row.rank
  return registers
}

describeWith(PG_URL, 'DATAGATE_TEST_PG', 'subject counters in PostgreSQL', () => {
  let pool: pg.Pool
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 8 })
  })
  afterAll(() => pool?.end())

  it('the SQL estimator gives the JavaScript estimates, from empty to 200,000 subjects', async () => {
    const table = uniqueTable('subjects')
    await migrateSubjectCounters(pool, { table })
    await migrateSubjectCounters(pool, { table }) // idempotent
    const store = postgresSubjectCounterStore({ pool, table })
    const memory = memorySubjectCounterStore()
    expect(await store.read(['c'])).toEqual([0])
    let total = 0
    for (const count of [1, 10, 1_000, 20_000, 180_000]) {
      const registers = sketch(total, count)
      total += count
      const sql = await store.merge({ counters: ['c'], registers })
      const js = memory.merge({ counters: ['c'], registers })
      expect(sql).toEqual(js)
      expect(await store.read(['c'])).toEqual(js.estimates)
    }
    const registers = await storedRegisters(pool, table, 'c')
    expect(Math.round(estimate(registers))).toBe((await store.read(['c']))[0])
    expect(Math.abs(((await store.read(['c']))[0] as number) / total - 1)).toBeLessThan(0.025)
  })

  it('40 concurrent merges over 8 connections leave exactly the register-wise maximum of all', async () => {
    const table = uniqueTable('subjects_concurrent')
    await migrateSubjectCounters(pool, { table })
    const other = new pg.Pool({ connectionString: PG_URL, max: 4 })
    const stores = [
      postgresSubjectCounterStore({ pool, table }),
      postgresSubjectCounterStore({ pool: other, table }),
    ]
    // Overlapping ranges: subject i appears in up to three merges.
    const sketches = Array.from({ length: 40 }, (_, k) => sketch(k * 500, 1_500))
    const outcomes = await Promise.all(
      sketches.map((registers, k) =>
        (stores[k % 2] as (typeof stores)[number]).merge({
          counters: ['2026/overseas', `2026/partner/p${k % 4}`],
          registers,
        }),
      ),
    )
    expect(outcomes.every((o) => o.ok)).toBe(true)
    const expected = new Uint8Array(HLL_REGISTERS)
    for (const registers of sketches) merge(expected, registers)
    const stored = await storedRegisters(pool, table, '2026/overseas')
    expect(Buffer.from(stored).equals(Buffer.from(expected))).toBe(true)
    const partner0 = new Uint8Array(HLL_REGISTERS)
    sketches.forEach((registers, k) => {
      if (k % 4 === 0) merge(partner0, registers)
    })
    expect(
      Buffer.from(await storedRegisters(pool, table, '2026/partner/p0')).equals(
        Buffer.from(partner0),
      ),
    ).toBe(true)
    // 39 * 500 + 1,500 = 21,000 distinct subjects.
    const [overseas] = await stores[0]!.read(['2026/overseas'])
    expect(Math.abs((overseas as number) / 21_000 - 1)).toBeLessThan(0.025)
    await other.end()
  })

  it('under a limit, concurrent merges never pass it, and refused merges write nothing', async () => {
    const table = uniqueTable('subjects_limit')
    await migrateSubjectCounters(pool, { table })
    const store = postgresSubjectCounterStore({ pool, table })
    const sketches = Array.from({ length: 30 }, (_, k) => sketch(k * 100, 100))
    const outcomes = await Promise.all(
      sketches.map((registers) => store.merge({ counters: ['x'], registers, limits: [1_499] })),
    )
    const passed = outcomes.filter((o) => o.ok).length
    // Each merge adds 100 new people: about 14 fit under 1,499.
    expect(passed).toBeGreaterThanOrEqual(13)
    expect(passed).toBeLessThanOrEqual(15)
    const [final] = await store.read(['x'])
    expect(final).toBeLessThanOrEqual(1_499)
    const expected = new Uint8Array(HLL_REGISTERS)
    outcomes.forEach((o, k) => {
      if (o.ok) merge(expected, sketches[k] as Uint8Array)
    })
    expect(Buffer.from(await storedRegisters(pool, table, 'x')).equals(Buffer.from(expected))).toBe(
      true,
    )
  })

  it('a gate counts through the store and refuses at the threshold', async () => {
    const table = uniqueTable('subjects_gate')
    await migrateSubjectCounters(pool, { table })
    const Trip = defineDataset(
      'trip',
      z.object({
        vin: field.desensitised(z.string(), pseudonymize()),
        at: field.desensitised(
          z.object({ lat: z.number(), lng: z.number() }),
          generalize.geohash({ precision: 5 }),
          {
            sensitivePI: 'location',
          },
        ),
      }),
      { version: '1', subject: 'vin' },
    )
    const policy = loadPolicy(
      {
        issuer: 'oem',
        crossBorder: { sensitivePI: 50, onThreshold: 'refuse' },
        partners: [
          {
            id: 'maps-eu',
            name: 'Maps EU',
            category: 'traffic',
            standing: 'gold',
            core: true,
            region: 'DE',
            agreements: [
              {
                id: 'a',
                dataset: 'trip',
                purpose: 'map',
                fields: ['at'],
                validFrom: '2026-01-01',
                validUntil: '2026-12-31',
              },
            ],
          },
        ],
      },
      { datasets: [Trip] },
    )
    const gateOn = () =>
      createGate({
        issuer: 'oem',
        datasets: [Trip],
        policy,
        audit: memoryAuditSink(),
        pseudonymKey: KEY,
        subjects: { store: postgresSubjectCounterStore({ pool, table }), key: KEY },
        now: () => new Date('2026-03-01T00:00:00Z'),
      })
    const rows = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({ vin: `V${from + i}`, at: { lat: 30, lng: 120 } }))
    const request = { partner: 'maps-eu', dataset: 'trip', purpose: 'map' }
    // Two instances share the count.
    await gateOn().release(rows(0, 30), request)
    const second = gateOn()
    await second.release(rows(0, 30), request)
    const error = await second.release(rows(30, 30), request).catch((e: unknown) => e)
    expect(isDatagateError(error, 'ERR_THRESHOLD_EXCEEDED')).toBe(true)
    await second.release(rows(30, 10), request)
  })

  it('an unreachable database refuses with ERR_COUNTER_UNAVAILABLE', async () => {
    const down = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', max: 1 })
    try {
      const store = postgresSubjectCounterStore({ pool: down })
      const error = await store
        .merge({ counters: ['c'], registers: new Uint8Array(HLL_REGISTERS) })
        .catch((e: unknown) => e)
      expect(isDatagateError(error, 'ERR_COUNTER_UNAVAILABLE')).toBe(true)
      expect(
        isDatagateError(
          await store.read(['c']).catch((e: unknown) => e),
          'ERR_COUNTER_UNAVAILABLE',
        ),
      ).toBe(true)
    } finally {
      await down.end()
    }
  })
})
