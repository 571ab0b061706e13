// The audit writer's checkpoints, resumes and linked sinks, the strict per-type event schema,
// and every failure kind of verifyAuditLog on small hand-made logs.
import { describe, expect, it } from 'vitest'
import {
  type AuditEvent,
  type AuditSink,
  auditEventHash,
  createAuditLog,
  memoryAuditSink,
  verifyAuditChain,
  verifyAuditLog,
} from '../../src/export/audit.js'
import { generateKeys } from '../../src/export/keys.js'
import { input } from './audit-fixtures.js'

const T0 = new Date('2026-05-01T10:00:00Z')
const keys = await generateKeys()
const jwks = keys.jwks()

async function signedLog(count: number, linked = false) {
  const sink = memoryAuditSink({ linked })
  const log = createAuditLog({
    sink,
    now: () => T0,
    checkpoint: { keys, issuer: 'oem', every: 1000, intervalMs: 0 },
  })
  for (let i = 0; i < count; i++) await log.append(input(i))
  await log.close()
  return [...sink.events]
}

const relink = (events: readonly object[]): AuditEvent[] => {
  const out: AuditEvent[] = []
  for (const [index, event] of events.entries()) {
    const { hash: _h, ...body } = event as Record<string, unknown>
    const linked = { ...body, seq: index, prev: index === 0 ? body.prev : out[index - 1]!.hash }
    out.push({ ...linked, hash: auditEventHash(linked) } as AuditEvent)
  }
  return out
}

describe('createAuditLog with a linked sink', () => {
  it('lets the sink assign seq and prev, uses the event it returns, and keeps one chain for two writers', async () => {
    const sink = memoryAuditSink({ linked: true })
    const a = createAuditLog({ sink, now: () => T0 })
    const b = createAuditLog({ sink, now: () => T0 })
    await a.append(input(1))
    await b.append(input(2)) // resumes first: the chain already has an event
    await a.append(input(3))
    expect(sink.events.map((e) => [e.seq, e.type])).toEqual([
      [0, 'release'],
      [1, 'resume'],
      [2, 'release'],
      [3, 'release'],
    ])
    expect(a.head()?.seq).toBe(3)
    expect(verifyAuditChain(sink.events).ok).toBe(true)
  })

  it('verifies a chain two writers interleave on a linked sink, each with its own checkpoints', async () => {
    const sink = memoryAuditSink({ linked: true })
    const signing = { keys, issuer: 'oem', every: 3, intervalMs: 0 }
    const a = createAuditLog({ sink, now: () => T0, checkpoint: signing })
    await a.append(input(0))
    const b = createAuditLog({ sink, now: () => T0, checkpoint: signing })
    // Started together: b reads the head, then a appends before b's resume lands.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).append(input(i + 1))),
    )
    await Promise.all([a.close(), b.close()])
    const report = await verifyAuditLog(sink.events, { jwks, issuer: 'oem' })
    expect(sink.events.filter((e) => e.type === 'resume')).toHaveLength(1)
    expect(report).toMatchObject({ ok: true, issues: [] })
    expect(report.anchoredThrough).toBeGreaterThan(5)
  })

  it('refuses what a linked sink returns when it is not the event given', async () => {
    const lying: AuditSink = {
      appendLinked: (given) => {
        const { time, ...body } = given
        const unsigned = { seq: 0, time, ...body, rows: 999, prev: `sha256:${'0'.repeat(64)}` }
        return { ...unsigned, hash: auditEventHash(unsigned) } as AuditEvent
      },
    }
    await expect(createAuditLog({ sink: lying }).append(input(1))).rejects.toMatchObject({
      code: 'ERR_AUDIT_WRITE_FAILED',
    })
  })

  it('writes checkpoints through the linked sink, never marked final (other writers go on)', async () => {
    const events = await signedLog(3, true)
    expect(events.map((e) => e.type)).toEqual(['release', 'release', 'release', 'checkpoint'])
    const report = await verifyAuditLog(events, { jwks, issuer: 'oem' })
    expect(report).toMatchObject({ ok: true, anchoredThrough: 2 })
  })
})

