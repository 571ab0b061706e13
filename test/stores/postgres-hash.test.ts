// The database computes each event's hash from the template the sink hands it; that hash must be
// the library's auditEventHash of the event, byte for byte, or verifyAuditChain would reject every
// event read back. Checked three ways: the template against canonicalJson for generated bodies
// (no server), every event of every type written through the real database against
// auditEventHash, and PostgreSQL's own sha256 of the stored text against the stored hash.
import fc from 'fast-check'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isDatagateError } from '../../src/errors.js'
import {
  AUDIT_GENESIS,
  type AuditEvent,
  type AuditEventInput,
  auditEventHash,
  createAuditLog,
  verifyAuditChain,
} from '../../src/export/audit.js'
import { generateKeys } from '../../src/export/keys.js'
import { canonicalJson } from '../../src/lib/canonical-json.js'
import { textDigest } from '../../src/lib/digest.js'
import { fillTemplate, linkTemplate } from '../../src/stores/audit-template.js'
import { migrate, postgresAuditSink, readPostgresAuditLog } from '../../src/stores/postgres.js'
import { describeWith, PG_URL, uniqueTable } from './services.js'

const HASH = `sha256:${'ab'.repeat(32)}`
const document = { issuer: 'oem', partners: [], note: 'Zhang San 张三 \u2028 "quoted" \\ 🚗' }
const inputs: AuditEventInput[] = [
  {
    type: 'release',
    partner: 'rental-co',
    dataset: 'customer',
    purpose: 'courtesy-car',
    agreement: 'a-1',
    fields: [
      { path: 'city', operator: 'keep' },
      { path: 'phone', operator: 'mask.phone' },
    ],
    rows: 12,
    payloadDigest: HASH,
    policyHash: HASH,
    details: { kid: 'k1', epsilonSpent: 0.1, tiny: 1e-7, big: 1e21, negative: -0, yes: true },
  },
  {
    type: 'export',
    partner: 'p',
    dataset: 'd',
    purpose: 'u',
    agreement: 'a',
    fields: [],
    rows: 0,
    payloadDigest: HASH,
    policyHash: HASH,
    jti: 'j-ü-\u0001',
    signedDigest: HASH,
  },
  {
    type: 'delta',
    partner: 'p',
    dataset: 'd',
    purpose: 'u',
    agreement: 'a',
    fields: [],
    rows: 1,
    payloadDigest: HASH,
    policyHash: HASH,
    jti: 'j2',
    signedDigest: HASH,
  },
  {
    type: 'stream-start',
    partner: 'p',
    dataset: 'd',
    purpose: 'u',
    agreement: 'a',
    fields: [{ path: 'x', operator: 'keep' }],
    policyHash: HASH,
    stream: 's-1',
  },
  {
    type: 'stream-end',
    partner: 'p',
    dataset: 'd',
    purpose: 'u',
    agreement: 'a',
    fields: [],
    rows: 5,
    payloadDigest: HASH,
    policyHash: HASH,
    jti: 'j3',
    signedDigest: HASH,
    stream: 's-1',
    chunks: 2,
  },
  {
    type: 'denied',
    partner: 'p',
    dataset: 'd',
    purpose: 'u',
    policyHash: HASH,
    code: 'ERR_NOT_PERMITTED',
  },
  { type: 'policy', policyHash: textDigest(canonicalJson(document)), document },
]

describe('the SQL template', () => {
  it('filled in, is canonicalJson of the linked event for any body', () => {
    const json = fc.jsonValue({ maxDepth: 3 })
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 12 }), json, { maxKeys: 8 }),
        fc.nat({ max: 2 ** 40 }),
        fc.stringMatching(/^sha256:[0-9a-f]{64}$/),
        (body, seq, prev) => {
          const clean = { ...body }
          delete clean.seq
          delete clean.prev
          delete clean.time
          const time = '2026-06-01T00:00:00.000Z'
          const text = fillTemplate(linkTemplate(clean, time), prev, seq)
          expect(text).toBe(canonicalJson({ seq, time, ...clean, prev }))
        },
      ),
      { numRuns: 500 },
    )
  })
})

