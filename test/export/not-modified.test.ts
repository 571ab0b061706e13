// Conditional releases in the gate: exportUnlessHeld and releaseJson compare the released view's
// digest with what the partner holds; a match writes a not-modified event and nothing leaves, a
// miss is the usual export or release, audited as one.
import { beforeAll, describe, expect, it } from 'vitest'
import { memoryAuditSink, verifyAuditChain } from '../../src/export/audit.js'
import { memoryBudgetStore } from '../../src/export/budget.js'
import { createGate, type Gate } from '../../src/export/gate.js'
import { generateKeys } from '../../src/export/keys.js'
import { verifyExport } from '../../src/export/verify-export.js'
import { loadPolicy } from '../../src/policy/load.js'
import { codeOf } from '../errors.js'
import { datasets, samplePolicyYaml, sampleRows } from '../policy/fixtures.js'

const issuer = 'oem-aftersales'
const t0 = new Date('2026-06-15T08:00:00Z')
const courtesy = { partner: 'rental-co', dataset: 'repair_order', purpose: 'courtesy-car' } as const
const orders = sampleRows('repair-orders')

let gate: Gate
let sink: ReturnType<typeof memoryAuditSink>
let keys: Awaited<ReturnType<typeof generateKeys>>

beforeAll(async () => {
  keys = await generateKeys({ alg: 'EdDSA' })
  sink = memoryAuditSink()
  gate = createGate({
    issuer,
    datasets,
    policy: loadPolicy(samplePolicyYaml, { datasets }),
    keys,
    pseudonymKey: Uint8Array.from({ length: 32 }, (_, i) => (i * 151 + 9) & 0xff),
    audit: sink,
    budget: memoryBudgetStore(),
    now: () => t0,
  })
})

describe('gate.exportUnlessHeld', () => {
  it('a held view: a not-modified event with its digest and rows, no token, no jti', async () => {
    const signed = await gate.export(orders, courtesy)
    const before = sink.events.length
    const answer = await gate.exportUnlessHeld(orders, courtesy, ['sha256:x', signed.payloadDigest])
    expect(answer).toEqual({
      notModified: true,
      payloadDigest: signed.payloadDigest,
      count: signed.count,
    })
    const written = sink.events.slice(before)
    expect(written).toHaveLength(1)
    expect(written[0]).toMatchObject({
      type: 'not-modified',
      partner: 'rental-co',
      agreement: 'courtesy-car-2026',
      rows: signed.count,
      payloadDigest: signed.payloadDigest,
      details: { answers: 'export', format: 'compact', held: 'digest' },
    })
    expect(written[0]).not.toHaveProperty('jti')
    expect(verifyAuditChain(sink.events).ok).toBe(true)
  })

  it('a view the partner does not hold: the export, audited as one; * holds any view', async () => {
    const miss = await gate.exportUnlessHeld(orders, courtesy, [`sha256:${'0'.repeat(64)}`])
    if ('notModified' in miss) throw new Error('expected an export')
    const { records } = await verifyExport(miss.token, {
      jwks: keys.jwks(),
      issuer,
      audience: 'rental-co',
      now: () => t0,
    })
    expect(records).toHaveLength(miss.count)
    expect(sink.events.at(-1)).toMatchObject({ type: 'export', jti: miss.jti })
    expect(await gate.exportUnlessHeld(orders, courtesy, ['*'])).toMatchObject({
      notModified: true,
    })
    // The chain tells a partner that named the view's digest from one that only sent '*'.
    expect(sink.events.at(-1)).toMatchObject({ type: 'not-modified', details: { held: 'any' } })
  })

  it('refusals are those of an export (a denied event); bad held lists are ERR_INVALID_ARGUMENT', async () => {
    const before = sink.events.length
    expect(
      await codeOf(gate.exportUnlessHeld(orders, { ...courtesy, purpose: 'marketing' }, ['*'])),
    ).toBe('ERR_NOT_PERMITTED')
    expect(sink.events.slice(before).map((e) => e.type)).toEqual(['denied'])
    for (const held of ['sha256:x', [1], [''], ['x'.repeat(257)]])
      expect(await codeOf(gate.exportUnlessHeld(orders, courtesy, held as never))).toBe(
        'ERR_INVALID_ARGUMENT',
      )
  })
})

describe('a suspended partner', () => {
  it('is refused (ERR_PARTNER_SUSPENDED, a denied event), never answered not-modified, even with *', async () => {
    const claims = { partner: 'insure-co', dataset: 'customer', purpose: 'claims' } as const
    const customers = sampleRows('customers')
    const before = sink.events.length
    expect(await codeOf(gate.exportUnlessHeld(customers, claims, ['*']))).toBe(
      'ERR_PARTNER_SUSPENDED',
    )
    expect(await codeOf(gate.releaseJson(customers, claims, { held: ['*'] }))).toBe(
      'ERR_PARTNER_SUSPENDED',
    )
    expect(sink.events.slice(before).map((e) => e.type)).toEqual(['denied', 'denied'])
  })
})

describe('gate.releaseJson', () => {
  it("the release's records as JSON bytes, with the release event's digest", async () => {
    const { records, report } = await gate.release(orders, courtesy)
    const released = await gate.releaseJson(orders, courtesy)
    if ('notModified' in released) throw new Error('expected a release')
    expect(new TextDecoder().decode(released.json)).toBe(JSON.stringify(records))
    expect(released.count).toBe(records.length)
    expect(released.report).toEqual(report)
    const events = sink.events.filter((e) => e.type === 'release').slice(-2)
    expect(events.map((e) => ('payloadDigest' in e ? e.payloadDigest : ''))).toEqual([
      released.payloadDigest,
      released.payloadDigest,
    ])
    const held = await gate.releaseJson(orders, courtesy, { held: [released.payloadDigest] })
    expect(held).toEqual({
      notModified: true,
      payloadDigest: released.payloadDigest,
      count: records.length,
    })
    expect(sink.events.at(-1)).toMatchObject({
      type: 'not-modified',
      details: { answers: 'release' },
    })
  })

  it('with audit: false (no chain to write to), a held view still answers not-modified', async () => {
    const quiet = createGate({
      issuer,
      datasets,
      policy: gate.policy,
      audit: false,
      pseudonymKey: Uint8Array.from({ length: 32 }, (_, i) => i),
      budget: memoryBudgetStore(),
      now: () => t0,
    })
    const first = await quiet.releaseJson(orders, courtesy)
    if ('notModified' in first) throw new Error('expected a release')
    expect(
      await quiet.releaseJson(orders, courtesy, { held: [first.payloadDigest] }),
    ).toMatchObject({
      notModified: true,
    })
  })
})
