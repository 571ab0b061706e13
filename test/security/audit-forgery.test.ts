// Threat: an insider without the signing key appends events of their own: after the gate
// closed, while it runs, with a checkpoint signed by another key, or backdated.
import { afterAll, describe, expect, it } from 'vitest'
import { type AuditEvent, auditEventHash, verifyAuditLog } from '../../src/export/audit.js'
import { signCheckpoint } from '../../src/export/checkpoint.js'
import { generateKeys } from '../../src/export/keys.js'
import { cleanup, forgeAfter, Harness, ISSUER, map, rows, SINKS } from './audit-harness.js'

afterAll(cleanup)

describe.each(SINKS)('on the %s sink', (kind) => {
  it('an event appended after the gate closed is caught: it follows the final checkpoint', async () => {
    const h = await Harness.create(kind)
    await h.start()
    await h.exports(2)
    await h.stop()
    const events = await h.events()
    const forged = forgeAfter(events.at(-1)!, new Date(h.clock).toISOString())
    await h.write([...events, forged])

    const report = await verifyAuditLog([...events, forged], {
      jwks: h.keys.jwks(),
      issuer: ISSUER,
      now: () => new Date(h.clock),
    })
    expect(report.ok).toBe(false)
    expect(report.firstBroken).toMatchObject({ seq: forged.seq, reason: 'appended_after_close' })
  })

  it('an event appended while the gate runs breaks the link of the gate next event', async () => {
    const h = await Harness.create(kind)
    const gate = await h.start()
    await h.exports(1)
    const live = await h.events()
    await h.appendRaw(forgeAfter(live.at(-1)!, new Date(h.clock).toISOString()))
    await gate.export(rows(1), map)
    await h.stop()

    const report = await verifyAuditLog(await h.events(), { jwks: h.keys.jwks(), issuer: ISSUER })
    expect(report.ok).toBe(false)
    expect(report.issues.map((i) => i.code)).toContain('prev_mismatch')
  })

  it('a checkpoint signed with a key the caller did not give is rejected', async () => {
    const h = await Harness.create(kind)
    await h.start()
    await h.exports(2)
    await h.stop()
    const events = await h.events()
    const last = events.at(-1) as AuditEvent
    const stranger = await generateKeys()
    const { token, kid } = await signCheckpoint(
      { iss: ISSUER, seq: last.seq, head: last.hash, time: last.time },
      stranger,
    )
    const body = {
      seq: last.seq + 1,
      time: last.time,
      type: 'checkpoint',
      covers: { seq: last.seq, head: last.hash },
      kid,
      token,
      prev: last.hash,
    }
    const forged = [...events, { ...body, hash: auditEventHash(body) }]
    const report = await verifyAuditLog(forged, { jwks: h.keys.jwks(), issuer: ISSUER })
    expect(report.ok).toBe(false)
    expect(report.issues.map((i) => i.code)).toContain('checkpoint_invalid')
    // Nor does the forged checkpoint anchor anything.
    expect(report.anchoredThrough).toBeLessThan(last.seq)
  })

  it('an unanchored tail older than maxUnanchoredMs fails; a younger one is a warning', async () => {
    const h = await Harness.create(kind)
    await h.start()
    await h.exports(1)
    await h.stop()
    const events = await h.events()
    // A forger who cannot sign leaves the forged event unanchored, wherever its clock says.
    const resumeBody = {
      seq: events.length,
      time: new Date(h.clock).toISOString(),
      type: 'resume',
      from: { seq: events.at(-1)!.seq, head: events.at(-1)!.hash },
      prev: events.at(-1)!.hash,
    }
    const resume = { ...resumeBody, hash: auditEventHash(resumeBody) } as AuditEvent
    const forged = forgeAfter(resume, new Date(h.clock).toISOString())
    const log = [...events, resume, forged]
    const young = await verifyAuditLog(log, {
      jwks: h.keys.jwks(),
      issuer: ISSUER,
      now: () => new Date(h.clock + 10_000),
    })
    expect(young.ok).toBe(true)
    expect(young.warnings.map((w) => w.code)).toContain('unanchored_tail')
    const old = await verifyAuditLog(log, {
      jwks: h.keys.jwks(),
      issuer: ISSUER,
      now: () => new Date(h.clock + 3_600_000),
      maxUnanchoredMs: 60_000,
    })
    expect(old.ok).toBe(false)
    expect(old.firstBroken).toMatchObject({ seq: resume.seq, reason: 'unanchored_tail' })
  })
})
