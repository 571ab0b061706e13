// signEnvelope / verifyEnvelope / verifyExport: round trips in every format, and every tamper or
// misuse rejected with its own code.
import {
  CompactEncrypt,
  CompactSign,
  exportJWK,
  exportSPKI,
  FlattenedSign,
  generateKeyPair,
  type JWK,
} from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import type { VerifyExportOptions } from '../../src/export/export-claims.js'
import type { KeyRing } from '../../src/export/key-ring.js'
import { generateKeys } from '../../src/export/keys.js'
import { createMemoryReplayCache } from '../../src/export/replay-cache.js'
import { signEnvelope } from '../../src/export/sign.js'
import { DELTA_TYP, EXPORT_TYP } from '../../src/export/typ.js'
import { verifyEnvelope } from '../../src/export/verify.js'
import { verifyExport } from '../../src/export/verify-export.js'
import { b64u, expectCode, exportClaims, ISSUER, NOW, NOW_S, PARTNER, unb64u } from './helpers.js'

let ring: KeyRing
let esRing: KeyRing
let partner: { publicJwk: JWK; privateJwk: JWK; privateKey: CryptoKey }
let options: VerifyExportOptions

beforeAll(async () => {
  ring = await generateKeys({ alg: 'EdDSA' })
  esRing = await generateKeys({ alg: 'ES256' })
  const pair = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256', extractable: true })
  partner = {
    publicJwk: { ...(await exportJWK(pair.publicKey)), kid: 'rental-co-enc-1', use: 'enc' },
    privateJwk: await exportJWK(pair.privateKey),
    privateKey: pair.privateKey,
  }
  options = { jwks: ring.jwks(), issuer: ISSUER, audience: PARTNER, now: () => NOW }
})

function withoutJwks(): Omit<VerifyExportOptions, 'jwks'> {
  const { jwks: _jwks, ...rest } = options
  return rest
}

/** Re-encodes one part of a compact token after changing its decoded JSON text. */
function editPart(token: string, index: 0 | 1, edit: (json: string) => string): string {
  const parts = token.split('.')
  parts[index] = b64u(edit(unb64u(parts[index]!)))
  return parts.join('.')
}

/** Signs `payload` as an attacker would, with any header and key (jose directly). */
async function forge(
  header: Record<string, unknown>,
  key: CryptoKey | Uint8Array,
  payload = exportClaims(),
) {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader(header as { alg: string })
    .sign(key, { crit: { exp: true } })
}