describeWith(PG_URL, 'DATAGATE_TEST_PG', 'hashes computed by PostgreSQL', () => {
  let pool: pg.Pool
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 2 })
  })
  afterAll(() => pool?.end())

  it('equal auditEventHash for every event type, checkpoints and resumes included', async () => {
    const table = uniqueTable('hash')
    await migrate(pool, { table, idleInTransactionTimeoutMs: false })
    const sink = postgresAuditSink({ pool, table })
    const keys = await generateKeys()
    const checkpoint = { keys, issuer: 'oem', every: 3, intervalMs: 0 }
    const returned: AuditEvent[] = []
    const first = createAuditLog({ sink, checkpoint })
    for (const input of inputs) returned.push(await first.append(input))
    await first.close()
    // A second writer opens the chain: a resume, then its own events and checkpoints.
    const second = createAuditLog({ sink, checkpoint })
    for (const input of inputs) returned.push(await second.append(input))
    await second.close()

    const events: AuditEvent[] = []
    for await (const event of readPostgresAuditLog(pool, { table, batchSize: 4 }))
      events.push(event)
    expect(new Set(events.map((e) => e.type))).toEqual(
      new Set([...inputs.map((i) => i.type), 'checkpoint', 'resume']),
    )
    for (const event of events) expect(event.hash, `seq ${event.seq}`).toBe(auditEventHash(event))
    expect(events[0]!.prev).toBe(AUDIT_GENESIS)
    expect(verifyAuditChain(events).ok).toBe(true)
    // What appendLinked returned is what was stored.
    const stored = new Map(events.map((e) => [e.seq, e]))
    for (const event of returned)
      expect(canonicalJson(stored.get(event.seq))).toBe(canonicalJson(event))

    // The database's own SHA-256 of the stored text is the stored hash.
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM "${table}"
       WHERE hash <> 'sha256:' || encode(sha256(convert_to(event, 'UTF8')), 'hex')`,
    )
    expect(rows[0].n).toBe(0)
  })

  it('refuses input that is not a strict event, writing nothing', async () => {
    const table = uniqueTable('hash_input')
    await migrate(pool, { table, idleInTransactionTimeoutMs: false })
    const sink = postgresAuditSink({ pool, table })
    const bad = { ...inputs[5]!, time: '2026-06-01T00:00:00.000Z', seq: 7 }
    const error = await sink.appendLinked(bad as never).catch((e: unknown) => e)
    expect(isDatagateError(error, 'ERR_INVALID_ARGUMENT')).toBe(true)
    expect(await sink.head()).toBeUndefined()
  })

  it('a direct input with a "__proto__" member writes an event that verifies when read back', async () => {
    // zod drops a "__proto__" key while validating; the sink checked a parsed copy but wrote
    // the raw input, so the stored text (and its hash) held a member every verifier drops:
    // the chain read back failed verifyAuditChain at that event, for ever.
    const table = uniqueTable('hash_proto')
    await migrate(pool, { table, idleInTransactionTimeoutMs: false })
    const sink = postgresAuditSink({ pool, table })
    const input = JSON.parse(
      `{"type":"release","partner":"p","dataset":"d","purpose":"u","agreement":"a","fields":[],
        "rows":1,"payloadDigest":"x","policyHash":"y","time":"2026-06-01T00:00:00.000Z",
        "details":{"__proto__":"x","kid":"k1"}}`,
    )
    const event = await sink.appendLinked(input)
    expect(auditEventHash(event)).toBe(event.hash)
    const events: AuditEvent[] = []
    for await (const stored of readPostgresAuditLog(pool, { table })) events.push(stored)
    expect(verifyAuditChain(events)).toMatchObject({ ok: true, count: 1 })
    expect(events[0]!.hash).toBe(event.hash)
  })

  it('refuses a direct policy event whose policyHash is not its document hash, as the log does', async () => {
    const table = uniqueTable('hash_policy')
    await migrate(pool, { table, idleInTransactionTimeoutMs: false })
    const sink = postgresAuditSink({ pool, table })
    const forged = { type: 'policy', policyHash: HASH, document, time: '2026-06-01T00:00:00.000Z' }
    const error = await sink.appendLinked(forged as never).catch((e: unknown) => e)
    expect(isDatagateError(error, 'ERR_INVALID_ARGUMENT'), String(error)).toBe(true)
    expect(await sink.head()).toBeUndefined()
  })

  it('migrate refuses a database that is not UTF8', async () => {
    const name = uniqueTable('latin1')
    await pool.query(
      `CREATE DATABASE ${name} ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`,
    )
    const url = new URL(PG_URL!)
    url.pathname = `/${name}`
    const other = new pg.Pool({ connectionString: url.href, max: 1 })
    try {
      const error = await migrate(other).catch((e: unknown) => e)
      expect(isDatagateError(error, 'ERR_INVALID_ARGUMENT')).toBe(true)
      expect((error as Error).message).toMatch(/LATIN1/)
    } finally {
      await other.end()
      await pool.query(`DROP DATABASE ${name}`)
    }
  })
})
