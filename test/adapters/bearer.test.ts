// bearerPartner: jose's jwtVerify with pinned algorithms, issuer, audience and expiry.
import { createServer } from 'node:http'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearerPartner } from '../../src/adapters/bearer.js'
import { listen, type Running } from './helpers.js'

let keys: Awaited<ReturnType<typeof generateKeyPair>>
let jwks: { keys: Record<string, unknown>[] }
let jwksServer: Running
let jwksHits = 0
const NOW = Math.floor(Date.now() / 1000)

beforeAll(async () => {
  keys = await generateKeyPair('EdDSA')
  jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), alg: 'EdDSA', kid: 'k' }] }
  jwksServer = await listen(
    createServer((_req, res) => {
      jwksHits++
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(jwks))
    }),
  )
})
afterAll(() => jwksServer.close())

const sign = (
  claims: Record<string, unknown>,
  { exp = NOW + 60, aud = 'api', iss = 'partners', alg = 'EdDSA' } = {},
) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg, kid: 'k' })
    .setIssuer(iss)
    .setAudience(aud)
    .setExpirationTime(exp)
    .sign(keys.privateKey)
const ctx = (token?: string) => ({
  headers: new Headers(token === undefined ? {} : { authorization: `Bearer ${token}` }),
  request: undefined,
})

