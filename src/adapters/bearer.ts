/**
 * Partner authentication for the HTTP adapters: the partner is the authenticated caller, never a
 * parameter. {@link bearerPartner} verifies a bearer JWT with jose; any {@link Authenticate}
 * function (mTLS, API keys) may replace it.
 *
 * @packageDocumentation
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyOptions,
  jwtVerify,
} from 'jose'
import { DatagateError } from '../errors.js'
import { base64urlDecode } from '../lib/bytes.js'
import { isCryptoKey, MIN_HMAC_SECRET_BYTES } from '../lib/jws.js'
import { verifiedTokens } from './verified-tokens.js'

/**
 * What an {@link Authenticate} function receives.
 *
 * @example
 * ```ts
 * import type { AuthenticateContext } from 'datagate/fetch'
 *
 * const ctx: AuthenticateContext = { headers: new Headers({ 'x-api-key': 'k-1' }), request: undefined }
 * console.log(ctx.headers.get('x-api-key')) // 'k-1'
 * ```
 */
export interface AuthenticateContext {
  /** The request's headers, as a standard `Headers`. */
  readonly headers: Headers
  /** The framework's own request: a `Request` (fetch), a Hono `Context`, an Express `Request`. */
  readonly request: unknown
}

/**
 * Finds the partner a request comes from. Throws (or rejects with) `ERR_UNAUTHENTICATED` for
 * missing or bad credentials; any other failure is served as a 500 problem.
 *
 * @example
 * ```ts
 * import { DatagateError } from 'datagate'
 * import type { Authenticate } from 'datagate/fetch'
 *
 * // API keys instead of bearer tokens: the key names the partner
 * const keys = new Map([['k-1', 'rental-co']])
 * const byApiKey: Authenticate = async ({ headers }) => {
 *   const partner = keys.get(headers.get('x-api-key') ?? '')
 *   if (partner === undefined) throw new DatagateError('ERR_UNAUTHENTICATED', 'unknown API key')
 *   return { partner }
 * }
 * console.log(await byApiKey({ headers: new Headers({ 'x-api-key': 'k-1' }), request: undefined })) // { partner: 'rental-co' }
 * ```
 */
export type Authenticate = (ctx: AuthenticateContext) => Promise<{ readonly partner: string }>

/**
 * Options of {@link bearerPartner}: exactly one of `jwks`, `jwksUrl` or `key`.
 *
 * @example
 * ```ts
 * import type { BearerPartnerOptions } from 'datagate/fetch'
 *
 * const options: BearerPartnerOptions = { jwksUrl: 'https://partners.example/jwks.json', issuer: 'partners',
 *   audience: 'oem-api', partnerClaim: 'partner_id', clockTolerance: 30 }
 * console.log(options.partnerClaim) // 'partner_id'
 * ```
 */
export interface BearerPartnerOptions {
  /** The public keys partners' tokens are signed with. */
  readonly jwks?: JSONWebKeySet
  /** Where to fetch them; fetched and cached by jose's `createRemoteJWKSet`. */
  readonly jwksUrl?: string | URL
  /** One key: a public `CryptoKey` or JWK, or a secret for HMAC (then list `HS256` in `algorithms`). */
  readonly key?: CryptoKey | JWK | Uint8Array
  /** Accepted `iss`. */
  readonly issuer: string | readonly string[]
  /** Accepted `aud`: this API. */
  readonly audience: string | readonly string[]
  /** Accepted `alg`s; default `['EdDSA', 'ES256']`. */
  readonly algorithms?: readonly string[]
  /** The claim holding the partner id; default `sub`. */
  readonly partnerClaim?: string
  /** Seconds of clock skew allowed on `exp` and `nbf`; default 0. */
  readonly clockTolerance?: number
  /** The clock; default the system's. */
  readonly now?: () => Date
}

const DEFAULT_ALGORITHMS = ['EdDSA', 'ES256'] as const

function unauthenticated(reason: string): DatagateError {
  return new DatagateError('ERR_UNAUTHENTICATED', `bearer token: ${reason}`)
}

function invalid(message: string): never {
  throw new DatagateError('ERR_INVALID_ARGUMENT', `bearerPartner: ${message}`)
}

/**
 * An HMAC secret given as `key` must be at least 32 bytes (RFC 7518 §3.2), as datagate's own:
 * jose verifies with a 1-byte secret, which a partner finds in 256 tries and then signs tokens
 * for any partner id. `ERR_KEY_INVALID` when the authenticator is made.
 */
function checkSecret(key: CryptoKey | JWK | Uint8Array): void {
  let bytes: number | undefined
  if (key instanceof Uint8Array) bytes = key.length
  else if (isCryptoKey(key)) {
    const algorithm = key.algorithm as { name: string; length?: number }
    if (algorithm.name === 'HMAC') bytes = Math.floor((algorithm.length ?? 0) / 8)
  } else if (typeof key === 'object' && key !== null && key.kty === 'oct') {
    try {
      bytes = typeof key.k === 'string' ? base64urlDecode(key.k).length : 0
    } catch {
      bytes = 0
    }
  }
  if (bytes !== undefined && bytes < MIN_HMAC_SECRET_BYTES)
    throw new DatagateError(
      'ERR_KEY_INVALID',
      `bearerPartner: an HMAC secret must be at least ${MIN_HMAC_SECRET_BYTES} bytes`,
    )
}

