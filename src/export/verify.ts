/**
 * Partner-side verification of datagate envelopes: signature, header rules, claims, replay.
 *
 * @packageDocumentation
 */
import {
  compactDecrypt,
  createLocalJWKSet,
  decodeProtectedHeader,
  type FlattenedJWSInput,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWSHeaderParameters,
  type JWTPayload,
} from 'jose'
import { DatagateError, isDatagateError } from '../errors.js'
import {
  assertArray,
  assertNumber,
  assertObject,
  assertOneOf,
  assertString,
  invalidArgument,
} from '../lib/assert.js'
import { utf8 } from '../lib/bytes.js'
import { readClock } from '../lib/clock.js'
import { fromJoseError } from '../lib/jose-errors.js'
import { isCryptoKey, type JwsKey, type JwsKeyResolver, verifySignature } from '../lib/jws.js'
import { checkClaims } from '../lib/jwt-claims.js'
import type { SigningAlg } from './algorithms.js'
import { PUBLIC_KEY_ALGS, SIGNING_ALGS } from './algorithms.js'
import type { KeyRing, PublicJwks } from './key-ring.js'
import { isKeyRing } from './keys.js'
import type { ReplayCache } from './replay-cache.js'

/**
 * Key resolver for verification, e.g. jose's `createRemoteJWKSet(url)` or `createLocalJWKSet(jwks)`.
 * It is called with the unverified protected header and must return a public key.
 *
 * @example
 * ```ts
 * import { createLocalJWKSet } from 'jose'
 * import { generateKeys, type JwksResolver } from 'datagate/export'
 *
 * const resolver: JwksResolver = createLocalJWKSet((await generateKeys()).jwks())
 * console.log(typeof resolver) // 'function'
 * ```
 */
export type JwksResolver = (
  protectedHeader: JWSHeaderParameters,
  token: FlattenedJWSInput,
) => Promise<CryptoKey> | CryptoKey

/**
 * Options of {@link verifyEnvelope}. Give exactly one of `jwks` and `key`.
 *
 * @example
 * ```ts
 * import { EXPORT_TYP, generateKeys, type VerifyOptions } from 'datagate/export'
 *
 * const ring = await generateKeys()
 * const options: VerifyOptions = {
 *   jwks: ring.jwks(), typ: EXPORT_TYP, issuer: 'oem-aftersales', audience: 'rental-co',
 * }
 * console.log(options.maxAge ?? 86_400) // 86400
 * ```
 */
export interface VerifyOptions {
  /**
   * The issuer's public keys: a JWKS object (wrapped with jose `createLocalJWKSet`) or a resolver.
   * Fetching is up to you: pass `createRemoteJWKSet(new URL('https://issuer.example/jwks.json'))`
   * from jose to fetch and cache a remote JWKS. Never used for HS256.
   */
  readonly jwks?: JSONWebKeySet | PublicJwks | JwksResolver
  /** One verification key: a public CryptoKey, an HS256 secret (>= 32 bytes) or a {@link KeyRing}. */
  readonly key?: CryptoKey | Uint8Array | KeyRing
  /** Exact `typ` the protected header must carry. */
  readonly typ: string
  /** Accepted `iss` value(s). */
  readonly issuer: string | readonly string[]
  /** Accepted `aud` value(s): the partner id. */
  readonly audience: string | readonly string[]
  /**
   * Maximum token age in seconds, counted from `iat`. Default 86 400 (24 h), applied when `iat`
   * is present; setting it explicitly makes `iat` required.
   */
  readonly maxAge?: number
  /** Seconds of clock skew forgiven on `exp`, `nbf` and `iat`. Default 0. */
  readonly clockTolerance?: number
  /** The clock (for tests and replays of archives). Default: the system clock. */
  readonly now?: () => Date
  /** Rejects a `jti` seen before (ERR_TOKEN_REPLAYED); makes `jti` required. */
  readonly replayCache?: ReplayCache
  /** The payload of a `detached` envelope: the exact text (or bytes) that was signed. */
  readonly payload?: string | Uint8Array
  /**
   * The partner's private key for `jwe` envelopes (CryptoKey or private JWK). When given, the
   * token must be encrypted: a plain JWS is rejected (ERR_DECRYPTION_FAILED).
   */
  readonly decryptionKey?: CryptoKey | JWK
  /** Accepted signature algorithms. Default `['EdDSA', 'ES256']`; `HS256` only with a secret `key`. */
  readonly algorithms?: readonly SigningAlg[]
}