describe('signEnvelope + verifyExport round trips', () => {
  it.each(['compact', 'flattened', 'detached'] as const)('%s (EdDSA)', async (format) => {
    const claims = exportClaims()
    const signed = await signEnvelope(claims, ring, { typ: EXPORT_TYP, format })
    expect(signed).toMatchObject({ format, kid: ring.current.kid, alg: 'EdDSA' })
    const verifyOptions = format === 'detached' ? { ...options, payload: signed.payload! } : options
    const { records, meta } = await verifyExport(signed.token, verifyOptions)
    expect(records).toEqual(claims.records)
    const { records: _records, ...rest } = claims
    expect(meta).toEqual(rest)
    expect(meta).not.toHaveProperty('records')
  })

  it('compact header is exactly { alg, kid, typ }', async () => {
    const signed = await signEnvelope(exportClaims(), esRing, { typ: EXPORT_TYP })
    const header = JSON.parse(unb64u(signed.token.split('.')[0]!))
    expect(header).toEqual({ alg: 'ES256', kid: esRing.current.kid, typ: EXPORT_TYP })
    const { meta } = await verifyExport(signed.token, { ...options, jwks: esRing.jwks() })
    expect(meta.count).toBe(2)
  })

  it('detached: b64:false header, payload is the exact JSON.stringify text', async () => {
    const claims = exportClaims()
    const signed = await signEnvelope(claims, ring, { typ: EXPORT_TYP, format: 'detached' })
    const [header, body, signature] = signed.token.split('.')
    expect(body).toBe('')
    expect(signature).not.toBe('')
    expect(JSON.parse(unb64u(header!))).toEqual({
      alg: 'EdDSA',
      kid: ring.current.kid,
      typ: EXPORT_TYP,
      b64: false,
      crit: ['b64'],
    })
    expect(signed.payload).toBe(JSON.stringify(claims))
    const bytes = new TextEncoder().encode(signed.payload)
    await verifyExport(signed.token, { ...options, payload: bytes })
    await expectCode(verifyExport(signed.token, options), 'ERR_TOKEN_MALFORMED')
    const altered = signed.payload!.replace('"Lyon"', '"Lyom"')
    await expectCode(
      verifyExport(signed.token, { ...options, payload: altered }),
      'ERR_SIGNATURE_INVALID',
    )
  })

  it('flattened token is the JSON of { payload, protected, signature } and nothing else', async () => {
    const signed = await signEnvelope(exportClaims(), ring, {
      typ: EXPORT_TYP,
      format: 'flattened',
    })
    expect(Object.keys(JSON.parse(signed.token)).sort()).toEqual([
      'payload',
      'protected',
      'signature',
    ])
    const withHeader = JSON.stringify({ ...JSON.parse(signed.token), header: { kid: 'x' } })
    await expectCode(verifyExport(withHeader, options), 'ERR_TOKEN_MALFORMED')
  })

  it('jwe: compact JWE { ECDH-ES+A256KW, A256GCM, cty JWT, kid } around the compact JWS, no zip', async () => {
    const claims = exportClaims()
    const signed = await signEnvelope(claims, ring, {
      typ: EXPORT_TYP,
      encryptTo: { keys: [partner.publicJwk] },
    })
    expect(signed.format).toBe('jwe')
    expect(signed.token.split('.')).toHaveLength(5)
    const header = JSON.parse(unb64u(signed.token.split('.')[0]!))
    expect(header).toMatchObject({
      alg: 'ECDH-ES+A256KW',
      enc: 'A256GCM',
      cty: 'JWT',
      kid: 'rental-co-enc-1',
    })
    expect(header).not.toHaveProperty('zip')
    for (const decryptionKey of [partner.privateKey, partner.privateJwk]) {
      const { records } = await verifyExport(signed.token, { ...options, decryptionKey })
      expect(records).toEqual(claims.records)
    }
  })

  it('jwe to an X25519 partner key, given as JWK or as CryptoKey', async () => {
    const x = await generateKeyPair('ECDH-ES+A256KW', { crv: 'X25519', extractable: true })
    const publicJwk = await exportJWK(x.publicKey)
    for (const encryptTo of [publicJwk, x.publicKey]) {
      const signed = await signEnvelope(exportClaims(), ring, { typ: EXPORT_TYP, encryptTo })
      const header = JSON.parse(unb64u(signed.token.split('.')[0]!))
      expect(header.epk).toMatchObject({ kty: 'OKP', crv: 'X25519' })
      await verifyExport(signed.token, { ...options, decryptionKey: x.privateKey })
    }
  })

  it('verifyEnvelope pins typ for deltas and returns the protected header', async () => {
    const payload = { iss: ISSUER, aud: PARTNER, iat: NOW_S, exp: NOW_S + 60, patch: [] }
    const signed = await signEnvelope(payload, ring, { typ: DELTA_TYP })
    const result = await verifyEnvelope(signed.token, { ...options, typ: DELTA_TYP })
    expect(result.payload).toEqual(payload)
    expect(result.protectedHeader).toEqual({ alg: 'EdDSA', kid: ring.current.kid, typ: DELTA_TYP })
  })

  it('refuses bad arguments', async () => {
    await expectCode(signEnvelope([] as never, ring, { typ: EXPORT_TYP }), 'ERR_INVALID_ARGUMENT')
    await expectCode(
      signEnvelope({ n: 1n } as never, ring, { typ: EXPORT_TYP }),
      'ERR_INVALID_ARGUMENT',
    )
    await expectCode(
      signEnvelope({}, ring, {
        typ: EXPORT_TYP,
        format: 'flattened',
        encryptTo: partner.publicJwk,
      }),
      'ERR_INVALID_ARGUMENT',
    )
    await expectCode(
      signEnvelope({}, ring, { typ: EXPORT_TYP, encryptTo: partner.privateJwk }),
      'ERR_KEY_INVALID',
    )
    const signed = await signEnvelope(exportClaims(), ring, { typ: EXPORT_TYP })
    await expectCode(verifyExport(signed.token, { ...options, key: ring }), 'ERR_INVALID_ARGUMENT')
  })
})

