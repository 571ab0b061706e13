// Consent per data subject at release time: rows whose subject holds no consent are dropped
// before anything else (conditions, caps), the count is in the audit event and nowhere in what
// the partner receives, a withdrawal becomes `remove` operations of the next delta (applied by
// python3-jsonpatch too), and a store that cannot answer refuses the release (fail closed).
import { spawnSync } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ExplainReportSchema } from '../../src/cli/schemas.js'
import { isDatagateError } from '../../src/errors.js'
import { type MemoryAuditSink, memoryAuditSink } from '../../src/export/audit.js'
import { jsonlConsentStore } from '../../src/export/consent-file.node.js'
import { type ConsentStore, memoryConsentStore } from '../../src/export/consent-store.js'
import { applyDelta } from '../../src/export/delta.js'
import { createGate, type Gate } from '../../src/export/gate.js'
import { generateKeys } from '../../src/export/keys.js'
import type { StreamPart } from '../../src/export/stream.js'
import { verifyExport } from '../../src/export/verify-export.js'
import { tempDir } from '../temp-dir.js'
import { Claim, claimPolicy, ISSUER, SCOPE } from './consent-fixture.js'

const T_GRANT = new Date('2026-01-01T00:00:00Z')
const T1 = new Date('2026-06-01T00:00:00Z')
const T2 = new Date('2026-06-02T00:00:00Z')
const KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 151 + 7) & 0xff)

const policy = claimPolicy

const request = { partner: 'insure-co', dataset: 'claim', purpose: 'claims' }

const row = (i: number) => ({
  claimId: `K-${i}`,
  customerId: `C-${i}`,
  phone: `138${String(i).padStart(8, '0')}`,
  hours: i % 9,
  name: `subject-${i}`,
})

let clock = T1
async function gateWith(
  consent: ConsentStore | undefined,
  options: { consent?: boolean; cap?: number; where?: object } = {},
  audit: MemoryAuditSink = memoryAuditSink(),
): Promise<Gate> {
  return createGate({
    issuer: ISSUER,
    datasets: [Claim],
    policy: policy(options),
    keys: await generateKeys(),
    pseudonymKey: KEY,
    audit,
    now: () => clock,
    ...(consent === undefined ? {} : { consent }),
  })
}

/** 50 subjects, each lacking consent with the given indices. */
function grantsExcept(lacking: ReadonlySet<number>, count: number) {
  return Array.from({ length: count }, (_, i) => i)
    .filter((i) => !lacking.has(i))
    .map((i) => ({ subject: `subject-${i}`, scope: SCOPE, at: T_GRANT, event: 'grant' as const }))
}

async function jsonlStoreWith(events: ReturnType<typeof grantsExcept>) {
  const dir = tempDir('datagate-consent-')
  const path = join(dir, 'consent.jsonl')
  await writeFile(
    path,
    events.map((e) => JSON.stringify({ ...e, at: e.at.toISOString() })).join('\n'),
  )
  return jsonlConsentStore(path)
}

const stores: [string, (events: ReturnType<typeof grantsExcept>) => Promise<ConsentStore>][] = [
  ['memory', async (events) => memoryConsentStore(events)],
  ['JSONL file', jsonlStoreWith],
]

