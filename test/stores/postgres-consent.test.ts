// Consent events in PostgreSQL: the store answers as memoryConsentStore does for the same events
// (random histories), a gate over it drops exactly the rows of the 10 % of subjects lacking
// consent, names are quoted, and an unreachable server or a missing table refuses the release
// with ERR_CONSENT_UNAVAILABLE.
import fc from 'fast-check'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { pseudonymize } from '../../src/anonymize/pseudonymize.js'
import { defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import { isDatagateError } from '../../src/errors.js'
import { memoryAuditSink } from '../../src/export/audit.js'
import { memoryConsentStore } from '../../src/export/consent-store.js'
import { createGate } from '../../src/export/gate.js'
import { loadPolicy } from '../../src/policy/load.js'
import { migrateConsent, postgresConsentStore } from '../../src/stores/postgres.js'
import { describeWith, PG_URL, uniqueTable } from './services.js'

const SCOPE = 'share-with-insurers'
const NOW = new Date('2026-06-01T00:00:00Z')

const Claim = defineDataset(
  'claim',
  z.object({
    claimId: field.public(z.string()),
    customerId: field.desensitised(z.string(), pseudonymize()),
  }),
  { version: '1' },
)
const policy = loadPolicy(
  {
    issuer: 'oem',
    partners: [
      {
        id: 'insure-co',
        name: 'Insure Co',
        category: 'resource',
        standing: 'gold',
        core: true,
        role: 'handler',
        agreements: [
          {
            id: 'claims-2026',
            dataset: 'claim',
            purpose: 'claims',
            fields: ['claimId', 'customerId'],
            consent: { scope: SCOPE, subject: 'customerId' },
            validFrom: '2026-01-01',
            validUntil: '2026-12-31',
          },
        ],
      },
    ],
  },
  { datasets: [Claim] },
)
const request = { partner: 'insure-co', dataset: 'claim', purpose: 'claims' }
const KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 151 + 7) & 0xff)

