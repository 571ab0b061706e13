/**
 * The yearly people thresholds of a policy, with their defaults: the CAC's 2024 provisions on
 * cross-border data flows (people counted from 1 January, across every overseas recipient) and
 * the automotive provisions' important-data threshold (personal information of more than
 * 100,000 people).
 *
 * @packageDocumentation
 */
import type { Policy } from './load.js'

/**
 * What happens when a release would cross a threshold: `warn` (the default) releases and
 * reports the crossing in `datagate lint` and `datagate report`; `refuse` refuses the release
 * with `ERR_THRESHOLD_EXCEEDED` (and audits the refusal).
 *
 * @example
 * ```ts
 * import type { OnThreshold } from 'datagate/policy'
 *
 * const mode: OnThreshold = 'refuse'
 * console.log(mode) // 'refuse'
 * ```
 */
export type OnThreshold = 'warn' | 'refuse'

/**
 * A policy's thresholds, every default filled in. Cross-border counts are of distinct people
 * whose personal information went to partners outside CN in the calendar year (Asia/Shanghai);
 * `importantData.individuals` counts them across every partner, domestic too.
 *
 * @example
 * ```ts
 * import { DEFAULT_THRESHOLDS } from 'datagate/policy'
 *
 * console.log(DEFAULT_THRESHOLDS.crossBorder.filing, DEFAULT_THRESHOLDS.importantData.individuals)
 * // 100000 100000
 * ```
 */
export interface Thresholds {
  readonly crossBorder: {
    /** People (personal information, not sensitive) from which a standard contract or certification is needed (Art. 8). */
    readonly filing: number
    /** People from which a security assessment is needed (Art. 7). */
    readonly assessment: number
    /** People whose sensitive personal information went abroad, from which an assessment is needed (Art. 7). */
    readonly sensitivePI: number
    readonly onThreshold: OnThreshold
  }
  readonly importantData: {
    /** More than this many people: their personal information is important data (automotive provisions Art. 3). */
    readonly individuals: number
    readonly onThreshold: OnThreshold
  }
}

/**
 * The defaults of {@link Thresholds}.
 *
 * @example
 * ```ts
 * import { DEFAULT_THRESHOLDS } from 'datagate/policy'
 *
 * console.log(DEFAULT_THRESHOLDS.crossBorder)
 * // { filing: 100000, assessment: 1000000, sensitivePI: 10000, onThreshold: 'warn' }
 * ```
 */
export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze({
  crossBorder: Object.freeze({
    filing: 100_000,
    assessment: 1_000_000,
    sensitivePI: 10_000,
    onThreshold: 'warn' as const,
  }),
  importantData: Object.freeze({ individuals: 100_000, onThreshold: 'warn' as const }),
})

/**
 * The thresholds of a loaded policy: its `crossBorder` and `importantData` keys over
 * {@link DEFAULT_THRESHOLDS}.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { defineDataset, field, loadPolicy, policyThresholds } from 'datagate'
 *
 * const Trip = defineDataset('trip', z.object({ km: field.public(z.number()) }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', crossBorder: { sensitivePI: 5000, onThreshold: 'refuse' },
 *   partners: [] }, { datasets: [Trip] })
 * console.log(policyThresholds(policy).crossBorder)
 * // { filing: 100000, assessment: 1000000, sensitivePI: 5000, onThreshold: 'refuse' }
 * ```
 */
export function policyThresholds(policy: Pick<Policy, 'document'>): Thresholds {
  const { crossBorder = {}, importantData = {} } = policy.document
  const defaults = DEFAULT_THRESHOLDS
  return {
    crossBorder: {
      filing: crossBorder.filing ?? defaults.crossBorder.filing,
      assessment: crossBorder.assessment ?? defaults.crossBorder.assessment,
      sensitivePI: crossBorder.sensitivePI ?? defaults.crossBorder.sensitivePI,
      onThreshold: crossBorder.onThreshold ?? defaults.crossBorder.onThreshold,
    },
    importantData: {
      individuals: importantData.individuals ?? defaults.importantData.individuals,
      onThreshold: importantData.onThreshold ?? defaults.importantData.onThreshold,
    },
  }
}