describe.each(stores)('consent at release time (%s store)', (_name, makeStore) => {
  it('10 % of subjects lacking consent: exactly those rows are dropped, in every release shape', async () => {
    const count = 50
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.nat(count - 1), { minLength: count / 10, maxLength: count / 10 }),
        async (lackingList) => {
          const lacking = new Set(lackingList)
          const rows = Array.from({ length: count }, (_, i) => row(i))
          const audit = memoryAuditSink()
          const gate = await gateWith(await makeStore(grantsExcept(lacking, count)), {}, audit)
          // The oracle: a gate without consent, given only the consented rows.
          const plain = await gateWith(undefined, { consent: false })
          const consented = rows.filter((_, i) => !lacking.has(i))
          const expected = (await plain.release(consented, request)).records

          const released = await gate.release(rows, request)
          expect(released.records).toEqual(expected)
          expect(released.records).toHaveLength(count - count / 10)
          expect(released.report.rows.received).toBe(count - count / 10)
          expect(JSON.stringify(released)).not.toContain('subject-')

          const signed = await gate.export(rows, request)
          const verified = await verifyExport(signed.token, {
            jwks: gate.jwks(),
            issuer: ISSUER,
            audience: 'insure-co',
            now: () => clock,
          })
          expect(verified.records).toEqual(expected)
          // The partner learns nothing of the dropped rows.
          expect(JSON.stringify(verified.meta)).not.toMatch(/consent|dropped|received/i)
          expect(verified.meta.count).toBe(count - count / 10)

          const events = audit.events.filter((e) => e.type === 'release' || e.type === 'export')
          expect(events.map((e) => ('consentDropped' in e ? e.consentDropped : undefined))).toEqual(
            [count / 10, count / 10],
          )
          await gate.close()
          await plain.close()
        },
      ),
      { numRuns: 8, seed: 20261201 },
    )
  })

  it('consent is checked before the conditions and the record cap: the cap counts consented rows only', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => row(i))
    const lacking = new Set([0, 1, 2, 3, 4])
    const gate = await gateWith(await makeStore(grantsExcept(lacking, 20)), { cap: 6 })
    const { records, report } = await gate.release(rows, request)
    expect(records.map((r) => r.claimId)).toEqual(['K-5', 'K-6', 'K-7', 'K-8', 'K-9', 'K-10'])
    expect(report.rows).toEqual({ received: 15, filtered: 0, released: 6, capped: true, cap: 6 })
    await gate.close()
  })

  it('a stream drops the same rows and counts them in its stream-end event', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => row(i))
    const lacking = new Set(Array.from({ length: 250 }, (_, i) => i * 10 + 3))
    const audit = memoryAuditSink()
    const gate = await gateWith(await makeStore(grantsExcept(lacking, 2500)), {}, audit)
    async function* source() {
      yield* rows
    }
    const parts: StreamPart[] = []
    for await (const part of gate.exportStream(source(), { ...request, chunkSize: 1000 }))
      parts.push(part)
    const manifest = parts.at(-1)
    expect(manifest?.kind === 'manifest' && manifest.count).toBe(2250)
    const end = audit.events.find((e) => e.type === 'stream-end')
    expect(end && 'consentDropped' in end ? end.consentDropped : undefined).toBe(250)
    await gate.close()
  })
})

