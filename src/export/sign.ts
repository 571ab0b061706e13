/**
 * Signs a payload into a datagate envelope: compact, flattened or detached (RFC 7797) JWS,
 * optionally nested in a compact JWE for one partner.
 *
 * @packageDocumentation
 */
import { CompactEncrypt, calculateJwkThumbprint, exportJWK, importJWK, type JWK } from 'jose'
import { DatagateError } from '../errors.js'
import { assertObject, assertOneOf, assertString, invalidArgument } from '../lib/assert.js'
import { utf8 } from '../lib/bytes.js'
import { fromJoseError } from '../lib/jose-errors.js'
import { isCryptoKey, type JwsSignHeader, signCompact, signCompactToken } from '../lib/jws.js'
import type { SigningAlg } from './algorithms.js'
import type { KeyRing } from './key-ring.js'
import { isKeyRing } from './keys.js'

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

const FORMATS: readonly EnvelopeFormat[] = ['compact', 'flattened', 'detached', 'jwe']
const KEY_WRAP = 'ECDH-ES+A256KW'
const CONTENT_ENCRYPTION = 'A256GCM'
const ENCRYPTION_CURVES = new Set(['P-256', 'P-384', 'P-521', 'X25519'])

function serialise(payload: object): string {
  let text: string | undefined
  try {
    text = JSON.stringify(payload)
  } catch {
    // No cause: JSON.stringify's own message names the key that closes a cycle, a data key.
    throw new DatagateError('ERR_INVALID_ARGUMENT', 'payload is not JSON-serialisable')
  }
  if (typeof text !== 'string' || !text.startsWith('{'))
    throw new DatagateError('ERR_INVALID_ARGUMENT', 'payload must serialise to a JSON object')
  return text
}

function usableForEncryption(jwk: JWK): boolean {
  return (
    (jwk.kty === 'EC' || jwk.kty === 'OKP') &&
    typeof jwk.crv === 'string' &&
    ENCRYPTION_CURVES.has(jwk.crv) &&
    (jwk.use === undefined || jwk.use === 'enc') &&
    (jwk.alg === undefined || jwk.alg === KEY_WRAP)
  )
}

async function recipientKey(
  recipient: EncryptionRecipient,
): Promise<{ key: CryptoKey; kid: string }> {
  if (isCryptoKey(recipient)) {
    if (recipient.type !== 'public')
      throw new DatagateError('ERR_KEY_INVALID', 'encryptTo must be the partner public key')
    return { key: recipient, kid: await calculateJwkThumbprint(await exportJWK(recipient)) }
  }
  assertObject(recipient, 'encryptTo')
  const set = (recipient as { readonly keys?: unknown }).keys
  const candidates: readonly JWK[] = Array.isArray(set) ? set : [recipient as JWK]
  const jwk = candidates.find(usableForEncryption)
  if (jwk === undefined)
    throw new DatagateError(
      'ERR_KEY_INVALID',
      `encryptTo has no public EC/X25519 key for ${KEY_WRAP}`,
    )
  if (typeof jwk.d === 'string')
    throw new DatagateError('ERR_KEY_INVALID', 'encryptTo must be a public key, not a private one')
  const key = await importJWK(jwk, KEY_WRAP)
  if (!isCryptoKey(key)) throw new DatagateError('ERR_KEY_INVALID', 'encryptTo did not import')
  return { key, kid: jwk.kid ?? (await calculateJwkThumbprint(jwk)) }
}

/**
 * Signs an already serialised JSON object (UTF-8 bytes) as a compact JWS with the ring's newest
 * key. For streams, which build each chunk's bytes record by record instead of holding a chunk
 * of objects and one large string.
 */
export async function signCompactBytes(
  bytes: Uint8Array,
  ring: KeyRing,
  typ: string,
): Promise<{ readonly token: string; readonly kid: string; readonly tokenBytes: Uint8Array }> {
  const signer = ring.current
  if (signer.privateKey === undefined)
    throw new DatagateError(
      'ERR_KEY_INVALID',
      `newest key "${signer.kid}" is verify-only; it cannot sign`,
    )
  const { token, bytes: tokenBytes } = await signCompactToken(
    bytes,
    signer.privateKey,
    { alg: signer.alg, kid: signer.kid, typ },
    true,
  )
  return { token, kid: signer.kid, tokenBytes }
}

