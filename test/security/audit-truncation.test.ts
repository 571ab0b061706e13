// Threat: the last events are deleted (the log cut short), or one export's own event is, and
// receipts that are not what they claim are offered as evidence.
import { afterAll, describe, expect, it } from 'vitest'
import { verifyAuditChain, verifyAuditLog } from '../../src/export/audit.js'
import { generateKeys } from '../../src/export/keys.js'
import { signEnvelope } from '../../src/export/sign.js'
import { EXPORT_TYP } from '../../src/export/typ.js'
import { cleanup, Harness, ISSUER, rewrite, SINKS } from './audit-harness.js'

afterAll(cleanup)

describe.each(SINKS)('on the %s sink', (kind) => {
  it('a log cut short is caught by a receipt that names a seq it no longer reaches', async () => {
    const h = await Harness.create(kind)
    await h.start()
    await h.exports(6)
    await h.stop()
    const events = await h.events()
    const lastReceiptSeq = events.filter((e) => e.type === 'export').at(-1)!.seq - 1
    const cut = events.slice(0, lastReceiptSeq) // ends before the last receipt's position
    await h.write(cut)

    expect(verifyAuditChain(cut).ok).toBe(true)
    const report = await verifyAuditLog(await h.events(), {
      jwks: h.keys.jwks(),
      issuer: ISSUER,
      receipts: h.receipts,
    })
    expect(report.ok).toBe(false)
    expect(report.firstBroken).toMatchObject({ seq: cut.length, reason: 'truncated' })
  })

  it('a log cut short is caught by the checkpoint copy of its final checkpoint', async () => {
    const h = await Harness.create(kind)
    await h.start()
    await h.exports(3)
    await h.stop()
    const events = await h.events()
    const cut = events.slice(0, -3)
    const report = await verifyAuditLog(cut, {
      jwks: h.keys.jwks(),
      issuer: ISSUER,
      checkpoints: h.copies.tokens,
    })
    expect(report.ok).toBe(false)
    expect(report.issues.map((i) => i.code)).toContain('truncated')
  })

  it('a deleted export event is caught by its receipt, found by jti', async () => {
    const h = await Harness.create(kind)
    await h.start()
    await h.exports(3)
    await h.stop()
    const events = await h.events()
    const victim = events.filter((e) => e.type === 'export')[1]!
    // Removed and the chain relinked, checkpoints dropped, so only the receipt can tell.
    const edited = rewrite(
      events,
      -1,
      (e) => e,
      (e) => e.seq === victim.seq || e.type === 'checkpoint',
    )
    const report = await verifyAuditLog(edited, {
      jwks: h.keys.jwks(),
      issuer: ISSUER,
      receipts: [h.receipts[1]!],
    })
    expect(report.ok).toBe(false)
    expect(report.issues.map((i) => i.code)).toContain('receipt_event_missing')
  })

  it('a receipt counts only as a verified token: a bare or foreign-signed claim proves nothing', async () => {
    const h = await Harness.create(kind)
    await h.start()
    await h.exports(1)
    await h.stop()
    const events = await h.events()
    const stranger = await generateKeys()
    const now = Math.floor(h.clock / 1000)
    const foreign = await signEnvelope(
      {
        iss: ISSUER,
        aud: 'maps-co',
        iat: now,
        exp: now + 60,
        jti: 'x',
        audit: { seq: 999, head: `sha256:${'0'.repeat(64)}`, checkpoint: null },
      },
      stranger,
      { typ: EXPORT_TYP },
    )
    const [head, payload] = h.receipts[0]!.split('.')
    const bare = `${head}.${payload}.` // the claims without a signature
    const report = await verifyAuditLog(events, {
      jwks: h.keys.jwks(),
      issuer: ISSUER,
      receipts: [foreign.token, bare],
    })
    expect(report.issues.map((i) => i.code)).toEqual(['receipt_invalid', 'receipt_invalid'])
    // Neither was taken as evidence of a seq 999: no `truncated`.
    expect(report.firstBroken).toBeUndefined()
    await expect(verifyAuditLog(events, { receipts: h.receipts })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    })
  })
})
