// Watermark rows: how many, where, stable within a month and distinct across months and partners,
// outside caps and deltas, counted apart in the audit event, never a worse k, never a fail-open.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { watermarkSet } from '../../src/export/watermark.js'
import {
  applyDelta,
  assessRisk,
  createGate,
  type Gate,
  generateKeys,
  isDatagateError,
  loadPolicy,
  memoryAuditSink,
  verifyExport,
  watermarkKeyId,
} from '../../src/index.js'
import { hex } from '../../src/lib/bytes.js'
import { compilePlan } from '../../src/policy/plan.js'
import {
  JUNE,
  Order,
  PSEUDONYM_KEY,
  sourceRows,
  tracePolicyDocument,
  WATERMARK_KEY,
} from './trace-fixture.js'

const request = { partner: 'insure-co', dataset: 'repair_order', purpose: 'service' }
const keys = await generateKeys()

function gateOf(
  options: { rows?: number; now?: () => Date; extra?: Record<string, unknown>; cap?: number } = {},
) {
  const doc = tracePolicyDocument(options.rows ?? 5, options.extra)
  if (options.cap !== undefined)
    for (const p of doc.partners) Object.assign(p, { maxRecordsPerRelease: options.cap })
  const policy = loadPolicy(doc, { datasets: [Order] })
  const audit = memoryAuditSink()
  const gate = createGate({
    issuer: 'oem-aftersales',
    datasets: [Order],
    policy,
    keys,
    audit,
    pseudonymKey: PSEUDONYM_KEY,
    watermarkKey: WATERMARK_KEY,
    now: options.now ?? JUNE,
  })
  return { gate, audit }
}

/** The released records that no real row released to: the watermark rows. */
async function synthetic(gate: Gate, rows: readonly unknown[], records: readonly unknown[]) {
  const plain = createGate({
    issuer: 'oem-aftersales',
    datasets: [Order],
    policy: loadPolicy(tracePolicyDocument(0), { datasets: [Order] }),
    pseudonymKey: PSEUDONYM_KEY,
    audit: false,
    now: JUNE,
  })
  const real = new Set((await plain.release(rows, request)).records.map((r) => JSON.stringify(r)))
  void gate
  return records.filter((r) => !real.has(JSON.stringify(r)))
}

