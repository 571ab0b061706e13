/**
 * Signing key rings: generation, import (JWK, PEM, HS256 secret), rotation and retirement.
 *
 * @packageDocumentation
 */
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  generateSecret,
  importJWK,
  importPKCS8,
  importSPKI,
  type JWK,
} from 'jose'
import { DatagateError } from '../errors.js'
import {
  assertArray,
  assertBytes,
  assertObject,
  assertOneOf,
  assertString,
  invalidArgument,
} from '../lib/assert.js'
import { fromJoseError } from '../lib/jose-errors.js'
import { isCryptoKey, MIN_HMAC_SECRET_BYTES } from '../lib/jws.js'
import type { SigningAlg } from './algorithms.js'
import { PUBLIC_KEY_ALGS, type PublicKeyAlg, SIGNING_ALGS } from './algorithms.js'
import type { KeyRing, PublicJwk, PublicJwks, SigningKey } from './key-ring.js'

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const

function publicPart(jwk: JWK): JWK {
  // Members in sorted order: WebCrypto's export orders them differently per runtime (Node
  // `crv,x,kty`, Bun `crv,kty,x`, Deno and workerd `kty,crv,x`), and a published JWKS should be
  // the same bytes wherever the gate runs.
  const copy: Record<string, unknown> = {}
  const omitted = new Set<string>([...PRIVATE_MEMBERS, 'key_ops', 'ext'])
  for (const member of Object.keys(jwk).sort())
    if (!omitted.has(member)) copy[member] = (jwk as Record<string, unknown>)[member]
  return copy as JWK
}

function freezeRing(keys: readonly SigningKey[]): KeyRing {
  const list = Object.freeze([...keys])
  const current = list[0]
  if (current === undefined)
    throw new DatagateError('ERR_KEY_INVALID', 'a key ring needs at least one key')
  const byKid = new Map<string, SigningKey>()
  for (const key of list) {
    if (byKid.has(key.kid))
      throw new DatagateError('ERR_KEY_INVALID', `duplicate kid "${key.kid}" in key ring`)
    byKid.set(key.kid, key)
  }
  return Object.freeze({
    keys: list,
    current,
    get: (kid: string) => byKid.get(kid),
    jwks: (): PublicJwks => ({
      keys: list.flatMap((key) => (key.publicJwk ? [{ ...key.publicJwk }] : [])),
    }),
  })
}

async function describe(
  alg: SigningAlg,
  verifyKey: CryptoKey,
  privateKey: CryptoKey | undefined,
  kid: string | undefined,
): Promise<SigningKey> {
  const exported = await exportJWK(verifyKey)
  const thumbprintInput = alg === 'HS256' ? exported : publicPart(exported)
  const keyId = kid ?? (await calculateJwkThumbprint(thumbprintInput, 'sha256'))
  const publicJwk: PublicJwk | undefined =
    alg === 'HS256'
      ? undefined
      : Object.freeze({ ...publicPart(exported), kid: keyId, alg, use: 'sig' as const })
  return Object.freeze({
    kid: keyId,
    alg,
    verifyKey,
    ...(privateKey === undefined ? {} : { privateKey }),
    ...(publicJwk === undefined ? {} : { publicJwk }),
  })
}

async function generateOne(alg: SigningAlg, kid: string | undefined): Promise<SigningKey> {
  if (kid !== undefined) assertString(kid, 'kid', { nonEmpty: true, maxLength: 256 })
  try {
    if (alg === 'HS256') {
      const secret = await generateSecret('HS256', { extractable: true })
      return await describe(alg, secret, secret, kid)
    }
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
    return await describe(alg, publicKey, privateKey, kid)
  } catch (error) {
    throw fromJoseError(error, 'key', `generating an ${alg} key failed`)
  }
}

/**
 * Options of {@link generateKeys} and {@link rotateKeys}.
 *
 * @example
 * ```ts
 * import { generateKeys, type GenerateKeysOptions } from 'datagate/export'
 *
 * const options: GenerateKeysOptions = { alg: 'ES256', kid: 'gate-2026-11' }
 * console.log((await generateKeys(options)).current.kid) // 'gate-2026-11'
 * ```
 */
