// The gate's signed export (`export`, and `exportUnlessHeld` for HTTP `If-None-Match`): the view
// is written once as JSON bytes inside the claims, digested, then answered `not-modified` when
// the partner holds it, or counted, signed (optionally encrypted to the partner) and audited. A
// detached export's json-mode body becomes signable by gate.signMessage once audited (gate-sign.ts).
import { DatagateError } from '../errors.js'
import { assertOneOf, invalidArgument } from '../lib/assert.js'
import { bytesDigest } from '../lib/digest.js'
import { JsonArrayWriter } from '../lib/json-writer.js'
import type { ReleaseReport } from '../policy/release.js'
import type { AuditReceiptClaim } from './audit-receipt.js'
import { chargeRelease } from './budget.js'
import { consentedRows } from './consent-filter.js'
import type { GateCore, ReleaseRequest } from './gate-core.js'
import { rememberSignableBody } from './gate-sign.js'
import { notModified, viewDetails, writeView } from './gate-view.js'
import { holds, type NotModified } from './not-modified.js'
import { partnerView } from './partner-report.js'
import { type EncryptionRecipient, type SignedEnvelope, signEnvelopeBytes } from './sign.js'
import { EXPORT_TYP } from './typ.js'

/** What an export is for, and how it is wrapped. */
export interface ExportRequest extends ReleaseRequest {
  /** `compact` (default), `flattened` JSON or `detached` (RFC 7797 unencoded payload). */
  readonly format?: 'compact' | 'flattened' | 'detached'
  /** Nest the JWS in a JWE to the partner's public key from the policy (ECDH-ES+A256KW, A256GCM). */
  readonly encrypt?: boolean
}

/** A signed export. */
export interface SignedExport extends SignedEnvelope {
  readonly jti: string
  readonly count: number
  /**
   * `sha256:` digest of the released records exactly as signed (the `records` array's JSON in
   * the payload), as the audit event records it: `sha256` of `JSON.stringify(records)` of the
   * verified export.
   */
  readonly payloadDigest: string
  /** The `audit` claim signed into the token: the partner's receipt. */
  readonly audit: AuditReceiptClaim
  readonly report: ReleaseReport
}

const EXPORT_FORMATS = ['compact', 'flattened', 'detached'] as const

/** An export, or (with `held` holding the view's digest) a `not-modified` answer. */
export async function exportRows(
  core: GateCore,
  rows: Iterable<unknown>,
  request: ExportRequest,
  held: ReadonlySet<string> | undefined,
): Promise<SignedExport | NotModified> {
  const { audit, now } = core
  core.requireOpen()
  const keys = core.requireKeys()
  const plan = await core.auditedPlan(request)
  const format = request.format ?? 'compact'
  assertOneOf(format, 'export: format', EXPORT_FORMATS)
  let encryptTo: EncryptionRecipient | undefined
  if (request.encrypt === true) {
    if (format !== 'compact')
      invalidArgument(
        'range',
        'export: format',
        'unset with encrypt (encryption nests a compact JWS)',
      )
    if (!plan.partner.encryptionKeys || plan.partner.encryptionKeys.keys.length === 0) {
      throw new DatagateError(
        'ERR_KEY_UNSUPPORTED',
        `export: partner ${plan.partner.id} has no public keys in the policy to encrypt to`,
      )
    }
    encryptTo = plan.partner.encryptionKeys
  }
  const consent = await consentedRows(plan, rows, core.consentStore, now())
  const spend = await chargeRelease(core.budget, plan, now())
  // One serialisation: each released record is written as JSON bytes when it is made, the
  // claims go around them, and those exact bytes are digested and signed.
  const records = new JsonArrayWriter()
  const view = writeView(core, plan, consent, records)
  const { report, count } = view
  const jti = core.newJti()
  const receipt = audit.receipt()
  const claims = core.baseClaims(plan, jti)
  const head = JSON.stringify({
    ...claims,
    audit: receipt,
    count,
    // No counts of what the partner did not receive (see partner-report.ts).
    report: partnerView(report),
  })
  const payload = records.finish(`${head.slice(0, -1)},"records":`, '}')
  const payloadDigest = bytesDigest(payload.array)
  if (holds(held, payloadDigest))
    return notModified(core, plan, view, payloadDigest, { answers: 'export', format }, held, spend)
  // Counted (and refused past a threshold) before anything is signed.
  const subjects = await core.countSubjects(view.tally, request)
  const signing = signEnvelopeBytes(
    payload.bytes,
    keys,
    encryptTo ? { typ: EXPORT_TYP, encryptTo } : { typ: EXPORT_TYP, format },
  )
  // Digested while Web Crypto signs on the thread pool (nothing awaits in between).
  const signedDigest = bytesDigest(payload.bytes)
  const envelope = await signing
  await audit.append({
    type: 'export',
    ...audit.facts(plan),
    rows: view.real,
    payloadDigest,
    jti,
    signedDigest,
    ...consent.audit,
    details: {
      kid: envelope.kid,
      format: envelope.format,
      ...viewDetails(core, view, spend, subjects),
    },
  })
  // Audited: its json-mode body may now be signed, once (the adapters' `mode: 'json'`).
  if (format === 'detached' && encryptTo === undefined)
    rememberSignableBody(core, payload.array, head, claims.exp)
  return { ...envelope, jti, count, payloadDigest, audit: receipt, report }
}
