// Signed checkpoints: a compact JWS by the gate's signing key over an earlier position of the
// audit chain. An insider who can write the log but does not hold the key can recompute every
// hash, but not a checkpoint; copies of the checkpoints kept elsewhere (and inside every
// partner's receipt) then show where the log was changed or cut short.
//
// Checkpoints carry no `exp`: they are evidence that must verify years later, so they are
// checked with the signature path alone (lib/jws.ts), with keys only from the caller.
import { createLocalJWKSet, type JSONWebKeySet } from 'jose'
import { z } from 'zod'
import { DatagateError } from '../errors.js'
import { assertFunction, assertObject, assertString } from '../lib/assert.js'
import { fromJoseError } from '../lib/jose-errors.js'
import { type JwsKeyResolver, verifySignature } from '../lib/jws.js'
import { PUBLIC_KEY_ALGS } from './algorithms.js'
import type { KeyRing, PublicJwks } from './key-ring.js'
import { signEnvelope } from './sign.js'
import type { JwksResolver } from './verify.js'

/**
 * `typ` of a signed audit checkpoint.
 *
 * @example
 * ```ts
 * import { CHECKPOINT_TYP } from 'datagate/export'
 *
 * console.log(CHECKPOINT_TYP) // 'datagate-checkpoint+jwt'
 * ```
 */
export const CHECKPOINT_TYP = 'datagate-checkpoint+jwt'

const HASH = /^sha256:[0-9a-f]{64}$/
const position = z.strictObject({ seq: z.int().min(0), head: z.string().regex(HASH) })
const claimsSchema = z.strictObject({
  iss: z.string().min(1).max(256),
  seq: z.int().min(0),
  head: z.string().regex(HASH),
  time: z.iso.datetime(),
  resumed: position.optional(),
  final: z.literal(true).optional(),
})

/**
 * The signed claims of a checkpoint.
 *
 * @example
 * ```ts
 * import type { CheckpointClaims } from 'datagate/export'
 *
 * const claims: CheckpointClaims = { iss: 'oem', seq: 9, head: `sha256:${'a'.repeat(64)}`, time: '2026-06-01T00:00:00.000Z' }
 * console.log(claims.final ?? false) // false
 * ```
 */
export interface CheckpointClaims {
  readonly iss: string
  /** The chain position it signs: an event's `seq` and `hash`. */
  readonly seq: number
  readonly head: string
  /** When it was signed (ISO 8601). */
  readonly time: string
  /** The first checkpoint after a writer opened an existing log names where it resumed. */
  readonly resumed?: { readonly seq: number; readonly head: string }
  /** Set on the checkpoint written by `close()`: a single writer wrote nothing after it. */
  readonly final?: true
}

/**
 * Public keys to verify with: a JWKS (retired keys stay listed, verify-only) or a resolver.
 *
 * @example
 * ```ts
 * import { generateKeys, type AuditKeys } from 'datagate/export'
 *
 * const keys: AuditKeys = (await generateKeys()).jwks()
 * console.log('keys' in keys) // true
 * ```
 */
export type AuditKeys = JSONWebKeySet | PublicJwks | JwksResolver

/**
 * Receives a copy of every checkpoint: somewhere the log's writers cannot change (another
 * file, a bucket, a partner). A write that throws fails the operation that triggered it.
 *
 * @example
 * ```ts
 * import type { CheckpointSink } from 'datagate/export'
 *
 * const copies: string[] = []
 * const sink: CheckpointSink = { write: (token) => void copies.push(token) }
 * console.log(typeof sink.write) // 'function'
 * ```
 */
export interface CheckpointSink {
  /** Stores a copy of one signed checkpoint token (compact JWS), or throws. */
  write(token: string): void | Promise<void>
}

/**
 * A {@link CheckpointSink} that keeps the tokens in memory (`tokens`), for tests.
 *
 * @example
 * ```ts
 * import { memoryCheckpointSink } from 'datagate/export'
 *
 * const copies = memoryCheckpointSink()
 * await copies.write('header.payload.signature')
 * console.log(copies.tokens.length) // 1
 * ```
 */
export function memoryCheckpointSink(): CheckpointSink & { readonly tokens: readonly string[] } {
  const tokens: string[] = []
  return {
    get tokens(): readonly string[] {
      return tokens
    },
    write(token: string): void {
      assertString(token, 'checkpoint token', { nonEmpty: true })
      tokens.push(token)
    },
  }
}

/** Signs checkpoint claims with the ring's newest key. */
export async function signCheckpoint(
  claims: CheckpointClaims,
  keys: KeyRing,
): Promise<{ readonly token: string; readonly kid: string }> {
  const { token, kid } = await signEnvelope(claims, keys, { typ: CHECKPOINT_TYP })
  return { token, kid }
}