describe('tampering and misuse, each with its own code', () => {
  let token: string
  beforeAll(async () => {
    token = (await signEnvelope(exportClaims(), ring, { typ: EXPORT_TYP })).token
  })

  it('one byte changed in the payload: ERR_SIGNATURE_INVALID', async () => {
    const tampered = editPart(token, 1, (json) => json.replace('"Lyon"', '"Lyom"'))
    expect(tampered).not.toBe(token)
    await expectCode(verifyExport(tampered, options), 'ERR_SIGNATURE_INVALID')
  })

  it('one byte changed in the header: ERR_SIGNATURE_INVALID', async () => {
    const tampered = editPart(token, 0, (json) => json.replace('"EdDSA"', '"EdDSA" '))
    await expectCode(verifyExport(tampered, options), 'ERR_SIGNATURE_INVALID')
  })

  it('one byte changed in the signature: ERR_SIGNATURE_INVALID', async () => {
    const [h, p, s] = token.split('.') as [string, string, string]
    // Change a middle character: the last one of a 64-byte signature also holds padding bits.
    const tampered = `${h}.${p}.${s.slice(0, 40)}${s[40] === 'A' ? 'B' : 'A'}${s.slice(41)}`
    await expectCode(verifyExport(tampered, options), 'ERR_SIGNATURE_INVALID')
  })

  it('a signature spelled with other trailing bits is refused, not accepted as the same', async () => {
    const [h, p, s] = token.split('.') as [string, string, string]
    // 64 bytes encode to 86 characters; the last one carries 2 bits of padding.
    const last = s.at(-1) as string
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] as string
    const respelled = `${h}.${p}.${s.slice(0, -1)}${sibling}`
    expect(Buffer.from(respelled.split('.')[2] as string, 'base64url')).toEqual(
      Buffer.from(s, 'base64url'),
    )
    await expectCode(verifyExport(respelled, options), 'ERR_TOKEN_MALFORMED')
  })

  it('token signed by a key that is not listed: ERR_SIGNATURE_INVALID', async () => {
    const other = await generateKeys()
    const foreign = await signEnvelope(exportClaims(), other, { typ: EXPORT_TYP })
    await expectCode(verifyExport(foreign.token, options), 'ERR_SIGNATURE_INVALID')
  })

  it('wrong audience and wrong issuer', async () => {
    await expectCode(
      verifyExport(token, { ...options, audience: 'maps-co' }),
      'ERR_AUDIENCE_MISMATCH',
    )
    await expectCode(
      verifyExport(token, { ...options, issuer: 'someone-else' }),
      'ERR_ISSUER_MISMATCH',
    )
    const noAud = await signEnvelope(exportClaims({ aud: undefined }), ring, { typ: EXPORT_TYP })
    await expectCode(verifyExport(noAud.token, options), 'ERR_AUDIENCE_MISMATCH')
    const listAud = await signEnvelope(exportClaims({ aud: ['maps-co', PARTNER] }), ring, {
      typ: EXPORT_TYP,
    })
    await verifyEnvelope(listAud.token, { ...options, typ: EXPORT_TYP })
  })

  it('expired, too old, from the future, not yet valid', async () => {
    const at = (seconds: number) => new Date((NOW_S + seconds) * 1000)
    await expectCode(verifyExport(token, { ...options, now: () => at(3600) }), 'ERR_TOKEN_EXPIRED')
    await verifyExport(token, { ...options, now: () => at(3600), clockTolerance: 5 })
    await expectCode(
      verifyExport(token, { ...options, now: () => at(3599), maxAge: 60 }),
      'ERR_TOKEN_EXPIRED',
    )
    await expectCode(verifyExport(token, { ...options, now: () => at(-10) }), 'ERR_CLAIM_INVALID')
    const longLived = await signEnvelope(exportClaims({ exp: NOW_S + 7 * 86_400 }), ring, {
      typ: EXPORT_TYP,
    })
    await expectCode(
      verifyExport(longLived.token, { ...options, now: () => at(86_401) }),
      'ERR_TOKEN_EXPIRED',
    )
    await verifyExport(longLived.token, { ...options, now: () => at(86_401), maxAge: 2 * 86_400 })
    const noExp = await signEnvelope(exportClaims({ exp: undefined }), ring, { typ: EXPORT_TYP })
    await expectCode(verifyExport(noExp.token, options), 'ERR_CLAIM_INVALID')
    const nbf = await signEnvelope(exportClaims({ nbf: NOW_S + 60 }), ring, { typ: EXPORT_TYP })
    await expectCode(verifyExport(nbf.token, options), 'ERR_CLAIM_INVALID')
  })

  it('replayed jti: ERR_TOKEN_REPLAYED; jti required with a replay cache', async () => {
    const replayCache = createMemoryReplayCache()
    await verifyExport(token, { ...options, replayCache })
    await expectCode(verifyExport(token, { ...options, replayCache }), 'ERR_TOKEN_REPLAYED')
    const noJti = await signEnvelope({ iss: ISSUER, aud: PARTNER, exp: NOW_S + 60 }, ring, {
      typ: DELTA_TYP,
    })
    await expectCode(
      verifyEnvelope(noJti.token, { ...options, typ: DELTA_TYP, replayCache }),
      'ERR_CLAIM_INVALID',
    )
  })

  it('a token rejected for its content does not burn its jti', async () => {
    const replayCache = createMemoryReplayCache()
    const bad = await signEnvelope(exportClaims({ count: 3 }), ring, { typ: EXPORT_TYP })
    await expectCode(verifyExport(bad.token, { ...options, replayCache }), 'ERR_CLAIM_INVALID')
    expect(replayCache.size).toBe(0)
  })

  it('a failing replay cache fails closed', async () => {
    const replayCache = { claim: () => Promise.reject(new Error('store down')) }
    await expectCode(verifyExport(token, { ...options, replayCache }), 'ERR_TOKEN_REPLAYED')
  })

  it('alg none (any case): ERR_ALG_NOT_ALLOWED', async () => {
    const body = token.split('.')[1]
    for (const alg of ['none', 'NONE', 'None']) {
      const header = b64u(JSON.stringify({ alg, kid: ring.current.kid, typ: EXPORT_TYP }))
      await expectCode(verifyExport(`${header}.${body}.`, options), 'ERR_ALG_NOT_ALLOWED')
    }
  })

  it('HS256 token made with the public key as secret: rejected', async () => {
    const spki = new TextEncoder().encode(await exportSPKI(ring.current.verifyKey))
    const rawX = new Uint8Array(Buffer.from(String(ring.current.publicJwk!.x), 'base64url'))
    const padded = new Uint8Array(32)
    padded.set(rawX)
    for (const secret of [spki, padded]) {
      const forged = await forge({ alg: 'HS256', kid: ring.current.kid, typ: EXPORT_TYP }, secret)
      await expectCode(verifyExport(forged, options), 'ERR_ALG_NOT_ALLOWED')
      await expectCode(
        verifyExport(forged, {
          ...withoutJwks(),
          key: ring,
          algorithms: ['EdDSA', 'HS256'],
        }),
        'ERR_ALG_NOT_ALLOWED',
      )
      await expectCode(
        verifyExport(forged, {
          ...withoutJwks(),
          key: ring.current.verifyKey,
          algorithms: ['EdDSA', 'HS256'],
        }),
        'ERR_ALG_NOT_ALLOWED',
      )
    }
    await expectCode(
      verifyExport(token, { ...options, algorithms: ['EdDSA', 'HS256'] }),
      'ERR_INVALID_ARGUMENT',
    )
  })

  it('keys named in the header (jwk, jku, x5u, x5c): ERR_EMBEDDED_KEY', async () => {
    const attacker = await generateKeyPair('EdDSA', { extractable: true })
    const attackerJwk = await exportJWK(attacker.publicKey)
    const embedded: Record<string, unknown>[] = [
      { jwk: attackerJwk },
      { jku: 'https://evil.example/jwks.json' },
      { x5u: 'https://evil.example/cert.pem' },
      { x5c: ['MIIB'] },
    ]
    for (const extra of embedded) {
      const forged = await forge({ alg: 'EdDSA', typ: EXPORT_TYP, ...extra }, attacker.privateKey)
      await expectCode(verifyExport(forged, options), 'ERR_EMBEDDED_KEY')
      const genuine = await forge(
        { alg: 'EdDSA', kid: ring.current.kid, typ: EXPORT_TYP, ...extra },
        ring.current.privateKey!,
      )
      await expectCode(verifyExport(genuine, options), 'ERR_EMBEDDED_KEY')
    }
  })

  it('unknown crit, crit outside the protected header, b64 without crit, inline b64:false', async () => {
    const header = { alg: 'EdDSA', kid: ring.current.kid, typ: EXPORT_TYP }
    const signer = ring.current.privateKey!
    const unknownCrit = await forge({ ...header, crit: ['exp'], exp: NOW_S + 60 }, signer)
    await expectCode(verifyExport(unknownCrit, options), 'ERR_CRIT_UNSUPPORTED')

    const flattened = await signEnvelope(exportClaims(), ring, {
      typ: EXPORT_TYP,
      format: 'flattened',
    })
    const unprotectedCrit = JSON.stringify({
      ...JSON.parse(flattened.token),
      header: { crit: ['b64'] },
    })
    await expectCode(verifyExport(unprotectedCrit, options), 'ERR_TOKEN_MALFORMED')

    const b64NoCrit = await forge({ ...header, b64: true }, signer)
    await expectCode(verifyExport(b64NoCrit, options), 'ERR_CRIT_UNSUPPORTED')

    const inline = await new FlattenedSign(new TextEncoder().encode('{"iss":"oem-aftersales"}'))
      .setProtectedHeader({ ...header, b64: false, crit: ['b64'] })
      .sign(signer)
    const inlineToken = `${inline.protected}.{"iss":"oem-aftersales"}.${inline.signature}`
    await expectCode(verifyExport(inlineToken, options), 'ERR_CRIT_UNSUPPORTED')
  })

  it('wrong typ (also the application/ prefix jose would normalise): ERR_TYP_INVALID', async () => {
    const delta = await signEnvelope(exportClaims(), ring, { typ: DELTA_TYP })
    await expectCode(verifyExport(delta.token, options), 'ERR_TYP_INVALID')
    const prefixed = await signEnvelope(exportClaims(), ring, { typ: `application/${EXPORT_TYP}` })
    await expectCode(verifyExport(prefixed.token, options), 'ERR_TYP_INVALID')
    const noTyp = await forge({ alg: 'EdDSA', kid: ring.current.kid }, ring.current.privateKey!)
    await expectCode(verifyExport(noTyp, options), 'ERR_TYP_INVALID')
  })

  it('count mismatch and malformed export claims: ERR_CLAIM_INVALID', async () => {
    for (const overrides of [
      { count: 3 },
      { count: '2' },
      { records: { 0: {} } },
      { records: [1, 2] },
      { dataset: { name: 'repair_order', version: '2026-11' } },
      { purpose: undefined },
      { report: 'ok' },
    ]) {
      const signed = await signEnvelope(exportClaims(overrides), ring, { typ: EXPORT_TYP })
      await expectCode(verifyExport(signed.token, options), 'ERR_CLAIM_INVALID')
    }
  })

  it('malformed tokens: ERR_TOKEN_MALFORMED', async () => {
    for (const bad of ['a.b', 'a.b.c.d', '{not json', `${token}.`, '!!.e30.AA', 'e30.e30.AA']) {
      await expectCode(verifyExport(bad, options), 'ERR_TOKEN_MALFORMED')
    }
    const notJson = await new CompactSign(new TextEncoder().encode('not json'))
      .setProtectedHeader({ alg: 'EdDSA', kid: ring.current.kid, typ: EXPORT_TYP })
      .sign(ring.current.privateKey!)
    await expectCode(verifyExport(notJson, options), 'ERR_TOKEN_MALFORMED')
  })

  it('JWE: wrong key, tampered, missing key, unexpected plain JWS, zip, wrong algorithms', async () => {
    const signed = await signEnvelope(exportClaims(), ring, {
      typ: EXPORT_TYP,
      encryptTo: partner.publicJwk,
    })
    const other = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256' })
    await expectCode(
      verifyExport(signed.token, { ...options, decryptionKey: other.privateKey }),
      'ERR_DECRYPTION_FAILED',
    )
    const parts = signed.token.split('.')
    const c = parts[3]!
    parts[3] = `${c.slice(0, 10)}${c[10] === 'A' ? 'B' : 'A'}${c.slice(11)}`
    await expectCode(
      verifyExport(parts.join('.'), { ...options, decryptionKey: partner.privateKey }),
      'ERR_DECRYPTION_FAILED',
    )
    await expectCode(verifyExport(signed.token, options), 'ERR_DECRYPTION_FAILED')
    await expectCode(
      verifyExport(token, { ...options, decryptionKey: partner.privateKey }),
      'ERR_DECRYPTION_FAILED',
    )

    const inner = new TextEncoder().encode(token)
    const encrypt = (header: Record<string, unknown>) =>
      new CompactEncrypt(inner).setProtectedHeader(header as never).encrypt(other.publicKey)
    const zipped = await encrypt({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', cty: 'JWT', zip: 'DEF' })
    await expectCode(
      verifyExport(zipped, { ...options, decryptionKey: other.privateKey }),
      'ERR_DECRYPTION_FAILED',
    )
    const weak = await encrypt({ alg: 'ECDH-ES+A128KW', enc: 'A128GCM', cty: 'JWT' })
    await expectCode(
      verifyExport(weak, { ...options, decryptionKey: other.privateKey }),
      'ERR_ALG_NOT_ALLOWED',
    )
    const embedded = await encrypt({
      alg: 'ECDH-ES+A256KW',
      enc: 'A256GCM',
      cty: 'JWT',
      jku: 'https://evil.example',
    })
    await expectCode(
      verifyExport(embedded, { ...options, decryptionKey: other.privateKey }),
      'ERR_EMBEDDED_KEY',
    )
    const foreign = (await signEnvelope(exportClaims(), await generateKeys(), { typ: EXPORT_TYP }))
      .token
    const wrapped = await new CompactEncrypt(new TextEncoder().encode(foreign))
      .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', cty: 'JWT' })
      .encrypt(other.publicKey)
    await expectCode(
      verifyExport(wrapped, { ...options, decryptionKey: other.privateKey }),
      'ERR_SIGNATURE_INVALID',
    )
  })
})

describe('HS256 (shared secret, never published)', () => {
  it('verifies only when HS256 is allowed explicitly and a secret key is given', async () => {
    const hmacRing = await generateKeys({ alg: 'HS256' })
    expect(hmacRing.jwks()).toEqual({ keys: [] })
    const signed = await signEnvelope(exportClaims(), hmacRing, { typ: EXPORT_TYP })
    const base = { issuer: ISSUER, audience: PARTNER, now: () => NOW }
    const { meta } = await verifyExport(signed.token, {
      ...base,
      key: hmacRing,
      algorithms: ['HS256'],
    })
    expect(meta.aud).toBe(PARTNER)
    await expectCode(verifyExport(signed.token, { ...base, key: hmacRing }), 'ERR_ALG_NOT_ALLOWED')
    await expectCode(
      verifyExport(signed.token, { ...base, key: new Uint8Array(31), algorithms: ['HS256'] }),
      'ERR_KEY_INVALID',
    )
    await expectCode(
      verifyExport(signed.token, { ...base, key: new Uint8Array(32), algorithms: ['HS256'] }),
      'ERR_SIGNATURE_INVALID',
    )
  })
})