describe('withdrawal', () => {
  it('a withdrawal between two exports becomes remove operations, applied by applyDelta', async () => {
    const store = memoryConsentStore(grantsExcept(new Set(), 10))
    const audit = memoryAuditSink()
    const gate = await gateWith(store, {}, audit)
    const rows = Array.from({ length: 10 }, (_, i) => row(i))
    clock = T1
    const first = await gate.export(rows, request)
    const options = { jwks: gate.jwks(), issuer: ISSUER, audience: 'insure-co', now: () => T2 }
    const held = (await verifyExport(first.token, { ...options, now: () => T1 })).records
    store.withdraw('subject-3', SCOPE, new Date('2026-06-01T12:00:00Z'))
    store.withdraw('subject-7', SCOPE, new Date('2026-06-01T12:00:00Z'))
    clock = T2
    const delta = await gate.exportDelta(rows, rows, { ...request, previousAt: T1 })
    expect(delta.patch.map((op) => op.op)).toEqual(['remove', 'remove'])
    const next = await applyDelta(held, delta.token, options)
    expect(next.map((r) => r.claimId)).toEqual(
      ['K-0', 'K-1', 'K-2', 'K-4', 'K-5', 'K-6', 'K-8', 'K-9'].map(String),
    )
    // The next full release agrees with the patched view.
    expect((await gate.release(rows, request)).records).toEqual(next)
    const deltaEvent = audit.events.find((e) => e.type === 'delta')
    expect(deltaEvent && 'consentDropped' in deltaEvent ? deltaEvent.consentDropped : -1).toBe(2)
    clock = T1
    await gate.close()
  })

  it('a delta under a consent agreement without previousAt is refused', async () => {
    const gate = await gateWith(memoryConsentStore())
    const error = await gate.exportDelta([], [], request).catch((e: unknown) => e)
    expect(isDatagateError(error, 'ERR_INVALID_ARGUMENT')).toBe(true)
    expect((error as Error).message).toContain('previousAt')
    await gate.close()
  })

  const PYTHON = '/usr/bin/python3'
  const SCRIPT = fileURLToPath(new URL('../interop/jsonpatch_apply.py', import.meta.url))
  const probe = spawnSync(PYTHON, ['-c', 'import jsonpatch'], { encoding: 'utf8' })
  const problem =
    probe.error || probe.status !== 0 ? probe.stderr || String(probe.error) : undefined
  const runInterop = problem === undefined || process.env.CI ? it : it.skip

  runInterop(
    `the withdrawal delta applies under ${PYTHON} jsonpatch to the same view`,
    async () => {
      if (problem !== undefined) throw new Error(`needs python3-jsonpatch: ${problem}`)
      const store = memoryConsentStore(grantsExcept(new Set([5]), 12))
      const gate = await gateWith(store)
      const before = Array.from({ length: 12 }, (_, i) => row(i))
      // Between the two exports: subject 2 withdraws, subject 5 grants, one row is new, one changed.
      const after = [...before.map((r, i) => (i === 9 ? { ...r, hours: 8.5 } : r)), row(12)]
      store.grant('subject-12', SCOPE, T_GRANT)
      clock = T1
      const held = (await gate.release(before, request)).records
      store.withdraw('subject-2', SCOPE, new Date('2026-06-01T06:00:00Z'))
      store.grant('subject-5', SCOPE, new Date('2026-06-01T06:00:00Z'))
      clock = T2
      const delta = await gate.exportDelta(before, after, { ...request, previousAt: T1 })
      const expected = (await gate.release(after, request)).records
      expect(delta.patch.some((op) => op.op === 'remove')).toBe(true)
      const dir = tempDir('datagate-consent-jsonpatch-')
      const cases = join(dir, 'cases.json')
      await writeFile(cases, JSON.stringify([{ previous: held, patch: delta.patch }]))
      const run = spawnSync(PYTHON, [SCRIPT, cases], { encoding: 'utf8' })
      expect(run.status, run.stderr).toBe(0)
      expect(JSON.parse(run.stdout)).toEqual([{ result: JSON.parse(JSON.stringify(expected)) }])
      expect(expected.map((r) => r.claimId)).not.toContain('K-2')
      expect(expected.map((r) => r.claimId)).toContain('K-5')
      clock = T1
      await gate.close()
    },
  )
})

