// What the chain cannot prove on its own, pinned so the docs stay true: a log cut back to a
// checkpoint with no copy or receipt beyond it, and a forged resume after a clean close.
import { afterAll, describe, expect, it } from 'vitest'
import { type AuditEvent, auditEventHash, verifyAuditLog } from '../../src/export/audit.js'
import { cleanup, forgeAfter, Harness, ISSUER, SINKS } from './audit-harness.js'

afterAll(cleanup)

describe.each(SINKS)('on the %s sink', (kind) => {
  it('a log cut back to a checkpoint verifies only up to it without copies, and is truncated with them', async () => {
    const h = await Harness.create(kind)
    await h.start({ checkpointEvery: 2 })
    await h.exports(5)
    await h.stop()
    const events = await h.events()
    const checkpoints = events.filter((e) => e.type === 'checkpoint')
    const earlier = checkpoints.at(-3)!
    const cut = events.slice(0, earlier.seq + 1)
    await h.write(cut)
    const alone = await verifyAuditLog(await h.events(), { jwks: h.keys.jwks(), issuer: ISSUER })
    // The limit: nothing in the log says more events ever existed.
    expect(alone.ok).toBe(true)
    expect(alone.anchoredThrough).toBe(
      (earlier as Extract<AuditEvent, { type: 'checkpoint' }>).covers.seq,
    )
    const withCopies = await verifyAuditLog(await h.events(), {
      jwks: h.keys.jwks(),
      issuer: ISSUER,
      checkpoints: h.copies.tokens,
    })
    expect(withCopies.firstBroken?.reason).toBe('truncated')
  })

  it('a forged resume after the final checkpoint leaves the forged events an unanchored tail, and a restart warns', async () => {
    const h = await Harness.create(kind)
    await h.start()
    await h.exports(2)
    await h.stop()
    const events = await h.events()
    const last = events.at(-1)!
    const resumeBody = {
      seq: last.seq + 1,
      time: last.time,
      type: 'resume',
      from: { seq: last.seq, head: last.hash },
      prev: last.hash,
    }
    const resume = { ...resumeBody, hash: auditEventHash(resumeBody) } as AuditEvent
    const forged = forgeAfter(resume, new Date(h.clock).toISOString())
    await h.write([...events, resume, forged])
    const later = await verifyAuditLog(await h.events(), {
      jwks: h.keys.jwks(),
      issuer: ISSUER,
      now: () => new Date(h.clock + 3_600_000),
    })
    expect(later.firstBroken).toMatchObject({ seq: resume.seq, reason: 'unanchored_tail' })
    // The gate restarts and signs the forged head: the resume after unsigned events is flagged.
    h.clock += 1000
    await h.start()
    await h.stop()
    const restarted = await verifyAuditLog(await h.events(), {
      jwks: h.keys.jwks(),
      issuer: ISSUER,
      now: () => new Date(h.clock),
    })
    expect(restarted.warnings.map((w) => w.code)).toContain('resume_unanchored')
  })
})