describe('the event schema', () => {
  it('validates each type strictly: members of another type are refused', async () => {
    const log = createAuditLog({ sink: memoryAuditSink() })
    const bad: unknown[] = [
      { ...input(1), code: 'ERR_NOT_PERMITTED' }, // a release with a denial's member
      {
        type: 'denied',
        partner: 'p',
        dataset: 'd',
        purpose: 'u',
        policyHash: 'x',
        code: 'ERR_X',
        rows: 1,
      },
      {
        type: 'denied',
        partner: 'p',
        dataset: 'd',
        purpose: 'u',
        policyHash: 'x',
        code: 'not a code',
      },
      {
        type: 'checkpoint',
        covers: { seq: 0, head: `sha256:${'0'.repeat(64)}` },
        kid: 'k',
        token: 't',
      },
      { type: 'resume', from: { seq: 0, head: `sha256:${'0'.repeat(64)}` } },
      { ...input(1), type: 'export' }, // an export without jti and signedDigest
      { type: 'policy', policyHash: `sha256:${'0'.repeat(64)}`, document: { a: 1 } }, // hash not the document's
    ]
    for (const candidate of bad)
      await expect(log.append(candidate as never)).rejects.toMatchObject({
        code: 'ERR_INVALID_ARGUMENT',
      })
  })
})

describe('verifyAuditLog', () => {
  it('reads an async iterable as it reads an array', async () => {
    const events = await signedLog(5)
    async function* cursor() {
      yield* events
    }
    expect(await verifyAuditLog(cursor(), { jwks, issuer: 'oem' })).toEqual(
      await verifyAuditLog(events, { jwks, issuer: 'oem' }),
    )
  })

  it('without keys checks the chain only, and says so', async () => {
    const report = await verifyAuditLog(await signedLog(2))
    expect(report.ok).toBe(true)
    expect(report.anchoredThrough).toBe(-1)
    // The hand-made events name a policy no policy event holds: said, not failed.
    expect(report.warnings.map((w) => w.code)).toEqual([
      'policy_not_logged',
      'checkpoints_not_verified',
    ])
  })

  const kinds: [string, (events: AuditEvent[]) => unknown[] | Promise<unknown[]>][] = [
    ['malformed', (e) => [e[0], { ...e[1], extra: 1 }, ...e.slice(2)]],
    ['hash_mismatch', (e) => [e[0], { ...e[1], rows: 50 }, ...e.slice(2)]],
    ['prev_mismatch', (e) => [e[0], ...e.slice(2)]],
    [
      'seq_gap',
      (e) => {
        const { hash: _h, ...body } = e[1]!
        const moved = { ...body, seq: 7 }
        return [e[0], { ...moved, hash: auditEventHash(moved) }]
      },
    ],
    [
      'checkpoint_invalid',
      (e) =>
        relink(
          e.map((event) =>
            event.type === 'checkpoint'
              ? { ...event, token: `${event.token.slice(0, -4)}AAAA` }
              : event,
          ),
        ),
    ],
    [
      'checkpoint_head_mismatch',
      (e) => relink(e.map((event, i) => (i === 1 ? { ...event, rows: 0 } : event))),
    ],
    [
      'resume_mismatch',
      (e) => {
        const last = e.at(-1)!
        return relink([
          ...e,
          {
            time: last.time,
            type: 'resume',
            from: { seq: 0, head: `sha256:${'f'.repeat(64)}` },
            prev: last.hash,
          },
        ])
      },
    ],
    ['appended_after_close', (e) => relink([...e, e[0]!])],
    [
      'policy_mismatch',
      (e) =>
        relink([
          {
            time: e[0]!.time,
            type: 'policy',
            policyHash: `sha256:${'7'.repeat(64)}`,
            document: { a: 1 },
            prev: e[0]!.prev,
          },
          ...e,
        ]),
    ],
  ]
  for (const [kind, tamper] of kinds)
    it(`finds ${kind}`, async () => {
      const events = await signedLog(3)
      const report = await verifyAuditLog(await tamper(events), { jwks, issuer: 'oem' })
      expect(report.ok).toBe(false)
      expect(report.issues.map((i) => i.code)).toContain(kind)
      expect(report.firstBroken?.seq).toEqual(expect.any(Number))
    })
})

describe('verifyAuditLog on restarts', () => {
  it('warns of a resume after events no checkpoint signed (a crash), not of one after a clean close', async () => {
    const sink = memoryAuditSink()
    const signing = { keys, issuer: 'oem', intervalMs: 0 }
    const first = createAuditLog({ sink, now: () => T0, checkpoint: signing })
    await first.append(input(1))
    await first.close()
    const second = createAuditLog({ sink, now: () => T0, checkpoint: signing })
    await second.append(input(2)) // then the process dies: no close, no checkpoint
    const third = createAuditLog({ sink, now: () => T0, checkpoint: signing })
    await third.append(input(3))
    await third.close()
    const report = await verifyAuditLog(sink.events, { jwks, issuer: 'oem' })
    expect(report.ok).toBe(true)
    const warned = report.warnings.filter((w) => w.code === 'resume_unanchored')
    const resumes = sink.events.filter((e) => e.type === 'resume').map((e) => `[${e.seq}]`)
    expect(warned.map((w) => w.path)).toEqual([resumes[1]])
  })
})
