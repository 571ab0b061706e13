/**
 * Types of the policy stage: partners, agreements, standing.
 *
 * @packageDocumentation
 */
import type { JWK } from 'jose'

/** The four kinds of ecosystem partner. */
export type PartnerCategory = 'capability' | 'resource' | 'traffic' | 'innovation'

/** A partner's standing: gold, silver and bronze receive data; yellow is suspended; terminated is revoked. */
export type Standing = 'gold' | 'silver' | 'bronze' | 'yellow' | 'terminated'

/** Condition operators a `where` clause may use. Anything else is refused when the policy loads. */
export type ConditionOperator =
  | '$eq'
  | '$ne'
  | '$in'
  | '$nin'
  | '$gt'
  | '$gte'
  | '$lt'
  | '$lte'
  | '$exists'

/** A value a condition may compare with. */
export type ConditionValue = string | number | boolean | null

/** One field's condition: a value (equality) or operators. */
export type FieldCondition =
  | ConditionValue
  | { readonly [Op in ConditionOperator]?: ConditionValue | readonly ConditionValue[] }

/** Row conditions of an agreement: every listed field must match (AND). */
export type Conditions = Readonly<Record<string, FieldCondition>>

/** Measures of an aggregate agreement. */
export type AggregateMeasure =
  | { readonly op: 'count' }
  | { readonly op: 'sum' | 'avg' | 'min' | 'max'; readonly field: string }

/** Aggregation of an agreement that releases statistics instead of records. */
export interface AggregateSpec {
  /** Fields to group by (granted fields, after their operators: e.g. a date generalised to the month). */
  readonly by: readonly string[]
  /** Output columns. */
  readonly measures: Readonly<Record<string, AggregateMeasure>>
  /** Totals to publish next to the cells (default `none`); audited by the gate's `auditor`. */
  readonly totals?: 'none' | 'overall' | 'margins'
  /** Smallest feasible-range width of a suppressed cell (default `k`). */
  readonly protectionWidth?: number
  /** Discrete Laplace noise; each release spends its epsilon cost from the partner's budget. */
  readonly noise?: {
    readonly epsilon: number
    readonly sensitivity?: number
    readonly granularity?: number
  }
  /** Released at most once per budget period (the partner's `budget.period`, else a month). */
  readonly once?: true
}

/**
 * Budget periods: a ledger entry starts at 00:00 UTC of the day, month, quarter or year.
 *
 * @example
 * ```ts
 * import type { BudgetPeriod } from 'datagate/policy'
 *
 * const periods: BudgetPeriod[] = ['day', 'month', 'quarter', 'year']
 * console.log(periods.length) // 4
 * ```
 */
export type BudgetPeriod = 'day' | 'month' | 'quarter' | 'year'

/**
 * A partner's privacy budget: the epsilon its noisy aggregate releases may spend per period.
 *
 * @example
 * ```ts
 * import type { PartnerBudget } from 'datagate/policy'
 *
 * const budget: PartnerBudget = { epsilon: 2, period: 'month' }
 * console.log(budget.epsilon) // 2
 * ```
 */
export interface PartnerBudget {
  readonly epsilon: number
  readonly period: BudgetPeriod
}

/**
 * A partner's role under PIPL: `entrusted` processes personal information on the company's
 * behalf under contract (Art. 21); `handler` and `joint-handler` decide purposes and means
 * themselves, so providing them personal information needs each individual's separate consent
 * (Art. 23).
 *
 * @example
 * ```ts
 * import type { PartnerRole } from 'datagate/policy'
 *
 * const roles: PartnerRole[] = ['entrusted', 'handler', 'joint-handler']
 * console.log(roles.includes('handler')) // true
 * ```
 */
export type PartnerRole = 'entrusted' | 'handler' | 'joint-handler'

/**
 * The consent an agreement releases under: each row's data subject (the value at `subject`, a
 * field of the dataset) must hold consent `scope` at release time, else the row is dropped
 * before anything else runs.
 *
 * @example
 * ```ts
 * import type { AgreementConsent } from 'datagate/policy'
 *
 * const consent: AgreementConsent = { scope: 'share-with-insurers', subject: 'customerId' }
 * console.log(consent.scope) // 'share-with-insurers'
 * ```
 */
export interface AgreementConsent {
  readonly scope: string
  /** Dot path of the subject field (a string or number leaf outside any array). */
  readonly subject: string
}

/** A data-sharing agreement, normalised: wildcards expanded, dates parsed. */
export interface Agreement {
  readonly id: string
  readonly dataset: string
  /** The purpose: the CASL action. */
  readonly purpose: string
  /** Explicit leaf paths granted, in dataset order (wildcards already expanded). */
  readonly fields: readonly string[]
  /** The field list as written in the policy, before expansion. */
  readonly declaredFields: readonly string[]
  readonly where: Conditions | undefined
  /** Start of validity (inclusive), epoch milliseconds. */
  readonly validFrom: number
  /** End of validity (inclusive), epoch milliseconds. A date-only value means the end of that day, UTC. */
  readonly validUntil: number
  /** The legal basis of the processing as written (`basis`): shown by `datagate report`, never used to decide. */
  readonly basis?: string
  /** Consent each row's data subject must hold at release time (see {@link AgreementConsent}). */
  readonly consent?: AgreementConsent
  /** Reference of the security assessment covering important data sent abroad (`assessment`). */
  readonly assessment?: string
  /** Smallest cell size of an aggregate release. */
  readonly k: number | undefined
  readonly aggregate: AggregateSpec | undefined
  /** Synthetic records added to each release for leak tracing (`watermark: { rows }`). */
  readonly watermark?: { readonly rows: number }
}

/**
 * A partner's public encryption keys (a JWKS), used to encrypt exports to it. Not the gate's
 * `keys`, which are its signing ring: hence the name `encryptionKeys` on {@link Partner}.
 */
export interface PartnerJwks {
  readonly keys: readonly JWK[]
}

/** A partner, normalised. */
export interface Partner {
  /** Stable id; the JWT audience of its exports. */
  readonly id: string
  readonly name: string
  readonly category: PartnerCategory
  readonly standing: Standing
  /** Core partners may receive desensitised fields (transformed). */
  readonly core: boolean
  /** PIPL role as declared, or `entrusted` when undeclared (`roleDeclared` tells). */
  readonly role?: PartnerRole
  /** Whether the policy declares `role` (an undeclared role reads as `entrusted`). */
  readonly roleDeclared?: boolean
  /** How individuals reach the recipient (the PIPL Art. 23 notice), as written. */
  readonly contact?: string
  /** Where the partner receives data: `CN` (the default) or an ISO 3166-1 alpha-2 code outside it. */
  readonly region?: string
  /** Public keys that `export(..., { encrypt: true })` encrypts to. */
  readonly encryptionKeys: PartnerJwks | undefined
  /** Record cap per release (typical for bronze partners). */
  readonly maxRecordsPerRelease: number | undefined
  /** Epsilon budget per period of noisy aggregate releases; absent means none may be released. */
  readonly budget?: PartnerBudget
  readonly agreements: readonly Agreement[]
}
