// A behaviour trace of the gate, written so that the same file runs against the gate before its
// split into gate-*.ts (commit 567069e) and after: every operation on a closed gate, on refused
// and malformed requests, concurrent calls, setPolicy's refusals and signMessage's once-only rule,
// each recorded with how it failed (thrown at once or rejected, and the code) and the audit events
// it wrote, hashes and all. Keys, clock and randomness are fixed, so two runs of one gate produce
// the same chain byte for byte; with GATE_TRACE_OUT set the trace is also written there, so the
// trace of the old gate can be diffed with the new one's.
import { createPrivateKey } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { memoryAuditSink } from '../../src/export/audit.js'
import { memoryBudgetStore } from '../../src/export/budget.js'
import { memoryConsentStore } from '../../src/export/consent-store.js'
import { createGate, type Gate } from '../../src/export/gate.js'
import type { KeyRing } from '../../src/export/key-ring.js'
import { importKeys } from '../../src/export/keys.js'
import { contentDigestOf } from '../../src/lib/digest.js'
import { loadPolicy } from '../../src/policy/load.js'
import { datasets, policyWith, samplePolicyYaml, sampleRows } from '../policy/fixtures.js'
import { Claim, claimPolicy, SCOPE } from './consent-fixture.js'
import {
  JUNE,
  Order,
  PSEUDONYM_KEY,
  sourceRows,
  tracePolicyDocument,
  WATERMARK_KEY,
} from './trace-fixture.js'

const issuer = 'oem-aftersales'
const t0 = new Date('2026-06-15T08:00:00Z')
const courtesy = { partner: 'rental-co', dataset: 'repair_order', purpose: 'courtesy-car' }
const orders = sampleRows('repair-orders')

/** An Ed25519 key from a fixed seed: its signatures, so the checkpoints, are deterministic. */
function fixedKeys(): Promise<KeyRing> {
  const seed = Buffer.alloc(32, 7)
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed])
  const pem = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({
    format: 'pem',
    type: 'pkcs8',
  }) as string
  return importKeys([{ pem, alg: 'EdDSA', kid: 'fixed-1' }])
}

/** Deterministic random bytes (xorshift32), fresh per gate. */
function fixedRandom(): (length: number) => Uint8Array {
  let state = 0x2545f491
  return (length) => {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i++) {
      state ^= state << 13
      state ^= state >>> 17
      state ^= state << 5
      out[i] = state & 0xff
    }
    return out
  }
}

async function makeGate(extra: { budget?: boolean; keys?: boolean } = {}) {
  const sink = memoryAuditSink()
  const keys = extra.keys === false ? undefined : await fixedKeys()
  const gate = createGate({
    issuer,
    datasets,
    policy: loadPolicy(samplePolicyYaml, { datasets }),
    ...(keys ? { keys } : {}),
    pseudonymKey: Uint8Array.from({ length: 32 }, (_, i) => (i * 151 + 9) & 0xff),
    audit: sink,
    ...(extra.budget === false ? {} : { budget: memoryBudgetStore() }),
    now: () => t0,
    random: fixedRandom(),
    checkpointIntervalMs: 0,
  })
  return { gate, sink }
}

type Outcome =
  | { readonly how: 'ok'; readonly value: unknown }
  | { readonly how: 'threw' | 'rejected'; readonly code: unknown; readonly message: unknown }

function failure(how: 'threw' | 'rejected', error: unknown): Outcome {
  const e = error as { code?: unknown; message?: unknown }
  return { how, code: e?.code, message: e?.message }
}

/** Summary of what an operation returned: its shape, never the whole token. */
function summary(value: unknown): unknown {
  if (value === undefined || value === null || typeof value !== 'object') return value ?? null
  if (value instanceof Uint8Array) return { bytes: value.length }
  const v = value as Record<string, unknown>
  if (Array.isArray(v)) return { length: v.length }
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((key) => [key, typeof v[key] === 'object' && v[key] !== null ? 'object' : v[key]]),
  )
}

