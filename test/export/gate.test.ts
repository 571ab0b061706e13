// The gate end to end: export in every format, verification by the partner, encryption to the
// partner's key, deltas, streams, and one audit event per operation.
import { exportJWK, generateKeyPair } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Dataset } from '../../src/classify/dataset.js'
import { type AuditEvent, memoryAuditSink, verifyAuditChain } from '../../src/export/audit.js'
import { memoryBudgetStore } from '../../src/export/budget.js'
import { applyDelta } from '../../src/export/delta.js'
import { createGate, type Gate } from '../../src/export/gate.js'
import type { KeyRing } from '../../src/export/key-ring.js'
import { generateKeys } from '../../src/export/keys.js'
import { type StreamPart, verifyStream } from '../../src/export/stream.js'
import { verifyExport } from '../../src/export/verify-export.js'
import { loadPolicy } from '../../src/policy/load.js'
import { codeOf } from '../errors.js'
import { datasets, samplePolicyYaml, sampleRows } from '../policy/fixtures.js'

const issuer = 'oem-aftersales'
const t0 = new Date('2026-06-15T08:00:00Z')
const later = new Date('2026-06-15T08:00:30Z')
const courtesy = { partner: 'rental-co', dataset: 'repair_order', purpose: 'courtesy-car' } as const
const verifyAs = (keys: KeyRing, audience = 'rental-co') => ({
  jwks: keys.jwks(),
  issuer,
  audience,
  now: () => later,
})

let keys: KeyRing
let partnerPrivate: CryptoKey
let gate: Gate
let sink: ReturnType<typeof memoryAuditSink>
const orders = sampleRows('repair-orders')

beforeAll(async () => {
  keys = await generateKeys({ alg: 'EdDSA' })
  const pair = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256', extractable: true })
  partnerPrivate = pair.privateKey
  const partnerJwk = {
    ...(await exportJWK(pair.publicKey)),
    kid: 'rental-enc-1',
    use: 'enc',
    alg: 'ECDH-ES+A256KW',
  }
  const policyText = samplePolicyYaml.replace(
    '    core: true\n    agreements:\n      - id: courtesy-car-2026',
    `    core: true\n    encryptionKeys: { keys: [${JSON.stringify(partnerJwk)}] }\n    agreements:\n      - id: courtesy-car-2026`,
  )
  const policy = loadPolicy(policyText, { datasets })
  expect(policy.partner('rental-co')?.encryptionKeys?.keys).toHaveLength(1)
  sink = memoryAuditSink()
  gate = createGate({
    issuer,
    datasets,
    policy,
    keys,
    pseudonymKey: Uint8Array.from({ length: 32 }, (_, i) => (i * 151 + 9) & 0xff),
    audit: sink,
    budget: memoryBudgetStore(),
    now: () => t0,
  })
})

/** A gate over one dataset with one partner, `lab`, holding one agreement for it. */
function labGate(
  dataset: Dataset,
  grant: { core: boolean; purpose: string; fields: string[] },
): Gate {
  const policy = loadPolicy(
    {
      issuer,
      partners: [
        {
          id: 'lab',
          name: 'Lab',
          category: 'innovation',
          standing: 'gold',
          core: grant.core,
          agreements: [
            {
              id: 'a',
              dataset: dataset.name,
              purpose: grant.purpose,
              fields: grant.fields,
              validFrom: '2026-01-01',
              validUntil: '2026-12-31',
            },
          ],
        },
      ],
    },
    { datasets: [dataset] },
  )
  return createGate({ issuer, datasets: [dataset], policy, keys, audit: false, now: () => t0 })
}

