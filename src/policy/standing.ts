import { assertNumber, assertObject, invalidArgument } from '../lib/assert.js'
import type { Standing } from './types.js'

/** A partner's quality scores for one period. */
export interface PartnerScores {
  /** Average service rating, 0 to 5. */
  readonly rating: number
  /** Complaints per order, as a fraction: 0.005 is 0.5 %. */
  readonly complaintRate: number
  /** Consecutive months with a yellow card, counting this period (when it meets no tier). */
  readonly yellowMonths?: number
}

/** One tier's thresholds: rating strictly above `minRating`, complaints strictly below `maxComplaintRate`. */
export interface TierThreshold {
  readonly minRating: number
  readonly maxComplaintRate: number
}

/** Thresholds of {@link standingFromScores}. */
export interface StandingThresholds {
  readonly gold: TierThreshold
  readonly silver: TierThreshold
  readonly bronze: TierThreshold
  /** Consecutive yellow months that terminate a partner. */
  readonly terminateAfterYellowMonths: number
}

/**
 * The ecosystem's default thresholds: gold > 4.8 and < 0.5 %, silver > 4.5 and < 1 %, bronze > 4.0 and < 2 %, terminated after 3 yellow months.
 *
 * @example
 * ```ts
 * import { DEFAULT_STANDING_THRESHOLDS, standingFromScores } from 'datagate/policy'
 *
 * const stricter = { ...DEFAULT_STANDING_THRESHOLDS, gold: { minRating: 4.9, maxComplaintRate: 0.003 } }
 * console.log(DEFAULT_STANDING_THRESHOLDS.gold.minRating, standingFromScores({ rating: 4.85, complaintRate: 0.002 }, stricter)) // 4.8 'silver'
 * ```
 */
export const DEFAULT_STANDING_THRESHOLDS: StandingThresholds = Object.freeze({
  gold: Object.freeze({ minRating: 4.8, maxComplaintRate: 0.005 }),
  silver: Object.freeze({ minRating: 4.5, maxComplaintRate: 0.01 }),
  bronze: Object.freeze({ minRating: 4.0, maxComplaintRate: 0.02 }),
  terminateAfterYellowMonths: 3,
})

function meets(scores: PartnerScores, tier: TierThreshold): boolean {
  return scores.rating > tier.minRating && scores.complaintRate < tier.maxComplaintRate
}

/**
 * Maps quality scores to a standing. A partner that meets no tier gets a yellow card;
 * when that makes `terminateAfterYellowMonths` consecutive yellow months (default 3), it is
 * terminated instead. A period that meets a tier returns that tier whatever the streak was.
 *
 * @example
 * ```ts
 * import { standingFromScores } from 'datagate/policy'
 *
 * console.log(standingFromScores({ rating: 4.9, complaintRate: 0.003 })) // gold
 * console.log(standingFromScores({ rating: 4.6, complaintRate: 0.012 })) // bronze
 * console.log(standingFromScores({ rating: 3.9, complaintRate: 0.001, yellowMonths: 3 })) // terminated
 * ```
 */
export function standingFromScores(
  scores: PartnerScores,
  thresholds: StandingThresholds = DEFAULT_STANDING_THRESHOLDS,
): Standing {
  assertObject(scores, 'standingFromScores: scores')
  assertNumber(scores.rating, 'standingFromScores: rating', { min: 0, max: 5 })
  assertNumber(scores.complaintRate, 'standingFromScores: complaintRate', { min: 0, max: 1 })
  const yellowMonths = scores.yellowMonths ?? 0
  assertNumber(yellowMonths, 'standingFromScores: yellowMonths', { integer: true, min: 0 })
  assertObject(thresholds, 'standingFromScores: thresholds')
  const { gold, silver, bronze, terminateAfterYellowMonths } = thresholds
  // Checked, or a NaN streak length would never terminate anyone (every `>=` is false).
  assertNumber(
    terminateAfterYellowMonths,
    'standingFromScores: thresholds.terminateAfterYellowMonths',
    {
      integer: true,
      min: 1,
    },
  )
  for (const [name, tier] of [
    ['gold', gold],
    ['silver', silver],
    ['bronze', bronze],
  ] as const) {
    assertObject(tier, `standingFromScores: thresholds.${name}`)
    assertNumber(tier.minRating, `standingFromScores: thresholds.${name}.minRating`, {
      min: 0,
      max: 5,
    })
    assertNumber(tier.maxComplaintRate, `standingFromScores: thresholds.${name}.maxComplaintRate`, {
      min: 0,
      max: 1,
    })
  }
  if (!(gold.minRating >= silver.minRating && silver.minRating >= bronze.minRating))
    invalidArgument(
      'range',
      'standingFromScores: thresholds',
      'tier ratings that do not increase from bronze to gold',
    )
  if (meets(scores, gold)) return 'gold'
  if (meets(scores, silver)) return 'silver'
  if (meets(scores, bronze)) return 'bronze'
  // A period that meets a tier ends the yellow streak; only a yellow period can terminate.
  return yellowMonths >= terminateAfterYellowMonths ? 'terminated' : 'yellow'
}

