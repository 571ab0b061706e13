// Key rings: generation, kid thumbprints, JWKS contents, rotation and retirement, imports.
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK } from 'jose'
import { describe, expect, it } from 'vitest'
import type { KeyRing } from '../../src/export/key-ring.js'
import {
  generateKeys,
  importKey,
  importKeys,
  isKeyRing,
  retireKey,
  rotateKeys,
} from '../../src/export/keys.js'
import { signEnvelope } from '../../src/export/sign.js'
import { EXPORT_TYP } from '../../src/export/typ.js'
import { verifyExport } from '../../src/export/verify-export.js'
import { b64u, expectCode, exportClaims, ISSUER, NOW, PARTNER } from './helpers.js'

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth', 'priv']

function verifyWith(ring: KeyRing, token: string) {
  return verifyExport(token, {
    jwks: ring.jwks(),
    issuer: ISSUER,
    audience: PARTNER,
    now: () => NOW,
  })
}

describe('generateKeys', () => {
  it.each(['EdDSA', 'ES256'] as const)(
    '%s: kid is the RFC 7638 thumbprint; JWKS is public only',
    async (alg) => {
      const ring = await generateKeys({ alg })
      expect(isKeyRing(ring)).toBe(true)
      const [jwk, ...rest] = ring.jwks().keys
      expect(rest).toHaveLength(0)
      expect(jwk).toMatchObject({ kid: ring.current.kid, alg, use: 'sig' })
      for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member)
      const { kid: _kid, alg: _alg, use: _use, ...bare } = jwk!
      expect(ring.current.kid).toBe(await calculateJwkThumbprint(bare, 'sha256'))
      expect(ring.current.privateKey?.type).toBe('private')
      expect(ring.current.verifyKey.type).toBe('public')
    },
  )

  it('defaults to EdDSA (Ed25519), takes a given kid, and keeps the ring immutable', async () => {
    const ring = await generateKeys({ kid: 'gate-2026-11' })
    expect(ring.current).toMatchObject({ alg: 'EdDSA', kid: 'gate-2026-11' })
    expect(ring.jwks().keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519' })
    expect(Object.isFrozen(ring)).toBe(true)
    expect(Object.isFrozen(ring.keys)).toBe(true)
    ring.jwks().keys.pop()
    expect(ring.jwks().keys).toHaveLength(1)
  })

  it('HS256 keys are never published', async () => {
    const ring = await generateKeys({ alg: 'HS256' })
    expect(ring.jwks()).toEqual({ keys: [] })
    expect(ring.current.publicJwk).toBeUndefined()
    expect(ring.current.privateKey?.type).toBe('secret')
  })

  it('refuses an unknown algorithm', async () => {
    await expectCode(generateKeys({ alg: 'RS256' as never }), 'ERR_INVALID_ARGUMENT')
  })
})

describe('rotation and retirement', () => {
  it('old tokens verify while their key is listed, fail after retireKey; new tokens use the new kid', async () => {
    const first = await generateKeys()
    const oldToken = (await signEnvelope(exportClaims(), first, { typ: EXPORT_TYP })).token
    const rotated = await rotateKeys(first)
    expect(rotated.keys.map((key) => key.kid)).toEqual([rotated.current.kid, first.current.kid])
    expect(first.keys).toHaveLength(1)

    const fresh = await signEnvelope(exportClaims(), rotated, { typ: EXPORT_TYP })
    expect(fresh.kid).toBe(rotated.current.kid)
    expect(fresh.kid).not.toBe(first.current.kid)
    expect(JSON.parse(Buffer.from(fresh.token.split('.')[0]!, 'base64url').toString()).kid).toBe(
      fresh.kid,
    )

    await verifyWith(rotated, oldToken)
    await verifyWith(rotated, fresh.token)
    await verifyExport(oldToken, {
      key: rotated,
      issuer: ISSUER,
      audience: PARTNER,
      now: () => NOW,
    })

    const retired = retireKey(rotated, first.current.kid)
    expect(retired.jwks().keys.map((key) => key.kid)).toEqual([rotated.current.kid])
    await expectCode(verifyWith(retired, oldToken), 'ERR_SIGNATURE_INVALID')
    await expectCode(
      verifyExport(oldToken, { key: retired, issuer: ISSUER, audience: PARTNER, now: () => NOW }),
      'ERR_SIGNATURE_INVALID',
    )
    await verifyWith(retired, fresh.token)
  })

  it('rotation may change the algorithm; retiring the only key or an unknown kid is refused', async () => {
    const ring = await generateKeys({ alg: 'EdDSA' })
    const rotated = await rotateKeys(ring, { alg: 'ES256' })
    expect(rotated.current.alg).toBe('ES256')
    expect((await rotateKeys(rotated)).current.alg).toBe('ES256')
    expectCodeSync(() => retireKey(ring, ring.current.kid), 'ERR_KEY_INVALID')
    expectCodeSync(() => retireKey(rotated, 'nope'), 'ERR_INVALID_ARGUMENT')
    await expectCode(rotateKeys(ring, { kid: ring.current.kid }), 'ERR_KEY_INVALID')
  })
})