describe('bearerPartner', () => {
  it('maps sub, or another claim, to the partner id', async () => {
    const auth = bearerPartner({ jwks: jwks as never, issuer: 'partners', audience: 'api' })
    expect(await auth(ctx(await sign({ sub: 'rental-co' })))).toEqual({ partner: 'rental-co' })
    const byClaim = bearerPartner({
      jwks: jwks as never,
      issuer: 'partners',
      audience: 'api',
      partnerClaim: 'partner_id',
    })
    expect(await byClaim(ctx(await sign({ sub: 'u-1', partner_id: 'maps-co' })))).toEqual({
      partner: 'maps-co',
    })
    await expect(byClaim(ctx(await sign({ sub: 'u-1' })))).rejects.toMatchObject({
      code: 'ERR_UNAUTHENTICATED',
    })
  })

  it('fetches a jwksUrl once and caches it', async () => {
    const auth = bearerPartner({
      jwksUrl: jwksServer.url('/jwks'),
      issuer: 'partners',
      audience: 'api',
    })
    expect(await auth(ctx(await sign({ sub: 'a' })))).toEqual({ partner: 'a' })
    expect(await auth(ctx(await sign({ sub: 'b' })))).toEqual({ partner: 'b' })
    expect(jwksHits).toBe(1)
  })

  it.each([
    ['no header', undefined, /no Authorization/],
    ['not Bearer', 'Basic abc', /not a Bearer/],
  ])('refuses %s', async (_name, header, message) => {
    const auth = bearerPartner({ jwks: jwks as never, issuer: 'partners', audience: 'api' })
    const headers = new Headers(header === undefined ? {} : { authorization: header })
    await expect(auth({ headers, request: undefined })).rejects.toMatchObject({
      code: 'ERR_UNAUTHENTICATED',
      message: expect.stringMatching(message),
    })
  })

  it('refuses expired tokens, wrong issuer or audience, unpinned algorithms, tokens without exp', async () => {
    const auth = bearerPartner({ jwks: jwks as never, issuer: 'partners', audience: 'api' })
    const refused = async (token: string, jose: string) =>
      expect(auth(ctx(token))).rejects.toMatchObject({
        code: 'ERR_UNAUTHENTICATED',
        message: expect.stringContaining(jose),
      })
    await refused(await sign({ sub: 'a' }, { exp: NOW - 10 }), 'ERR_JWT_EXPIRED')
    await refused(await sign({ sub: 'a' }, { iss: 'other' }), 'ERR_JWT_CLAIM_VALIDATION_FAILED')
    await refused(await sign({ sub: 'a' }, { aud: 'other' }), 'ERR_JWT_CLAIM_VALIDATION_FAILED')
    const pinned = bearerPartner({
      jwks: jwks as never,
      issuer: 'partners',
      audience: 'api',
      algorithms: ['ES256'],
    })
    await expect(pinned(ctx(await sign({ sub: 'a' })))).rejects.toMatchObject({
      code: 'ERR_UNAUTHENTICATED',
    })
    const noExp = await new SignJWT({ sub: 'a' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k' })
      .setIssuer('partners')
      .setAudience('api')
      .sign(keys.privateKey)
    await refused(noExp, 'ERR_JWT_CLAIM_VALIDATION_FAILED')
  })

  it('allows clockTolerance seconds of skew, on its own clock', async () => {
    const token = await sign({ sub: 'a' }, { exp: NOW + 60 })
    const later = () => new Date((NOW + 70) * 1000)
    const strict = bearerPartner({
      jwks: jwks as never,
      issuer: 'partners',
      audience: 'api',
      now: later,
    })
    const lenient = bearerPartner({
      jwks: jwks as never,
      issuer: 'partners',
      audience: 'api',
      now: later,
      clockTolerance: 30,
    })
    await expect(strict(ctx(token))).rejects.toMatchObject({ code: 'ERR_UNAUTHENTICATED' })
    expect(await lenient(ctx(token))).toEqual({ partner: 'a' })
  })

  it('a token verified before still expires, and waits for its nbf, on every later request', async () => {
    let clock = NOW
    const auth = bearerPartner({
      jwks: jwks as never,
      issuer: 'partners',
      audience: 'api',
      clockTolerance: 5,
      now: () => new Date(clock * 1000),
    })
    const expiring = await sign({ sub: 'a' }, { exp: NOW + 60 })
    expect(await auth(ctx(expiring))).toEqual({ partner: 'a' })
    clock = NOW + 64 // within the tolerance: still valid, as jose says
    expect(await auth(ctx(expiring))).toEqual({ partner: 'a' })
    clock = NOW + 65 // exp <= now - tolerance
    await expect(auth(ctx(expiring))).rejects.toMatchObject({
      code: 'ERR_UNAUTHENTICATED',
      message: expect.stringContaining('ERR_JWT_EXPIRED'),
    })
    const early = await new SignJWT({ sub: 'b' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k' })
      .setIssuer('partners')
      .setAudience('api')
      .setNotBefore(NOW + 30)
      .setExpirationTime(NOW + 600)
      .sign(keys.privateKey)
    clock = NOW + 24 // nbf > now + tolerance
    await expect(auth(ctx(early))).rejects.toMatchObject({ code: 'ERR_UNAUTHENTICATED' })
    clock = NOW + 25
    expect(await auth(ctx(early))).toEqual({ partner: 'b' })
    clock = NOW + 24 // a clock set back: the kept token is not yet valid again
    await expect(auth(ctx(early))).rejects.toMatchObject({ code: 'ERR_UNAUTHENTICATED' })
    clock = Number.NaN // a broken clock fails closed, even for a kept token
    await expect(auth(ctx(expiring))).rejects.toMatchObject({ code: 'ERR_UNAUTHENTICATED' })
  })

  it('a token kept by one authenticator counts for no other; a changed byte is a new token', async () => {
    const token = await sign({ sub: 'a' })
    const api = bearerPartner({ jwks: jwks as never, issuer: 'partners', audience: 'api' })
    const other = bearerPartner({ jwks: jwks as never, issuer: 'partners', audience: 'other' })
    expect(await api(ctx(token))).toEqual({ partner: 'a' })
    await expect(other(ctx(token))).rejects.toMatchObject({ code: 'ERR_UNAUTHENTICATED' })
    const [h, p, sig] = token.split('.') as [string, string, string]
    const flipped = `${h}.${p}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BA' : 'AA'}`
    await expect(api(ctx(flipped))).rejects.toMatchObject({ code: 'ERR_UNAUTHENTICATED' })
  })

  it('checks its options at once', () => {
    const base = { issuer: 'partners', audience: 'api' }
    expect(() => bearerPartner(base)).toThrow(/exactly one of jwks, jwksUrl or key/)
    expect(() => bearerPartner({ ...base, jwks: jwks as never, jwksUrl: 'https://x' })).toThrow(
      /exactly one/,
    )
    expect(() => bearerPartner({ ...base, jwks: jwks as never, algorithms: ['none'] })).toThrow(
      /never "none"/,
    )
    expect(() => bearerPartner({ ...base, issuer: '', jwks: jwks as never })).toThrow(/issuer/)
    expect(() => bearerPartner({ ...base, jwks: jwks as never, clockTolerance: -1 })).toThrow(
      /clockTolerance/,
    )
  })
})