/** A partner's four graded metrics for one month, each on the 0 to 5 scale of `rating`. */
export interface QualityMetrics {
  /** Customer satisfaction, 0 to 5. */
  readonly satisfaction: number
  /** Response speed, 0 to 5. */
  readonly responseSpeed: number
  /** Complaint handling, 0 to 5. */
  readonly complaintHandling: number
  /** Price fairness, 0 to 5. */
  readonly priceFairness: number
}

/** Weights of {@link qualityRating}: non-negative, summing to 1. */
export type QualityWeights = { readonly [Metric in keyof QualityMetrics]: number }

/**
 * The ecosystem's composite: satisfaction 40 %, response speed 25 %, complaint handling 20 %,
 * price fairness 15 %.
 *
 * @example
 * ```ts
 * import { DEFAULT_QUALITY_WEIGHTS } from 'datagate'
 *
 * console.log(DEFAULT_QUALITY_WEIGHTS.satisfaction, DEFAULT_QUALITY_WEIGHTS.priceFairness) // 0.4 0.15
 * ```
 */
export const DEFAULT_QUALITY_WEIGHTS: QualityWeights = Object.freeze({
  satisfaction: 0.4,
  responseSpeed: 0.25,
  complaintHandling: 0.2,
  priceFairness: 0.15,
})

const METRICS = ['satisfaction', 'responseSpeed', 'complaintHandling', 'priceFairness'] as const
/** How far the weights may sum from 1 (decimal fractions such as 0.1 are not exact in binary). */
const WEIGHT_SUM_TOLERANCE = 1e-9

/**
 * The composite quality rating, 0 to 5: the weighted mean of the four metrics, each 0 to 5 (the
 * scale of {@link PartnerScores.rating}), by default satisfaction 40 %, response speed 25 %,
 * complaint handling 20 % and price fairness 15 % ({@link DEFAULT_QUALITY_WEIGHTS}). Weights must
 * be non-negative and sum to 1 (within 1e-9). The result is rounded to 9 decimals, so that binary
 * rounding of the weighted sum cannot lift four metrics of 4.8 above the gold threshold of 4.8.
 * A metric out of range, or bad weights, throws `ERR_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * import { qualityRating, standingFromScores } from 'datagate'
 *
 * const rating = qualityRating({ satisfaction: 5, responseSpeed: 4.6, complaintHandling: 4.8, priceFairness: 4.4 })
 * console.log(rating) // 4.77
 * console.log(standingFromScores({ rating, complaintRate: 0.004 })) // silver
 * console.log(qualityRating({ satisfaction: 4.8, responseSpeed: 4.8, complaintHandling: 4.8, priceFairness: 4.8 })) // 4.8
 * const even = { satisfaction: 0.25, responseSpeed: 0.25, complaintHandling: 0.25, priceFairness: 0.25 }
 * console.log(qualityRating({ satisfaction: 5, responseSpeed: 3, complaintHandling: 4, priceFairness: 4 }, even)) // 4
 * try {
 *   qualityRating({ satisfaction: 5, responseSpeed: 5, complaintHandling: 5, priceFairness: 5 }, { ...even, priceFairness: 0.5 })
 * } catch (error) {
 *   console.log((error as { code: string }).code) // 'ERR_INVALID_ARGUMENT'
 * }
 * ```
 */
export function qualityRating(
  metrics: QualityMetrics,
  weights: QualityWeights = DEFAULT_QUALITY_WEIGHTS,
): number {
  assertObject(metrics, 'qualityRating: metrics')
  assertObject(weights, 'qualityRating: weights')
  let sum = 0
  let total = 0
  for (const metric of METRICS) {
    assertNumber(metrics[metric], `qualityRating: ${metric}`, { min: 0, max: 5 })
    assertNumber(weights[metric], `qualityRating: weights.${metric}`, { min: 0 })
    sum += weights[metric]
    total += weights[metric] * metrics[metric]
  }
  if (Math.abs(sum - 1) > WEIGHT_SUM_TOLERANCE)
    invalidArgument(
      'range',
      'qualityRating: weights',
      `weights summing to 1, got ${Number(sum.toPrecision(12))}`,
    )
  // Divided by the sum so that weights within the tolerance can never give more than 5.
  return Math.round((total / sum) * 1e9) / 1e9
}