function expectCodeSync(run: () => unknown, code: string) {
  expect(run).toThrow(expect.objectContaining({ name: 'DatagateError', code }))
}

describe('importKey / importKeys', () => {
  it('HS256 secret: 32 bytes accepted, 31 rejected (jose alone would take 1 byte)', async () => {
    const ok = await importKey({ secret: new Uint8Array(32).fill(7), alg: 'HS256' })
    expect(ok.alg).toBe('HS256')
    await expectCode(
      importKey({ secret: new Uint8Array(31).fill(7), alg: 'HS256' }),
      'ERR_KEY_INVALID',
    )
    const shortJwk = { kty: 'oct', k: b64u(new Uint8Array(31).fill(7)) }
    await expectCode(importKey({ jwk: shortJwk }), 'ERR_KEY_INVALID')
    await expectCode(
      importKey({ secret: new Uint8Array(32), alg: 'EdDSA' } as never),
      'ERR_INVALID_ARGUMENT',
    )
  })

  it('PKCS#8 and SPKI PEM from node:crypto round trip (Ed25519 and P-256)', async () => {
    for (const [alg, pair] of [
      ['EdDSA', generateKeyPairSync('ed25519')],
      ['ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ] as const) {
      const pkcs8 = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
      const spki = pair.publicKey.export({ format: 'pem', type: 'spki' }).toString()
      const signer = await importKeys([{ pem: pkcs8, alg }])
      const verifier = await importKeys([{ pem: spki, alg }])
      expect(verifier.current.kid).toBe(signer.current.kid)
      expect(verifier.current.privateKey).toBeUndefined()
      expect(verifier.jwks()).toEqual(signer.jwks())
      const nodeJwk = pair.publicKey.export({ format: 'jwk' })
      expect(signer.jwks().keys[0]).toMatchObject({ x: nodeJwk.x, alg, use: 'sig' })

      const signed = await signEnvelope(exportClaims(), signer, { typ: EXPORT_TYP })
      await verifyExport(signed.token, {
        key: verifier,
        issuer: ISSUER,
        audience: PARTNER,
        now: () => NOW,
      })
      await verifyWith(verifier, signed.token)
      await expectCode(
        signEnvelope(exportClaims(), verifier, { typ: EXPORT_TYP }),
        'ERR_KEY_INVALID',
      )
    }
  })

  it('a signature made by node:crypto verifies through an SPKI-imported key', async () => {
    const pair = generateKeyPairSync('ed25519')
    const spki = pair.publicKey.export({ format: 'pem', type: 'spki' }).toString()
    const ring = await importKeys([{ pem: spki, alg: 'EdDSA', kid: 'node-made' }])
    const header = b64u(JSON.stringify({ alg: 'EdDSA', kid: 'node-made', typ: EXPORT_TYP }))
    const body = b64u(JSON.stringify(exportClaims()))
    const signature = nodeSign(null, Buffer.from(`${header}.${body}`), pair.privateKey)
    const token = `${header}.${body}.${signature.toString('base64url')}`
    const { meta } = await verifyWith(ring, token)
    expect(meta.iss).toBe(ISSUER)
  })

  it('private JWK export and re-import keeps kid and signs tokens the original ring verifies', async () => {
    const original = await generateKeys({ alg: 'ES256' })
    const jwk = { ...(await exportJWK(original.current.privateKey!)), kid: original.current.kid }
    const restored = await importKeys([{ jwk }])
    expect(restored.current.kid).toBe(original.current.kid)
    const signed = await signEnvelope(exportClaims(), restored, { typ: EXPORT_TYP })
    await verifyWith(original, signed.token)

    const { kid: _kid, ...noKid } = jwk
    expect((await importKey({ jwk: noKid })).kid).toBe(original.current.kid)
  })

  it('refuses unsupported, inconsistent, duplicate and malformed keys', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      format: 'jwk',
    })
    await expectCode(importKey({ jwk: rsa }), 'ERR_KEY_UNSUPPORTED')
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({
      format: 'jwk',
    })
    await expectCode(importKey({ jwk: p384 }), 'ERR_KEY_UNSUPPORTED')
    const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' })
    await expectCode(importKey({ jwk: { ...ed, alg: 'ES256' } }), 'ERR_KEY_INVALID')
    await expectCode(importKey({ jwk: { ...ed, use: 'enc' } }), 'ERR_KEY_INVALID')
    await expectCode(importKey({ jwk: { ...ed, x: 'AAAA' } }), 'ERR_KEY_INVALID')
    await expectCode(importKeys([{ jwk: ed }, { jwk: ed }]), 'ERR_KEY_INVALID')
    await expectCode(importKeys([]), 'ERR_INVALID_ARGUMENT')
    const sec1 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ format: 'pem', type: 'sec1' })
      .toString()
    await expectCode(importKey({ pem: sec1, alg: 'ES256' }), 'ERR_KEY_UNSUPPORTED')
    const edPem = generateKeyPairSync('ed25519')
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString()
    await expectCode(importKey({ pem: edPem, alg: 'ES256' }), 'ERR_KEY_INVALID')
  })
})
