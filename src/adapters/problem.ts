/**
 * RFC 9457 problems for every refusal of an HTTP adapter, built here and only here, from the
 * error's code by one table.
 *
 * @packageDocumentation
 */
import { type DatagateErrorCode, isDatagateError } from '../errors.js'
import { type Reply, SHARE_HEADERS, toResponse } from './reply.js'

/**
 * The statuses an adapter refuses with.
 *
 * @example
 * ```ts
 * import type { ProblemStatus } from 'datagate/fetch'
 *
 * const statuses: ProblemStatus[] = [401, 403, 500]
 * console.log(statuses.length) // 3
 * ```
 */
export type ProblemStatus = 401 | 403 | 500

/**
 * Every code's status. A `Record` over {@link DatagateErrorCode}: a new code without a row
 * fails typecheck. 401 for credentials, 403 for a known refusal of the partner, 500 for the rest.
 *
 * @example
 * ```ts
 * import { PROBLEM_STATUS } from 'datagate/fetch'
 *
 * console.log(PROBLEM_STATUS.ERR_UNAUTHENTICATED, PROBLEM_STATUS.ERR_NOT_PERMITTED, PROBLEM_STATUS.ERR_RECORD_INVALID) // 401 403 500
 * ```
 */
export const PROBLEM_STATUS: Readonly<Record<DatagateErrorCode, ProblemStatus>> = Object.freeze({
  ERR_UNAUTHENTICATED: 401,
  ERR_UNKNOWN_PARTNER: 403,
  ERR_PARTNER_SUSPENDED: 403,
  ERR_PARTNER_REVOKED: 403,
  ERR_AGREEMENT_EXPIRED: 403,
  ERR_NOT_PERMITTED: 403,
  ERR_INVALID_ARGUMENT: 500,
  ERR_KEY_INVALID: 500,
  ERR_SCHEMA_INVALID: 500,
  ERR_RECORD_INVALID: 500,
  ERR_OPERATOR_FAILED: 500,
  ERR_INTERVAL_AUDIT_FAILED: 500,
  ERR_POLICY_INVALID: 500,
  ERR_UNKNOWN_DATASET: 500,
  ERR_BUDGET_EXCEEDED: 500,
  ERR_BUDGET_UNAVAILABLE: 500,
  ERR_CONSENT_UNAVAILABLE: 500,
  ERR_WATERMARK_UNAVAILABLE: 500,
  ERR_THRESHOLD_EXCEEDED: 500,
  ERR_COUNTER_UNAVAILABLE: 500,
  ERR_KEY_UNSUPPORTED: 500,
  ERR_TOKEN_MALFORMED: 500,
  ERR_SIGNATURE_INVALID: 500,
  ERR_ALG_NOT_ALLOWED: 500,
  ERR_TYP_INVALID: 500,
  ERR_CRIT_UNSUPPORTED: 500,
  ERR_EMBEDDED_KEY: 500,
  ERR_ISSUER_MISMATCH: 500,
  ERR_AUDIENCE_MISMATCH: 500,
  ERR_TOKEN_EXPIRED: 500,
  ERR_TOKEN_REPLAYED: 500,
  ERR_REPLAY_CACHE_UNAVAILABLE: 500,
  ERR_CLAIM_INVALID: 500,
  ERR_DECRYPTION_FAILED: 500,
  ERR_DIGEST_MISMATCH: 500,
  ERR_PATCH_INVALID: 500,
  ERR_PATCH_UNSAFE: 500,
  ERR_STREAM_INVALID: 500,
  ERR_STREAM_SET_INVALID: 500,
  ERR_STREAM_SET_INCOMPLETE: 500,
  ERR_STREAM_SET_DUPLICATE: 500,
  ERR_STREAM_SET_ORDER: 500,
  ERR_STREAM_SET_COUNT: 500,
  ERR_AUDIT_WRITE_FAILED: 500,
  ERR_AUDIT_LOG_TORN: 500,
  ERR_AUDIT_REQUIRED: 500,
  ERR_AUDIT_LOCKED: 500,
  ERR_GATE_CLOSED: 500,
})

