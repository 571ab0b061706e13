/**
 * Shared types and media types of datagate's signed envelopes, key rings and verification.
 *
 * @packageDocumentation
 */
import type { FlattenedJWSInput, JSONWebKeySet, JWK, JWSHeaderParameters, JWTPayload } from 'jose'
import type { SigningAlg } from './algorithms.js'
import type { AuditReceiptClaim } from './audit-receipt.js'

/**
 * `typ` of a full export envelope (records plus report).
 *
 * @example
 * ```ts
 * import { EXPORT_TYP } from 'datagate/export'
 *
 * console.log(EXPORT_TYP) // 'datagate-export+jwt'
 * ```
 */
export const EXPORT_TYP = 'datagate-export+jwt'

/**
 * `typ` of a delta envelope (an RFC 6902 patch against a previous export).
 *
 * @example
 * ```ts
 * import { DELTA_TYP } from 'datagate/export'
 *
 * console.log(DELTA_TYP) // 'datagate-delta+jwt'
 * ```
 */
export const DELTA_TYP = 'datagate-delta+jwt'

/**
 * `typ` of one chunk of a streamed export.
 *
 * @example
 * ```ts
 * import { CHUNK_TYP } from 'datagate/export'
 *
 * console.log(CHUNK_TYP) // 'datagate-chunk+jwt'
 * ```
 */
export const CHUNK_TYP = 'datagate-chunk+jwt'

/**
 * `typ` of the signed manifest that lists the chunks of a streamed export.
 *
 * @example
 * ```ts
 * import { MANIFEST_TYP } from 'datagate/export'
 *
 * console.log(MANIFEST_TYP) // 'datagate-manifest+jwt'
 * ```
 */
export const MANIFEST_TYP = 'datagate-manifest+jwt'

export type { SigningAlg } from './algorithms.js'

/**
 * A public signing key as published to partners: always carries `kid`, `alg` and `use: 'sig'`.
 *
 * @example
 * ```ts
 * import { generateKeys, type PublicJwk } from 'datagate/export'
 *
 * const ring = await generateKeys()
 * const [jwk]: PublicJwk[] = ring.jwks().keys
 * console.log(jwk?.use) // 'sig'
 * ```
 */
export type PublicJwk = JWK & {
  readonly kid: string
  readonly alg: SigningAlg
  readonly use: 'sig'
}

/**
 * The JWKS a gate publishes: public keys only, newest first.
 *
 * @example
 * ```ts
 * import { generateKeys, type PublicJwks } from 'datagate/export'
 *
 * const jwks: PublicJwks = (await generateKeys()).jwks()
 * console.log(jwks.keys.length) // 1
 * ```
 */
export interface PublicJwks {
  readonly keys: PublicJwk[]
}

/**
 * One key of a {@link KeyRing}.
 *
 * @example
 * ```ts
 * import { generateKeys, type SigningKey } from 'datagate/export'
 *
 * const key: SigningKey = (await generateKeys({ alg: 'ES256' })).current
 * console.log(key.alg, key.kid.length) // 'ES256' 43
 * ```
 */
export interface SigningKey {
  /** Key id; the RFC 7638 thumbprint unless one was given. */
  readonly kid: string
  readonly alg: SigningAlg
  /** Signs. Absent for verify-only keys (SPKI PEM, public JWK). For HS256, the secret key. */
  readonly privateKey?: CryptoKey
  /** Verifies: the public key, or for HS256 the same secret key. */
  readonly verifyKey: CryptoKey
  /** The public JWK partners receive; absent for HS256 (a secret is never published). */
  readonly publicJwk?: PublicJwk
}

/**
 * An immutable, ordered set of signing keys, newest first. Sign with the newest; verify with any
 * key still listed. {@link rotateKeys} and {@link retireKey} return new rings.
 *
 * @example
 * ```ts
 * import { generateKeys } from 'datagate/export'
 *
 * const ring = await generateKeys({ alg: 'EdDSA' })
 * console.log(ring.current.kid === ring.keys[0]?.kid) // true
 * console.log(ring.get(ring.current.kid)?.alg) // 'EdDSA'
 * ```
 */
