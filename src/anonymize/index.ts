/**
 * `datagate/anonymize`: anonymisation operators, aggregation with small-cell suppression, and
 * re-identification risk. Pure functions: no partners, no policy, no I/O.
 *
 * @packageDocumentation
 */
export {
  type AggregateNoise,
  type AggregateOptions,
  type AggregateReport,
  type AggregateResult,
  type AggregateRow,
  type AggregateRowKind,
  aggregate,
  type GroupValue,
  type Measure,
  type Measures,
  type MeasureValues,
} from './aggregate.js'
export { drop } from './drop.js'
export {
  type DateUnit,
  type Generalize,
  generalize,
  type HierarchyOptions,
  type LatLng,
} from './generalize.js'
export {
  createHighsAuditor,
  type FeasibleRange,
  type HighsSolver,
  type IntervalAuditor,
  type IntervalProblem,
  type LinearEquation,
} from './interval-audit.js'
export { keep } from './keep.js'
export { type Mask, type MaskOptions, mask } from './mask.js'
export { type LaplaceOptions, type Noise, noise } from './noise.js'
export type {
  Operator,
  OperatorContext,
  OperatorKind,
  OutputSchema,
  RandomSource,
} from './operator.js'
export { type PseudonymizeOptions, pseudonymize } from './pseudonymize.js'
export { type ReplacementValue, replace } from './replace.js'
export { assessRisk, type ClassSizeCount, type RiskAssessment, type RiskOptions } from './risk.js'
export { truncate } from './truncate.js'
