import { describe, expect, it } from 'vitest'
import { isDatagateError } from '../../src/errors.js'
import {
  AUDIT_GENESIS,
  type AuditEvent,
  type AuditEventInput,
  auditEventHash,
  callbackAuditSink,
  createAuditLog,
  memoryAuditSink,
  verifyAuditChain,
} from '../../src/export/audit.js'
import { digest, input } from './audit-fixtures.js'

async function chain(length: number): Promise<AuditEvent[]> {
  const sink = memoryAuditSink()
  const log = createAuditLog({ sink, now: () => new Date('2026-05-01T10:00:00Z') })
  for (let i = 0; i < length; i++) await log.append(input(i))
  return [...sink.events]
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

describe('createAuditLog', () => {
  it('links events: seq, time, prev, hash over canonical JSON', async () => {
    const [first, second] = await chain(2)
    expect(first).toMatchObject({ seq: 0, time: '2026-05-01T10:00:00.000Z', prev: AUDIT_GENESIS })
    expect(second).toMatchObject({ seq: 1, prev: first!.hash })
    expect(first!.hash).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(auditEventHash(second!)).toBe(second!.hash)
    expect(Object.isFrozen(first)).toBe(true)
    expect(first!.type === 'release' && Object.isFrozen(first!.fields[0])).toBe(true)
  })

  it('writes a chain of 1,000 events that verifies', async () => {
    const events = await chain(1000)
    const report = verifyAuditChain(events)
    expect(report).toEqual({ ok: true, count: 1000, issues: [] })
    expect(events.map((event) => event.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i))
  })

  it('keeps call order and a valid chain under 50 concurrent appends', async () => {
    const sink = memoryAuditSink()
    let delay = 0
    const slow = callbackAuditSink(async (event) => {
      // Later calls finish sooner: only the queue keeps them in order.
      await new Promise((resolve) => setTimeout(resolve, 10 - (delay++ % 10)))
      sink.append?.(event)
    })
    const log = createAuditLog({ sink: slow })
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(input(i))))
    expect(results.map((event) => (event.type === 'release' ? event.rows : -1))).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    )
    expect(sink.events.map((event) => event.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(verifyAuditChain(sink.events).ok).toBe(true)
  })

  it('does not advance the chain when the sink throws', async () => {
    const written: AuditEvent[] = []
    let fail = false
    const log = createAuditLog({
      sink: callbackAuditSink((event) => {
        if (fail) throw new Error('disk full')
        written.push(event)
      }),
    })
    await log.append(input(0))
    fail = true
    const error = await rejection(log.append(input(1)))
    expect(isDatagateError(error, 'ERR_AUDIT_WRITE_FAILED')).toBe(true)
    expect(log.head()).toEqual({ seq: 0, hash: written[0]!.hash })
    fail = false
    const next = await log.append(input(2))
    expect(next).toMatchObject({ seq: 1, prev: written[0]!.hash, rows: 2 })
    expect(verifyAuditChain(written).ok).toBe(true)
  })

  it('also fails with ERR_AUDIT_WRITE_FAILED on an async rejection, keeping later appends', async () => {
    let calls = 0
    const written: AuditEvent[] = []
    const log = createAuditLog({
      sink: callbackAuditSink(async (event) => {
        if (calls++ === 1) throw new Error('queue down')
        written.push(event)
      }),
    })
    const outcomes = await Promise.allSettled([
      log.append(input(0)),
      log.append(input(1)),
      log.append(input(2)),
    ])
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ])
    expect(written.map((event) => event.seq)).toEqual([0, 1])
    expect(verifyAuditChain(written).ok).toBe(true)
  })

  it('continues from a given head or from the sink head', async () => {
    const events = await chain(3)
    const last = events[2]!
    const rest: AuditEvent[] = []
    const log = createAuditLog({
      sink: callbackAuditSink((event) => void rest.push(event)),
      head: { seq: last.seq, hash: last.hash },
    })
    await log.append(input(3))
    // A writer that opens an existing chain first says so.
    expect(rest[0]).toMatchObject({
      seq: 3,
      type: 'resume',
      from: { seq: 2, head: last.hash },
      prev: last.hash,
    })
    expect(rest[1]).toMatchObject({ seq: 4, prev: rest[0]!.hash })
    expect(verifyAuditChain([...events, ...rest]).ok).toBe(true)
    expect(verifyAuditChain(rest, { head: { seq: 2, hash: last.hash } }).ok).toBe(true)
    expect(verifyAuditChain(rest).firstBroken?.reason).toBe('prev_mismatch')

    const sink = memoryAuditSink()
    for (const event of events) sink.append?.(event)
    const resumed = await createAuditLog({ sink }).append(input(9))
    expect(resumed).toMatchObject({ seq: 4 })
    expect(sink.events[3]).toMatchObject({ type: 'resume', from: { seq: 2, head: last.hash } })

    const conflicting = createAuditLog({ sink, head: { seq: 0, hash: events[0]!.hash } })
    expect(
      isDatagateError(await rejection(conflicting.append(input(1))), 'ERR_INVALID_ARGUMENT'),
    ).toBe(true)
  })

  it('accepts primitive details and refuses anything else, so no record value can ride along', async () => {
    const sink = memoryAuditSink()
    const log = createAuditLog({ sink })
    const ok = await log.append(input(1, { details: { kid: 'k-2026', chunks: 3, jwe: false } }))
    expect(ok.type === 'release' && ok.details).toEqual({ kid: 'k-2026', chunks: 3, jwe: false })

    const canary = 'CANARY-VIN-WVWZZZ1JZXW000001'
    const bad: unknown[] = [
      { ...input(), details: { record: { vin: canary } } },
      { ...input(), details: { vins: [canary] } },
      { ...input(), details: { n: null } },
      { ...input(), records: [{ vin: canary }] },
      { ...input(), fields: [{ path: 'vin', operator: 'mask', value: canary }] },
      { ...input(), rows: 1.5 },
      { ...input(), rows: -1 },
      { ...input(), type: 'download' },
      { ...input(), partner: '' },
      { ...input(), details: { __proto__x: 1 } },
      {
        ...input(),
        details: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])),
      },
    ]
    for (const candidate of bad) {
      const error = await rejection(log.append(candidate as AuditEventInput))
      expect(isDatagateError(error, 'ERR_INVALID_ARGUMENT')).toBe(true)
      expect(JSON.stringify((error as { findings: unknown }).findings)).not.toContain(canary)
      expect(String(error)).not.toContain(canary)
    }
    expect(sink.events).toHaveLength(1)
    expect(JSON.stringify(sink.events)).not.toContain(canary)
  })

  it('refuses a clock that gives an invalid date', async () => {
    const log = createAuditLog({ sink: memoryAuditSink(), now: () => new Date(Number.NaN) })
    expect(isDatagateError(await rejection(log.append(input())), 'ERR_INVALID_ARGUMENT')).toBe(true)
  })
})

