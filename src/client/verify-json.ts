// The partner's check of a `mode: 'json'` response: RFC 9421 signature (ed25519) over the
// response's status, content type and RFC 9530 Content-Digest, and over the partner's own
// request (method, target URI, Authorization), then the claims in `meta`.
import { createLocalJWKSet, type JSONWebKeySet, type JWTHeaderParameters } from 'jose'
import { sha256 } from '#hash'
import { jsonComponents } from '../adapters/json-mode.js'
import { DatagateError } from '../errors.js'
import type { ExportMeta } from '../export/export-claims.js'
import { utf8 } from '../lib/bytes.js'
import {
  type Component,
  parseContentDigest,
  parseSignature,
  SIGNATURE_TAG,
  sameBytes,
  signatureBase,
} from '../lib/http-signature.js'
import { checkClaims } from '../lib/jwt-claims.js'

/** A key resolver as jose's `createRemoteJWKSet` and `createLocalJWKSet` return. */
export type KeyResolver = (header: JWTHeaderParameters) => Promise<unknown>

/** The request the partner made, as it signs into the response. */
export interface SentRequest {
  readonly method: string
  readonly url: string
  readonly headers: Headers
}

export interface JsonExpectations {
  readonly keys: KeyResolver
  readonly issuer: string
  readonly audience: string
  /** NumericDate seconds. */
  readonly now: number
  /** Seconds of clock skew forgiven on `created`/`expires` and the claims. */
  readonly clockTolerance: number
}

const bad = (message: string): never => {
  throw new DatagateError('ERR_SIGNATURE_INVALID', `json mode: ${message}`)
}

const localResolvers = new WeakMap<object, KeyResolver>()

/** The resolver for a JWKS object (cached per object) or the function given. */
export function keyResolver(jwks: JSONWebKeySet | KeyResolver): KeyResolver {
  if (typeof jwks === 'function') return jwks
  let resolver = localResolvers.get(jwks)
  if (resolver === undefined) {
    resolver = createLocalJWKSet(jwks) as KeyResolver
    localResolvers.set(jwks, resolver)
  }
  return resolver
}

function integer(params: Map<string, unknown>, name: string): number {
  const value = params.get(name)
  if (!Number.isSafeInteger(value)) bad(`the signature has no integer ${name}`)
  return value as number
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Verifies a json-mode response and returns its records and meta. Every component is derived
 * from what the partner sent and received, never read from the response's claims: a response
 * made for another partner, route or method does not verify.
 */
export async function verifyJsonResponse(
  response: Response,
  sent: SentRequest,
  expected: JsonExpectations,
): Promise<{ records: Record<string, unknown>[]; meta: ExportMeta }> {
  const parsed = parseSignature(
    response.headers.get('signature-input'),
    response.headers.get('signature'),
  )
  const { params } = parsed
  if (params.get('tag') !== SIGNATURE_TAG) bad(`the signature's tag is not ${SIGNATURE_TAG}`)
  const alg = params.get('alg')
  if (alg !== undefined && alg !== 'ed25519') bad('the signature is not ed25519')
  const keyid = params.get('keyid')
  if (typeof keyid !== 'string' || keyid === '') bad('the signature names no keyid')
  const created = integer(params, 'created')
  const expires = integer(params, 'expires')
  const tolerance = expected.clockTolerance
  if (created > expected.now + tolerance)
    throw new DatagateError(
      'ERR_CLAIM_INVALID',
      'json mode: the signature is created in the future',
    )
  if (expires + tolerance <= expected.now)
    throw new DatagateError('ERR_TOKEN_EXPIRED', 'json mode: the signature has expired')

  const body = new Uint8Array(await response.arrayBuffer())
  const digestField = response.headers.get('content-digest')
  if (!sameBytes(parseContentDigest(digestField), sha256(body)))
    throw new DatagateError(
      'ERR_DIGEST_MISMATCH',
      'json mode: Content-Digest does not match the body',
    )

  // What the partner itself sent and received, in the order datagate signs it.
  const own = jsonComponents(response.status, digestField?.trim() ?? '', sent)
  const contentType = response.headers.get('content-type')?.trim()
  const values = new Map(
    own.map((c) => [
      `${c.name}${c.req ? ';req' : ''}`,
      c.name === 'content-type' ? contentType : c.value,
    ]),
  )
  const covered = parsed.components.map((c) => `${c.name}${c.req ? ';req' : ''}`)
  if (new Set(covered).size !== covered.length) bad('a component is covered twice')
  for (const required of values.keys())
    if (!covered.includes(required)) bad(`the signature does not cover ${required}`)
  const components: Component[] = parsed.components.map((c) => {
    const value = values.get(`${c.name}${c.req ? ';req' : ''}`)
    if (value === undefined)
      return bad(`the signature covers ${c.name}, which datagate never signs`)
    return { ...c, value }
  })
  const base = signatureBase(components, parsed.input)

  let key: unknown
  try {
    key = await expected.keys({ alg: 'EdDSA', kid: keyid as string })
  } catch {
    bad('no key of the issuer has that keyid')
  }
  let valid = false
  try {
    valid = await crypto.subtle.verify(
      'Ed25519',
      key as CryptoKey,
      new Uint8Array(parsed.signature),
      utf8(base),
    )
  } catch {
    valid = false
  }
  if (!valid) bad('the signature does not verify')

  let document: unknown
  try {
    document = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body))
  } catch {
    bad('the body is not JSON')
  }
  if (!isRecord(document) || !Array.isArray(document.data) || !isRecord(document.meta))
    throw new DatagateError('ERR_CLAIM_INVALID', 'json mode: the body is not { data, meta }')
  const { data, meta } = document as { data: unknown[]; meta: Record<string, unknown> }
  checkClaims(meta, {
    issuer: expected.issuer,
    audience: expected.audience,
    now: expected.now,
    clockTolerance: tolerance,
    maxAge: { seconds: Number.POSITIVE_INFINITY, required: true },
  })
  if (meta.iat !== created || meta.exp !== expires)
    throw new DatagateError(
      'ERR_CLAIM_INVALID',
      "json mode: the signature's window is not the export's",
    )
  if (!data.every(isRecord))
    throw new DatagateError('ERR_CLAIM_INVALID', 'json mode: data is not an array of records')
  if (meta.count !== data.length)
    throw new DatagateError(
      'ERR_CLAIM_INVALID',
      'json mode: meta.count is not the number of records',
    )
  return { records: data as Record<string, unknown>[], meta: meta as ExportMeta }
}