describe('gate.export and verifyExport', () => {
  it('signs a compact JWS the partner verifies, with every claim', async () => {
    const released = await gate.release(orders, courtesy)
    const signed = await gate.export(orders, courtesy)
    expect(signed.format).toBe('compact')
    expect(signed.token.split('.')).toHaveLength(3)
    const { records, meta } = await verifyExport(signed.token, verifyAs(keys))
    expect(records).toEqual(released.records)
    expect(meta).toMatchObject({
      iss: issuer,
      aud: 'rental-co',
      iat: t0.getTime() / 1000,
      exp: t0.getTime() / 1000 + 86_400,
      jti: signed.jti,
      purpose: 'courtesy-car',
      dataset: {
        name: 'repair_order',
        version: '2026-11',
        schemaHash: expect.stringMatching(/^sha256:/),
      },
      policyHash: gate.policy.hash,
      agreement: 'courtesy-car-2026',
      count: released.records.length,
    })
    expect(meta.report).toMatchObject({ rows: { released: released.records.length } })
  })

  it('signs flattened JSON and detached unencoded payloads', async () => {
    const flattened = await gate.export(orders, { ...courtesy, format: 'flattened' })
    expect(JSON.parse(flattened.token)).toHaveProperty('signature')
    expect((await verifyExport(flattened.token, verifyAs(keys))).records.length).toBe(
      flattened.count,
    )
    const detached = await gate.export(orders, { ...courtesy, format: 'detached' })
    expect(detached.token).toMatch(/^[\w-]+\.\.[\w-]+$/)
    expect(typeof detached.payload).toBe('string')
    const verified = await verifyExport(detached.token, {
      ...verifyAs(keys),
      payload: detached.payload as string,
    })
    expect(verified.records.length).toBe(detached.count)
    const tampered = (detached.payload as string).replace('"count":', '"count": ')
    expect(
      await codeOf(verifyExport(detached.token, { ...verifyAs(keys), payload: tampered })),
    ).toBe('ERR_SIGNATURE_INVALID')
  })

  it('encrypts to the partner key from the policy; only the partner key decrypts', async () => {
    const signed = await gate.export(orders, { ...courtesy, encrypt: true })
    expect(signed.format).toBe('jwe')
    expect(signed.token.split('.')).toHaveLength(5)
    const header = JSON.parse(
      Buffer.from(signed.token.split('.')[0] as string, 'base64url').toString(),
    )
    expect(header).toMatchObject({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: 'rental-enc-1' })
    expect(header).not.toHaveProperty('zip')
    const { records } = await verifyExport(signed.token, {
      ...verifyAs(keys),
      decryptionKey: partnerPrivate,
    })
    expect(records).toHaveLength(signed.count)
    const stranger = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256' })
    expect(
      await codeOf(
        verifyExport(signed.token, { ...verifyAs(keys), decryptionKey: stranger.privateKey }),
      ),
    ).toBe('ERR_DECRYPTION_FAILED')
    expect(
      await codeOf(
        gate.export(sampleRows('outlets'), {
          partner: 'maps-co',
          dataset: 'outlet',
          purpose: 'map-display',
          encrypt: true,
        }),
      ),
    ).toBe('ERR_KEY_UNSUPPORTED')
  })

  it('is addressed to one partner: another audience is rejected', async () => {
    const signed = await gate.export(orders, courtesy)
    expect(await codeOf(verifyExport(signed.token, verifyAs(keys, 'maps-co')))).toBe(
      'ERR_AUDIENCE_MISMATCH',
    )
  })

  it('never sends exact totals of an aggregate release, which could undo suppression', async () => {
    const signed = await gate.export(sampleRows('charging-sessions'), {
      partner: 'charge-net',
      dataset: 'charging_session',
      purpose: 'network-planning',
    })
    const { meta } = await verifyExport(signed.token, verifyAs(keys, 'charge-net'))
    const report = meta.report as {
      rows: Record<string, unknown>
      aggregate: Record<string, unknown>
    }
    expect(report.rows).not.toHaveProperty('received')
    expect(report.rows).not.toHaveProperty('released')
    expect(report.aggregate).not.toHaveProperty('totalRecords')
    expect(signed.report.rows.released).toBe(sampleRows('charging-sessions').length)
  })

  it('rotation: old exports verify while the old key is listed; new ones use the new key', async () => {
    const { rotateKeys, retireKey } = await import('../../src/export/keys.js')
    const old = await gate.export(orders, courtesy)
    const rotated = await rotateKeys(keys)
    const policy = gate.policy
    const next = createGate({
      issuer,
      datasets,
      policy,
      keys: rotated,
      pseudonymKey: Uint8Array.from({ length: 32 }, (_, i) => (i * 151 + 9) & 0xff),
      audit: memoryAuditSink(),
      budget: memoryBudgetStore(),
      now: () => t0,
    })
    const fresh = await next.export(orders, courtesy)
    expect(fresh.kid).not.toBe(old.kid)
    await verifyExport(old.token, verifyAs(rotated))
    await verifyExport(fresh.token, verifyAs(rotated))
    const retired = retireKey(rotated, old.kid)
    expect(await codeOf(verifyExport(old.token, verifyAs(retired)))).toBe('ERR_SIGNATURE_INVALID')
  })
})