/** Runs `call`, telling a synchronous throw from a rejection; drains async generators. */
async function outcomeOf(call: () => unknown): Promise<Outcome> {
  let result: unknown
  try {
    result = call()
  } catch (error) {
    return failure('threw', error)
  }
  try {
    if (result && typeof (result as AsyncGenerator).next === 'function') {
      const parts: unknown[] = []
      for await (const part of result as AsyncGenerator) parts.push(summary(part))
      return { how: 'ok', value: parts }
    }
    return { how: 'ok', value: summary(await result) }
  } catch (error) {
    return failure('rejected', error)
  }
}

const trace: Record<string, unknown>[] = []

async function record(
  scenario: string,
  step: string,
  sink: ReturnType<typeof memoryAuditSink>,
  call: () => unknown,
): Promise<Outcome> {
  const before = sink.events.length
  const outcome = await outcomeOf(call)
  trace.push({ scenario, step, outcome, events: sink.events.slice(before) })
  return outcome
}

/** Every operation of the gate, each called once with arguments that would succeed on an open gate. */
function operations(gate: Gate, manifest: () => string): [string, () => unknown][] {
  return [
    ['release', () => gate.release(orders, courtesy)],
    ['export', () => gate.export(orders, courtesy)],
    ['exportUnlessHeld', () => gate.exportUnlessHeld(orders, courtesy, ['*'])],
    ['releaseJson', () => gate.releaseJson(orders, courtesy)],
    ['exportDelta', () => gate.exportDelta(orders.slice(1), orders, courtesy)],
    ['exportStream', () => gate.exportStream(orders, { ...courtesy, chunkSize: 3 })],
    ['signStreamSet', () => gate.signStreamSet({ ...courtesy, set: 's', manifests: [manifest()] })],
    ['plan', () => gate.plan(courtesy).agreement.id],
    ['explain', () => gate.explain(courtesy).fields?.length ?? 'explained'],
    ['jwks', () => gate.jwks().keys.length],
    ['signingKey', () => gate.signingKey()],
    ['signMessage', () => gate.signMessage('"@signature-params": ();keyid="fixed-1"')],
    ['accessMatrix', () => typeof gate.accessMatrix()],
    ['setPolicy', () => gate.setPolicy(gate.policy)],
    ['checkpoint', () => gate.checkpoint()],
  ]
}

const requests: [string, unknown][] = [
  ['null', null],
  ['empty', {}],
  ['partner-number', { ...courtesy, partner: 1 }],
  ['dataset-empty', { ...courtesy, dataset: '' }],
  ['unknown-dataset', { ...courtesy, dataset: 'repair_orders' }],
  ['unknown-partner', { ...courtesy, partner: 'nobody' }],
  ['yellow-partner', { partner: 'insure-co', dataset: 'customer', purpose: 'claims' }],
  ['wrong-purpose', { ...courtesy, purpose: 'marketing' }],
  ['no-agreement-for-dataset', { partner: 'rental-co', dataset: 'outlet', purpose: 'map-display' }],
  [
    'aggregate',
    { partner: 'charge-net', dataset: 'charging_session', purpose: 'network-planning' },
  ],
]

