// Threats at the gate: a token that leaves without its audit event (no sink, abandoned or
// aborted streams), refusals that leave no trace, a policy change nobody can see afterwards,
// and checkpoints that stop verifying once the key rotates.
import { afterAll, describe, expect, it } from 'vitest'
import { isDatagateError } from '../../src/errors.js'
import {
  memoryAuditSink,
  memoryCheckpointSink,
  verifyAuditChain,
  verifyAuditLog,
  verifyCheckpoint,
} from '../../src/export/audit.js'
import { createGate } from '../../src/export/gate.js'
import { generateKeys, retireKey, rotateKeys } from '../../src/export/keys.js'
import { verifyExport } from '../../src/export/verify-export.js'
import { loadPolicy } from '../../src/policy/load.js'
import { cleanup, Harness, ISSUER, map, Outlet, policy, rows, SINKS, T0 } from './audit-harness.js'

afterAll(cleanup)

const asPartner = (h: Harness) => ({
  jwks: h.keys.jwks(),
  issuer: ISSUER,
  audience: 'maps-co',
  now: () => new Date(h.clock),
})

describe('nothing is signed without an audit choice', () => {
  it('a gate with keys and no audit sink refuses to start with ERR_AUDIT_REQUIRED', async () => {
    const keys = await generateKeys()
    let caught: unknown
    try {
      createGate({ issuer: ISSUER, datasets: [Outlet], policy, keys })
    } catch (error) {
      caught = error
    }
    expect(isDatagateError(caught, 'ERR_AUDIT_REQUIRED')).toBe(true)
  })

  it('audit: false is stated in every signed token, so the partner knows nothing was logged', async () => {
    const keys = await generateKeys()
    const gate = createGate({
      issuer: ISSUER,
      datasets: [Outlet],
      policy,
      keys,
      audit: false,
      now: () => T0,
    })
    const signed = await gate.export(rows(2), map)
    const { meta } = await verifyExport(signed.token, {
      jwks: keys.jwks(),
      issuer: ISSUER,
      audience: 'maps-co',
      now: () => T0,
    })
    expect(meta.audit).toBe(false)
    expect(signed.audit).toBe(false)
  })
})