/**
 * What {@link verifyEnvelope} returns once every check passed.
 *
 * @example
 * ```ts
 * import type { VerifiedEnvelope } from 'datagate/export'
 *
 * const shown = (result: VerifiedEnvelope) => result.protectedHeader.kid
 * console.log(typeof shown) // 'function'
 * ```
 */
export interface VerifiedEnvelope<Payload = JWTPayload> {
  readonly payload: Payload & JWTPayload
  readonly protectedHeader: JWSHeaderParameters & { readonly alg: string }
}

/** Default maximum token age: 24 hours, counted from `iat`. */
const DEFAULT_MAX_AGE_SECONDS = 86_400
const KEY_WRAP = 'ECDH-ES+A256KW'
const CONTENT_ENCRYPTION = 'A256GCM'
const EMBEDDED_KEY_PARAMETERS = ['jwk', 'jku', 'x5u', 'x5c'] as const

function assertNames(value: unknown, what: string): void {
  const names = typeof value === 'string' ? [value] : value
  if (
    !Array.isArray(names) ||
    names.length === 0 ||
    names.some((n) => typeof n !== 'string' || n === '')
  )
    invalidArgument('type', what, 'a non-empty string or list of them')
}

function currentSeconds(now: VerifyOptions['now']): number {
  return Math.floor(readClock(now, 'now').getTime() / 1000)
}

function ringResolver(ring: KeyRing): JwsKeyResolver {
  return (header) => {
    const key = typeof header.kid === 'string' ? ring.get(header.kid) : undefined
    if (key === undefined)
      throw new DatagateError('ERR_SIGNATURE_INVALID', 'no key with the token\'s "kid" is listed')
    if (key.alg !== header.alg)
      throw new DatagateError(
        'ERR_ALG_NOT_ALLOWED',
        `key "${key.kid}" is for ${key.alg}, not ${String(header.alg)}`,
      )
    return key.verifyKey
  }
}

interface CachedKeySet {
  /** The members of `jwks.keys` the set was made from, compared by identity on every use. */
  readonly keys: readonly unknown[]
  readonly resolve: JwksResolver
}

// One imported key set per JWKS object: jose's local set imports each key once per `kid` and
// algorithm and keeps it, so a partner verifying many tokens against the same `jwks` imports
// its keys once instead of on every call. A JWKS whose `keys` changed (another array, or other
// members) gets a fresh set, so a rotated or revoked key is never served from the cache.
const keySets = new WeakMap<object, CachedKeySet>()