describe('fail closed', () => {
  const rows = [row(1), row(2)]

  it('a gate whose policy needs consent and has no store is refused at creation', async () => {
    const error = await gateWith(undefined).catch((e: unknown) => e)
    expect(isDatagateError(error, 'ERR_INVALID_ARGUMENT')).toBe(true)
    expect((error as Error).message).toContain('insure-co/claims-2026')
  })

  it('a memory-shaped store that throws: ERR_CONSENT_UNAVAILABLE, no release event', async () => {
    const audit = memoryAuditSink()
    const throwing: ConsentStore = {
      has: () => true,
      filter: () => {
        throw new Error('consent service down')
      },
    }
    const gate = await gateWith(throwing, {}, audit)
    for (const attempt of [
      () => gate.release(rows, request),
      () => gate.export(rows, request),
      () => gate.exportDelta(rows, rows, { ...request, previousAt: T1 }),
    ]) {
      const error = await attempt().catch((e: unknown) => e)
      expect(isDatagateError(error, 'ERR_CONSENT_UNAVAILABLE')).toBe(true)
    }
    expect(audit.events.map((e) => e.type)).toEqual(['policy', 'checkpoint'])
    const parts: unknown[] = []
    const streamed = await (async () => {
      for await (const part of gate.exportStream(rows, request)) parts.push(part)
    })().catch((e: unknown) => e)
    expect(isDatagateError(streamed, 'ERR_CONSENT_UNAVAILABLE')).toBe(true)
    expect(parts).toEqual([])
    await gate.close()
  })

  it('a store failing mid-stream: no chunk after it, no manifest, no stream-end, and the error does not say nothing left', async () => {
    let calls = 0
    const flaky: ConsentStore = {
      has: () => true,
      filter: (subjects) => {
        calls++
        if (calls === 2) throw new Error('consent service down')
        return subjects
      },
    }
    const audit = memoryAuditSink()
    const gate = await gateWith(flaky, {}, audit)
    const rows = Array.from({ length: 2500 }, (_, i) => row(i))
    const parts: StreamPart[] = []
    const error = await (async () => {
      for await (const part of gate.exportStream(rows, { ...request, chunkSize: 500 }))
        parts.push(part)
    })().catch((e: unknown) => e)
    expect(isDatagateError(error, 'ERR_CONSENT_UNAVAILABLE')).toBe(true)
    // The first batch of 1,000 rows was consented and left as two chunks; nothing after it.
    expect(parts.map((p) => p.kind)).toEqual(['chunk', 'chunk'])
    expect((error as Error).message).not.toContain('nothing was released')
    expect((error as Error).message).toContain('row 1000')
    expect((error as Error).message).not.toContain('subject-')
    const types = audit.events.map((e) => e.type)
    expect(types).toContain('stream-start')
    expect(types).not.toContain('stream-end')
    await gate.close()
  })

  it('a store that answers with something else than an iterable fails closed', async () => {
    const odd = { has: () => true, filter: () => 42 } as unknown as ConsentStore
    const gate = await gateWith(odd)
    const error = await gate.release(rows, request).catch((e: unknown) => e)
    expect(isDatagateError(error, 'ERR_CONSENT_UNAVAILABLE')).toBe(true)
    await gate.close()
  })

  it('a store whose answer fails while it is read fails closed, without its message', async () => {
    const lazy: ConsentStore = {
      has: () => true,
      *filter(subjects) {
        yield subjects[0] as string
        throw new Error(`cursor lost after ${subjects[0]}`)
      },
    }
    const gate = await gateWith(lazy)
    const error = await gate.release(rows, request).catch((e: unknown) => e)
    expect(isDatagateError(error, 'ERR_CONSENT_UNAVAILABLE')).toBe(true)
    expect(String((error as Error).message) + String((error as Error).cause)).not.toContain(
      'subject-',
    )
    await gate.close()
  })

  it('a store answering subjects it was not asked about widens nothing', async () => {
    const wide: ConsentStore = { has: () => true, filter: () => ['subject-1', 'subject-99'] }
    const gate = await gateWith(wide)
    const { records } = await gate.release([row(1), row(2), row(99)].slice(0, 2), request)
    expect(records.map((r) => r.claimId)).toEqual(['K-1'])
    await gate.close()
  })

  it('JSONL: a missing file, a directory, a malformed line each refuse with ERR_CONSENT_UNAVAILABLE', async () => {
    const dir = tempDir('datagate-consent-bad-')
    const malformed = join(dir, 'malformed.jsonl')
    await writeFile(
      malformed,
      `${JSON.stringify({ subject: 'subject-1', scope: SCOPE, at: '2026-01-01T00:00:00Z', event: 'grant' })}\n{"subject":"subject-2","scope":"${SCOPE}","at":"2026-01-01","event":"grant"}\n`,
    )
    await mkdir(join(dir, 'folder.jsonl'))
    for (const path of [join(dir, 'missing.jsonl'), join(dir, 'folder.jsonl'), malformed]) {
      const gate = await gateWith(jsonlConsentStore(path))
      const error = await gate.release(rows, request).catch((e: unknown) => e)
      expect(isDatagateError(error, 'ERR_CONSENT_UNAVAILABLE'), path).toBe(true)
      expect((error as Error).message).not.toContain('subject-')
      await gate.close()
    }
    const error = await jsonlConsentStore(malformed)
      .has('subject-1', SCOPE, T1)
      .catch((e: unknown) => e)
    expect((error as Error).message).toContain('line 2')
  })

  it('a day or time that does not exist is malformed, never rolled over into another day', async () => {
    // Date.parse reads 2026-02-30 as 2026-03-02: a withdrawal typed for it would count from then.
    for (const at of [
      '2026-02-30T00:00:00Z',
      '2026-04-31T09:00:00+08:00',
      '2026-06-01T24:00:00Z',
    ]) {
      expect(
        () => memoryConsentStore([{ subject: 'subject-1', scope: SCOPE, at, event: 'withdraw' }]),
        at,
      ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
      const path = join(tempDir('datagate-consent-day-'), 'consent.jsonl')
      await writeFile(
        path,
        [
          JSON.stringify({
            subject: 'subject-1',
            scope: SCOPE,
            at: '2026-01-01T00:00:00Z',
            event: 'grant',
          }),
          JSON.stringify({ subject: 'subject-1', scope: SCOPE, at, event: 'withdraw' }),
        ].join('\n'),
      )
      const error = await jsonlConsentStore(path)
        .has('subject-1', SCOPE, new Date('2026-12-01T00:00:00Z'))
        .catch((e: unknown) => e)
      expect(isDatagateError(error, 'ERR_CONSENT_UNAVAILABLE'), at).toBe(true)
      expect((error as Error).message).toContain('line 2')
    }
    // Leap day of a leap year exists.
    const leap = memoryConsentStore([
      { subject: 'subject-1', scope: SCOPE, at: '2028-02-29T00:00:00Z', event: 'grant' },
    ])
    expect(leap.has('subject-1', SCOPE, new Date('2028-02-29T00:00:00Z'))).toBe(true)
  })

  it('JSONL: an appended withdrawal counts from the next release on', async () => {
    const store = await jsonlStoreWith(grantsExcept(new Set(), 3))
    const gate = await gateWith(store)
    const three = [row(0), row(1), row(2)]
    expect((await gate.release(three, request)).records).toHaveLength(3)
    await store.withdraw('subject-1', SCOPE, new Date('2026-05-01T00:00:00Z'))
    expect((await gate.release(three, request)).records.map((r) => r.claimId)).toEqual([
      'K-0',
      'K-2',
    ])
    // As of before the withdrawal, the subject still held consent.
    expect(await store.has('subject-1', SCOPE, new Date('2026-04-30T00:00:00Z'))).toBe(true)
    await gate.close()
  })

  it('the subject field is validated even though it is sensitive: a bad one names the row, no value', async () => {
    const gate = await gateWith(memoryConsentStore(grantsExcept(new Set(), 5)))
    const error = await gate
      .release([row(0), { ...row(1), name: 12345 }], request)
      .catch((e: unknown) => e)
    expect(isDatagateError(error, 'ERR_RECORD_INVALID')).toBe(true)
    expect((error as Error).message).toMatch(/^row 1:/)
    expect((error as Error).message).not.toContain('12345')
    // A row without a subject holds no consent: dropped, not released.
    const { records } = await gate.release([row(0), { ...row(1), name: undefined }], request)
    expect(records.map((r) => r.claimId)).toEqual(['K-0'])
    await gate.close()
  })
})

describe('row errors after consent', () => {
  it('a bad row behind dropped rows is named by its index among the rows given', async () => {
    // subject-0 and subject-1 lack consent: the bad row is the caller's row 2, the plan's row 0.
    const gate = await gateWith(memoryConsentStore(grantsExcept(new Set([0, 1]), 3)))
    const rows = [row(0), row(1), { ...row(2), hours: 'many' }]
    for (const attempt of [
      () => gate.release(rows, request),
      () => gate.export(rows, request),
      () => gate.exportDelta([], rows, { ...request, previousAt: T1 }),
      () => gate.exportDelta(rows, [], { ...request, previousAt: T1 }),
    ]) {
      const error = await attempt().catch((e: unknown) => e)
      expect(isDatagateError(error, 'ERR_RECORD_INVALID')).toBe(true)
      expect((error as Error).message).toMatch(/^row 2: /)
      expect((error as { findings: { path: string }[] }).findings.map((f) => f.path)).toEqual([
        '[2].hours',
      ])
    }
    await gate.close()
  })

  it('in a stream too, across consent batches of 1,000 rows', async () => {
    // Every tenth subject lacks consent; the bad row is the caller's row 1,504.
    const lacking = new Set(Array.from({ length: 200 }, (_, i) => i * 10))
    const gate = await gateWith(memoryConsentStore(grantsExcept(lacking, 2000)))
    const rows = Array.from({ length: 2000 }, (_, i) =>
      i === 1504 ? { ...row(i), hours: 'x' } : row(i),
    )
    const error = await (async () => {
      for await (const _ of gate.exportStream(rows, { ...request, chunkSize: 100 })) {
      }
    })().catch((e: unknown) => e)
    expect(isDatagateError(error, 'ERR_RECORD_INVALID')).toBe(true)
    expect((error as Error).message).toMatch(/^row 1504: /)
    expect((error as { findings: { path: string }[] }).findings[0]?.path).toBe('[1504].hours')
    await gate.close()
  })
})

describe('explain', () => {
  it('says a consent agreement releases rows only of consenting subjects, without asking the store', async () => {
    const gate = await gateWith(memoryConsentStore(grantsExcept(new Set([1]), 3)))
    const why = gate.explain(request, [row(0), row(1)])
    // Row 1 lacks consent: the gate drops it, so the explanation must not read as unconditional.
    expect(why.consent).toEqual({ scope: SCOPE, subject: 'name' })
    expect(ExplainReportSchema.parse(JSON.parse(JSON.stringify(why))).consent).toEqual(why.consent)
    expect((await gate.release([row(0), row(1)], request)).records.map((r) => r.claimId)).toEqual([
      'K-0',
    ])
    await gate.close()
    const plain = await gateWith(undefined, { consent: false })
    expect('consent' in plain.explain(request)).toBe(false)
    await plain.close()
  })
})

describe('memoryConsentStore', () => {
  it('the last event at or before the asked time decides; equal times: the later recorded', () => {
    const store = memoryConsentStore([
      { subject: 'a', scope: SCOPE, at: '2026-03-01T00:00:00Z', event: 'withdraw' },
      { subject: 'a', scope: SCOPE, at: '2026-01-01T00:00:00+08:00', event: 'grant' },
      { subject: 'b', scope: SCOPE, at: '2026-01-01T00:00:00Z', event: 'grant' },
      { subject: 'b', scope: SCOPE, at: '2026-01-01T00:00:00Z', event: 'withdraw' },
    ])
    expect(store.has('a', SCOPE, new Date('2025-12-31T15:59:59Z'))).toBe(false)
    expect(store.has('a', SCOPE, new Date('2025-12-31T16:00:00Z'))).toBe(true)
    expect(store.has('a', SCOPE, new Date('2026-03-01T00:00:00Z'))).toBe(false)
    expect(store.has('b', SCOPE, new Date('2026-02-01T00:00:00Z'))).toBe(false)
    expect(store.has('a', 'other-scope', new Date('2026-02-01T00:00:00Z'))).toBe(false)
  })

  it('refuses malformed events and arguments with ERR_INVALID_ARGUMENT', () => {
    for (const bad of [
      { subject: 'a', scope: SCOPE, at: '2026-01-01', event: 'grant' },
      { subject: '', scope: SCOPE, at: T1, event: 'grant' },
      { subject: 'a', scope: 'bad scope', at: T1, event: 'grant' },
      { subject: 'a', scope: SCOPE, at: T1, event: 'maybe' },
    ]) {
      expect(() => memoryConsentStore([bad as never])).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      )
    }
    const store = memoryConsentStore()
    expect(() => store.has('a', SCOPE, new Date('nope'))).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
    expect(() => store.filter('a' as never, SCOPE, T1)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
  })
})
