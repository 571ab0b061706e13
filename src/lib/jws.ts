// The one signing and the one signature-verification path of datagate. signEnvelope and
// verifyEnvelope call these; the conformance tests run the RFC 7520 / 8037 / 7797 vectors through
// them, so the vectors exercise our header rules, not only jose's.
//
// Header rules enforced here, before jose sees the token (jose 6 traps, see DESIGN.md):
// - keys named in a header (`jwk`, `jku`, `x5u`, `x5c`) are never used: ERR_EMBEDDED_KEY;
// - `alg` must be in the caller's pinned list, `none` never: ERR_ALG_NOT_ALLOWED;
// - the only `crit` extension is `b64`, and `b64: false` only in the detached form; jose would
//   silently ignore a `b64` that is not listed in `crit`, so that is rejected too;
// - the key must fit `alg` (an HS256 token never meets a public key): ERR_ALG_NOT_ALLOWED;
// - HMAC secrets are at least 32 bytes (jose accepts 1 byte): ERR_KEY_INVALID.
import { type FlattenedJWSInput, type JWSHeaderParameters, base64url as joseBase64url } from 'jose'
import {
  asciiBytes,
  asciiInto,
  asciiText,
  base64urlInto,
  base64url as fastBase64url,
  base64urlDecode as fastBase64urlDecode,
} from '#hash'
import { DatagateError } from '../errors.js'
import { base64urlLength, utf8 } from './bytes.js'
import { fromJoseError } from './jose-errors.js'

/** A key jose can sign or verify with: a WebCrypto key, or HMAC secret bytes. */
export type JwsKey = CryptoKey | Uint8Array

/** Picks the verification key from the (not yet verified) header. */
export type JwsKeyResolver = (
  header: JWSHeaderParameters,
  token: FlattenedJWSInput,
) => Promise<JwsKey> | JwsKey

/** A protected header to sign with; `alg` is required. */
export interface JwsSignHeader extends JWSHeaderParameters {
  alg: string
}

/** Minimum HMAC secret length in bytes (RFC 7518 §3.2: at least the hash size). */
export const MIN_HMAC_SECRET_BYTES = 32

const EMBEDDED_KEY_PARAMETERS = ['jwk', 'jku', 'x5u', 'x5c'] as const

const BASE64URL = /^[A-Za-z0-9_-]*$/

function isBase64url(text: string): boolean {
  return BASE64URL.test(text) && text.length % 4 !== 1
}

/** Tells a WebCrypto key apart from anything else, also across realms (as jose does). */
export function isCryptoKey(value: unknown): value is CryptoKey {
  if (typeof value !== 'object' || value === null) return false
  if (typeof CryptoKey !== 'undefined' && value instanceof CryptoKey) return true
  return (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'CryptoKey'
}

interface KeyAlgorithmShape {
  name: string
  namedCurve?: string
  hash?: { name: string }
  length?: number
}

const SHA: Record<string, string> = { '256': 'SHA-256', '384': 'SHA-384', '512': 'SHA-512' }
const CURVE: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }

function fitsAlgorithm(key: CryptoKey, alg: string): boolean {
  const algorithm = key.algorithm as KeyAlgorithmShape
  const family = alg.slice(0, 2)
  const hash = SHA[alg.slice(2)]
  if (alg === 'EdDSA' || alg === 'Ed25519') return algorithm.name === 'Ed25519'
  if (family === 'ES') return algorithm.name === 'ECDSA' && algorithm.namedCurve === CURVE[alg]
  if (family === 'HS') return algorithm.name === 'HMAC' && algorithm.hash?.name === hash
  if (family === 'RS')
    return algorithm.name === 'RSASSA-PKCS1-v1_5' && algorithm.hash?.name === hash
  if (family === 'PS') return algorithm.name === 'RSA-PSS' && algorithm.hash?.name === hash
  return false
}