function sameMembers(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function localKeySet(jwks: { readonly keys: readonly unknown[] }): JwksResolver {
  const cached = keySets.get(jwks)
  if (cached !== undefined && Array.isArray(jwks.keys) && sameMembers(cached.keys, jwks.keys))
    return cached.resolve
  const keys = [...jwks.keys]
  let resolve: JwksResolver
  try {
    resolve = createLocalJWKSet({ keys: keys as never })
  } catch (error) {
    throw fromJoseError(error, 'key', 'jwks is not a valid JSON Web Key Set')
  }
  keySets.set(jwks, { keys, resolve })
  return resolve
}

function jwksResolver(jwks: NonNullable<VerifyOptions['jwks']>): JwsKeyResolver {
  const resolve: JwksResolver = typeof jwks === 'function' ? jwks : localKeySet(jwks)
  return async (header, token) => {
    // A JWKS holds public keys; an HMAC token checked against one is the alg-confusion attack.
    if (typeof header.alg === 'string' && header.alg.startsWith('HS'))
      throw new DatagateError('ERR_ALG_NOT_ALLOWED', 'HS256 is never verified against a JWKS')
    return resolve(header, token)
  }
}

function keySource(
  options: VerifyOptions,
  algorithms: readonly SigningAlg[],
): JwsKey | JwsKeyResolver {
  const { jwks, key } = options
  if ((jwks === undefined) === (key === undefined))
    invalidArgument('type', 'jwks, key', 'exactly one of them')
  if (jwks !== undefined) {
    if (algorithms.includes('HS256'))
      invalidArgument('range', 'algorithms', 'no HS256 with a JWKS (HS256 needs a secret key)')
    if (typeof jwks !== 'function') assertObject(jwks, 'jwks')
    return jwksResolver(jwks)
  }
  if (isKeyRing(key)) return ringResolver(key)
  if (key instanceof Uint8Array || isCryptoKey(key)) return key
  invalidArgument('type', 'key', 'a CryptoKey, secret bytes or a KeyRing')
}

function checkJweHeader(token: string): void {
  let header: JWSHeaderParameters
  try {
    header = decodeProtectedHeader(token)
  } catch (cause) {
    throw new DatagateError('ERR_TOKEN_MALFORMED', 'JWE protected header is not base64url JSON', {
      cause,
    })
  }
  for (const name of EMBEDDED_KEY_PARAMETERS) {
    if (Object.hasOwn(header, name))
      throw new DatagateError('ERR_EMBEDDED_KEY', `JWE header names a key ("${name}")`)
  }
  if (Object.hasOwn(header, 'crit'))
    throw new DatagateError('ERR_CRIT_UNSUPPORTED', 'JWE "crit" extensions are not supported')
  if (Object.hasOwn(header, 'zip'))
    throw new DatagateError('ERR_DECRYPTION_FAILED', 'compressed JWE ("zip") is not accepted')
  if (header.alg !== KEY_WRAP || header.enc !== CONTENT_ENCRYPTION)
    throw new DatagateError(
      'ERR_ALG_NOT_ALLOWED',
      `JWE must use ${KEY_WRAP} with ${CONTENT_ENCRYPTION}`,
    )
  if (header.cty !== 'JWT')
    throw new DatagateError('ERR_TOKEN_MALFORMED', 'JWE "cty" must be "JWT"')
}

async function decrypt(
  token: string,
  decryptionKey: NonNullable<VerifyOptions['decryptionKey']>,
): Promise<string> {
  checkJweHeader(token)
  try {
    const key = isCryptoKey(decryptionKey)
      ? decryptionKey
      : await importJWK(decryptionKey, KEY_WRAP)
    const { plaintext } = await compactDecrypt(token, key, {
      keyManagementAlgorithms: [KEY_WRAP],
      contentEncryptionAlgorithms: [CONTENT_ENCRYPTION],
      maxDecompressedLength: 0,
    })
    return new TextDecoder('utf-8', { fatal: true }).decode(plaintext)
  } catch (error) {
    if (isDatagateError(error)) throw error
    throw fromJoseError(error, 'decrypt', 'JWE decryption failed')
  }
}

function parsePayload(bytes: Uint8Array): JWTPayload {
  let parsed: unknown
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    // No cause: V8's JSON.parse message quotes the text around the error, and this is the payload.
    throw new DatagateError('ERR_TOKEN_MALFORMED', 'payload is not UTF-8 JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new DatagateError('ERR_TOKEN_MALFORMED', 'payload is not a JSON object')
  return parsed as JWTPayload
}

async function consultReplayCache(call: () => boolean | Promise<boolean>): Promise<unknown> {
  try {
    return await call()
  } catch (cause) {
    if (isDatagateError(cause)) throw cause
    // Fail closed: if replay protection cannot be confirmed, the token is not accepted.
    throw new DatagateError('ERR_TOKEN_REPLAYED', 'replay cache failed; token not accepted', {
      cause,
    })
  }
}

/**
 * The verification core shared by {@link verifyEnvelope} and verifyExport. `checkPayload` runs
 * after every generic check and before the `jti` is recorded, so a token rejected for its
 * content does not burn its `jti`. Internal: not part of the public API (no barrel exports it).
 *
 * @internal
 * @example
 * ```ts
 * import { EXPORT_TYP, generateKeys, signEnvelope } from 'datagate/export'
 * import { verifyEnvelopeWith } from './verify.js'
 *
 * const ring = await generateKeys()
 * const now = Math.floor(Date.now() / 1000)
 * const signed = await signEnvelope({ iss: 'i', aud: 'a', exp: now + 60, n: 1 }, ring, { typ: EXPORT_TYP })
 * await verifyEnvelopeWith(signed.token, { jwks: ring.jwks(), typ: EXPORT_TYP, issuer: 'i', audience: 'a' },
 *   (payload) => { if (payload.n !== 1) throw new Error('n') })
 * ```
 */
export async function verifyEnvelopeWith(
  token: string,
  options: VerifyOptions,
  checkPayload?: (payload: JWTPayload) => void,
): Promise<VerifiedEnvelope> {
  assertString(token, 'token', { nonEmpty: true })
  assertObject(options, 'options')
  assertString(options.typ, 'typ', { nonEmpty: true })
  assertNames(options.issuer, 'issuer')
  assertNames(options.audience, 'audience')
  const algorithms = options.algorithms ?? PUBLIC_KEY_ALGS
  assertArray(algorithms, 'algorithms', { nonEmpty: true })
  for (const alg of algorithms) assertOneOf(alg, 'algorithms[]', SIGNING_ALGS)
  const clockTolerance = options.clockTolerance ?? 0
  assertNumber(clockTolerance, 'clockTolerance', { min: 0 })
  if (options.maxAge !== undefined) assertNumber(options.maxAge, 'maxAge', { exclusiveMin: 0 })
  const now = currentSeconds(options.now)
  const key = keySource(options, algorithms)

  let jws: string | FlattenedJWSInput = token
  const encrypted = !token.startsWith('{') && token.split('.').length === 5
  if (encrypted !== (options.decryptionKey !== undefined))
    throw new DatagateError(
      'ERR_DECRYPTION_FAILED',
      encrypted
        ? 'token is encrypted; pass decryptionKey'
        : 'an encrypted envelope was expected (decryptionKey given), got a plain JWS',
    )
  if (encrypted && options.decryptionKey !== undefined) {
    jws = await decrypt(token, options.decryptionKey)
    if (jws.split('.').length !== 3)
      throw new DatagateError('ERR_TOKEN_MALFORMED', 'JWE content must be a compact JWS')
  } else if (token.startsWith('{')) {
    try {
      jws = JSON.parse(token) as FlattenedJWSInput
    } catch {
      // No cause: JSON.parse's message would quote the token's text.
      throw new DatagateError('ERR_TOKEN_MALFORMED', 'flattened JWS is not JSON')
    }
  }

  const detached = options.payload
  const verified = await verifySignature(jws, key, {
    algorithms,
    ...(detached === undefined
      ? {}
      : { detachedPayload: typeof detached === 'string' ? utf8(detached) : detached }),
  })
  const protectedHeader = { ...verified.protectedHeader, alg: verified.alg }
  if (protectedHeader.typ !== options.typ)
    throw new DatagateError('ERR_TYP_INVALID', `typ must be "${options.typ}"`)

  const payload = parsePayload(verified.payload)
  const acceptableUntil = checkClaims(payload, {
    issuer: options.issuer,
    audience: options.audience,
    now,
    clockTolerance,
    maxAge: {
      seconds: options.maxAge ?? DEFAULT_MAX_AGE_SECONDS,
      required: options.maxAge !== undefined,
    },
  })
  if (payload.jti !== undefined && (typeof payload.jti !== 'string' || payload.jti === ''))
    throw new DatagateError('ERR_CLAIM_INVALID', 'claim "jti" must be a non-empty string')
  checkPayload?.(payload)
  const cache = options.replayCache
  if (cache !== undefined) {
    const jti = payload.jti
    if (jti === undefined)
      throw new DatagateError('ERR_CLAIM_INVALID', 'claim "jti" is required for replay protection')
    // Last, after every other check, so a token rejected for its content does not burn its jti.
    // `acceptableUntil` is `exp` plus the clock tolerance (never shortened by maxAge, which
    // verifiers sharing the cache may set differently), so `now` is the verifier's own clock.
    const claimed = await consultReplayCache(() => cache.claim(jti, acceptableUntil, now))
    if (claimed !== true)
      throw new DatagateError('ERR_TOKEN_REPLAYED', 'token "jti" was seen before')
  }
  return { payload, protectedHeader }
}

/**
 * Verifies a datagate envelope and returns its claims. Checks, in order: the form (compact,
 * flattened, detached with `payload`, or JWE with `decryptionKey`); no keys named in a header
 * (ERR_EMBEDDED_KEY); `crit` only `b64` and only detached (ERR_CRIT_UNSUPPORTED); `alg` pinned
 * (ERR_ALG_NOT_ALLOWED); the signature (ERR_SIGNATURE_INVALID); `typ` exactly (ERR_TYP_INVALID);
 * `iss`, `aud`, `exp` (required), `nbf`, `iat` and age (`maxAge`, default 24 h when `iat` is
 * present); `jti` against `replayCache` (ERR_TOKEN_REPLAYED). Nothing partial is ever returned.
 *
 * For a remote JWKS, pass jose's resolver: `jwks: createRemoteJWKSet(new URL(jwksUrl))`.
 *
 * @example
 * ```ts
 * import { DELTA_TYP, generateKeys, signEnvelope, verifyEnvelope } from 'datagate/export'
 *
 * const ring = await generateKeys()
 * const now = Math.floor(Date.now() / 1000)
 * const claims = { iss: 'oem-aftersales', aud: 'rental-co', iat: now, exp: now + 600, patch: [] }
 * const signed = await signEnvelope(claims, ring, { typ: DELTA_TYP, format: 'detached' })
 * const { payload } = await verifyEnvelope(signed.token, {
 *   jwks: ring.jwks(), typ: DELTA_TYP, issuer: 'oem-aftersales', audience: 'rental-co',
 *   payload: signed.payload,
 * })
 * console.log(payload.aud) // 'rental-co'
 * ```
 */
export async function verifyEnvelope(
  token: string,
  options: VerifyOptions,
): Promise<VerifiedEnvelope> {
  return verifyEnvelopeWith(token, options)
}
