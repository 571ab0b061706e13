// Counting data subjects per partner and year (issue 12 §3): thresholds trip where the estimate
// reaches them (within the HyperLogLog's stated error of the true count), refusals leave the
// counters as they were, the Asia/Shanghai year boundary starts new counters, and the audit
// event carries the estimates but never a subject.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { generalize } from '../../src/anonymize/generalize.js'
import { pseudonymize } from '../../src/anonymize/pseudonymize.js'
import { defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import { isDatagateError } from '../../src/errors.js'
import { memoryAuditSink } from '../../src/export/audit.js'
import { createGate } from '../../src/export/gate.js'
import type { KeyRing } from '../../src/export/key-ring.js'
import { generateKeys } from '../../src/export/keys.js'
import { shanghaiYear, subjectCounterNames } from '../../src/export/subject-count.js'
import { memorySubjectCounterStore } from '../../src/export/subject-counter.js'
import { HLL_STANDARD_ERROR } from '../../src/lib/hyperloglog.js'
import { loadPolicy } from '../../src/policy/load.js'

const KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff)
const COUNTER_KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 53 + 5) & 0xff)

const Trip = defineDataset(
  'trip',
  z.object({
    vin: field.desensitised(z.string(), pseudonymize(), { pii: 'vin' }),
    at: field.desensitised(
      z.object({ lat: z.number(), lng: z.number() }),
      generalize.geohash({ precision: 5 }),
      {
        sensitivePI: 'location',
      },
    ),
    km: field.public(z.number()),
  }),
  { version: '1', subject: 'vin' },
)

function partner(
  id: string,
  region: string,
  fields: string[],
  extra: Record<string, unknown> = {},
) {
  return {
    id,
    name: id,
    category: 'traffic',
    standing: 'gold',
    core: true,
    region,
    agreements: [
      {
        id: `${id}-trips`,
        dataset: 'trip',
        purpose: 'traffic-map',
        fields,
        validFrom: '2026-01-01',
        validUntil: '2027-12-31',
        ...extra,
      },
    ],
  }
}

function gateWith(
  top: Record<string, unknown>,
  clock: { now: Date },
  store = memorySubjectCounterStore(),
  keys?: KeyRing,
) {
  const policy = loadPolicy(
    {
      issuer: 'oem',
      ...top,
      partners: [
        partner('maps-eu', 'DE', ['km', 'at']),
        partner('fleet-eu', 'FR', ['km'], { assessment: 'CAC-2026-0042' }),
        partner('maps-cn', 'CN', ['km', 'at']),
        partner('stats-eu', 'NL', ['km']),
      ],
    },
    { datasets: [Trip] },
  )
  const audit = memoryAuditSink()
  const gate = createGate({
    issuer: 'oem',
    datasets: [Trip],
    policy,
    pseudonymKey: KEY,
    audit,
    subjects: { store, key: COUNTER_KEY },
    now: () => clock.now,
    ...(keys ? { keys } : {}),
  })
  return { gate, audit, store }
}

const rows = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    vin: `LSVAU2180N${String(from + i).padStart(7, '0')}`,
    at: { lat: 31.23, lng: 121.47 },
    km: i,
  }))
const request = (partnerId: string) => ({
  partner: partnerId,
  dataset: 'trip',
  purpose: 'traffic-map',
})

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
    return undefined
  } catch (error) {
    if (isDatagateError(error)) return error.code
    throw error
  }
}