describe('verifyAuditChain', () => {
  const rehash = (event: object): AuditEvent =>
    ({ ...event, hash: auditEventHash(event) }) as AuditEvent

  it('finds an edited event', async () => {
    const events: unknown[] = await chain(10)
    events[4] = { ...(events[4] as AuditEvent), rows: 999 }
    expect(verifyAuditChain(events).firstBroken).toEqual({
      index: 4,
      seq: 4,
      reason: 'hash_mismatch',
    })
  })

  it('finds a deleted, a reordered and an inserted event', async () => {
    const events = await chain(10)
    const deleted = events.filter((_, i) => i !== 6)
    expect(verifyAuditChain(deleted).firstBroken).toEqual({
      index: 6,
      seq: 7,
      reason: 'prev_mismatch',
    })

    const reordered = [...events]
    ;[reordered[3], reordered[4]] = [reordered[4]!, reordered[3]!]
    expect(verifyAuditChain(reordered).firstBroken).toEqual({
      index: 3,
      seq: 4,
      reason: 'prev_mismatch',
    })

    const { hash: _hash, ...template } = events[5]!
    const forged = rehash({ ...template, rows: 0, prev: digest(1) })
    const inserted = [...events.slice(0, 5), forged, ...events.slice(5)]
    expect(verifyAuditChain(inserted).firstBroken).toEqual({
      index: 5,
      seq: 5,
      reason: 'prev_mismatch',
    })
  })

  it('finds a seq gap with valid hashes and links, and malformed events', async () => {
    const events = await chain(3)
    const { hash: _hash, ...template } = events[2]!
    const skipped = [events[0]!, events[1]!, rehash({ ...template, seq: 5 })]
    expect(verifyAuditChain(skipped).firstBroken).toEqual({ index: 2, seq: 5, reason: 'seq_gap' })

    const malformed = [events[0], { ...events[1], extra: 'x' }, events[2]]
    const report = verifyAuditChain(malformed)
    expect(report.ok).toBe(false)
    expect(report.firstBroken).toEqual({ index: 1, reason: 'malformed' })
    expect(report.issues.some((issue) => issue.code === 'unrecognized_keys')).toBe(true)
    expect(verifyAuditChain([null]).firstBroken?.reason).toBe('malformed')
  })

  it('reports every break after the first', async () => {
    const events: unknown[] = await chain(6)
    events[1] = { ...(events[1] as AuditEvent), partner: 'someone-else' }
    events[4] = { ...(events[4] as AuditEvent), purpose: 'marketing' }
    const report = verifyAuditChain(events)
    expect(report.count).toBe(6)
    expect(report.issues.map((issue) => issue.path)).toEqual(['[1].hash', '[4].hash'])
  })
})
