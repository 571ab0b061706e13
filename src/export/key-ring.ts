/**
 * The shape of a signing key ring, shared by signing, verification, the audit log and
 * checkpoints; `keys.ts` makes and changes rings.
 *
 * @packageDocumentation
 */
import type { JWK } from 'jose'
import type { SigningAlg } from './algorithms.js'

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