describe('subject counters', () => {
  it('the sensitivePI threshold (10,000 by default) trips within the stated error of 10,000 people, and a refusal counts nothing', async () => {
    const clock = { now: new Date('2026-06-01T00:00:00Z') }
    const { gate, audit, store } = gateWith({ crossBorder: { onThreshold: 'refuse' } }, clock)
    const names = subjectCounterNames(2026, 'maps-eu')
    await gate.release(rows(0, 9_700), request('maps-eu'))
    let released = 9_700
    let refusedAt: number | undefined
    for (let i = 9_700; i < 10_400; i++) {
      const code = await codeOf(gate.release(rows(i, 1), request('maps-eu')))
      if (code === 'ERR_THRESHOLD_EXCEEDED') {
        refusedAt = i + 1
        break
      }
      expect(code).toBeUndefined()
      released++
    }
    expect(refusedAt).toBeDefined()
    const at = refusedAt as number
    // Where it tripped is within 3 standard errors of the threshold.
    expect(Math.abs(at - 10_000) / 10_000).toBeLessThanOrEqual(3 * HLL_STANDARD_ERROR)
    const [before] = store.read([names.overseasSensitivePI])
    expect(before).toBeLessThan(10_000)
    // The refused person was not counted: the estimate is what the last release left.
    const last = audit.events.filter((e) => e.type === 'release').at(-1)
    expect(last?.details?.['subjects.overseasSensitivePI']).toBe(before)
    expect(audit.events.at(-1)).toMatchObject({ type: 'denied', code: 'ERR_THRESHOLD_EXCEEDED' })
    // People already counted may still be released; a new one stays refused.
    await gate.release(rows(0, 500), request('maps-eu'))
    expect(store.read([names.overseasSensitivePI])).toEqual([before])
    expect(await codeOf(gate.release(rows(at - 1, 1), request('maps-eu')))).toBe(
      'ERR_THRESHOLD_EXCEEDED',
    )
    // Partners in CN are never refused by the cross-border thresholds, nor one with an assessment.
    await gate.release(rows(20_000, 200), request('maps-cn'))
    await gate.release(rows(30_000, 200), request('fleet-eu'))
    console.log(`sensitivePI threshold 10000 tripped at person ${at} (released ${released})`)
  })

  it('the filing threshold counts every overseas partner together; warn releases and records', async () => {
    const clock = { now: new Date('2026-06-01T00:00:00Z') }
    const { gate, audit } = gateWith({ crossBorder: { filing: 300 } }, clock)
    await gate.release(rows(0, 200), request('stats-eu'))
    await gate.release(rows(100, 200), request('fleet-eu'))
    await gate.release(rows(0, 50), request('maps-cn'))
    const details = audit.events.filter((e) => e.type === 'release').map((e) => e.details)
    expect(details[0]).toMatchObject({ 'subjects.year': 2026, 'subjects.released': 200 })
    // 300 distinct people went abroad (200 + 200 with 100 in common), the estimate says so.
    const overseas = details[1]?.['subjects.overseas'] as number
    expect(Math.abs(overseas - 300)).toBeLessThanOrEqual(300 * 3 * HLL_STANDARD_ERROR)
    expect(details[2]?.['subjects.overseas']).toBeUndefined()
    expect(details[2]?.['subjects.all']).toBe(details[1]?.['subjects.all'])
    // No subject ever appears in the chain.
    expect(JSON.stringify(audit.events)).not.toContain('LSVAU2180N')
  })

  it('importantData.individuals refuses an overseas release without assessment once the handler passed it', async () => {
    const clock = { now: new Date('2026-06-01T00:00:00Z') }
    const { gate } = gateWith({ importantData: { individuals: 100, onThreshold: 'refuse' } }, clock)
    await gate.release(rows(0, 100), request('maps-cn'))
    await gate.release(rows(0, 100), request('stats-eu'))
    expect(await codeOf(gate.release(rows(100, 5), request('stats-eu')))).toBe(
      'ERR_THRESHOLD_EXCEEDED',
    )
    await gate.release(rows(100, 5), request('fleet-eu'))
    await gate.release(rows(200, 5), request('maps-cn'))
  })

  it('the Asia/Shanghai year boundary starts new counters: 2026-12-31T16:00Z is 2027', async () => {
    expect(shanghaiYear(new Date('2026-12-31T15:59:59.999Z'))).toBe(2026)
    expect(shanghaiYear(new Date('2026-12-31T16:00:00Z'))).toBe(2027)
    expect(shanghaiYear(Date.parse('2026-01-01T00:00:00+08:00'))).toBe(2026)
    const clock = { now: new Date('2026-12-31T15:00:00Z') }
    const { gate, audit } = gateWith({ crossBorder: { filing: 60, onThreshold: 'refuse' } }, clock)
    await gate.release(rows(0, 50), request('stats-eu'))
    clock.now = new Date('2026-12-31T15:59:59Z')
    expect(await codeOf(gate.release(rows(50, 20), request('stats-eu')))).toBe(
      'ERR_THRESHOLD_EXCEEDED',
    )
    clock.now = new Date('2026-12-31T16:00:00Z')
    await gate.release(rows(50, 20), request('stats-eu'))
    const last = audit.events.filter((e) => e.type === 'release').at(-1)
    expect(last?.details).toMatchObject({ 'subjects.year': 2027, 'subjects.overseas': 20 })
  })

  it('a released row without its subject is refused; gates need a counter or subjects: false', async () => {
    const clock = { now: new Date('2026-06-01T00:00:00Z') }
    const { gate, audit } = gateWith({}, clock)
    const before = audit.events.length
    const error = await gate
      .release([{ at: { lat: 1, lng: 1 }, km: 1 }], request('maps-cn'))
      .catch((e: unknown) => e)
    expect(isDatagateError(error, 'ERR_RECORD_INVALID')).toBe(true)
    expect(audit.events.slice(before).some((e) => e.type === 'release')).toBe(false)
    const policy = gate.policy
    expect(() => createGate({ issuer: 'oem', datasets: [Trip], policy, audit: false })).toThrow(
      /declares a subject/,
    )
    const uncounted = createGate({
      issuer: 'oem',
      datasets: [Trip],
      policy,
      audit: false,
      pseudonymKey: KEY,
      subjects: false,
      now: () => clock.now,
    })
    expect((await uncounted.release(rows(0, 2), request('maps-cn'))).records).toHaveLength(2)
  })

  it("a delta counts the subjects of the partner's new view, and is refused past a threshold", async () => {
    const clock = { now: new Date('2026-06-01T00:00:00Z') }
    const { gate, audit, store } = gateWith(
      { crossBorder: { filing: 250, onThreshold: 'refuse' } },
      clock,
      memorySubjectCounterStore(),
      await generateKeys(),
    )
    const names = subjectCounterNames(2026, 'maps-eu')
    await gate.export(rows(0, 100), request('maps-eu'))
    const delta = await gate.exportDelta(rows(0, 100), rows(0, 180), request('maps-eu'))
    expect(delta.patch.length).toBeGreaterThan(0)
    const [counted] = store.read([names.overseas])
    expect(Math.abs((counted as number) - 180)).toBeLessThanOrEqual(180 * 3 * HLL_STANDARD_ERROR)
    const event = audit.events.find((e) => e.type === 'delta')
    expect(event?.details?.['subjects.overseas']).toBe(counted)
    expect(event?.details?.['subjects.released']).toBe(180)
    // 120 more people would pass 249: nothing is signed, nothing counted, a denied event.
    expect(await codeOf(gate.exportDelta(rows(0, 180), rows(0, 300), request('maps-eu')))).toBe(
      'ERR_THRESHOLD_EXCEEDED',
    )
    expect(store.read([names.overseas])).toEqual([counted])
    expect(audit.events.filter((e) => e.type === 'delta')).toHaveLength(1)
    expect(audit.events.at(-1)).toMatchObject({ type: 'denied', code: 'ERR_THRESHOLD_EXCEEDED' })
    await gate.close()
  })

  it('a stream counts its subjects chunk by chunk, and a threshold refuses the chunk that would pass it', async () => {
    const clock = { now: new Date('2026-06-01T00:00:00Z') }
    const { gate, audit, store } = gateWith(
      { crossBorder: { filing: 250, onThreshold: 'refuse' } },
      clock,
      memorySubjectCounterStore(),
      await generateKeys(),
    )
    const names = subjectCounterNames(2026, 'maps-eu')
    // Within the threshold: every chunk counted, the stream-end event carries the estimates.
    const parts = []
    for await (const part of gate.exportStream(rows(0, 150), {
      ...request('maps-eu'),
      chunkSize: 50,
    }))
      parts.push(part)
    expect(parts.map((p) => p.kind)).toEqual(['chunk', 'chunk', 'chunk', 'manifest'])
    const [counted] = store.read([names.overseas])
    expect(Math.abs((counted as number) - 150)).toBeLessThanOrEqual(150 * 3 * HLL_STANDARD_ERROR)
    const end = audit.events.find((e) => e.type === 'stream-end')
    expect(end?.details?.['subjects.overseas']).toBe(counted)
    expect(end?.details?.['subjects.released']).toBe(150)
    // Past it: the chunks within the threshold leave, the one that would pass it does not, and
    // nothing follows it (no manifest, no stream-end); the refusal is a denied event.
    const second: string[] = []
    let code: string | undefined
    try {
      for await (const part of gate.exportStream(rows(150, 200), {
        ...request('maps-eu'),
        chunkSize: 50,
      }))
        second.push(part.kind)
    } catch (error) {
      code = isDatagateError(error) ? error.code : 'other'
    }
    expect(code).toBe('ERR_THRESHOLD_EXCEEDED')
    expect(second.length).toBeGreaterThanOrEqual(1)
    expect(second).not.toContain('manifest')
    expect(store.read([names.overseas])[0]).toBeLessThan(250)
    expect(audit.events.filter((e) => e.type === 'stream-end')).toHaveLength(1)
    expect(audit.events.at(-1)).toMatchObject({ type: 'denied', code: 'ERR_THRESHOLD_EXCEEDED' })
    expect(JSON.stringify(audit.events)).not.toContain('LSVAU2180N')
    await gate.close()
  })
})