export interface KeyRing {
  /** Every key, newest first. */
  readonly keys: readonly SigningKey[]
  /** The newest key: the one {@link signEnvelope} uses. */
  readonly current: SigningKey
  /** The key with this `kid`, if listed. */
  get(kid: string): SigningKey | undefined
  /** Public keys for partners (`{ keys: [...] }`, kid/alg/use set); HS256 keys are left out. */
  jwks(): PublicJwks
}

/**
 * How an envelope is serialised.
 * - `compact`: JWS Compact Serialization (`header.payload.signature`).
 * - `flattened`: JWS Flattened JSON Serialization, as a JSON string.
 * - `detached`: RFC 7797 unencoded payload (`b64: false`), `header..signature` plus `payload`.
 * - `jwe`: the compact JWS nested in a compact JWE (ECDH-ES+A256KW / A256GCM) for one partner.
 *
 * @example
 * ```ts
 * import type { EnvelopeFormat } from 'datagate/export'
 *
 * const format: EnvelopeFormat = 'detached'
 * console.log(format)
 * ```
 */
export type EnvelopeFormat = 'compact' | 'flattened' | 'detached' | 'jwe'

/**
 * A signed (and perhaps encrypted) envelope as {@link signEnvelope} returns it.
 *
 * @example
 * ```ts
 * import { EXPORT_TYP, generateKeys, signEnvelope, type SignedEnvelope } from 'datagate/export'
 *
 * const ring = await generateKeys()
 * const signed: SignedEnvelope = await signEnvelope({ hello: 'partner' }, ring, { typ: EXPORT_TYP })
 * console.log(signed.format, signed.token.split('.').length) // 'compact' 3
 * ```
 */
export interface SignedEnvelope {
  readonly format: EnvelopeFormat
  /** The token: compact JWS, flattened JWS as JSON text, detached compact JWS, or compact JWE. */
  readonly token: string
  /** Only for `detached`: the exact UTF-8 JSON text that was signed. Send it byte for byte. */
  readonly payload?: string
  /** `kid` of the signing key. */
  readonly kid: string
  /** `alg` of the signature. */
  readonly alg: SigningAlg
}

/**
 * A partner's public encryption key(s) for {@link SignOptions.encryptTo}: one JWK, a JWKS (the
 * first key usable for `ECDH-ES+A256KW` is taken) or a CryptoKey (EC P-256/384/521 or X25519).
 *
 * @example
 * ```ts
 * import { exportJWK, generateKeyPair } from 'jose'
 * import type { EncryptionRecipient } from 'datagate/export'
 *
 * const { publicKey } = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256' })
 * const recipient: EncryptionRecipient = { keys: [{ ...(await exportJWK(publicKey)), kid: 'partner-1' }] }
 * console.log(recipient)
 * ```
 */
export type EncryptionRecipient = JWK | { readonly keys: readonly JWK[] } | CryptoKey

/**
 * Options of {@link signEnvelope}.
 *
 * @example
 * ```ts
 * import { DELTA_TYP, type SignOptions } from 'datagate/export'
 *
 * const options: SignOptions = { typ: DELTA_TYP, format: 'flattened' }
 * console.log(options.typ)
 * ```
 */
export interface SignOptions {
  /** Media type put in the protected header, e.g. {@link EXPORT_TYP}. */
  readonly typ: string
  /** Serialisation; default `compact`, or `jwe` when `encryptTo` is given. */
  readonly format?: EnvelopeFormat
  /** Encrypt the compact JWS to this partner key (nested JWT, `cty: 'JWT'`, no compression). */
  readonly encryptTo?: EncryptionRecipient
}

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
 * Remembers `jti` values of accepted tokens so a token is accepted once. One call, `claim`, both
 * checks and records, so two verifications of one token cannot both pass between a lookup and a
 * write: a shared store must make it atomic (Redis `SET key 1 NX EX <expiresAt - now>`, an
 * `INSERT ... ON CONFLICT DO NOTHING`). Both times are NumericDate seconds on the verifier's
 * clock; `now` is passed in so a store never expires an entry by a clock of its own, which may
 * run ahead (hence a relative TTL, not Redis `EXAT`).
 *
 * @example
 * ```ts
 * import type { ReplayCache } from 'datagate/export'
 *
 * const seen = new Map<string, number>()
 * const cache: ReplayCache = {
 *   claim(jti, expiresAt, now) {
 *     const held = seen.get(jti)
 *     if (held !== undefined && held > now) return false
 *     seen.set(jti, expiresAt)
 *     return true
 *   },
 * }
 * console.log(await cache.claim('x', 1_700_000_060, 1_700_000_000)) // true
 * console.log(await cache.claim('x', 1_700_000_060, 1_700_000_001)) // false
 * ```
 */
