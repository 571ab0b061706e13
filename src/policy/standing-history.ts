// A partner's standing from its monthly scores: the month's composite rating (qualityRating) and
// complaint rate go through standingFromScores, with the yellow streak counted from the months
// before it. The thresholds live in standing.ts only; this file adds the calendar.
import {
  assertArray,
  assertObject,
  assertOneOf,
  assertString,
  invalidArgument,
} from '../lib/assert.js'
import {
  DEFAULT_STANDING_THRESHOLDS,
  type QualityMetrics,
  type QualityWeights,
  qualityRating,
  type StandingThresholds,
  standingFromScores,
} from './standing.js'
import type { Standing } from './types.js'

/** One month of a partner's grading: the four metrics (0 to 5) and the complaint rate. */
export interface MonthlyScores extends QualityMetrics {
  /** The month graded, `YYYY-MM`. */
  readonly month: string
  /** Complaints per order in the month, as a fraction: 0.005 is 0.5 %. */
  readonly complaintRate: number
}

/** Options of {@link standingFromHistory}. */
export interface StandingFromHistoryOptions {
  /** The month to decide, `YYYY-MM`; default the latest month of the history. */
  readonly month?: string
  /** The standing the partner has now: a `terminated` partner stays terminated. */
  readonly current?: Standing
  /** Weights of the composite rating; default {@link DEFAULT_QUALITY_WEIGHTS}. */
  readonly weights?: QualityWeights
  /** Tier thresholds and the yellow months that terminate; default {@link DEFAULT_STANDING_THRESHOLDS}. */
  readonly thresholds?: StandingThresholds
}

/** What {@link standingFromHistory} decided, and from what. */
export interface StandingDecision {
  /** The month decided. */
  readonly month: string
  readonly standing: Standing
  /** The month's composite rating. */
  readonly rating: number
  readonly complaintRate: number
  /** Consecutive yellow months ending with this one (0 when the month meets a tier). */
  readonly yellowMonths: number
  /** `terminated` when the partner was already terminated, else `scores`. */
  readonly basis: 'scores' | 'terminated'
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/
const STANDINGS = ['gold', 'silver', 'bronze', 'yellow', 'terminated'] as const

function previousMonth(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number]
  return m === 1 ? `${year - 1}-12` : `${year}-${String(m - 1).padStart(2, '0')}`
}

/**
 * Decides a partner's standing for one month from its monthly scores. The month's composite
 * rating ({@link qualityRating}) and complaint rate meet a tier (gold > 4.8 and < 0.5 %, silver
 * > 4.5 and < 1 %, bronze > 4.0 and < 2 %, by default), or the month is a yellow card; the third
 * consecutive yellow month (calendar months, each in the history and meeting no tier) terminates
 * the partner. A month missing from the history ends a streak: only graded months count. A
 * partner whose `current` standing is `terminated` stays terminated whatever its scores: a
 * revocation is lifted by a person editing the policy, never by a good month. A history with two
 * entries for one month, a malformed month, or no entry for the month asked for throws
 * `ERR_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * import { standingFromHistory } from 'datagate'
 *
 * const poor = { satisfaction: 3.8, responseSpeed: 4, complaintHandling: 3.5, priceFairness: 4, complaintRate: 0.03 }
 * const history = [
 *   { month: '2026-04', ...poor },
 *   { month: '2026-05', ...poor },
 *   { month: '2026-06', ...poor },
 * ]
 * console.log(standingFromHistory(history, { month: '2026-05' }).standing) // 'yellow'
 * const june = standingFromHistory(history)
 * console.log(june.standing, june.yellowMonths, june.rating) // 'terminated' 3 3.82
 * const good = { month: '2026-07', satisfaction: 4.9, responseSpeed: 4.9, complaintHandling: 4.9, priceFairness: 4.9, complaintRate: 0.001 }
 * console.log(standingFromHistory([...history, good]).standing) // 'gold'
 * console.log(standingFromHistory([...history, good], { current: 'terminated' }).standing) // 'terminated'
 * ```
 */
export function standingFromHistory(
  history: readonly MonthlyScores[],
  options: StandingFromHistoryOptions = {},
): StandingDecision {
  assertArray(history, 'standingFromHistory: history', { nonEmpty: true })
  assertObject(options as unknown, 'standingFromHistory: options')
  const byMonth = new Map<string, MonthlyScores>()
  for (const [index, entry] of history.entries()) {
    assertObject(entry, `standingFromHistory: history[${index}]`)
    assertString(entry.month, `standingFromHistory: history[${index}].month`)
    if (!MONTH.test(entry.month))
      invalidArgument('range', `standingFromHistory: history[${index}].month`, 'YYYY-MM')
    if (byMonth.has(entry.month))
      invalidArgument(
        'range',
        `standingFromHistory: history[${index}].month`,
        `one entry per month, got ${entry.month} twice`,
      )
    byMonth.set(entry.month, entry)
  }
  const month = options.month ?? [...byMonth.keys()].sort().at(-1)
  assertString(month, 'standingFromHistory: month')
  if (!MONTH.test(month)) invalidArgument('range', 'standingFromHistory: month', 'YYYY-MM')
  const scores = byMonth.get(month)
  if (scores === undefined)
    invalidArgument('range', 'standingFromHistory: month', `a month of the history, got ${month}`)
  if (options.current !== undefined)
    assertOneOf(options.current, 'standingFromHistory: current', STANDINGS)
  const weights = options.weights
  const thresholds = options.thresholds ?? DEFAULT_STANDING_THRESHOLDS
  const graded = (entry: MonthlyScores) => ({
    rating: qualityRating(entry, weights),
    complaintRate: entry.complaintRate,
  })
  // A month is yellow when it meets no tier: standingFromScores without a streak says 'yellow'.
  const isYellow = (entry: MonthlyScores) =>
    standingFromScores(graded(entry), thresholds) === 'yellow'
  const { rating, complaintRate } = graded(scores)
  let yellowMonths = 0
  let at = month
  let entry: MonthlyScores | undefined = scores
  while (entry !== undefined && isYellow(entry)) {
    yellowMonths++
    at = previousMonth(at)
    entry = byMonth.get(at)
  }
  const fromScores = standingFromScores({ rating, complaintRate, yellowMonths }, thresholds)
  const terminated = options.current === 'terminated'
  return {
    month,
    standing: terminated ? 'terminated' : fromScores,
    rating,
    complaintRate,
    yellowMonths,
    basis: terminated ? 'terminated' : 'scores',
  }
}
