// Threat: the insider appends forged events after the last checkpoint and dates them in the
// future, so the unanchored tail never looks old enough to fail `maxUnanchoredMs`.
import { afterAll, describe, expect, it } from 'vitest'
import { verifyAuditLog } from '../../src/export/audit.js'
import { cleanup, forgeAfter, Harness, ISSUER, SINKS, T0 } from './audit-harness.js'

afterAll(cleanup)

const DAY = 86_400_000

describe.each(SINKS)('on the %s sink', (kind) => {
  it('a forged unanchored tail dated in the future fails instead of staying a young warning', async () => {
    const h = await Harness.create(kind)
    await h.start()
    await h.exports(2)
    await h.stop()
    const events = await h.events()
    // Cut back to the startup checkpoint (a crash after it), then forge a tail dated 2099.
    const kept = events.slice(0, events.findIndex((e) => e.type === 'checkpoint') + 1)
    const forged = forgeAfter(kept.at(-1)!, '2099-01-01T00:00:00.000Z')
    await h.write([...kept, forged])

    const report = await verifyAuditLog(await h.events(), {
      jwks: h.keys.jwks(),
      issuer: ISSUER,
      now: () => new Date(T0.getTime() + DAY),
    })
    expect(report.ok).toBe(false)
    expect(report.firstBroken).toMatchObject({ seq: forged.seq, reason: 'unanchored_tail' })
  })

  it('a young unanchored tail a few seconds ahead of the verifier (clock skew) stays a warning', async () => {
    const h = await Harness.create(kind)
    await h.start()
    await h.exports(1)
    await h.stop()
    const events = await h.events()
    const kept = events.slice(0, events.findIndex((e) => e.type === 'checkpoint') + 1)
    const forged = forgeAfter(kept.at(-1)!, new Date(T0.getTime() + 5_000).toISOString())
    await h.write([...kept, forged])

    const report = await verifyAuditLog(await h.events(), {
      jwks: h.keys.jwks(),
      issuer: ISSUER,
      now: () => T0,
    })
    expect(report.ok).toBe(true)
    expect(report.warnings.map((w) => w.code)).toContain('unanchored_tail')
  })
})
