// traceLeak: a leaked 5 % sample of one partner's export is attributed to that partner and to
// none of the four others that received overlapping data, by pseudonyms alone, by watermark rows
// alone, and a whole export by the audit log's digests.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  createGate,
  generateKeys,
  loadPolicy,
  memoryAuditSink,
  traceLeak,
  verifyExport,
} from '../../src/index.js'
import {
  JUNE,
  Order,
  PSEUDONYM_KEY,
  sample,
  sourceRows,
  tracePolicyDocument,
  WATERMARK_KEY,
} from './trace-fixture.js'

const policy = loadPolicy(tracePolicyDocument(60), { datasets: [Order] })
const audit = memoryAuditSink()
const keys = await generateKeys()
const gate = createGate({
  issuer: 'oem-aftersales',
  datasets: [Order],
  policy,
  keys,
  audit,
  pseudonymKey: PSEUDONYM_KEY,
  watermarkKey: WATERMARK_KEY,
  now: JUNE,
})
const source = sourceRows(2000)
const exports = new Map<string, { token: string; records: Record<string, unknown>[] }>()
for (const partner of policy.partners) {
  const signed = await gate.export(source, {
    partner: partner.id,
    dataset: 'repair_order',
    purpose: 'service',
  })
  const { records } = await verifyExport(signed.token, {
    jwks: gate.jwks(),
    issuer: 'oem-aftersales',
    audience: partner.id,
    now: JUNE,
  })
  exports.set(partner.id, { token: signed.token, records })
}
const leaker = 'insure-co'
const full = exports.get(leaker)?.records ?? []
// A 5 % sample. With 60 watermark rows among 2,060 records a 5 % sample misses all of them with
// probability 0.95^60, about 4.6 %; this seed's sample holds some (asserted below).
const leaked = sample(full, 0.05, 2026)
const others = policy.partners.map((p) => p.id).filter((id) => id !== leaker)

describe('traceLeak', () => {
  it('attributes a 5 % sample to its recipient by pseudonyms alone', () => {
    const trace = traceLeak(
      { records: leaked },
      { policy, datasets: [Order], source, pseudonymKey: PSEUDONYM_KEY },
    )
    expect(trace.leakedRecords).toBe(103)
    expect(trace.basis).toMatchObject({ source: true, pseudonymKey: true, watermarkKey: false })
    const [first, ...rest] = trace.partners
    expect(first?.partner).toBe(leaker)
    expect(first?.confidence).toBe('strong')
    // Every real record of the sample carries the leaker's pseudonym; the watermark rows' synthetic
    // customers are in no source row.
    const synthetic = leaked.length - (first?.signals.records ?? 0)
    expect(first?.signals.pseudonyms).toBe(leaked.length - synthetic)
    expect(synthetic).toBeGreaterThan(0)
    expect(rest.map((p) => p.partner).sort()).toEqual([...others].sort())
    for (const p of rest) {
      expect(p.signals.pseudonyms).toBe(0)
      expect(p.signals.records).toBe(0)
      expect(p.signals.watermarks).toBe(0)
      expect(p.confidence).not.toBe('strong')
      expect(p.score).toBeLessThan(first?.score ?? 0)
    }
  })

  it('attributes it by watermark rows alone, with the period', () => {
    const trace = traceLeak(
      { records: leaked },
      {
        policy,
        datasets: [Order],
        watermarkKey: WATERMARK_KEY,
        periods: ['2026-05', '2026-06', '2026-07'],
      },
    )
    expect(trace.basis).toMatchObject({ source: false, pseudonymKey: false, watermarkKey: true })
    const [first, ...rest] = trace.partners
    expect(first?.partner).toBe(leaker)
    expect(first?.confidence).toBe('conclusive')
    expect(first?.signals.watermarks).toBeGreaterThan(0)
    expect(first?.watermarkPeriods).toEqual([
      { agreement: `${leaker}-2026`, period: '2026-06', rows: first?.signals.watermarks },
    ])
    expect(first?.period).toEqual({
      from: '2026-06-01T00:00:00.000Z',
      to: '2026-06-30T23:59:59.999Z',
    })
    expect(first?.signals).toMatchObject({ records: 0, pseudonyms: 0, masked: 0 })
    for (const p of rest) {
      expect(p.signals.watermarks).toBe(0)
      expect(p.confidence).not.toBe('conclusive')
    }
    // Without the pseudonym key the rest of each row (masked phone, status) still names the month.
    const keyless = traceLeak(
      { records: leaked },
      { policy, datasets: [Order], watermarkKey: WATERMARK_KEY, periods: ['2026-06'] },
    )
    expect(keyless.partners[0]).toMatchObject({ partner: leaker, confidence: 'conclusive' })
  })

  it('finds nothing conclusive in a sample of real records only', () => {
    const plainPolicy = loadPolicy(tracePolicyDocument(0), { datasets: [Order] })
    const trace = traceLeak(
      { records: leaked.slice(0, 10) },
      { policy: plainPolicy, datasets: [Order], watermarkKey: WATERMARK_KEY },
    )
    for (const p of trace.partners) expect(p.signals.watermarks).toBe(0)
  })

  it("does not attribute one partner's real records to another by a weak fingerprint", () => {
    // tow-co's rows without the pseudonym key print only hours (1-100) and status (3 values):
    // a few hundred values, which real records of any partner granted them hit by chance.
    const survey = (exports.get('survey-co')?.records ?? []).slice(0, 400)
    const trace = traceLeak(
      { records: survey },
      { policy, datasets: [Order], watermarkKey: WATERMARK_KEY, periods: ['2026-06'] },
    )
    const tow = trace.partners.find((p) => p.partner === 'tow-co')
    expect(tow?.signals.watermarks).toBe(0)
    expect(tow?.confidence).not.toBe('conclusive')
  })

  it('names the export event of a whole leaked export by its digest', () => {
    const payload = JSON.parse(
      Buffer.from(exports.get('parts-co')?.token.split('.')[1] ?? '', 'base64url').toString(),
    ) as { records: unknown[] }
    const digest = `sha256:${createHash('sha256').update(JSON.stringify(payload.records)).digest('hex')}`
    const trace = traceLeak(
      { records: payload.records, payloadDigests: [digest] },
      { policy, datasets: [Order], events: audit.events },
    )
    const [first] = trace.partners
    expect(first).toMatchObject({
      partner: 'parts-co',
      confidence: 'conclusive',
      signals: { exports: 1 },
    })
    expect(first?.exportEvents[0]).toMatchObject({ type: 'export', agreement: 'parts-co-2026' })
    expect(first?.period?.from).toBe(JUNE().toISOString())
  })
})
