// Threat: the insider, without the gate's key, offers checkpoints that are not the gate's:
// `alg: none`, a key embedded in the header, a token of another type signed by the gate, a
// checkpoint of another gate that shares the key ring, an old checkpoint replayed later.
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, describe, expect, it } from 'vitest'
import { type AuditEvent, auditEventHash, verifyAuditLog } from '../../src/export/audit.js'
import { signCheckpoint } from '../../src/export/checkpoint.js'
import { cleanup, Harness, ISSUER } from './audit-harness.js'

afterAll(cleanup)

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

function checkpointAfter(
  last: AuditEvent,
  token: string,
  covers = { seq: last.seq, head: last.hash },
) {
  const body = {
    seq: last.seq + 1,
    time: last.time,
    type: 'checkpoint',
    covers,
    kid: 'k',
    token,
    prev: last.hash,
  }
  return { ...body, hash: auditEventHash(body) } as AuditEvent
}

async function stoppedLog() {
  const h = await Harness.create('memory')
  await h.start()
  await h.exports(2)
  await h.stop()
  return { h, events: await h.events() }
}

describe('checkpoint tokens that are not the gate’s anchor nothing', () => {
  it('alg none, an embedded jwk and a gate-signed token of another typ are checkpoint_invalid, in the log and as copies', async () => {
    const { h, events } = await stoppedLog()
    const last = events.at(-1)!
    const claims = { iss: ISSUER, seq: last.seq, head: last.hash, time: last.time }
    const none = `${b64({ alg: 'none', typ: 'datagate-checkpoint+jwt' })}.${b64(claims)}.`
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
    const embedded = await new SignJWT(claims)
      .setProtectedHeader({
        alg: 'EdDSA',
        typ: 'datagate-checkpoint+jwt',
        jwk: await exportJWK(publicKey),
      })
      .sign(privateKey)
    const otherTyp = h.receipts[0]! // signed by the gate, but an export
    for (const token of [none, embedded, otherTyp]) {
      const inLog = await verifyAuditLog([...events, checkpointAfter(last, token)], {
        jwks: h.keys.jwks(),
        issuer: ISSUER,
      })
      expect(inLog.issues.map((i) => i.code)).toContain('checkpoint_invalid')
      const copy = await verifyAuditLog(events, {
        jwks: h.keys.jwks(),
        issuer: ISSUER,
        checkpoints: [token],
      })
      expect(copy.issues.map((i) => i.code)).toContain('checkpoint_invalid')
      expect(copy.anchoredThrough).toBe(inLog.anchoredThrough)
    }
  })

  it('a checkpoint of another gate sharing the key ring is refused by issuer, and never matches this chain', async () => {
    const { h, events } = await stoppedLog()
    const last = events.at(-1)!
    const other = await signCheckpoint(
      { iss: 'other-gate', seq: last.seq, head: last.hash, time: last.time },
      h.keys,
    )
    const pinned = await verifyAuditLog([...events, checkpointAfter(last, other.token)], {
      jwks: h.keys.jwks(),
      issuer: ISSUER,
    })
    expect(pinned.issues.map((i) => i.code)).toContain('checkpoint_invalid')
    // Another gate's real checkpoint signs its own chain's head: it cannot match this one.
    const b = await Harness.create('memory', h.keys)
    await b.start()
    await b.exports(3)
    await b.stop()
    const foreign = await verifyAuditLog(events, {
      jwks: h.keys.jwks(),
      checkpoints: b.copies.tokens,
    })
    expect(foreign.ok).toBe(false)
    expect(foreign.issues.map((i) => i.code)).toEqual(expect.arrayContaining(['forked']))
  })

  it('an old checkpoint replayed at the end of a forged tail anchors only its own old position', async () => {
    const { h, events } = await stoppedLog()
    const start = events.find((e) => e.type === 'checkpoint')! // the startup checkpoint, seq 1
    const kept = events.slice(0, start.seq + 1)
    const replay = checkpointAfter(
      kept.at(-1)!,
      (start as Extract<AuditEvent, { type: 'checkpoint' }>).token,
      (start as Extract<AuditEvent, { type: 'checkpoint' }>).covers,
    )
    const report = await verifyAuditLog([...kept, replay], { jwks: h.keys.jwks(), issuer: ISSUER })
    expect(report.anchoredThrough).toBe(start.covers.seq)
  })
})