describe.each(SINKS)('on the %s sink', (kind) => {
  it('a stream abandoned after its first chunk has its stream-start on the chain before the chunk left, and verification lists it', async () => {
    const h = await Harness.create(kind)
    const gate = await h.start()
    const parts = gate.exportStream(rows(30), { ...map, chunkSize: 6 })
    const first = await parts.next()
    expect(first.value?.kind).toBe('chunk')
    // The start is durable before the first chunk was handed over.
    const before = await h.events()
    expect(before.at(-1)?.type).toBe('stream-start')
    await parts.return(undefined) // the consumer walks away with 6 signed records
    await h.stop()
    const report = await verifyAuditLog(await h.events(), { jwks: h.keys.jwks(), issuer: ISSUER })
    expect(report.ok).toBe(true)
    expect(report.warnings.filter((w) => w.code === 'stream_unfinished')).toHaveLength(1)
  })

  it('a stream aborted by a bad row leaves a start without an end', async () => {
    const h = await Harness.create(kind)
    const gate = await h.start()
    const source = [...rows(8), { id: 'bad', city: 42 }]
    await expect(
      (async () => {
        for await (const _ of gate.exportStream(source, { ...map, chunkSize: 4 })) {
          // drain
        }
      })(),
    ).rejects.toMatchObject({ code: 'ERR_RECORD_INVALID' })
    await h.stop()
    const events = await h.events()
    expect(events.filter((e) => e.type === 'stream-start')).toHaveLength(1)
    expect(events.filter((e) => e.type === 'stream-end')).toHaveLength(0)
    const report = await verifyAuditLog(events, { jwks: h.keys.jwks(), issuer: ISSUER })
    expect(report.warnings.map((w) => w.code)).toContain('stream_unfinished')
  })

  it('a stream over a source that is not iterable is refused when made, before any stream-start', async () => {
    const h = await Harness.create(kind)
    const gate = await h.start()
    for (const source of [null, 42, { length: 3 }, 'rows']) {
      let caught: unknown
      try {
        gate.exportStream(source as unknown as unknown[], map)
      } catch (error) {
        caught = error
      }
      expect(isDatagateError(caught, 'ERR_INVALID_ARGUMENT'), String(source)).toBe(true)
    }
    await h.stop()
    const types = (await h.events()).map((e) => e.type)
    expect(types).not.toContain('stream-start')
    expect(types).not.toContain('denied')
  })

  it('refusals of known partners are on the chain with their code and no values; unknown partners are not', async () => {
    const h = await Harness.create(kind)
    const gate = await h.start()
    const refusals = [
      [{ partner: 'old-co', dataset: 'outlet', purpose: 'map' }, 'ERR_PARTNER_SUSPENDED'],
      [{ partner: 'maps-co', dataset: 'outlet', purpose: 'advertising' }, 'ERR_NOT_PERMITTED'],
      [{ partner: 'maps-co', dataset: 'customer', purpose: 'map' }, 'ERR_UNKNOWN_DATASET'],
    ] as const
    for (const [request, code] of refusals)
      await expect(gate.export(rows(1, 'CANARY'), request)).rejects.toMatchObject({ code })
    // A stream's refusal surfaces on its first read, once its denied event is written.
    const refused = gate.exportStream(rows(1), { ...refusals[0][0] })
    await expect(refused.next()).rejects.toMatchObject({ code: 'ERR_PARTNER_SUSPENDED' })
    await expect(
      gate.export(rows(1), { partner: 'nobody', dataset: 'outlet', purpose: 'map' }),
    ).rejects.toMatchObject({ code: 'ERR_UNKNOWN_PARTNER' })
    await h.stop()
    const denied = (await h.events()).filter((e) => e.type === 'denied')
    expect(denied.map((e) => [e.partner, e.code])).toEqual([
      ['old-co', 'ERR_PARTNER_SUSPENDED'],
      ['maps-co', 'ERR_NOT_PERMITTED'],
      ['maps-co', 'ERR_UNKNOWN_DATASET'],
      ['old-co', 'ERR_PARTNER_SUSPENDED'],
    ])
    expect(h.fileText()).not.toContain('CANARY')
    expect(h.fileText()).not.toContain('nobody')
  })

  it('every export, delta and stream manifest carries a receipt the log verifies against', async () => {
    const h = await Harness.create(kind)
    const gate = await h.start()
    const exported = await gate.export(rows(3), map)
    const delta = await gate.exportDelta(rows(3), rows(4), map)
    let manifest = ''
    for await (const part of gate.exportStream(rows(5), { ...map, chunkSize: 2 }))
      if (part.kind === 'manifest') manifest = part.token
    await h.stop()
    const { meta } = await verifyExport(exported.token, asPartner(h))
    expect(meta.audit).toMatchObject({
      seq: expect.any(Number),
      head: expect.stringMatching(/^sha256:/),
    })
    expect(typeof (meta.audit as { checkpoint: unknown }).checkpoint).toBe('string')
    const report = await verifyAuditLog(await h.events(), {
      jwks: h.keys.jwks(),
      issuer: ISSUER,
      receipts: [exported.token, delta.token, manifest],
    })
    expect(report).toMatchObject({ ok: true, issues: [] })
  })

  it('the policy in force is on the chain at start and whenever setPolicy changes it', async () => {
    const h = await Harness.create(kind)
    const gate = await h.start()
    await gate.export(rows(1), map)
    gate.setPolicy(policy) // same hash: nothing new
    const changed = loadPolicy(
      { ...policy.document, partners: [policy.document.partners[0]!] },
      { datasets: [Outlet] },
    )
    gate.setPolicy(changed)
    await gate.export(rows(1), map)
    await h.stop()
    const events = await h.events()
    const policies = events.filter((e) => e.type === 'policy')
    expect(policies.map((e) => e.policyHash)).toEqual([policy.hash, changed.hash])
    const exports = events.filter((e) => e.type === 'export')
    expect(exports.map((e) => e.policyHash)).toEqual([policy.hash, changed.hash])
    // Each export comes after the policy event it names.
    expect(policies[1]!.seq).toBeLessThan(exports[1]!.seq)
  })
})