export interface GenerateKeysOptions {
  /** Signing algorithm. `generateKeys` defaults to EdDSA (Ed25519); `rotateKeys` to the current key's. */
  readonly alg?: SigningAlg
  /** Key id; default the RFC 7638 SHA-256 thumbprint of the (public) key. */
  readonly kid?: string
}

/**
 * Generates a key ring with one fresh signing key (extractable WebCrypto keys, so you can
 * persist them with jose's `exportJWK` / `exportPKCS8`).
 *
 * @example
 * ```ts
 * import { exportJWK } from 'jose'
 * import { generateKeys } from 'datagate/export'
 *
 * const ring = await generateKeys({ alg: 'EdDSA' })
 * const stored = { ...(await exportJWK(ring.current.privateKey!)), kid: ring.current.kid }
 * console.log(ring.jwks().keys[0]?.kid === stored.kid) // true
 * ```
 */
export async function generateKeys(options: GenerateKeysOptions = {}): Promise<KeyRing> {
  const alg = options.alg ?? 'EdDSA'
  assertOneOf(alg, 'alg', SIGNING_ALGS)
  return freezeRing([await generateOne(alg, options.kid)])
}

/**
 * Returns a new ring with a fresh key in front (it signs from now on); the old keys stay listed
 * so tokens they signed still verify until you {@link retireKey} them.
 *
 * @example
 * ```ts
 * import { generateKeys, rotateKeys } from 'datagate/export'
 *
 * const ring = await generateKeys()
 * const next = await rotateKeys(ring)
 * console.log(next.keys.length, next.keys[1]?.kid === ring.current.kid) // 2 true
 * ```
 */
export async function rotateKeys(
  ring: KeyRing,
  options: GenerateKeysOptions = {},
): Promise<KeyRing> {
  assertRing(ring)
  const alg = options.alg ?? ring.current.alg
  assertOneOf(alg, 'alg', SIGNING_ALGS)
  return freezeRing([await generateOne(alg, options.kid), ...ring.keys])
}

/**
 * Returns a new ring without the key `kid`: tokens it signed no longer verify against the ring
 * or its JWKS. The last key cannot be retired (rotate first). With `verifyOnly: true` the key
 * stays listed, and in `jwks()`, without its private key: nothing new is signed with it, but
 * what it signed (old exports, audit checkpoints) still verifies. The newest key cannot be
 * made verify-only (rotate first).
 *
 * @example
 * ```ts
 * import { generateKeys, retireKey, rotateKeys } from 'datagate/export'
 *
 * const ring = await generateKeys()
 * const rotated = await rotateKeys(ring)
 * console.log(retireKey(rotated, ring.current.kid).keys.length) // 1
 * const kept = retireKey(rotated, ring.current.kid, { verifyOnly: true })
 * console.log(kept.jwks().keys.length, kept.get(ring.current.kid)?.privateKey) // 2 undefined
 * ```
 */
export function retireKey(
  ring: KeyRing,
  kid: string,
  options: { readonly verifyOnly?: boolean } = {},
): KeyRing {
  assertRing(ring)
  assertString(kid, 'kid', { nonEmpty: true })
  assertObject(options, 'options')
  const key = ring.get(kid)
  if (key === undefined) invalidArgument('range', 'kid', `a kid of the key ring, not "${kid}"`)
  if (options.verifyOnly === true) {
    if (key === ring.current)
      throw new DatagateError('ERR_KEY_INVALID', 'the newest key signs; rotate before retiring it')
    const { privateKey: _dropped, ...rest } = key
    return freezeRing(ring.keys.map((k) => (k === key ? Object.freeze(rest) : k)))
  }
  if (ring.keys.length === 1)
    throw new DatagateError('ERR_KEY_INVALID', 'cannot retire the only key of a ring; rotate first')
  return freezeRing(ring.keys.filter((k) => k.kid !== kid))
}