describe('what counts as sensitive personal information', () => {
  it('a row condition on a sensitivePI field releases it too (the partner learns it of every row): counted as sensitive', async () => {
    const Driver = defineDataset(
      'driver',
      z.object({
        vin: field.desensitised(z.string(), pseudonymize()),
        minor: field.public(z.boolean(), { sensitivePI: 'minor' }),
        km: field.public(z.number()),
      }),
      { version: '1', subject: 'vin' },
    )
    const agreement = (where?: object) => ({
      id: 'p-a',
      dataset: 'driver',
      purpose: 'insure',
      fields: ['vin', 'km'],
      validFrom: '2026-01-01',
      validUntil: '2026-12-31',
      ...(where ? { where } : {}),
    })
    const policy = loadPolicy(
      {
        issuer: 'oem',
        partners: [
          { ...partner('ins-de', 'DE', []), agreements: [agreement({ minor: true })] },
          { ...partner('ins-fr', 'FR', []), agreements: [agreement()] },
        ],
      },
      { datasets: [Driver] },
    )
    const audit = memoryAuditSink()
    const gate = createGate({
      issuer: 'oem',
      datasets: [Driver],
      policy,
      pseudonymKey: KEY,
      audit,
      subjects: { store: memorySubjectCounterStore(), key: COUNTER_KEY },
      now: () => new Date('2026-06-01T00:00:00Z'),
    })
    const drivers = Array.from({ length: 20 }, (_, i) => ({ vin: `V${i}`, minor: i < 5, km: i }))
    const selected = await gate.release(drivers, {
      partner: 'ins-de',
      dataset: 'driver',
      purpose: 'insure',
    })
    expect(selected.records).toHaveLength(5)
    await gate.release(drivers, { partner: 'ins-fr', dataset: 'driver', purpose: 'insure' })
    const [byCondition, plain] = audit.events.filter((e) => e.type === 'release')
    expect(byCondition?.details?.['subjects.overseasSensitivePI']).toBe(5)
    expect(plain?.details?.['subjects.overseasSensitivePI']).toBeUndefined()
  })
})

describe('a gate that does not count', () => {
  it('is refused when the policy refuses past its thresholds: it could never refuse (createGate and setPolicy)', () => {
    const clock = { now: new Date('2026-06-01T00:00:00Z') }
    const warn = gateWith({}, clock).gate.policy
    const refuse = gateWith({ crossBorder: { onThreshold: 'refuse' } }, clock).gate.policy
    const important = gateWith({ importantData: { onThreshold: 'refuse' } }, clock).gate.policy
    const uncounted = (policy: typeof warn) =>
      createGate({ issuer: 'oem', datasets: [Trip], policy, audit: false, subjects: false })
    for (const policy of [refuse, important])
      expect(() => uncounted(policy)).toThrow(/could never refuse/)
    const gate = uncounted(warn)
    expect(() => gate.setPolicy(refuse)).toThrow(/setPolicy: .*could never refuse/)
    expect(gate.policy.hash).toBe(warn.hash)
  })
})
