// Threat: an insider who can write the audit log (and restart the service) but does not hold
// the gate's signing key rewrites history and recomputes every hash. The chain check alone
// cannot see it; the signed checkpoints, their copies and the partners' receipts do.
import { afterAll, describe, expect, it } from 'vitest'
import { verifyAuditChain, verifyAuditLog } from '../../src/export/audit.js'
import { cleanup, Harness, ISSUER, rewrite, SINKS } from './audit-harness.js'

afterAll(cleanup)

const lowerRows = (event: Record<string, unknown>) => ({ ...event, rows: 0 })

describe.each(SINKS)('on the %s sink', (kind) => {
  it('a rewrite with recomputed hashes before a signed checkpoint is caught by its signed head', async () => {
    const h = await Harness.create(kind)
    await h.start()
    await h.exports(5)
    await h.stop()
    const events = await h.events()
    const target = events.find((e) => e.type === 'export')!
    const forged = rewrite(events, target.seq, lowerRows)
    await h.write(forged)

    expect(verifyAuditChain(forged).ok).toBe(true) // the hashes alone no longer tell
    const report = await verifyAuditLog(await h.events(), { jwks: h.keys.jwks(), issuer: ISSUER })
    expect(report.ok).toBe(false)
    expect(report.issues.map((i) => i.code)).toContain('checkpoint_head_mismatch')
    expect(report.firstBroken?.seq).toBeLessThanOrEqual(target.seq)
  })

  it('a rewrite done while the gate is stopped, checkpoints removed, is caught by a checkpoint copy', async () => {
    const h = await Harness.create(kind)
    await h.start()
    await h.exports(4)
    await h.stop()
    const events = await h.events()
    const target = events.find((e) => e.type === 'export')!
    // The insider drops every checkpoint (they would give the rewrite away) and restarts the
    // service, which resumes from the rewritten head and signs it.
    await h.write(rewrite(events, target.seq, lowerRows, (e) => e.type === 'checkpoint'))
    await h.start()
    await h.exports(1)
    await h.stop()

    const log = await h.events()
    expect(verifyAuditChain(log).ok).toBe(true)
    const inLogOnly = await verifyAuditLog(log, { jwks: h.keys.jwks(), issuer: ISSUER })
    expect(inLogOnly.ok).toBe(true) // what the insider hopes
    const report = await verifyAuditLog(log, {
      jwks: h.keys.jwks(),
      issuer: ISSUER,
      checkpoints: h.copies.tokens,
    })
    expect(report.ok).toBe(false)
    expect(report.issues.map((i) => i.code)).toEqual(expect.arrayContaining(['forked']))
  })

  it('a rewrite done while the gate is stopped is caught by the partners receipts', async () => {
    const h = await Harness.create(kind)
    await h.start()
    await h.exports(4)
    await h.stop()
    const events = await h.events()
    const target = events.filter((e) => e.type === 'export')[1]!
    await h.write(rewrite(events, target.seq, lowerRows, (e) => e.type === 'checkpoint'))
    await h.start()
    await h.stop()

    const report = await verifyAuditLog(await h.events(), {
      jwks: h.keys.jwks(),
      issuer: ISSUER,
      receipts: h.receipts,
    })
    expect(report.ok).toBe(false)
    const codes = report.issues.map((i) => i.code)
    expect(codes).toContain('forked')
    // The rewritten export's own event no longer records what its partner was given.
    expect(codes).toContain('receipt_mismatch')
  })

  it('an untouched log verifies against its copies and receipts, anchored to its end', async () => {
    const h = await Harness.create(kind)
    await h.start()
    await h.exports(3)
    await h.stop()
    await h.start()
    await h.exports(2)
    await h.stop()
    const log = await h.events()
    const report = await verifyAuditLog(log, {
      jwks: h.keys.jwks(),
      issuer: ISSUER,
      receipts: h.receipts,
      checkpoints: h.copies.tokens,
    })
    expect(report).toMatchObject({ ok: true, count: log.length, issues: [] })
    expect(report.anchoredThrough).toBe(log.length - 2) // the final checkpoint signs the event before it
  })
})