/**
 * One key to import: a JWK (private to sign, public to verify only), a PEM (PKCS#8 private or
 * SPKI public; `alg` required) or an HS256 secret of at least 32 bytes. `kid` defaults to the
 * JWK's own `kid`, else the RFC 7638 thumbprint.
 *
 * @example
 * ```ts
 * import { exportPKCS8, generateKeyPair } from 'jose'
 * import { importKeys, type KeyImport } from 'datagate/export'
 *
 * const { privateKey } = await generateKeyPair('EdDSA', { extractable: true })
 * const inputs: KeyImport[] = [
 *   { pem: await exportPKCS8(privateKey), alg: 'EdDSA' },
 *   { secret: crypto.getRandomValues(new Uint8Array(32)), alg: 'HS256', kid: 'internal' },
 * ]
 * console.log((await importKeys(inputs)).keys.length) // 2
 * ```
 */
export type KeyImport =
  | { readonly jwk: JWK; readonly kid?: string }
  | { readonly pem: string; readonly alg: PublicKeyAlg; readonly kid?: string }
  | { readonly secret: Uint8Array; readonly alg: 'HS256'; readonly kid?: string }

/**
 * A JWK member's value for an error message, only when it is short like a real kty, crv or alg:
 * a private JWK mis-edited so that its secret landed in one of them must not be quoted.
 */
const shown = (value: unknown) =>
  typeof value === 'string' && /^[A-Za-z0-9+_-]{1,16}$/.test(value) ? value : '(unrecognised)'

function inferAlg(jwk: JWK): SigningAlg {
  let inferred: SigningAlg | undefined
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') inferred = 'EdDSA'
  else if (jwk.kty === 'EC' && jwk.crv === 'P-256') inferred = 'ES256'
  else if (jwk.kty === 'oct') inferred = 'HS256'
  if (inferred === undefined)
    throw new DatagateError(
      'ERR_KEY_UNSUPPORTED',
      `JWK kty ${shown(jwk.kty)} / crv ${shown(jwk.crv)} is not supported`,
    )
  const declared = jwk.alg === 'Ed25519' ? 'EdDSA' : jwk.alg
  if (declared !== undefined && declared !== inferred)
    throw new DatagateError(
      'ERR_KEY_INVALID',
      `JWK alg ${shown(jwk.alg)} does not fit its key type`,
    )
  if (jwk.use !== undefined && jwk.use !== 'sig')
    throw new DatagateError('ERR_KEY_INVALID', 'JWK "use" must be "sig" for a signing key')
  return inferred
}