describeWith(PG_URL, 'DATAGATE_TEST_PG', 'the PostgreSQL consent store', () => {
  let pool: pg.Pool
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 2 })
  })
  afterAll(() => pool?.end())

  it('answers as memoryConsentStore does for the same random event histories', async () => {
    const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n))
    const event = fc.record({
      subject: fc.constantFrom('a', 'b', 'c', "o'neil", 'd"q'),
      scope: fc.constantFrom(SCOPE, 'other'),
      day: fc.nat(9),
      event: fc.constantFrom('grant' as const, 'withdraw' as const),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(event, { maxLength: 25 }), async (events) => {
        const table = uniqueTable('consent_prop')
        await migrateConsent(pool, { table })
        const store = postgresConsentStore({ pool, table })
        for (const e of events)
          await (e.event === 'grant' ? store.grant : store.withdraw)(e.subject, e.scope, day(e.day))
        const oracle = memoryConsentStore(events.map((e) => ({ ...e, at: day(e.day) })))
        const subjects = ['a', 'b', 'c', "o'neil", 'd"q', 'never']
        for (const n of [0, 3, 6, 9, 12])
          for (const scope of [SCOPE, 'other']) {
            expect(await store.filter(subjects, scope, day(n))).toEqual(
              oracle.filter(subjects, scope, day(n)),
            )
            expect(await store.has('a', scope, day(n))).toBe(oracle.has('a', scope, day(n)))
          }
        await pool.query(`DROP TABLE "${table}"`)
      }),
      { numRuns: 12, seed: 20261201 },
    )
  })

  it('a gate over it drops exactly the rows of the 10 % of subjects lacking consent', async () => {
    const table = uniqueTable('consent_gate')
    await migrateConsent(pool, { table })
    const store = postgresConsentStore({ pool, table })
    const lacking = new Set([3, 17, 21, 40, 44, 58, 61, 77, 80, 99])
    for (let i = 0; i < 100; i++)
      if (!lacking.has(i)) await store.grant(`C-${i}`, SCOPE, new Date('2026-01-01T00:00:00Z'))
    // A granted subject that withdraws only after NOW still holds consent at NOW.
    await store.withdraw('C-5', SCOPE, new Date('2026-07-01T00:00:00Z'))
    const audit = memoryAuditSink()
    const gate = createGate({
      issuer: 'oem',
      datasets: [Claim],
      policy,
      pseudonymKey: KEY,
      audit,
      now: () => NOW,
      consent: store,
    })
    const rows = Array.from({ length: 100 }, (_, i) => ({
      claimId: `K-${i}`,
      customerId: `C-${i}`,
    }))
    const { records } = await gate.release(rows, request)
    expect(records.map((r) => r.claimId)).toEqual(
      rows.filter((_, i) => !lacking.has(i)).map((r) => r.claimId),
    )
    const event = audit.events.find((e) => e.type === 'release')
    expect(event && 'consentDropped' in event ? event.consentDropped : -1).toBe(10)
    await gate.close()
  })

  it('a subject id with a NUL or a lone surrogate holds no consent: that row is dropped, the release goes on', async () => {
    const table = uniqueTable('consent_odd')
    await migrateConsent(pool, { table })
    const store = postgresConsentStore({ pool, table })
    const at = new Date('2026-01-01T00:00:00Z')
    await store.grant('C-1', SCOPE, at)
    await store.grant('C-\uFFFD', SCOPE, at)
    // PostgreSQL text holds no NUL, and UTF-8 turns a lone surrogate into U+FFFD: such ids are
    // refused when recorded, and asking about one never answers for another subject.
    for (const odd of ['C-\u0000', 'C-\uD800', 'C-\uDC00']) {
      const recorded = await store.grant(odd, SCOPE, at).catch((e: unknown) => e)
      expect(isDatagateError(recorded, 'ERR_INVALID_ARGUMENT'), JSON.stringify(odd)).toBe(true)
    }
    const gate = createGate({
      issuer: 'oem',
      datasets: [Claim],
      policy,
      pseudonymKey: KEY,
      audit: memoryAuditSink(),
      now: () => NOW,
      consent: store,
    })
    const rows = ['C-1', 'C-\u0000', 'C-\uD800', 'C-\uFFFD'].map((customerId, i) => ({
      claimId: `K-${i}`,
      customerId,
    }))
    const { records } = await gate.release(rows, request)
    expect(records.map((r) => r.claimId)).toEqual(['K-0', 'K-3'])
    await gate.close()
  })

  it('quotes names: a table with a quote, a space and a schema', async () => {
    const schema = uniqueTable('consent schema')
    await pool.query(`CREATE SCHEMA "${schema}"`)
    const table = `odd "name" ${uniqueTable('t')}`
    await migrateConsent(pool, { table, schema })
    await migrateConsent(pool, { table, schema })
    const store = postgresConsentStore({ pool, table, schema })
    await store.grant('x', SCOPE, new Date('2026-01-01T00:00:00Z'))
    expect(await store.filter(['x', 'y'], SCOPE, NOW)).toEqual(['x'])
    await pool.query(`DROP SCHEMA "${schema}" CASCADE`)
  })

  it('an unreachable server, an ended pool or a missing table refuse with ERR_CONSENT_UNAVAILABLE', async () => {
    const unreachable = new pg.Pool({
      connectionString: 'postgres://postgres@127.0.0.1:1/postgres',
      connectionTimeoutMillis: 2000,
    })
    const ended = new pg.Pool({ connectionString: PG_URL })
    await ended.end()
    const stores = [
      postgresConsentStore({ pool: unreachable }),
      postgresConsentStore({ pool: ended }),
      postgresConsentStore({ pool, table: uniqueTable('consent_missing') }),
    ]
    for (const store of stores) {
      const gate = createGate({
        issuer: 'oem',
        datasets: [Claim],
        policy,
        pseudonymKey: KEY,
        audit: memoryAuditSink(),
        now: () => NOW,
        consent: store,
      })
      const error = await gate
        .release([{ claimId: 'K-1', customerId: 'C-secret-1' }], request)
        .catch((e: unknown) => e)
      expect(isDatagateError(error, 'ERR_CONSENT_UNAVAILABLE')).toBe(true)
      const text = `${(error as Error).message} ${String((error as Error).cause)}`
      expect(text).not.toContain('C-secret-1')
      await gate.close()
    }
    await unreachable.end()
  })
})