describe('checkpoints', () => {
  it('are written every checkpointEvery events, on checkpoint() and on close(), each copied to the checkpoint sink', async () => {
    const sink = memoryAuditSink()
    const copies = memoryCheckpointSink()
    const keys = await generateKeys()
    const gate = createGate({
      issuer: ISSUER,
      datasets: [Outlet],
      policy,
      keys,
      audit: sink,
      checkpointEvery: 3,
      checkpointIntervalMs: 0,
      checkpointSink: copies,
      now: () => T0,
    })
    for (let i = 0; i < 7; i++) await gate.release(rows(1), map)
    const token = await gate.checkpoint()
    await gate.close()
    // policy and the startup checkpoint, then one after every 3 events, the explicit one
    // (one release was not yet signed) and the final one
    expect(sink.events.map((e) => e.type)).toEqual([
      'policy',
      'checkpoint',
      'release',
      'release',
      'release',
      'checkpoint',
      'release',
      'release',
      'release',
      'checkpoint',
      'release',
      'checkpoint',
      'checkpoint',
    ])
    const inLog = sink.events.flatMap((e) => (e.type === 'checkpoint' ? [e.token] : []))
    expect(copies.tokens).toEqual(inLog)
    expect(inLog).toContain(token)
    const last = await verifyCheckpoint(inLog.at(-1)!, { jwks: keys.jwks(), issuer: ISSUER })
    expect(last).toMatchObject({ seq: sink.events.length - 2, final: true })
    await expect(gate.export(rows(1), map)).rejects.toMatchObject({ code: 'ERR_GATE_CLOSED' })
  })

  it('are written on a timer while events arrive (that the timer never holds the process open is in audit-crash)', async () => {
    const sink = memoryAuditSink()
    const gate = createGate({
      issuer: ISSUER,
      datasets: [Outlet],
      policy,
      keys: await generateKeys(),
      audit: sink,
      checkpointIntervalMs: 20,
      now: () => T0,
    })
    await gate.release(rows(1), map)
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(sink.events.map((e) => e.type)).toEqual([
      'policy',
      'checkpoint',
      'release',
      'checkpoint',
    ])
    await gate.close()
  })

  it('signed by a retired key still verify after rotation while the key stays verify-only in the JWKS', async () => {
    const h = await Harness.create('memory')
    await h.start()
    await h.exports(2)
    await h.stop()
    const rotated = retireKey(await rotateKeys(h.keys), h.keys.current.kid, { verifyOnly: true })
    expect(rotated.get(h.keys.current.kid)?.privateKey).toBeUndefined()
    const report = await verifyAuditLog(await h.events(), {
      jwks: rotated.jwks(),
      issuer: ISSUER,
      receipts: h.receipts,
      checkpoints: h.copies.tokens,
    })
    expect(report.ok).toBe(true)
    const gone = await verifyAuditLog(await h.events(), {
      jwks: retireKey(await rotateKeys(h.keys), h.keys.current.kid).jwks(),
      issuer: ISSUER,
    })
    expect(gone.issues.map((i) => i.code)).toContain('checkpoint_invalid')
  })

  it('a gate that opens an existing log writes a resume, and its first checkpoint names the resumed position', async () => {
    const h = await Harness.create('file')
    await h.start()
    await h.exports(1)
    await h.stop()
    const before = await h.events()
    await h.start()
    await h.stop()
    const after = await h.events()
    const resume = after[before.length]!
    expect(resume).toMatchObject({
      type: 'resume',
      from: { seq: before.at(-1)!.seq, head: before.at(-1)!.hash },
    })
    const checkpoint = after.find((e) => e.seq > resume.seq && e.type === 'checkpoint')
    const claims = await verifyCheckpoint(
      checkpoint!.type === 'checkpoint' ? checkpoint!.token : '',
      { jwks: h.keys.jwks() },
    )
    expect(claims.resumed).toEqual(resume.type === 'resume' ? resume.from : undefined)
    expect(verifyAuditChain(after).ok).toBe(true)
  })
})