describe('the gate behaves as before its split (trace)', () => {
  it('every operation of a closed gate', async () => {
    const { gate, sink } = await makeGate()
    let manifest = ''
    for await (const part of gate.exportStream(orders, courtesy)) manifest = part.token
    await gate.close()
    await record('closed', 'close-again', sink, () => gate.close())
    for (const [name, call] of operations(gate, () => manifest))
      await record('closed', name, sink, call)
    const closed = new Map(
      trace
        .filter((t) => t.scenario === 'closed')
        .map((t) => [t.step as string, t as { outcome: Outcome; events: unknown[] }]),
    )
    // Everything that releases, signs or changes the gate is refused, and writes nothing.
    for (const [step, how] of [
      ['release', 'rejected'],
      ['export', 'rejected'],
      ['exportUnlessHeld', 'rejected'],
      ['releaseJson', 'rejected'],
      ['exportDelta', 'rejected'],
      ['exportStream', 'threw'],
      ['signStreamSet', 'rejected'],
      ['signMessage', 'rejected'],
      ['setPolicy', 'threw'],
      ['checkpoint', 'threw'],
    ] as const)
      expect(closed.get(step)?.outcome, step).toMatchObject({ how, code: 'ERR_GATE_CLOSED' })
    expect([...closed.values()].flatMap((t) => t.events)).toEqual([])
    expect(closed.get('close-again')?.outcome.how).toBe('ok')
  })

  it('refused and malformed requests of every operation that takes one', async () => {
    for (const [label, request] of requests) {
      const { gate, sink } = await makeGate()
      const r = request as typeof courtesy
      const calls: [string, () => unknown][] = [
        ['release', () => gate.release(orders, r)],
        ['export', () => gate.export(orders, r)],
        ['exportUnlessHeld', () => gate.exportUnlessHeld(orders, r, ['*'])],
        ['releaseJson', () => gate.releaseJson(orders, r)],
        ['exportDelta', () => gate.exportDelta([], orders, r)],
        ['exportStream', () => gate.exportStream(orders, r)],
        ['signStreamSet', () => gate.signStreamSet({ ...r, set: 's', manifests: ['x'] })],
        ['plan', () => gate.plan(r).agreement.id],
        ['explain', () => typeof gate.explain(r)],
      ]
      for (const [name, call] of calls) await record(`request:${label}`, name, sink, call)
    }
    const of = (label: string) =>
      trace.filter((t) => t.scenario === `request:${label}`) as {
        step: string
        outcome: Outcome
        events: { type: string }[]
      }[]
    const async = ['release', 'export', 'exportUnlessHeld', 'releaseJson', 'exportDelta']
    // Refusals of a request naming a known partner are on the chain (one `denied` each) before
    // they reject; malformed requests and unknown partners reject with nothing written.
    for (const label of [
      'yellow-partner',
      'wrong-purpose',
      'no-agreement-for-dataset',
      'unknown-dataset',
    ]) {
      for (const t of of(label).filter((t) =>
        [...async, 'exportStream', 'signStreamSet'].includes(t.step),
      )) {
        expect(t.outcome.how, `${label} ${t.step}`).toBe('rejected')
        expect(
          t.events.filter((e) => e.type === 'denied'),
          `${label} ${t.step}`,
        ).toHaveLength(1)
      }
    }
    // explain answers for any partner, known or not (it releases nothing).
    for (const label of ['null', 'empty', 'partner-number', 'dataset-empty', 'unknown-partner'])
      for (const t of of(label).filter(
        (t) => !(label === 'unknown-partner' && t.step === 'explain'),
      )) {
        expect(t.outcome.how, `${label} ${t.step}`).not.toBe('ok')
        expect(
          t.events.filter((e) => e.type === 'denied'),
          `${label} ${t.step}`,
        ).toEqual([])
      }
    // Bad input is a DatagateError everywhere, explain too (it looked the dataset up unchecked).
    for (const t of requests.flatMap(([label]) => of(label)))
      if (t.outcome.how !== 'ok')
        expect(String(t.outcome.code), `${t.step} ${JSON.stringify(t.outcome)}`).toMatch(/^ERR_/)
  })

  it('bad export options, a gate without keys, and a gate without a budget', async () => {
    const { gate, sink } = await makeGate()
    const bad: [string, () => unknown][] = [
      ['format-bogus', () => gate.export(orders, { ...courtesy, format: 'jwe' as 'compact' })],
      [
        'encrypt-flattened',
        () => gate.export(orders, { ...courtesy, format: 'flattened', encrypt: true }),
      ],
      ['encrypt-no-key', () => gate.export(orders, { ...courtesy, encrypt: true })],
      ['held-bogus', () => gate.exportUnlessHeld(orders, courtesy, 5 as unknown as string[])],
      [
        'releaseJson-options-null',
        () => gate.releaseJson(orders, courtesy, null as unknown as { held?: string[] }),
      ],
      [
        'releaseJson-held-bogus',
        () => gate.releaseJson(orders, courtesy, { held: 5 as unknown as string[] }),
      ],
      [
        'delta-previousAt-bogus',
        () => gate.exportDelta([], orders, { ...courtesy, previousAt: 'x' as unknown as Date }),
      ],
      ['stream-chunk-zero', () => gate.exportStream(orders, { ...courtesy, chunkSize: 0 })],
      ['stream-chunk-nan', () => gate.exportStream(orders, { ...courtesy, chunkSize: Number.NaN })],
      ['stream-rows-null', () => gate.exportStream(null as unknown as unknown[], courtesy)],
      ['release-rows-null', () => gate.release(null as unknown as unknown[], courtesy)],
      ['export-rows-number', () => gate.export(3 as unknown as unknown[], courtesy)],
      ['set-empty', () => gate.signStreamSet({ ...courtesy, set: '', manifests: ['x'] })],
      ['set-no-manifests', () => gate.signStreamSet({ ...courtesy, set: 's', manifests: [] })],
      [
        'set-bad-manifest',
        () => gate.signStreamSet({ ...courtesy, set: 's', manifests: ['a.b.c'] }),
      ],
      ['set-request-null', () => gate.signStreamSet(null as unknown as never)],
      ['explain-null', () => gate.explain(null as unknown as typeof courtesy)],
    ]
    for (const [name, call] of bad) await record('bad-options', name, sink, call)
    const keyless = await makeGate({ keys: false })
    for (const [name, call] of operations(keyless.gate, () => 'a.b.c'))
      await record('keyless', name, keyless.sink, call)
    const unbudgeted = await makeGate({ budget: false }).catch((error) => error)
    trace.push({ scenario: 'unbudgeted', outcome: failure('threw', unbudgeted) })
    expect(trace.some((t) => t.scenario === 'keyless')).toBe(true)
  })

  it('concurrent calls (traced: the chain order is compared with the gate before the split)', async () => {
    const { gate, sink } = await makeGate()
    const calls = [
      () => gate.export(orders, courtesy),
      () => gate.release(orders, { partner: 'nobody', dataset: 'repair_order', purpose: 'x' }),
      () => gate.releaseJson(orders, courtesy),
      () => gate.exportUnlessHeld(orders, courtesy, ['*']),
      () => gate.exportDelta(orders.slice(2), orders, courtesy),
      () => gate.release(orders, courtesy),
      () => gate.export(orders, { partner: 'insure-co', dataset: 'customer', purpose: 'claims' }),
      () => gate.export(orders, { ...courtesy, format: 'detached' }),
      () => gate.releaseJson(orders, courtesy, { held: ['*'] }),
      () => gate.exportStream(orders, { ...courtesy, chunkSize: 4 }),
      () => gate.checkpoint(),
      () =>
        gate.exportDelta([], orders, {
          partner: 'maps-co',
          dataset: 'outlet',
          purpose: 'map-display',
        }),
    ]
    const before = sink.events.length
    const outcomes = await Promise.all(calls.map((call) => outcomeOf(call)))
    trace.push({ scenario: 'concurrent', outcomes, events: sink.events.slice(before) })
    expect(outcomes).toHaveLength(calls.length)
  })

  it('watermark rows and consent: each operation alone, then all at once', async () => {
    const markedSink = memoryAuditSink()
    const wm = createGate({
      issuer,
      datasets: [Order],
      policy: loadPolicy(tracePolicyDocument(5), { datasets: [Order] }),
      keys: await fixedKeys(),
      audit: markedSink,
      pseudonymKey: PSEUDONYM_KEY,
      watermarkKey: WATERMARK_KEY,
      now: JUNE,
      random: fixedRandom(),
      checkpointIntervalMs: 0,
    })
    const wmRequest = { partner: 'insure-co', dataset: 'repair_order', purpose: 'service' }
    const wmRows = sourceRows(40)
    const may = new Date('2026-05-10T08:00:00Z')
    const wmCalls: [string, () => unknown][] = [
      ['release', () => wm.release(wmRows, wmRequest)],
      ['export', () => wm.export(wmRows, wmRequest)],
      ['exportUnlessHeld', () => wm.exportUnlessHeld(wmRows, wmRequest, ['*'])],
      ['releaseJson', () => wm.releaseJson(wmRows, wmRequest)],
      ['releaseJson-held', () => wm.releaseJson(wmRows, wmRequest, { held: ['*'] })],
      [
        'exportDelta',
        () => wm.exportDelta(wmRows.slice(3), wmRows, { ...wmRequest, previousAt: may }),
      ],
      ['exportStream', () => wm.exportStream(wmRows, wmRequest)],
    ]
    for (const [name, call] of wmCalls) await record('watermark', name, markedSink, call)
    const before = markedSink.events.length
    const together = await Promise.all(wmCalls.map(([, call]) => outcomeOf(call)))
    trace.push({
      scenario: 'watermark-concurrent',
      together,
      events: markedSink.events.slice(before),
    })

    const scope = SCOPE
    const consentPolicy = claimPolicy()
    const granted = new Date('2026-01-01T00:00:00Z')
    const consentSink = memoryAuditSink()
    const consented = createGate({
      issuer,
      datasets: [Claim],
      policy: consentPolicy,
      keys: await fixedKeys(),
      audit: consentSink,
      pseudonymKey: PSEUDONYM_KEY,
      consent: memoryConsentStore(
        Array.from({ length: 30 }, (_, i) => i)
          .filter((i) => i % 7 !== 3)
          .map((i) => ({ subject: `subject-${i}`, scope, at: granted, event: 'grant' as const })),
      ),
      now: () => t0,
      random: fixedRandom(),
      checkpointIntervalMs: 0,
    })
    const claims = Array.from({ length: 30 }, (_, i) => ({
      claimId: `K-${i}`,
      customerId: `C-${i}`,
      phone: `138${String(i).padStart(8, '0')}`,
      hours: i % 9,
      name: `subject-${i}`,
    }))
    const claimRequest = { partner: 'insure-co', dataset: 'claim', purpose: 'claims' }
    const consentCalls: [string, () => unknown][] = [
      ['release', () => consented.release(claims, claimRequest)],
      ['export', () => consented.export(claims, claimRequest)],
      ['exportUnlessHeld', () => consented.exportUnlessHeld(claims, claimRequest, ['*'])],
      ['releaseJson', () => consented.releaseJson(claims, claimRequest)],
      [
        'exportDelta',
        () =>
          consented.exportDelta(claims.slice(4), claims, { ...claimRequest, previousAt: granted }),
      ],
      ['exportDelta-no-previousAt', () => consented.exportDelta(claims, claims, claimRequest)],
      ['exportStream', () => consented.exportStream(claims, { ...claimRequest, chunkSize: 4 })],
      [
        'release-bad-row',
        () => consented.release([...claims.slice(0, 5), { claimId: 1 }], claimRequest),
      ],
    ]
    for (const [name, call] of consentCalls) await record('consent', name, consentSink, call)
    const start = consentSink.events.length
    const all = await Promise.all(consentCalls.map(([, call]) => outcomeOf(call)))
    trace.push({ scenario: 'consent-concurrent', all, events: consentSink.events.slice(start) })
    const steps = trace.filter((t) => t.scenario === 'consent') as {
      step: string
      outcome: Outcome
    }[]
    expect(steps.find((t) => t.step === 'exportDelta-no-previousAt')?.outcome).toMatchObject({
      how: 'rejected',
      code: 'ERR_INVALID_ARGUMENT',
    })
    expect(steps.find((t) => t.step === 'release')?.outcome.how).toBe('ok')
    const wmSteps = trace.filter((t) => t.scenario === 'watermark') as {
      step: string
      outcome: Outcome
    }[]
    expect(wmSteps.find((t) => t.step === 'exportStream')?.outcome).toMatchObject({
      how: 'threw',
      code: 'ERR_INVALID_ARGUMENT',
    })
    expect(wmSteps.find((t) => t.step === 'export')?.outcome.how).toBe('ok')
  })

  it("setPolicy's refusals and their order, and signMessage's once-only rule", async () => {
    const { gate, sink } = await makeGate({ budget: false }).catch(async () => {
      // The sample policy spends budget: a gate without a store is refused; take one that does not.
      const s = memoryAuditSink()
      const g = createGate({
        issuer,
        datasets,
        policy: loadPolicy(policyWith(), { datasets }),
        keys: await fixedKeys(),
        audit: s,
        now: () => t0,
        random: fixedRandom(),
        checkpointIntervalMs: 0,
      })
      return { gate: g, sink: s }
    })
    const other = loadPolicy(policyWith({}, { issuer: 'someone-else' }), { datasets })
    const spending = loadPolicy(samplePolicyYaml, { datasets })
    const wider = loadPolicy(
      policyWith({ agreements: [{ fields: ['orderId', 'city', 'outletId'] }] }),
      {
        datasets,
      },
    )
    const steps: [string, () => unknown][] = [
      ['null', () => gate.setPolicy(null as unknown as typeof other)],
      ['no-document', () => gate.setPolicy({ issuer } as unknown as typeof other)],
      ['other-issuer', () => gate.setPolicy(other)],
      ['spends-without-store', () => gate.setPolicy(spending)],
      [
        'policy-hash-unchanged',
        () => gate.policy.hash === loadPolicy(policyWith(), { datasets }).hash,
      ],
      ['wider', () => gate.setPolicy(wider)],
      ['release-after', () => gate.release(orders, courtesy)],
      ['policy-hash-now', () => gate.policy.hash === wider.hash],
    ]
    // The start's policy and checkpoint events first, so that each step shows only its own.
    await gate.checkpoint()
    for (const [name, call] of steps) await record('setPolicy', name, sink, call)
    const detached = await gate.export(orders, { ...courtesy, format: 'detached' })
    const payload = JSON.parse(detached.payload as string) as Record<string, unknown>
    const { records, ...meta } = payload
    const digest = contentDigestOf([
      new TextEncoder().encode(
        `{"data":${JSON.stringify(records)},"meta":${JSON.stringify(meta)}}`,
      ),
    ])
    const base = `"content-digest": ${digest}\n"@signature-params": ("content-digest");keyid="fixed-1"`
    const signing: [string, () => unknown][] = [
      ['sign-once', () => gate.signMessage(base)],
      ['sign-twice', () => gate.signMessage(base)],
      ['sign-two-digests', () => gate.signMessage(`"content-digest": ${digest}\n${base}`)],
      ['sign-not-string', () => gate.signMessage(5 as unknown as string)],
      ['sign-empty', () => gate.signMessage('')],
    ]
    for (const [name, call] of signing) await record('signMessage', name, sink, call)
    await gate.close()
    await record('setPolicy', 'after-close', sink, () => gate.setPolicy(wider))
    const step = (name: string) =>
      trace.find((t) => t.step === name) as { outcome: Outcome; events: { type: string }[] }
    expect(step('sign-once').outcome).toMatchObject({ how: 'ok', value: { bytes: 64 } })
    for (const name of ['sign-twice', 'sign-two-digests', 'sign-not-string', 'sign-empty'])
      expect(step(name).outcome, name).toMatchObject({
        how: 'rejected',
        code: 'ERR_INVALID_ARGUMENT',
      })
    // setPolicy: each refusal in the order of its checks, the policy kept, nothing written.
    expect(
      ['null', 'no-document', 'other-issuer', 'spends-without-store'].map((name) => {
        const t = step(name)
        return [t.outcome.how, (t.outcome as { code?: unknown }).code, t.events.length]
      }),
    ).toEqual([
      ['threw', 'ERR_INVALID_ARGUMENT', 0],
      ['threw', 'ERR_INVALID_ARGUMENT', 0],
      ['threw', 'ERR_POLICY_INVALID', 0],
      ['threw', 'ERR_INVALID_ARGUMENT', 0],
    ])
    expect(step('policy-hash-unchanged').outcome).toEqual({ how: 'ok', value: true })
    // The new policy's event is queued by setPolicy and reaches the chain before the next release.
    const after = [...step('wider').events, ...step('release-after').events].map((e) => e.type)
    expect(after.indexOf('policy')).toBeGreaterThanOrEqual(0)
    expect(after.indexOf('policy')).toBeLessThan(after.indexOf('release'))
    expect(step('policy-hash-now').outcome).toEqual({ how: 'ok', value: true })
    expect(step('after-close').outcome).toMatchObject({ how: 'threw', code: 'ERR_GATE_CLOSED' })
    if (process.env.GATE_TRACE_OUT)
      writeFileSync(process.env.GATE_TRACE_OUT, `${JSON.stringify(trace, null, 1)}\n`)
  })
})