/** Turns the caller's keys into a resolver; HMAC is never verified against public keys. */
export function auditKeyResolver(keys: AuditKeys, what: string): JwsKeyResolver {
  let resolve: JwksResolver
  if (typeof keys === 'function') resolve = keys
  else {
    assertObject(keys, what)
    if (!Array.isArray(keys.keys))
      throw new DatagateError('ERR_INVALID_ARGUMENT', `${what}: expected { keys: [...] }`)
    try {
      resolve = createLocalJWKSet({ keys: [...keys.keys] })
    } catch (error) {
      throw fromJoseError(error, 'key', `${what} is not a valid JSON Web Key Set`)
    }
  }
  assertFunction(resolve, what)
  return (header, token) => {
    if (typeof header.alg === 'string' && header.alg.startsWith('HS'))
      throw new DatagateError('ERR_ALG_NOT_ALLOWED', 'HS256 is never verified against a JWKS')
    return resolve(header, token)
  }
}

/** Verifies a signature and `typ`; returns the payload bytes and the header's `typ`/`kid`. */
export async function verifySigned(
  token: string,
  resolver: JwsKeyResolver,
  typs: readonly string[],
  detachedPayload?: Uint8Array,
): Promise<{ readonly bytes: Uint8Array; readonly typ: string; readonly kid: string }> {
  assertString(token, 'token', { nonEmpty: true })
  const verified = await verifySignature(token, resolver, {
    algorithms: PUBLIC_KEY_ALGS,
    ...(detachedPayload === undefined ? {} : { detachedPayload }),
  })
  const typ = verified.protectedHeader.typ
  if (typeof typ !== 'string' || !typs.includes(typ))
    throw new DatagateError('ERR_TYP_INVALID', `typ must be one of ${typs.join(', ')}`)
  const kid = verified.protectedHeader.kid
  return { bytes: verified.payload, typ, kid: typeof kid === 'string' ? kid : '' }
}

/**
 * Verifies a checkpoint token with the issuer's public keys (never keys found next to the log)
 * and returns its claims. Throws `ERR_SIGNATURE_INVALID`, `ERR_TYP_INVALID`,
 * `ERR_ISSUER_MISMATCH` or `ERR_CLAIM_INVALID`.
 *
 * @example
 * ```ts
 * import { createAuditLog, generateKeys, memoryAuditSink, verifyCheckpoint } from 'datagate/export'
 *
 * const keys = await generateKeys()
 * const log = createAuditLog({ sink: memoryAuditSink(), checkpoint: { keys, issuer: 'oem' } })
 * await log.append({ type: 'denied', partner: 'p', dataset: 'd', purpose: 'u',
 *   policyHash: 'sha256:11', code: 'ERR_NOT_PERMITTED' })
 * const event = await log.checkpoint()
 * const claims = await verifyCheckpoint(event!.type === 'checkpoint' ? event.token : '', { jwks: keys.jwks(), issuer: 'oem' })
 * console.log(claims.seq, claims.iss) // 0 'oem'
 * ```
 */
export async function verifyCheckpoint(
  token: string,
  options: { readonly jwks: AuditKeys; readonly issuer?: string | readonly string[] },
): Promise<CheckpointClaims> {
  assertObject(options, 'verifyCheckpoint: options')
  const resolver = auditKeyResolver(options.jwks, 'verifyCheckpoint: jwks')
  const { bytes } = await verifySigned(token, resolver, [CHECKPOINT_TYP])
  return checkpointClaims(bytes, options.issuer)
}

/** Parses verified checkpoint bytes strictly and checks the issuer. */
export function checkpointClaims(
  bytes: Uint8Array,
  issuer: string | readonly string[] | undefined,
): CheckpointClaims {
  let parsed: unknown
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (cause) {
    throw new DatagateError('ERR_TOKEN_MALFORMED', 'checkpoint payload is not UTF-8 JSON', {
      cause,
    })
  }
  const claims = claimsSchema.safeParse(parsed)
  if (!claims.success)
    throw new DatagateError(
      'ERR_CLAIM_INVALID',
      'checkpoint claims are not { iss, seq, head, time }',
    )
  const accepted = issuer === undefined ? undefined : typeof issuer === 'string' ? [issuer] : issuer
  if (accepted !== undefined && !accepted.includes(claims.data.iss))
    throw new DatagateError('ERR_ISSUER_MISMATCH', 'checkpoint issuer is not an accepted one')
  const { resumed, final, ...rest } = claims.data
  return {
    ...rest,
    ...(resumed === undefined ? {} : { resumed }),
    ...(final === undefined ? {} : { final }),
  }
}