/**
 * An {@link Authenticate} that reads `Authorization: Bearer <JWT>`, verifies it with jose's
 * `jwtVerify` (signature, pinned algorithms, issuer, audience, `exp` required and checked) and
 * returns the partner id from `sub` (or `partnerClaim`). Every failure is `ERR_UNAUTHENTICATED`
 * naming the check (a jose code), never the token or its claims. Bad options throw
 * `ERR_INVALID_ARGUMENT` at once.
 *
 * @example
 * ```ts
 * import { exportJWK, generateKeyPair, SignJWT } from 'jose'
 * import { bearerPartner } from 'datagate/fetch'
 *
 * const { publicKey, privateKey } = await generateKeyPair('EdDSA')
 * const authenticate = bearerPartner({ jwks: { keys: [{ ...(await exportJWK(publicKey)), alg: 'EdDSA' }] },
 *   issuer: 'partners', audience: 'oem-api' })
 * const token = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA' }).setIssuer('partners')
 *   .setAudience('oem-api').setSubject('rental-co').setExpirationTime('5m').sign(privateKey)
 * const headers = new Headers({ authorization: `Bearer ${token}` })
 * console.log(await authenticate({ headers, request: undefined })) // { partner: 'rental-co' }
 * ```
 */
export function bearerPartner(options: BearerPartnerOptions): Authenticate {
  if (typeof options !== 'object' || options === null) invalid('options must be an object')
  const sources = [options.jwks, options.jwksUrl, options.key].filter((s) => s !== undefined)
  if (sources.length !== 1) invalid('give exactly one of jwks, jwksUrl or key')
  if (options.key !== undefined) checkSecret(options.key)
  const { issuer, audience } = options
  const names = (value: unknown) =>
    typeof value === 'string'
      ? value !== ''
      : Array.isArray(value) &&
        value.length > 0 &&
        value.every((v) => typeof v === 'string' && v !== '')
  if (!names(issuer)) invalid('issuer must be a non-empty string or array of strings')
  if (!names(audience)) invalid('audience must be a non-empty string or array of strings')
  const algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)]
  if (algorithms.length === 0 || !algorithms.every((a) => typeof a === 'string' && a !== 'none'))
    invalid('algorithms must be a non-empty list of algorithm names, never "none"')
  const claim = options.partnerClaim ?? 'sub'
  if (typeof claim !== 'string' || claim === '') invalid('partnerClaim must be a non-empty string')
  const tolerance = options.clockTolerance ?? 0
  if (!Number.isFinite(tolerance) || tolerance < 0)
    invalid('clockTolerance must be a number of seconds, 0 or more')
  const now = options.now
  if (now !== undefined && typeof now !== 'function') invalid('now must be a function')

  const verified = verifiedTokens(tolerance)
  const local = options.jwks === undefined ? undefined : createLocalJWKSet(options.jwks)
  const remote =
    options.jwksUrl === undefined
      ? undefined
      : createRemoteJWKSet(
          options.jwksUrl instanceof URL ? options.jwksUrl : new URL(options.jwksUrl),
        )
  const verify = async (token: string, currentDate: Date) => {
    const verifyOptions: JWTVerifyOptions = {
      algorithms,
      issuer: typeof issuer === 'string' ? issuer : [...issuer],
      audience: typeof audience === 'string' ? audience : [...audience],
      clockTolerance: tolerance,
      requiredClaims: ['exp'],
      currentDate,
    }
    if (local !== undefined) return jwtVerify(token, local, verifyOptions)
    if (remote !== undefined) return jwtVerify(token, remote, verifyOptions)
    return jwtVerify(token, options.key as CryptoKey | JWK | Uint8Array, verifyOptions)
  }
  return async ({ headers }) => {
    const authorization = headers.get('authorization')
    if (authorization === null) throw unauthenticated('no Authorization header')
    const trimmed = authorization.trim()
    const space = trimmed.indexOf(' ')
    const token = space < 0 ? '' : trimmed.slice(space + 1).trim()
    if (
      space < 0 ||
      trimmed.slice(0, space).toLowerCase() !== 'bearer' ||
      token === '' ||
      token.includes(' ')
    )
      throw unauthenticated('the Authorization header is not a Bearer token')
    const currentDate = now ? now() : new Date()
    const seconds = Math.floor(currentDate.getTime() / 1000)
    // A token verified before, by this authenticator, and still in its validity window.
    const known = Number.isFinite(seconds) ? verified.get(token, seconds) : undefined
    if (known !== undefined) return { partner: known }
    let payload: Record<string, unknown>
    try {
      ;({ payload } = await verify(token, currentDate))
    } catch (error) {
      // jose's codes name the failed check; its errors may carry the claims, so none is kept.
      const code =
        typeof error === 'object' &&
        error !== null &&
        typeof (error as { code?: unknown }).code === 'string'
          ? (error as { code: string }).code
          : 'verification failed'
      throw unauthenticated(`rejected (${code})`)
    }
    const partner = payload[claim]
    if (typeof partner !== 'string' || partner === '')
      throw unauthenticated(`no partner id in the ${claim} claim`)
    // jose checked exp (required) and nbf are NumericDates.
    verified.set(token, {
      partner,
      exp: payload.exp as number,
      nbf: typeof payload.nbf === 'number' ? payload.nbf : undefined,
    })
    return { partner }
  }
}