/** Throws unless `key` can `use` the algorithm `alg`; enforces the HMAC secret minimum. */
export function assertKeyFits(
  key: unknown,
  alg: string,
  use: 'sign' | 'verify',
): asserts key is JwsKey {
  const hmac = alg.startsWith('HS')
  if (key instanceof Uint8Array) {
    if (!hmac)
      throw new DatagateError('ERR_ALG_NOT_ALLOWED', `alg ${alg} does not fit a secret key`)
    if (key.length < MIN_HMAC_SECRET_BYTES)
      throw new DatagateError(
        'ERR_KEY_INVALID',
        `HMAC secret shorter than ${MIN_HMAC_SECRET_BYTES} bytes`,
      )
    return
  }
  if (!isCryptoKey(key))
    throw new DatagateError('ERR_KEY_INVALID', 'key: expected a CryptoKey or secret bytes')
  const wanted = hmac ? 'secret' : use === 'sign' ? 'private' : 'public'
  if (key.type !== wanted || !fitsAlgorithm(key, alg))
    throw new DatagateError('ERR_ALG_NOT_ALLOWED', `alg ${alg} does not fit the ${key.type} key`)
  const bits = (key.algorithm as KeyAlgorithmShape).length
  if (hmac && (bits === undefined || bits < MIN_HMAC_SECRET_BYTES * 8))
    throw new DatagateError(
      'ERR_KEY_INVALID',
      `HMAC secret shorter than ${MIN_HMAC_SECRET_BYTES} bytes`,
    )
}

/**
 * Checks the header rules shared by signing and verification. `detached` tells whether the
 * payload travels outside the token, the only form in which `b64: false` is accepted.
 */
export function checkJwsHeader(
  protectedHeader: JWSHeaderParameters,
  joseHeader: JWSHeaderParameters,
  detached: boolean,
): void {
  for (const name of EMBEDDED_KEY_PARAMETERS) {
    if (Object.hasOwn(joseHeader, name))
      throw new DatagateError(
        'ERR_EMBEDDED_KEY',
        `JWS header names a key ("${name}"); header keys are never used`,
      )
  }
  if (Object.hasOwn(joseHeader, 'crit') && !Object.hasOwn(protectedHeader, 'crit'))
    throw new DatagateError('ERR_CRIT_UNSUPPORTED', 'JWS "crit" must be in the protected header')
  const crit = protectedHeader.crit
  if (crit !== undefined) {
    if (!Array.isArray(crit) || crit.length === 0 || crit.some((name) => name !== 'b64'))
      throw new DatagateError('ERR_CRIT_UNSUPPORTED', 'JWS "crit" may list only "b64"')
    if (crit.length !== 1)
      throw new DatagateError('ERR_CRIT_UNSUPPORTED', 'JWS "crit" lists "b64" twice')
    if (typeof protectedHeader.b64 !== 'boolean')
      throw new DatagateError('ERR_TOKEN_MALFORMED', 'JWS "b64" must be a protected boolean')
  } else if (Object.hasOwn(joseHeader, 'b64')) {
    throw new DatagateError(
      'ERR_CRIT_UNSUPPORTED',
      'JWS "b64" is not listed in "crit" (RFC 7797 §6)',
    )
  }
  if (protectedHeader.b64 === false && !detached)
    throw new DatagateError(
      'ERR_CRIT_UNSUPPORTED',
      'JWS "b64": false is accepted only with detached content',
    )
}

function checkAlgorithm(alg: unknown, algorithms: readonly string[]): asserts alg is string {
  if (typeof alg !== 'string' || alg.length === 0)
    throw new DatagateError('ERR_TOKEN_MALFORMED', 'JWS "alg" missing')
  if (alg.toLowerCase() === 'none' || !algorithms.includes(alg))
    throw new DatagateError(
      'ERR_ALG_NOT_ALLOWED',
      `JWS alg ${JSON.stringify(alg.slice(0, 32))} is not allowed`,
    )
}

/**
 * Signs `payload` with `key` under the protected `header` and returns the JWS Compact
 * Serialization. With `b64: false` (RFC 7797) the result is detached: `header..signature`, and
 * the signing input is `ASCII(BASE64URL(header)) || '.' || payload`.
 */
export async function signCompact(
  payload: Uint8Array,
  key: JwsKey,
  header: JwsSignHeader,
): Promise<string> {
  return (await signCompactToken(payload, key, header)).token
}