describe('watermark rows', () => {
  it('fail closed at createGate without a watermark key, and on aggregate agreements at load', () => {
    const policy = loadPolicy(tracePolicyDocument(3), { datasets: [Order] })
    let error: unknown
    try {
      createGate({
        issuer: 'oem-aftersales',
        datasets: [Order],
        policy,
        audit: false,
        pseudonymKey: PSEUDONYM_KEY,
      })
    } catch (e) {
      error = e
    }
    expect(isDatagateError(error, 'ERR_WATERMARK_UNAVAILABLE')).toBe(true)
    expect((error as Error).message).toContain('rental-co-2026')
    const aggregate = { aggregate: { by: ['city'], measures: { n: { op: 'count' } } } }
    expect(() => loadPolicy(tracePolicyDocument(3, aggregate), { datasets: [Order] })).toThrow(
      expect.objectContaining({
        code: 'ERR_POLICY_INVALID',
        findings: expect.arrayContaining([
          expect.objectContaining({ code: 'watermark_on_aggregate' }),
        ]),
      }),
    )
  })

  it('adds n rows to an export, counted apart in the audit event with the key id only', async () => {
    const { gate, audit } = gateOf({ rows: 5 })
    const rows = sourceRows(200)
    const signed = await gate.export(rows, request)
    const { records, meta } = await verifyExport(signed.token, {
      jwks: gate.jwks(),
      issuer: 'oem-aftersales',
      audience: 'insure-co',
      now: JUNE,
    })
    const real = rows.filter((r) => (r.hours as number) >= 1).length
    expect(records.length).toBe(real + 5)
    expect(signed.count).toBe(real + 5)
    expect(
      (meta as unknown as { report: { watermarkRows: number; rows: { released: number } } }).report,
    ).toMatchObject({ watermarkRows: 5, rows: { released: real } })
    const event = audit.events.at(-1) as unknown as {
      type: string
      rows: number
      details: Record<string, unknown>
    }
    expect(event.type).toBe('export')
    expect(event.rows).toBe(real)
    expect(event.details).toMatchObject({
      watermarkRows: 5,
      watermarkKeyId: watermarkKeyId(WATERMARK_KEY),
    })
    const text = JSON.stringify(audit.events)
    expect(text).not.toContain(hex(WATERMARK_KEY))
    expect(text).not.toContain(Buffer.from(WATERMARK_KEY).toString('base64url'))
    // At keyed places among the real records, not all at one end.
    const marks = await synthetic(gate, rows, records)
    expect(marks).toHaveLength(5)
    const places = marks.map((m) => records.indexOf(m as never))
    expect(places.some((p) => p < records.length - 5)).toBe(true)
  })

  it('are the same all month, differ the next month and for another partner', async () => {
    const rows = sourceRows(300)
    const june = gateOf({ rows: 4 }).gate
    const lateJune = gateOf({ rows: 4, now: () => new Date('2026-06-29T23:00:00Z') }).gate
    const july = gateOf({ rows: 4, now: () => new Date('2026-07-01T00:00:01Z') }).gate
    const early = await synthetic(
      june,
      rows,
      (await june.release(rows.slice(0, 150), request)).records,
    )
    const late = await synthetic(
      lateJune,
      rows,
      (await lateJune.release(rows.slice(100), request)).records,
    )
    const next = await synthetic(july, rows, (await july.release(rows, request)).records)
    const other = await synthetic(
      june,
      rows,
      (await june.release(rows, { ...request, partner: 'parts-co' })).records,
    )
    const ids = (list: readonly unknown[]) =>
      list.map((r) => (r as { customerId: string }).customerId).sort()
    expect(ids(early)).toHaveLength(4)
    expect(ids(late)).toEqual(ids(early))
    expect(ids(next).filter((id) => ids(early).includes(id))).toEqual([])
    expect(ids(other).filter((id) => ids(early).includes(id))).toEqual([])
  })

  it('come on top of the record cap', async () => {
    const { gate, audit } = gateOf({ rows: 3, cap: 10 })
    const { records, report } = await gate.release(sourceRows(50), request)
    expect(records).toHaveLength(13)
    expect(report.rows).toMatchObject({ released: 10, capped: true, cap: 10 })
    expect(report.watermarkRows).toBe(3)
    expect(audit.events.at(-1)).toMatchObject({
      type: 'release',
      rows: 10,
      details: { watermarkRows: 3 },
    })
  })

  it('stay out of deltas: a delta applies to the export view and leaves every watermark row be', async () => {
    const { gate, audit } = gateOf({ rows: 5 })
    const before = sourceRows(200)
    const after = before.map((r, i) =>
      i === 17 || i === 90 ? { ...r, status: 'closed', hours: 9 } : r,
    )
    after.splice(40, 1)
    after.push(...sourceRows(203).slice(200))
    const verify = { jwks: gate.jwks(), issuer: 'oem-aftersales', audience: 'insure-co', now: JUNE }
    const held = (await verifyExport((await gate.export(before, request)).token, verify)).records
    const delta = await gate.exportDelta(before, after, request)
    const next = await applyDelta(held, delta.token, verify)
    const expected = (await verifyExport((await gate.export(after, request)).token, verify)).records
    expect(next).toEqual(expected)
    const marks = (await synthetic(gate, before, held)).map((r) => JSON.stringify(r))
    const touched = delta.patch.filter(
      (op) => 'value' in op && marks.includes(JSON.stringify(op.value)),
    )
    expect(touched).toEqual([])
    expect(delta.patch.filter((op) => op.op === 'remove')).toHaveLength(1)
    expect(audit.events.at(-2)).toMatchObject({
      type: 'delta',
      rows: 202,
      details: { watermarkRows: 5 },
    })
  })

  it("a delta into the next month applies to the view held from the last (previousAt's rows as its base)", async () => {
    let clock = new Date('2026-06-28T08:00:00Z')
    const { gate, audit } = gateOf({ rows: 5, now: () => clock })
    const before = sourceRows(100)
    const after = before.map((r, i) => (i === 3 ? { ...r, status: 'closed' } : r))
    const verifyAt = (now: () => Date) => ({
      jwks: gate.jwks(),
      issuer: 'oem-aftersales',
      audience: 'insure-co',
      now,
    })
    const juneAt = clock
    const held = (
      await verifyExport(
        (
          await gate.export(before, request)
        ).token,
        verifyAt(() => juneAt),
      )
    ).records
    clock = new Date('2026-07-02T08:00:00Z')
    const july = () => clock
    const delta = await gate.exportDelta(before, after, { ...request, previousAt: juneAt })
    const next = await applyDelta(held, delta.token, verifyAt(july))
    const expected = (await verifyExport((await gate.export(after, request)).token, verifyAt(july)))
      .records
    expect(next).toEqual(expected)
    // July's rows are not June's: the patch swaps them, and the event counts the new ones.
    expect(new Set(next.map((r) => JSON.stringify(r))).size).toBe(next.length)
    expect(audit.events.at(-2)).toMatchObject({
      type: 'delta',
      rows: 100,
      details: { watermarkRows: 5 },
    })
  })

  it('never lower k: assessRisk of an export with watermark rows is no worse than without', async () => {
    const rows = sourceRows(400)
    const marked = (await gateOf({ rows: 20 }).gate.release(rows, request)).records
    const plain = await createGate({
      issuer: 'oem-aftersales',
      datasets: [Order],
      policy: loadPolicy(tracePolicyDocument(0), { datasets: [Order] }),
      pseudonymKey: PSEUDONYM_KEY,
      audit: false,
      now: JUNE,
    }).release(rows, request)
    const options = { quasiIdentifiers: ['city', 'vehicle.model'], sensitive: 'status', k: 5 }
    const withMarks = assessRisk(marked, options)
    const without = assessRisk(plain.records, options)
    expect(marked.length).toBe(plain.records.length + 20)
    expect(withMarks.k).toBeGreaterThanOrEqual(without.k)
    expect(withMarks.classes).toBe(without.classes)
    expect(withMarks.atRisk.records).toBeLessThanOrEqual(without.atRisk.records)
    expect(withMarks.l ?? 0).toBeGreaterThanOrEqual(without.l ?? 0)
  })

  it('differ in their fingerprint, not only in the quasi-identifiers they then share', () => {
    // city is copied from one real class onto every row: only status tells the rows apart.
    const doc = tracePolicyDocument(3)
    const partner = doc.partners.find((p) => p.id === 'tow-co') as (typeof doc.partners)[number]
    Object.assign(partner.agreements[0] as object, { fields: ['city', 'status'] })
    const policy = loadPolicy(doc, { datasets: [Order] })
    const tow = policy.partners.find((p) => p.id === 'tow-co') as (typeof policy.partners)[number]
    const plan = compilePlan(tow, tow.agreements[0] as (typeof tow.agreements)[number], Order, {
      pseudonymKey: PSEUDONYM_KEY,
    })
    const set = watermarkSet(plan, WATERMARK_KEY, '2026-06')
    expect(set.fingerprint).toEqual(['status'])
    expect(new Set(set.released.map((r) => r.status)).size).toBe(3)
    // Three statuses make three rows at most: a fourth would repeat one once city is copied.
    const four = { ...plan, agreement: { ...plan.agreement, watermark: { rows: 4 } } }
    expect(() => watermarkSet(four, WATERMARK_KEY, '2026-06')).toThrow(
      expect.objectContaining({ code: 'ERR_WATERMARK_UNAVAILABLE' }),
    )
  })

  it('a not-modified answer counts the real records in its event, as the export did', async () => {
    const { gate, audit } = gateOf({ rows: 5 })
    const rows = sourceRows(50)
    const first = await gate.export(rows, request)
    const again = await gate.exportUnlessHeld(rows, request, [first.payloadDigest])
    expect(again).toMatchObject({ notModified: true })
    const [exported, held] = audit.events.filter(
      (e) => e.type === 'export' || e.type === 'not-modified',
    )
    expect(exported?.rows).toBe(50)
    expect(held).toMatchObject({ type: 'not-modified', rows: 50, details: { watermarkRows: 5 } })
    const json = await gate.releaseJson(rows, request)
    await gate.releaseJson(rows, request, { held: [json.payloadDigest] })
    expect(audit.events.at(-1)).toMatchObject({ type: 'not-modified', rows: 50 })
  })

  it("draw a number under a condition in the range real ones of that name take, not the schema's", () => {
    // `hours: { $gte: 1 }` and a schema max of 100: real rows hold 1-12 hours; 77 stood out.
    const policy = loadPolicy(tracePolicyDocument(60), { datasets: [Order] })
    for (const partner of policy.partners) {
      const agreement = partner.agreements[0] as (typeof partner.agreements)[number]
      if (!agreement.fields.includes('hours')) continue
      const plan = compilePlan(partner, agreement, Order, { pseudonymKey: PSEUDONYM_KEY })
      const hours = watermarkSet(plan, WATERMARK_KEY, '2026-06').source.map((r) => r.hours)
      expect(hours.every((h) => typeof h === 'number' && h >= 1 && h <= 12)).toBe(true)
    }
  })

  it('are refused on a stream rather than left out', async () => {
    const { gate } = gateOf({ rows: 2 })
    await expect(async () => {
      for await (const _ of gate.exportStream(sourceRows(5), request)) break
    }).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
  })

  it('never violate the schema or the row condition (property)', () => {
    const policy = loadPolicy(tracePolicyDocument(3), { datasets: [Order] })
    const conditions = fc.oneof(
      fc.record({ hours: fc.integer({ min: 0, max: 90 }).map((n) => ({ $gte: n })) }),
      fc.record({ hours: fc.integer({ min: 2, max: 100 }).map((n) => ({ $lt: n })) }),
      fc.record({ status: fc.constantFrom('open', 'waiting', 'closed') }),
      fc.record({
        status: fc
          .subarray(['open', 'waiting', 'closed'], { minLength: 1 })
          .map((s) => ({ $in: s })),
      }),
      fc.record({
        city: fc.constantFrom('Hangzhou', 'Wuhan').map((c) => ({ $ne: c })),
        hours: fc.constant({ $gt: 3, $lte: 50 }),
      }),
    )
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        conditions,
        fc.constantFrom(...policy.partners.map((p) => p.id)),
        fc.integer({ min: 2020, max: 2030 }),
        fc.integer({ min: 1, max: 12 }),
        (key, where, partnerId, year, month) => {
          const partner = policy.partners.find(
            (p) => p.id === partnerId,
          ) as (typeof policy.partners)[number]
          const agreement = {
            ...(partner.agreements[0] as (typeof partner.agreements)[number]),
            where,
          }
          const plan = compilePlan(partner, agreement, Order, { pseudonymKey: PSEUDONYM_KEY })
          const set = watermarkSet(plan, key, `${year}-${String(month).padStart(2, '0')}`)
          expect(set.source).toHaveLength(3)
          for (const row of set.source) {
            expect(Order.schema.safeParse(row).success).toBe(true)
            expect(Order.parse(row).unknownKeys).toBe(0)
            expect(plan.predicate(plan.read(row).record)).toBe(true)
          }
        },
      ),
      { numRuns: 200 },
    )
  })
})