async function importSecret(secret: Uint8Array, kid: string | undefined): Promise<SigningKey> {
  assertBytes(secret, 'secret')
  if (secret.length < MIN_HMAC_SECRET_BYTES)
    throw new DatagateError(
      'ERR_KEY_INVALID',
      `HS256 secret must be at least ${MIN_HMAC_SECRET_BYTES} bytes`,
    )
  const key = await crypto.subtle.importKey(
    'raw',
    secret.slice(),
    { name: 'HMAC', hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  )
  return describe('HS256', key, key, kid)
}

async function importFromJwk(jwk: JWK, kid: string | undefined): Promise<SigningKey> {
  assertObject(jwk, 'jwk')
  const alg = inferAlg(jwk)
  const keyId = kid ?? jwk.kid
  if (alg === 'HS256') {
    if (typeof jwk.k !== 'string') throw new DatagateError('ERR_KEY_INVALID', 'oct JWK without "k"')
    const imported = await importJWK({ kty: 'oct', k: jwk.k }, 'HS256')
    if (!(imported instanceof Uint8Array))
      throw new DatagateError('ERR_KEY_INVALID', 'oct JWK did not import')
    return importSecret(imported, keyId)
  }
  const isPrivate = typeof jwk.d === 'string'
  const verifyKey = await importJWK(publicPart(jwk), alg, { extractable: true })
  const privateKey = isPrivate
    ? await importJWK({ ...jwk, ext: true }, alg, { extractable: true })
    : undefined
  if (!isCryptoKey(verifyKey) || (privateKey !== undefined && !isCryptoKey(privateKey)))
    throw new DatagateError('ERR_KEY_INVALID', 'JWK did not import as a WebCrypto key')
  return describe(alg, verifyKey, privateKey, keyId)
}

async function importFromPem(
  pem: string,
  alg: SigningAlg,
  kid: string | undefined,
): Promise<SigningKey> {
  assertString(pem, 'pem', { nonEmpty: true })
  if (alg === 'HS256')
    invalidArgument('range', 'alg', 'EdDSA or ES256 for a PEM key (HS256 keys are secrets)')
  assertOneOf(alg, 'alg', PUBLIC_KEY_ALGS)
  if (pem.includes('-----BEGIN PRIVATE KEY-----')) {
    const privateKey = await importPKCS8(pem, alg, { extractable: true })
    const publicJwk = publicPart(await exportJWK(privateKey))
    const verifyKey = await importJWK(publicJwk, alg, { extractable: true })
    if (!isCryptoKey(verifyKey)) throw new DatagateError('ERR_KEY_INVALID', 'PEM did not import')
    return describe(alg, verifyKey, privateKey, kid)
  }
  if (pem.includes('-----BEGIN PUBLIC KEY-----')) {
    return describe(alg, await importSPKI(pem, alg, { extractable: true }), undefined, kid)
  }
  throw new DatagateError(
    'ERR_KEY_UNSUPPORTED',
    'PEM must be PKCS#8 ("PRIVATE KEY") or SPKI ("PUBLIC KEY")',
  )
}

/**
 * Imports one signing key.
 *
 * @example
 * ```ts
 * import { importKey } from 'datagate/export'
 *
 * const secret = crypto.getRandomValues(new Uint8Array(32))
 * const key = await importKey({ secret, alg: 'HS256', kid: 'gate-hmac-1' })
 * console.log(key.kid, key.publicJwk) // 'gate-hmac-1' undefined
 * ```
 */
export async function importKey(input: KeyImport): Promise<SigningKey> {
  assertObject(input, 'key import')
  if (input.kid !== undefined) assertString(input.kid, 'kid', { nonEmpty: true, maxLength: 256 })
  try {
    if ('jwk' in input) return await importFromJwk(input.jwk, input.kid)
    if ('pem' in input) return await importFromPem(input.pem, input.alg, input.kid)
    if ('secret' in input) {
      if (input.alg !== 'HS256') invalidArgument('range', 'alg', 'HS256 for a secret')
      return await importSecret(input.secret, input.kid)
    }
  } catch (error) {
    throw fromJoseError(error, 'key', 'key import failed')
  }
  invalidArgument('type', 'key import', '{ jwk }, { pem, alg } or { secret, alg }')
}

/**
 * Imports keys into a ring, newest first (the first one signs). Kids must be unique.
 *
 * @example
 * ```ts
 * import { exportJWK } from 'jose'
 * import { generateKeys, importKeys } from 'datagate/export'
 *
 * const original = await generateKeys({ alg: 'ES256' })
 * const jwk = { ...(await exportJWK(original.current.privateKey!)), kid: original.current.kid }
 * const ring = await importKeys([{ jwk }])
 * console.log(ring.current.kid === original.current.kid) // true
 * ```
 */
export async function importKeys(inputs: readonly KeyImport[]): Promise<KeyRing> {
  assertArray(inputs, 'importKeys: inputs', { nonEmpty: true })
  const keys: SigningKey[] = []
  for (const input of inputs) keys.push(await importKey(input))
  return freezeRing(keys)
}

/**
 * Tells whether `value` looks like a {@link KeyRing} (structural, so two package copies agree).
 *
 * @example
 * ```ts
 * import { generateKeys, isKeyRing } from 'datagate/export'
 *
 * console.log(isKeyRing(await generateKeys()), isKeyRing({ keys: [] })) // true false
 * ```
 */
export function isKeyRing(value: unknown): value is KeyRing {
  if (typeof value !== 'object' || value === null) return false
  const ring = value as Partial<KeyRing>
  return (
    Array.isArray(ring.keys) && typeof ring.get === 'function' && typeof ring.jwks === 'function'
  )
}

function assertRing(ring: unknown): asserts ring is KeyRing {
  if (!isKeyRing(ring)) invalidArgument('type', 'ring', 'a KeyRing')
}