/**
 * Signs `payload` with the newest key of `ring`; the protected header is `{ alg, kid, typ }`.
 * The payload is serialised once with `JSON.stringify` (key order as given; digests elsewhere
 * use canonical JSON). With `encryptTo`, the compact JWS is encrypted for that partner as a
 * compact JWE `{ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', cty: 'JWT', kid }`, never compressed.
 *
 * @example
 * ```ts
 * import { EXPORT_TYP, generateKeys, signEnvelope } from 'datagate/export'
 *
 * const ring = await generateKeys()
 * const now = Math.floor(Date.now() / 1000)
 * const claims = { iss: 'oem-aftersales', aud: 'rental-co', iat: now, exp: now + 3600 }
 * const compact = await signEnvelope(claims, ring, { typ: EXPORT_TYP })
 * const detached = await signEnvelope(claims, ring, { typ: EXPORT_TYP, format: 'detached' })
 * console.log(compact.kid === ring.current.kid, detached.token.includes('..')) // true true
 * ```
 */
export async function signEnvelope(
  payload: object,
  ring: KeyRing,
  options: SignOptions,
): Promise<SignedEnvelope> {
  assertObject(payload, 'payload')
  return signSerialised(
    () => {
      const text = serialise(payload)
      return { bytes: utf8(text), text }
    },
    ring,
    options,
  )
}

/**
 * Signs a payload already serialised as the UTF-8 bytes of one JSON object, in any format
 * {@link signEnvelope} offers: exports build their payload record by record and sign those
 * bytes, with no second serialisation.
 */
export function signEnvelopeBytes(
  bytes: Uint8Array,
  ring: KeyRing,
  options: SignOptions,
): Promise<SignedEnvelope> {
  if (!(bytes instanceof Uint8Array) || bytes[0] !== 0x7b)
    throw new DatagateError('ERR_INVALID_ARGUMENT', 'payload must serialise to a JSON object')
  return signSerialised(() => ({ bytes, text: undefined }), ring, options)
}

async function signSerialised(
  serialised: () => { readonly bytes: Uint8Array; readonly text: string | undefined },
  ring: KeyRing,
  options: SignOptions,
): Promise<SignedEnvelope> {
  if (!isKeyRing(ring)) invalidArgument('type', 'ring', 'a KeyRing')
  assertObject(options, 'options')
  assertString(options.typ, 'typ', { nonEmpty: true, maxLength: 128 })
  const encryptTo = options.encryptTo
  const format = options.format ?? (encryptTo === undefined ? 'compact' : 'jwe')
  assertOneOf(format, 'format', FORMATS)
  if ((format === 'jwe') !== (encryptTo !== undefined))
    invalidArgument('range', 'format', '"jwe" with encryptTo (its default then), and only with it')

  const signer = ring.current
  const { kid, alg } = signer
  if (signer.privateKey === undefined)
    throw new DatagateError('ERR_KEY_INVALID', `newest key "${kid}" is verify-only; it cannot sign`)
  const privateKey = signer.privateKey
  const header: JwsSignHeader = { alg, kid, typ: options.typ }
  const { bytes, text } = serialised()

  if (format === 'detached') {
    const token = await signCompact(bytes, privateKey, { ...header, b64: false, crit: ['b64'] })
    return { format, token, payload: text ?? new TextDecoder().decode(bytes), kid, alg }
  }
  const compact = await signCompact(bytes, privateKey, header)
  if (format === 'flattened') {
    // Same signing input as the compact form; only the serialisation differs (RFC 7515 §7.2.2).
    const [protectedHeader, encodedPayload, signature] = compact.split('.')
    const token = JSON.stringify({ payload: encodedPayload, protected: protectedHeader, signature })
    return { format, token, kid, alg }
  }
  if (encryptTo === undefined) return { format, token: compact, kid, alg }

  const recipient = await recipientKey(encryptTo)
  try {
    const token = await new CompactEncrypt(utf8(compact))
      .setProtectedHeader({
        alg: KEY_WRAP,
        enc: CONTENT_ENCRYPTION,
        cty: 'JWT',
        kid: recipient.kid,
      })
      .encrypt(recipient.key)
    return { format, token, kid, alg }
  } catch (error) {
    throw fromJoseError(error, 'encrypt', 'encrypting the envelope failed')
  }
}