/** Room behind the signing input for `.` and the signature (RSA-8192 takes 1,366 characters). */
const SIGNATURE_ROOM = 1400

/**
 * {@link signCompact}, also returning the token's ASCII bytes (for its digest). The token is
 * written once into one buffer (header, payload, then the signature behind the signing input),
 * so there is no joined string for a reader to flatten into the JS heap: for stream chunks of
 * megabytes this was a large share of the peak memory (docs/benchmarks.md). `encodeInPlace`
 * writes the payload's base64url straight into that buffer instead of making it a string first
 * (`#hash` `base64urlInto`: natively in 48 KiB parts where it can): the stream's peak RSS fell by
 * about 20 MB with it, as one string of a chunk's payload outlived young collections.
 */
export async function signCompactToken(
  payload: Uint8Array,
  key: JwsKey,
  header: JwsSignHeader,
  encodeInPlace = false,
): Promise<{ readonly token: string; readonly bytes: Uint8Array }> {
  const detached = header.b64 === false
  checkJwsHeader(header, header, detached)
  checkAlgorithm(header.alg, [header.alg])
  assertKeyFits(key, header.alg, 'sign')
  // Signed with Web Crypto directly rather than jose's FlattenedSign: on runtimes without
  // Uint8Array#toBase64 (Node 20) jose base64url-encodes through btoa and three replace passes,
  // several megabyte-sized strings per export chunk; `#hash` encodes natively in one pass.
  // The JOSE cookbook vectors (Ed25519, HMAC) are reproduced byte for byte through this path.
  const encodedHeader = fastBase64url(utf8(JSON.stringify(header)))
  // Natively into a string and copied (fast), or in place, without the string (bounded memory).
  const encodedPayload = detached || encodeInPlace ? '' : fastBase64url(payload)
  const inputLength =
    encodedHeader.length +
    1 +
    (detached ? 0 : encodeInPlace ? base64urlLength(payload.length) : encodedPayload.length)
  let signingInput: Uint8Array<ArrayBuffer>
  let token: Uint8Array<ArrayBuffer>
  if (detached) {
    signingInput = concatBytes(utf8(`${encodedHeader}.`), payload)
    token = new Uint8Array(inputLength + SIGNATURE_ROOM)
    asciiInto(`${encodedHeader}.`, token, 0)
  } else {
    token = new Uint8Array(inputLength + SIGNATURE_ROOM)
    asciiInto(encodedHeader, token, 0)
    token[encodedHeader.length] = 0x2e // .
    if (encodeInPlace) base64urlInto(payload, token, encodedHeader.length + 1)
    else asciiInto(encodedPayload, token, encodedHeader.length + 1)
    // The signature goes behind the signing input once it is made: the input is never written.
    signingInput = token.subarray(0, inputLength)
  }
  let signature: string
  try {
    const cryptoKey = key instanceof Uint8Array ? await importHmacSecret(key, header.alg) : key
    signature = fastBase64url(
      new Uint8Array(await crypto.subtle.sign(signParameters(header.alg), cryptoKey, signingInput)),
    )
  } catch (error) {
    throw new DatagateError('ERR_KEY_UNSUPPORTED', `signing with ${header.alg} failed`, {
      cause: error,
    })
  }
  if (1 + signature.length > SIGNATURE_ROOM) {
    const grown = new Uint8Array(inputLength + 1 + signature.length)
    grown.set(token.subarray(0, inputLength))
    token = grown
  }
  token[inputLength] = 0x2e // .
  const end = inputLength + 1 + asciiInto(signature, token, inputLength + 1)
  const bytes = token.subarray(0, end)
  return { token: asciiText(bytes), bytes }
}

function signParameters(alg: string): AlgorithmIdentifier | EcdsaParams | RsaPssParams {
  if (alg === 'EdDSA' || alg === 'Ed25519') return { name: 'Ed25519' }
  const hash = SHA[alg.slice(2)] as string
  if (alg.startsWith('ES')) return { name: 'ECDSA', hash }
  if (alg.startsWith('PS')) return { name: 'RSA-PSS', saltLength: Number(alg.slice(2)) >> 3 }
  if (alg.startsWith('RS')) return { name: 'RSASSA-PKCS1-v1_5' }
  return { name: 'HMAC' }
}

