// Partner-held receipts: every export, delta and stream manifest carries `audit: { seq, head,
// checkpoint }`, signed with the rest of the token. A receipt counts only once its signature is
// verified with the caller's keys: a bare claim is something anyone could type.
import { z } from 'zod'
import { DatagateError } from '../errors.js'
import { utf8 } from '../lib/bytes.js'
import { textDigest } from '../lib/digest.js'
import type { JwsKeyResolver } from '../lib/jws.js'
import { verifySigned } from './checkpoint.js'
import { DELTA_TYP, EXPORT_TYP, MANIFEST_TYP } from './typ.js'

/**
 * The `audit` claim of an export, delta or stream manifest: an earlier chain position and the
 * latest checkpoint token when the token was signed; `false` when the gate ran with
 * `audit: false`.
 *
 * @example
 * ```ts
 * import type { AuditReceiptClaim } from 'datagate/export'
 *
 * const claim: AuditReceiptClaim = { seq: 41, head: `sha256:${'a'.repeat(64)}`, checkpoint: null }
 * console.log(claim.seq) // 41
 * ```
 */
export type AuditReceiptClaim =
  | { readonly seq: number; readonly head: string; readonly checkpoint: string | null }
  | false

/**
 * A receipt as a partner holds it: the token text, with the exact payload for a detached
 * token. For an encrypted export, pass the compact JWS inside the JWE.
 *
 * @example
 * ```ts
 * import type { AuditReceipt } from 'datagate/export'
 *
 * const receipts: AuditReceipt[] = ['eyJ...compact', { token: 'eyJ..sig', payload: '{"iss":"oem"}' }]
 * console.log(receipts.length) // 2
 * ```
 */
export type AuditReceipt =
  | string
  | { readonly token: string; readonly payload?: string | Uint8Array }

/** A verified receipt. */
export interface VerifiedReceipt {
  readonly jti: string
  readonly typ: string
  readonly audit: AuditReceiptClaim
  /** `sha256:` of the signed payload bytes, as the export's own event records it. */
  readonly signedDigest: string
  /** The partner (`aud`) and record `count` signed into the token, to hold the event to. */
  readonly aud?: string
  readonly count?: number
}

const claimSchema = z.union([
  z.literal(false),
  z.strictObject({
    seq: z.int().min(0),
    head: z.string().regex(/^sha256:[0-9a-f]{64}$/),
    checkpoint: z.string().min(1).max(16_384).nullable(),
  }),
])

/** Verifies one receipt's signature and `typ`, and reads its `jti` and `audit` claim. */
export async function verifyReceipt(
  receipt: AuditReceipt,
  resolver: JwsKeyResolver,
  issuer: string | readonly string[] | undefined,
): Promise<VerifiedReceipt> {
  const token = typeof receipt === 'string' ? receipt : receipt?.token
  const given = typeof receipt === 'string' ? undefined : receipt?.payload
  const detached = given === undefined ? undefined : typeof given === 'string' ? utf8(given) : given
  const { bytes, typ } = await verifySigned(
    token as string,
    resolver,
    [EXPORT_TYP, DELTA_TYP, MANIFEST_TYP],
    detached,
  )
  let text: string
  let claims: Record<string, unknown>
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    claims = JSON.parse(text) as Record<string, unknown>
  } catch (cause) {
    throw new DatagateError('ERR_TOKEN_MALFORMED', 'receipt payload is not UTF-8 JSON', { cause })
  }
  const accepted = issuer === undefined ? undefined : typeof issuer === 'string' ? [issuer] : issuer
  if (accepted !== undefined && !accepted.includes(claims.iss as string))
    throw new DatagateError('ERR_ISSUER_MISMATCH', 'receipt issuer is not an accepted one')
  const audit = claimSchema.safeParse(claims.audit)
  if (typeof claims.jti !== 'string' || claims.jti === '' || !audit.success)
    throw new DatagateError('ERR_CLAIM_INVALID', 'receipt has no "jti" or no valid "audit" claim')
  return {
    jti: claims.jti,
    typ,
    audit: audit.data,
    signedDigest: textDigest(text),
    ...(typeof claims.aud === 'string' ? { aud: claims.aud } : {}),
    ...(Number.isSafeInteger(claims.count) ? { count: claims.count as number } : {}),
  }
}