/** The fixed detail of each refusal: no values, no field names, nothing from the error's message. */
const DETAIL: Readonly<Partial<Record<DatagateErrorCode, string>>> = {
  ERR_UNAUTHENTICATED: 'The request carries no valid partner credentials.',
  ERR_UNKNOWN_PARTNER: 'The authenticated caller is not a partner of this service.',
  ERR_PARTNER_SUSPENDED: 'The partner is suspended.',
  ERR_PARTNER_REVOKED: "The partner's access is revoked.",
  ERR_AGREEMENT_EXPIRED: 'No agreement for this data and purpose is in force.',
  ERR_NOT_PERMITTED: 'The partner has no agreement for this data and purpose.',
}
const GENERIC_DETAIL = 'The data could not be released.'
const TITLE: Readonly<Record<ProblemStatus, string>> = {
  401: 'Unauthenticated',
  403: 'Forbidden',
  500: 'Internal Server Error',
}

/**
 * The prefix of every problem `type`; the code follows it.
 *
 * @example
 * ```ts
 * import { PROBLEM_TYPE_PREFIX } from 'datagate/fetch'
 *
 * console.log(`${PROBLEM_TYPE_PREFIX}ERR_NOT_PERMITTED`) // 'urn:datagate:problem:ERR_NOT_PERMITTED'
 * ```
 */
export const PROBLEM_TYPE_PREFIX = 'urn:datagate:problem:'

/**
 * An RFC 9457 problem object as the adapters serve it (`application/problem+json`).
 *
 * @example
 * ```ts
 * import type { Problem } from 'datagate/fetch'
 *
 * const problem: Problem = { type: 'urn:datagate:problem:ERR_NOT_PERMITTED', title: 'Forbidden', status: 403,
 *   detail: 'The partner has no agreement for this data and purpose.' }
 * console.log(problem.status) // 403
 * ```
 */
export interface Problem {
  /** `urn:datagate:problem:<code>`. */
  readonly type: string
  readonly title: string
  readonly status: ProblemStatus
  /** A fixed sentence per code (one generic sentence for every 500). */
  readonly detail: string
  /** The request id, when the request had one. */
  readonly instance?: string
}

/**
 * The problem for an error: its code's row of {@link PROBLEM_STATUS}. An error that is not a
 * `DatagateError` becomes the 500 problem of `ERR_INVALID_ARGUMENT`. The error's message is never used.
 *
 * @example
 * ```ts
 * import { DatagateError } from 'datagate'
 * import { problemFor } from 'datagate/fetch'
 *
 * const problem = problemFor(new DatagateError('ERR_PARTNER_SUSPENDED', 'partner maps-co is suspended'), 'req-1')
 * console.log(problem.status, problem.type) // 403 'urn:datagate:problem:ERR_PARTNER_SUSPENDED'
 * console.log(problem.instance) // 'req-1'
 * ```
 */
export function problemFor(error: unknown, instance?: string): Problem {
  const code: DatagateErrorCode = isDatagateError(error) ? error.code : 'ERR_INVALID_ARGUMENT'
  const status = Object.hasOwn(PROBLEM_STATUS, code) ? PROBLEM_STATUS[code] : 500
  return {
    type: `${PROBLEM_TYPE_PREFIX}${code}`,
    title: TITLE[status],
    status,
    detail: (status === 500 ? undefined : DETAIL[code]) ?? GENERIC_DETAIL,
    ...(instance === undefined ? {} : { instance }),
  }
}

/** The code a problem `type` names, when it is one of datagate's; else `undefined`. */
export function problemCode(type: unknown): DatagateErrorCode | undefined {
  if (typeof type !== 'string' || !type.startsWith(PROBLEM_TYPE_PREFIX)) return undefined
  const code = type.slice(PROBLEM_TYPE_PREFIX.length)
  return Object.hasOwn(PROBLEM_STATUS, code) ? (code as DatagateErrorCode) : undefined
}

/**
 * The problem as a Web `Response`: `application/problem+json`, `Cache-Control: no-store`,
 * `Vary: Authorization`, and `WWW-Authenticate: Bearer` on a 401.
 *
 * @example
 * ```ts
 * import { DatagateError } from 'datagate'
 * import { problemFor, problemResponse } from 'datagate/fetch'
 *
 * const response = problemResponse(problemFor(new DatagateError('ERR_UNAUTHENTICATED', 'no token')))
 * console.log(response.status, response.headers.get('www-authenticate')) // 401 'Bearer'
 * ```
 */
export function problemResponse(problem: Problem): Response {
  return toResponse(problemReply(problem))
}

/** The problem as an adapter's {@link Reply}: what {@link problemResponse} makes a `Response` of. */
export function problemReply(problem: Problem): Reply {
  const headers: Record<string, string> = {
    ...SHARE_HEADERS,
    'content-type': 'application/problem+json',
  }
  if (problem.status === 401) headers['www-authenticate'] = 'Bearer'
  return { status: problem.status, headers, body: JSON.stringify(problem) }
}