export interface ReplayCache {
  /**
   * Records `jti` unless it is already held and live; `true` when this call recorded it (accept),
   * `false` when it was held (a replay). `expiresAt`: the last moment (NumericDate) any verifier
   * with the same options could still accept the token, clock tolerance included: hold the `jti`
   * while `expiresAt > now`. `now`: the verifier's current time (NumericDate). Anything but
   * `true`, or a throw, rejects the token.
   */
  claim(jti: string, expiresAt: number, now: number): boolean | Promise<boolean>
}

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

/**
 * The dataset an export carries.
 *
 * @example
 * ```ts
 * import type { ExportDataset } from 'datagate/export'
 *
 * const dataset: ExportDataset = { name: 'customer', version: '2026-11', schemaHash: 'ab12' }
 * console.log(dataset.name)
 * ```
 */
export interface ExportDataset {
  readonly name: string
  readonly version: string
  /** Hex SHA-256 of the dataset schema's canonical JSON. */
  readonly schemaHash: string
}

/**
 * Claims the gate puts in an export envelope (`typ` {@link EXPORT_TYP}).
 *
 * @example
 * ```ts
 * import type { ExportClaims } from 'datagate/export'
 *
 * const claims: ExportClaims = {
 *   iss: 'oem-aftersales', aud: 'rental-co', iat: 1_800_000_000, exp: 1_800_003_600,
 *   jti: 'f3a1', purpose: 'courtesy-car',
 *   dataset: { name: 'repair_order', version: '2026-11', schemaHash: 'ab12' },
 *   policyHash: 'cd34', agreement: 'courtesy-car-2026', count: 1,
 *   report: {}, records: [{ orderId: 'R-1' }],
 * }
 * console.log(claims.count === claims.records.length) // true
 * ```
 */
export interface ExportClaims<Row = Record<string, unknown>> {
  readonly iss: string
  /** The partner id. */
  readonly aud: string
  readonly iat: number
  readonly exp: number
  readonly jti: string
  readonly purpose: string
  readonly dataset: ExportDataset
  /** Hex SHA-256 of the policy's canonical JSON. */
  readonly policyHash: string
  /** Id of the agreement the release was made under. */
  readonly agreement: string
  /** The partner's receipt: an earlier audit chain position and the latest checkpoint. */
  readonly audit?: AuditReceiptClaim
  /** Number of records; equals `records.length`. */
  readonly count: number
  /** The release report (what was dropped, masked, suppressed; never raw values). */
  readonly report: Record<string, unknown>
  readonly records: readonly Row[]
}

/**
 * Every export claim except `records`, as {@link verifyExport} returns it (plus any extra claims).
 *
 * @example
 * ```ts
 * import type { ExportMeta } from 'datagate/export'
 *
 * const describe = (meta: ExportMeta) => `${meta.dataset.name}@${meta.dataset.version}: ${meta.count}`
 * console.log(typeof describe) // 'function'
 * ```
 */
export type ExportMeta = Omit<ExportClaims, 'records'> & Readonly<Record<string, unknown>>

/**
 * Options of {@link verifyExport}: those of {@link verifyEnvelope} without `typ`.
 *
 * @example
 * ```ts
 * import type { VerifyExportOptions } from 'datagate/export'
 *
 * const options: VerifyExportOptions = {
 *   jwks: { keys: [] }, issuer: 'oem-aftersales', audience: 'rental-co',
 * }
 * console.log(options.issuer)
 * ```
 */
export type VerifyExportOptions = Omit<VerifyOptions, 'typ'>

/**
 * What {@link verifyExport} returns.
 *
 * @example
 * ```ts
 * import type { VerifiedExport } from 'datagate/export'
 *
 * const rows = (result: VerifiedExport) => result.records.length
 * console.log(typeof rows) // 'function'
 * ```
 */
export interface VerifiedExport<Row = Record<string, unknown>> {
  readonly records: Row[]
  readonly meta: ExportMeta
}
