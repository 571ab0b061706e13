/**
 * `datagate/policy`: the policy document, partner standing, CASL abilities, release plans and
 * the access matrix.
 *
 * @packageDocumentation
 */
export { type PartnerAbility, type PartnerAbilityOptions, partnerAbility } from './ability.js'
export {
  type AccessMatrix,
  type AccessMatrixEntry,
  accessMatrix,
  type DenialReason,
  type FieldAccess,
} from './access-matrix.js'
export { CONDITION_OPERATORS } from './conditions.js'
export { DEFAULT_PARTNER_ROLE, type PolicyDocument } from './document.js'
export {
  type ClauseExplanation,
  type Explanation,
  explainRelease,
  type FieldExplanation,
  type RowExplanation,
  type WithholdReason,
} from './explain.js'
export { type LoadPolicyOptions, loadPolicy, MAX_POLICY_TEXT, type Policy } from './load.js'
export type { PlanField, ReleasePlan } from './plan.js'
export type { ReleaseReport, ReleaseResult } from './release.js'
export {
  DEFAULT_QUALITY_WEIGHTS,
  DEFAULT_STANDING_THRESHOLDS,
  type PartnerScores,
  type QualityMetrics,
  type QualityWeights,
  qualityRating,
  type StandingThresholds,
  standingFromScores,
  type TierThreshold,
} from './standing.js'
export {
  type MonthlyScores,
  type StandingDecision,
  type StandingFromHistoryOptions,
  standingFromHistory,
} from './standing-history.js'
export {
  DEFAULT_THRESHOLDS,
  type OnThreshold,
  policyThresholds,
  type Thresholds,
} from './thresholds.js'
export type {
  AggregateMeasure,
  AggregateSpec,
  Agreement,
  AgreementConsent,
  BudgetPeriod,
  ConditionOperator,
  Conditions,
  ConditionValue,
  FieldCondition,
  Partner,
  PartnerBudget,
  PartnerCategory,
  PartnerJwks,
  PartnerRole,
  Standing,
} from './types.js'
