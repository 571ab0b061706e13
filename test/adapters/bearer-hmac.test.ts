// bearerPartner with an HMAC secret: jose verifies with a 1-byte secret, which anyone can find
// by trying 256 values and then sign a token for any partner id. The secret is checked as
// datagate checks its own (at least 32 bytes): ERR_KEY_INVALID when the authenticator is made.
import { base64url, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { bearerPartner } from '../../src/adapters/bearer.js'

const options = { issuer: 'partners', audience: 'api', algorithms: ['HS256'] }
const token = (secret: Uint8Array, sub: string) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('partners')
    .setAudience('api')
    .setSubject(sub)
    .setExpirationTime('1m')
    .sign(secret)

describe('bearerPartner: HMAC secrets', () => {
  it('refuses a secret shorter than 32 bytes, as bytes, as an oct JWK and as a CryptoKey', async () => {
    const short = new Uint8Array([7])
    expect(() => bearerPartner({ ...options, key: short })).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_INVALID' }),
    )
    expect(() =>
      bearerPartner({ ...options, key: { kty: 'oct', k: base64url.encode(new Uint8Array(16)) } }),
    ).toThrow(expect.objectContaining({ code: 'ERR_KEY_INVALID' }))
    const cryptoKey = await crypto.subtle.importKey(
      'raw',
      new Uint8Array(16).fill(3),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    )
    expect(() => bearerPartner({ ...options, key: cryptoKey })).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_INVALID' }),
    )
  })

  it('verifies with a 32-byte secret', async () => {
    const secret = crypto.getRandomValues(new Uint8Array(32))
    const authenticate = bearerPartner({ ...options, key: secret })
    const headers = new Headers({ authorization: `Bearer ${await token(secret, 'rental-co')}` })
    expect(await authenticate({ headers, request: undefined })).toEqual({ partner: 'rental-co' })
  })
})
