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
  const { gold, silver, bronze, terminateAfterYellowMonths } = thresholds
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