describe('deltas', () => {
  const before = orders.slice(0, 120)
  const after = [
    ...orders.slice(0, 40),
    { ...(orders[40] as object), estimatedHours: 9, city: 'Ningbo' },
    ...orders.slice(42, 120),
    ...orders.slice(150, 160),
  ]

  it('signs a JSON Patch between released views that the partner applies to reach the new view', async () => {
    const base = (await gate.release(before, courtesy)).records
    const target = (await gate.release(after, courtesy)).records
    const delta = await gate.exportDelta(before, after, courtesy)
    expect(delta.patch.length).toBeGreaterThan(0)
    expect(delta.patch.length).toBeLessThan(target.length)
    const next = await applyDelta(base, delta.token, verifyAs(keys))
    expect(next).toEqual(target)
    expect(base).toEqual((await gate.release(before, courtesy)).records)
  })

  it('never diffs raw data: the patch holds no value of a field the partner does not receive', async () => {
    const delta = await gate.exportDelta(before, after, courtesy)
    const text = JSON.stringify(delta.patch)
    for (const order of after) {
      expect(text).not.toContain(order.customerName as string)
      expect(text).not.toContain(order.customerId as string)
    }
  })

  it('refuses aggregate agreements and fields with fresh noise', async () => {
    const charging = {
      partner: 'charge-net',
      dataset: 'charging_session',
      purpose: 'network-planning',
    }
    expect(await codeOf(gate.exportDelta([], [], charging))).toBe('ERR_INVALID_ARGUMENT')
    const { z } = await import('zod')
    const { defineDataset } = await import('../../src/classify/dataset.js')
    const { field } = await import('../../src/classify/field.js')
    const { noise } = await import('../../src/anonymize/noise.js')
    const Meter = defineDataset(
      'meter',
      z.object({
        id: field.public(z.string()),
        kwh: field.desensitised(z.number(), noise.laplace({ epsilon: 1, sensitivity: 1 })),
      }),
      { version: '1' },
    )
    const noisy = labGate(Meter, { core: true, purpose: 'study', fields: ['id', 'kwh'] })
    const request = { partner: 'lab', dataset: 'meter', purpose: 'study' }
    expect((await noisy.release([{ id: 'a', kwh: 3 }], request)).records).toHaveLength(1)
    expect(
      await codeOf(noisy.exportDelta([{ id: 'a', kwh: 3 }], [{ id: 'a', kwh: 4 }], request)),
    ).toBe('ERR_INVALID_ARGUMENT')
  })

  it('gives the same patch and digests whether the versions share row objects or not', async () => {
    const shared = await gate.exportDelta(before, after, courtesy)
    const copies = await gate.exportDelta(structuredClone(before), structuredClone(after), courtesy)
    expect(shared.patch).toEqual(copies.patch)
    expect(shared.baseDigest).toBe(copies.baseDigest)
    expect(shared.resultDigest).toBe(copies.resultDigest)
  })

  it('refuses to apply to another base view, or a tampered token', async () => {
    const base = (await gate.release(before, courtesy)).records
    const delta = await gate.exportDelta(before, after, courtesy)
    expect(await codeOf(applyDelta(base.slice(1), delta.token, verifyAs(keys)))).toBe(
      'ERR_DIGEST_MISMATCH',
    )
    const [h, p, s] = delta.token.split('.')
    const payload = JSON.parse(Buffer.from(p as string, 'base64url').toString())
    payload.patch.push({ op: 'add', path: '/0/__proto__/polluted', value: 1 })
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`
    expect(await codeOf(applyDelta(base, forged, verifyAs(keys)))).toBe('ERR_SIGNATURE_INVALID')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('streams', () => {
  async function collect(parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
    const out: StreamPart[] = []
    for await (const part of parts) out.push(part)
    return out
  }

  it('signs chunks and a manifest; verifyStream yields every record in order', async () => {
    const parts = await collect(gate.exportStream(orders, { ...courtesy, chunkSize: 10 }))
    const released = (await gate.release(orders, courtesy)).records
    const chunks = parts.filter((p) => p.kind === 'chunk')
    expect(chunks).toHaveLength(Math.ceil(released.length / 10))
    expect(parts.at(-1)).toMatchObject({
      kind: 'manifest',
      count: released.length,
      chunks: chunks.length,
    })
    const received: unknown[] = []
    for await (const chunk of verifyStream(parts, verifyAs(keys))) received.push(...chunk.records)
    expect(received).toEqual(released)
  })

  it('serialises chunks byte for byte as JSON would: multi-byte text, escapes, buffers past 64 KB', async () => {
    const { z } = await import('zod')
    const { defineDataset } = await import('../../src/classify/dataset.js')
    const { field } = await import('../../src/classify/field.js')
    const Note = defineDataset(
      'note',
      z.object({ id: field.public(z.string()), text: field.public(z.string()) }),
      {
        version: '1',
      },
    )
    const notes = labGate(Note, { core: false, purpose: 'read', fields: ['id', 'text'] })
    const rows = Array.from({ length: 12 }, (_, i) => ({
      id: `n${i}`,
      text: `杭州😀"quoted"\\ \n ${'é'.repeat(9_000 + i)} \u2028`,
    }))
    const parts = await collect(
      notes.exportStream(rows, { partner: 'lab', dataset: 'note', purpose: 'read', chunkSize: 5 }),
    )
    const received: unknown[] = []
    for await (const chunk of verifyStream(parts, verifyAs(keys, 'lab')))
      received.push(...chunk.records)
    expect(received).toEqual(rows)
  })

  it('accepts a Web ReadableStream and async iterables as input', async () => {
    const stream = new ReadableStream({
      start(controller) {
        for (const order of orders.slice(0, 30)) controller.enqueue(order)
        controller.close()
      },
    })
    const parts = await collect(gate.exportStream(stream, { ...courtesy, chunkSize: 4 }))
    const manifest = parts.at(-1)
    expect(manifest?.kind).toBe('manifest')
    async function* rows() {
      yield* orders.slice(0, 30)
    }
    const again = await collect(gate.exportStream(rows(), { ...courtesy, chunkSize: 4 }))
    expect(again.at(-1)).toMatchObject({ count: (manifest as { count: number }).count })
  })

  it('detects a missing, duplicated or reordered chunk, and a missing manifest', async () => {
    const parts = await collect(gate.exportStream(orders, { ...courtesy, chunkSize: 10 }))
    const tokens = parts.map((p) => p.token)
    const drain = async (list: string[]) => {
      for await (const _ of verifyStream(list, verifyAs(keys))) {
        // consume
      }
    }
    await drain(tokens)
    expect(await codeOf(drain([...tokens.slice(0, 2), ...tokens.slice(3)]))).toBe(
      'ERR_STREAM_INVALID',
    )
    expect(await codeOf(drain([tokens[0] as string, ...tokens]))).toBe('ERR_STREAM_INVALID')
    expect(
      await codeOf(drain([tokens[1] as string, tokens[0] as string, ...tokens.slice(2)])),
    ).toBe('ERR_STREAM_INVALID')
    expect(await codeOf(drain(tokens.slice(0, -1)))).toBe('ERR_STREAM_INVALID')
    const other = await collect(gate.exportStream(orders, { ...courtesy, chunkSize: 10 }))
    expect(await codeOf(drain([...tokens.slice(0, -1), other.at(-1)?.token as string]))).toBe(
      'ERR_STREAM_INVALID',
    )
  })

  it('emits no manifest when a row fails half-way', async () => {
    const broken = orders.map((o, i) => (i === 55 ? { ...o, estimatedHours: 'x' } : o))
    const seen: StreamPart[] = []
    const code = await codeOf(
      (async () => {
        for await (const part of gate.exportStream(broken, { ...courtesy, chunkSize: 5 }))
          seen.push(part)
      })(),
    )
    expect(code).toBe('ERR_RECORD_INVALID')
    expect(seen.some((p) => p.kind === 'manifest')).toBe(false)
  })

  it('refuses aggregate agreements and a bad chunk size', () => {
    expect(() =>
      gate.exportStream([], {
        partner: 'charge-net',
        dataset: 'charging_session',
        purpose: 'network-planning',
      }),
    ).toThrowError(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
  })
})

describe('audit trail', () => {
  it('writes one event per release, export, delta and stream, chained, without raw values', async () => {
    const start = sink.events.length
    await gate.release(orders, courtesy)
    await gate.export(orders, courtesy)
    await gate.exportDelta(orders.slice(0, 10), orders.slice(0, 12), courtesy)
    for await (const _ of gate.exportStream(orders, { ...courtesy, chunkSize: 50 })) {
      // drain
    }
    const added = sink.events
      .slice(start)
      .filter((e) => e.type !== 'checkpoint' && e.type !== 'policy') as AuditEvent[]
    expect(added.map((e) => e.type)).toEqual([
      'release',
      'export',
      'delta',
      'stream-start',
      'stream-end',
    ])
    for (const event of added) {
      if (event.type === 'denied' || event.type === 'policy') continue
      if (
        event.type === 'checkpoint' ||
        event.type === 'resume' ||
        event.type === 'standing-change'
      )
        continue
      expect(event).toMatchObject({
        partner: 'rental-co',
        dataset: 'repair_order',
        purpose: 'courtesy-car',
        agreement: 'courtesy-car-2026',
        policyHash: gate.policy.hash,
      })
      if (event.type !== 'stream-start')
        expect(event.payloadDigest).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(event.fields.map((f) => f.path)).toContain('customerId')
    }
    expect(verifyAuditChain(sink.events)).toMatchObject({ ok: true })
    const text = JSON.stringify(sink.events)
    for (const order of orders.slice(0, 60)) {
      expect(text).not.toContain(order.orderId as string)
      expect(text).not.toContain(order.customerId as string)
    }
  })

  it('fails closed when the audit sink fails: no token is returned', async () => {
    const failing = createGate({
      issuer,
      datasets,
      policy: gate.policy,
      keys,
      pseudonymKey: Uint8Array.from({ length: 32 }, (_, i) => (i * 151 + 9) & 0xff),
      budget: memoryBudgetStore(),
      now: () => t0,
      audit: {
        append() {
          throw new Error('disk full')
        },
      },
    })
    expect(await codeOf(failing.export(orders, courtesy))).toBe('ERR_AUDIT_WRITE_FAILED')
  })
})