function importHmacSecret(
  secret: Uint8Array,
  alg: string,
  use: 'sign' | 'verify' = 'sign',
): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    'raw',
    new Uint8Array(secret),
    { name: 'HMAC', hash: SHA[alg.slice(2)] as string },
    false,
    [use],
  )
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

/** Options of {@link verifySignature}. */
export interface VerifySignatureOptions {
  /** Accepted `alg` values; pinned, never taken from the token. */
  readonly algorithms: readonly string[]
  /** The payload of a detached JWS (the token's payload part is empty). */
  readonly detachedPayload?: Uint8Array
  /** Accept a JSON unprotected `header` (conformance vectors only; envelopes never carry one). */
  readonly allowUnprotectedHeader?: boolean
}

/** What {@link verifySignature} proved. */
export interface VerifiedSignature {
  readonly payload: Uint8Array
  /** The algorithm that was verified (from the protected header, or the unprotected one where allowed). */
  readonly alg: string
  readonly protectedHeader: JWSHeaderParameters
  readonly unprotectedHeader?: JWSHeaderParameters
}

const FLATTENED_MEMBERS = new Set(['protected', 'header', 'payload', 'signature'])

function toFlattened(jws: string | FlattenedJWSInput): FlattenedJWSInput {
  if (typeof jws === 'string') {
    const parts = jws.split('.')
    if (parts.length !== 3)
      throw new DatagateError('ERR_TOKEN_MALFORMED', 'compact JWS must have 3 parts')
    const [protectedPart, payload, signature] = parts as [string, string, string]
    return { protected: protectedPart, payload, signature }
  }
  if (typeof jws !== 'object' || jws === null || Array.isArray(jws))
    throw new DatagateError(
      'ERR_TOKEN_MALFORMED',
      'JWS must be a compact string or a flattened object',
    )
  for (const member of Object.keys(jws)) {
    if (!FLATTENED_MEMBERS.has(member))
      throw new DatagateError(
        'ERR_TOKEN_MALFORMED',
        `flattened JWS has an unexpected member "${member}"`,
      )
  }
  return jws
}

function parseHeader(encoded: string): JWSHeaderParameters {
  let parsed: unknown
  try {
    parsed = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(joseBase64url.decode(encoded)),
    )
  } catch (cause) {
    throw new DatagateError('ERR_TOKEN_MALFORMED', 'JWS protected header is not base64url JSON', {
      cause,
    })
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new DatagateError('ERR_TOKEN_MALFORMED', 'JWS protected header is not a JSON object')
  return parsed as JWSHeaderParameters
}

/**
 * Verifies a compact or flattened JWS against `key` (or the key a resolver picks from the
 * header) and returns the payload bytes. Checks header rules and the pinned algorithm before
 * jose runs; every failure is a DatagateError.
 */
