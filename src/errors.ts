/**
 * The one error class datagate throws, with a stable `code` per failure.
 *
 * Messages name paths, partners, datasets and agreements, never raw record values.
 *
 * @packageDocumentation
 */

/** A finding that is data, not a failure: lint, scan, risk and policy problems. */
export interface Finding {
  /** Stable snake_case code, e.g. `sensitive_field_granted`. */
  readonly code: string
  /** Where the finding is: a field path, a policy path such as `partners[0].agreements[1].fields`. */
  readonly path: string
  /** One sentence for a person. Never quotes a raw record value. */
  readonly message: string
}

/** Every code a {@link DatagateError} can carry. Codes are stable across minor versions. */
export type DatagateErrorCode =
  // arguments and configuration
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_KEY_INVALID'
  // classify
  | 'ERR_SCHEMA_INVALID'
  | 'ERR_RECORD_INVALID'
  // anonymize
  | 'ERR_OPERATOR_FAILED'
  | 'ERR_INTERVAL_AUDIT_FAILED'
  // policy and release
  | 'ERR_POLICY_INVALID'
  | 'ERR_UNKNOWN_PARTNER'
  | 'ERR_UNKNOWN_DATASET'
  | 'ERR_PARTNER_SUSPENDED'
  | 'ERR_PARTNER_REVOKED'
  | 'ERR_AGREEMENT_EXPIRED'
  | 'ERR_NOT_PERMITTED'
  | 'ERR_BUDGET_EXCEEDED'
  | 'ERR_BUDGET_UNAVAILABLE'
  | 'ERR_CONSENT_UNAVAILABLE'
  | 'ERR_WATERMARK_UNAVAILABLE'
  | 'ERR_THRESHOLD_EXCEEDED'
  | 'ERR_COUNTER_UNAVAILABLE'
  // export and verification
  | 'ERR_KEY_UNSUPPORTED'
  | 'ERR_TOKEN_MALFORMED'
  | 'ERR_SIGNATURE_INVALID'
  | 'ERR_ALG_NOT_ALLOWED'
  | 'ERR_TYP_INVALID'
  | 'ERR_CRIT_UNSUPPORTED'
  | 'ERR_EMBEDDED_KEY'
  | 'ERR_ISSUER_MISMATCH'
  | 'ERR_AUDIENCE_MISMATCH'
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_TOKEN_REPLAYED'
  | 'ERR_REPLAY_CACHE_UNAVAILABLE'
  | 'ERR_CLAIM_INVALID'
  | 'ERR_DECRYPTION_FAILED'
  | 'ERR_DIGEST_MISMATCH'
  | 'ERR_PATCH_INVALID'
  | 'ERR_PATCH_UNSAFE'
  | 'ERR_STREAM_INVALID'
  | 'ERR_STREAM_SET_INVALID'
  | 'ERR_STREAM_SET_INCOMPLETE'
  | 'ERR_STREAM_SET_DUPLICATE'
  | 'ERR_STREAM_SET_ORDER'
  | 'ERR_STREAM_SET_COUNT'
  // audit
  | 'ERR_AUDIT_WRITE_FAILED'
  | 'ERR_AUDIT_LOG_TORN'
  | 'ERR_AUDIT_REQUIRED'
  | 'ERR_AUDIT_LOCKED'
  | 'ERR_GATE_CLOSED'
  // HTTP adapters
  | 'ERR_UNAUTHENTICATED'

/** Options of the {@link DatagateError} constructor. */
export interface DatagateErrorOptions {
  /** The underlying error, kept for debugging; never shown to partners. */
  readonly cause?: unknown
  /** Every problem found, where one failure has several (e.g. `ERR_POLICY_INVALID`). */
  readonly findings?: readonly Finding[]
}

/**
 * The error datagate throws. Switch on `code`, not on the message.
 *
 * @example
 * ```ts
 * import { DatagateError } from 'datagate'
 *
 * try {
 *   throw new DatagateError('ERR_NOT_PERMITTED', 'partner "maps-co" has no agreement for customer/marketing')
 * } catch (error) {
 *   if (error instanceof DatagateError && error.code === 'ERR_NOT_PERMITTED') {
 *     console.log(error.message)
 *   }
 * }
 * ```
 */
export class DatagateError extends Error {
  override readonly name = 'DatagateError'
  /** Stable machine-readable code. */
  readonly code: DatagateErrorCode
  /** Every problem found; empty where the error has a single cause. */
  readonly findings: readonly Finding[]

  constructor(code: DatagateErrorCode, message: string, options: DatagateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.findings = Object.freeze([...(options.findings ?? [])])
  }
}

/**
 * Tells whether `value` is a {@link DatagateError}, optionally with a given code.
 *
 * Works across copies of the package loaded twice (ESM and CJS), where `instanceof` does not.
 *
 * @example
 * ```ts
 * import { isDatagateError } from 'datagate'
 *
 * const error: unknown = new Error('plain')
 * console.log(isDatagateError(error, 'ERR_NOT_PERMITTED')) // false
 * ```
 */
export function isDatagateError(value: unknown, code?: DatagateErrorCode): value is DatagateError {
  if (value instanceof DatagateError) return code === undefined || value.code === code
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as { name?: unknown; code?: unknown }
  return (
    candidate.name === 'DatagateError' &&
    typeof candidate.code === 'string' &&
    (code === undefined || candidate.code === code)
  )
}