export async function verifySignature(
  jws: string | FlattenedJWSInput,
  key: JwsKey | JwsKeyResolver,
  options: VerifySignatureOptions,
): Promise<VerifiedSignature> {
  if (options.algorithms.some((alg) => alg.toLowerCase() === 'none'))
    throw new DatagateError('ERR_INVALID_ARGUMENT', 'algorithms: "none" is never allowed')
  const flattened = toFlattened(jws)
  const { protected: encodedHeader, header: unprotectedHeader, payload, signature } = flattened
  if (unprotectedHeader !== undefined && !options.allowUnprotectedHeader)
    throw new DatagateError('ERR_TOKEN_MALFORMED', 'JWS unprotected header is not accepted')
  if (encodedHeader === undefined && !options.allowUnprotectedHeader)
    throw new DatagateError('ERR_TOKEN_MALFORMED', 'JWS protected header missing')
  for (const [name, part] of [
    ['protected header', encodedHeader ?? ''],
    ['signature', signature],
  ]) {
    if (typeof part !== 'string' || !isBase64url(part))
      throw new DatagateError('ERR_TOKEN_MALFORMED', `JWS ${name} is not base64url`)
  }
  if (typeof payload !== 'string')
    throw new DatagateError('ERR_TOKEN_MALFORMED', 'JWS payload must be a string')
  const protectedHeader = encodedHeader === undefined ? {} : parseHeader(encodedHeader)
  if (unprotectedHeader !== undefined) {
    if (
      typeof unprotectedHeader !== 'object' ||
      unprotectedHeader === null ||
      Array.isArray(unprotectedHeader)
    )
      throw new DatagateError('ERR_TOKEN_MALFORMED', 'JWS unprotected header is not an object')
    if (Object.keys(unprotectedHeader).some((name) => Object.hasOwn(protectedHeader, name)))
      throw new DatagateError('ERR_TOKEN_MALFORMED', 'JWS header parameter names must be disjoint')
  }
  const joseHeader: JWSHeaderParameters = { ...protectedHeader, ...unprotectedHeader }
  const detached = options.detachedPayload !== undefined
  if (detached && payload !== '')
    throw new DatagateError(
      'ERR_TOKEN_MALFORMED',
      'a detached payload was given but the JWS carries one',
    )
  if (!detached && payload === '')
    throw new DatagateError('ERR_TOKEN_MALFORMED', 'the JWS payload is detached; pass it to verify')
  checkJwsHeader(protectedHeader, joseHeader, detached)
  if (!detached && !isBase64url(payload))
    throw new DatagateError('ERR_TOKEN_MALFORMED', 'JWS payload is not base64url')
  const alg = joseHeader.alg
  checkAlgorithm(alg, options.algorithms)

  // Verified with Web Crypto directly, not jose's flattenedVerify, for the reason signCompact
  // gives: jose decodes megabyte payloads through atob and replace passes on Node 20. Header
  // rules, the pinned algorithm and the key's fit are all checked above and below.
  let resolved: JwsKey
  try {
    resolved = typeof key === 'function' ? await key(joseHeader, flattened) : key
  } catch (error) {
    throw fromJoseError(error, 'verify', 'no key to verify the JWS with')
  }
  assertKeyFits(resolved, alg, 'verify')
  const body = options.detachedPayload
  // The parts were checked to be base64url above, so the signing input is ASCII and its
  // Latin-1 bytes are its UTF-8 bytes; of a compact token it is the token's own prefix, copied
  // once (no joined string flattened into the heap first).
  const signingInput =
    body === undefined
      ? asciiBytes(
          typeof jws === 'string'
            ? jws.slice(0, (encodedHeader ?? '').length + 1 + payload.length)
            : `${encodedHeader ?? ''}.${payload}`,
        )
      : protectedHeader.b64 === false
        ? concatBytes(utf8(`${encodedHeader ?? ''}.`), body)
        : utf8(`${encodedHeader ?? ''}.${fastBase64url(body)}`)
  const signatureBytes = new Uint8Array(fastBase64urlDecode(signature))
  // A non-canonical encoding (other trailing bits) decodes to the same bytes; refuse it so one
  // signature has one spelling.
  if (fastBase64url(signatureBytes) !== signature)
    throw new DatagateError('ERR_TOKEN_MALFORMED', 'JWS signature is not canonical base64url')
  let valid: boolean
  try {
    const cryptoKey =
      resolved instanceof Uint8Array ? await importHmacSecret(resolved, alg, 'verify') : resolved
    valid = await crypto.subtle.verify(
      signParameters(alg),
      cryptoKey,
      new Uint8Array(fastBase64urlDecode(signature)),
      signingInput,
    )
  } catch (cause) {
    throw new DatagateError('ERR_SIGNATURE_INVALID', 'JWS signature verification failed', { cause })
  }
  if (!valid) throw new DatagateError('ERR_SIGNATURE_INVALID', 'JWS signature verification failed')
  return {
    payload: body ?? fastBase64urlDecode(payload),
    alg,
    protectedHeader,
    ...(unprotectedHeader === undefined ? {} : { unprotectedHeader }),
  }
}
