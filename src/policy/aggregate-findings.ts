// Load-time checks of aggregate agreements against the attacks suppression alone cannot stop:
// extremes that publish one person's value, linked tables that subtract, repeated exact releases
// that difference, and noise that no budget bounds. Findings, so that every problem is listed.
import type { Dataset } from '../classify/dataset.js'
import type { Finding } from '../errors.js'
import { releaseEpsilon } from '../lib/aggregate-cost.js'
import type { PolicyDocument } from './document.js'
import type { AggregateSpec, Agreement } from './types.js'
import { periodsOverlap } from './validity.js'

type PartnerDocument = PolicyDocument['partners'][number]
type AgreementDocument = PartnerDocument['agreements'][number]

/** Every finding about the aggregate agreements of one partner. */
export function aggregateFindings(
  partner: PartnerDocument,
  agreements: readonly Agreement[],
  datasets: ReadonlyMap<string, Dataset>,
  at: string,
): Finding[] {
  const findings: Finding[] = []
  partner.agreements.forEach((doc: AgreementDocument, index) => {
    const spec = doc.aggregate
    if (!spec) return
    const here = `${at}.agreements[${index}].aggregate`
    const dataset = datasets.get(doc.dataset)
    for (const [name, measure] of Object.entries(spec.measures)) {
      if (measure.op !== 'min' && measure.op !== 'max') continue
      const leaf = dataset?.field(measure.field)
      if (leaf && (leaf.class !== 'public' || leaf.quasiIdentifier))
        findings.push({
          code: 'aggregate_extreme_of_personal_field',
          path: `${here}.measures.${name}`,
          message: `${measure.op} of ${measure.field} publishes one person's value (a desensitised or quasi-identifier field); noise does not fix it, remove the measure`,
        })
      if (spec.noise)
        findings.push({
          code: 'aggregate_noise_with_extremes',
          path: `${here}.measures.${name}`,
          message: `${measure.op} cannot be protected by noise; remove it or the noise`,
        })
    }
    if (spec.noise) {
      const summed = Object.values(spec.measures).some((m) => m.op === 'sum' || m.op === 'avg')
      if (summed && spec.noise.sensitivity === undefined)
        findings.push({
          code: 'aggregate_noise_without_sensitivity',
          path: `${here}.noise`,
          message: 'noisy sums and averages need noise.sensitivity, the most one record may add',
        })
      const cost = releaseEpsilon(spec)
      if (!partner.budget)
        findings.push({
          code: 'aggregate_noise_without_budget',
          path: `${here}.noise`,
          message: `partner ${partner.id} has no budget; noisy releases must spend from one`,
        })
      else if (cost > partner.budget.epsilon)
        findings.push({
          code: 'aggregate_cost_exceeds_budget',
          path: `${here}.noise.epsilon`,
          message: `one release costs epsilon ${cost}, more than the partner's budget of ${partner.budget.epsilon} per ${partner.budget.period}`,
        })
    } else if (spec.once !== true) {
      findings.push({
        code: 'aggregate_repeatable',
        path: here,
        message:
          'an exact table released again after one record changed reveals that record (differencing); add noise or once: true',
      })
    }
  })
  // Linked tables, over the normalised agreements (dates parsed once, by the loader).
  const aggregates = agreements.filter((agreement) => agreement.aggregate !== undefined)
  for (let i = 0; i < aggregates.length; i++) {
    for (let j = i + 1; j < aggregates.length; j++) {
      const a = aggregates[i]!
      const b = aggregates[j]!
      if (a.dataset !== b.dataset) continue
      if (!periodsOverlap(a, b)) continue
      if (a.aggregate?.noise && b.aggregate?.noise) continue
      const index = partner.agreements.findIndex((doc) => doc.id === b.id)
      findings.push({
        code: 'aggregate_linked',
        path: `${at}.agreements[${index}].aggregate`,
        message: `agreements ${a.id} and ${b.id} aggregate ${a.dataset} for the same partner in overlapping periods; subtracting one table from the other recovers suppressed cells unless both add noise`,
      })
    }
  }
  return findings
}

/** The aggregate block as the normalised agreement holds it: absent keys left out, frozen. */
export function normaliseAggregate(
  spec: NonNullable<AgreementDocument['aggregate']>,
): AggregateSpec {
  const noise = spec.noise
  return Object.freeze({
    by: Object.freeze([...spec.by]),
    measures: Object.freeze(
      Object.fromEntries(
        Object.entries(spec.measures).map(([name, m]) => [name, Object.freeze({ ...m })]),
      ),
    ),
    ...(spec.totals === undefined ? {} : { totals: spec.totals }),
    ...(spec.protectionWidth === undefined ? {} : { protectionWidth: spec.protectionWidth }),
    ...(noise === undefined
      ? {}
      : {
          noise: Object.freeze({
            epsilon: noise.epsilon,
            ...(noise.sensitivity === undefined ? {} : { sensitivity: noise.sensitivity }),
            ...(noise.granularity === undefined ? {} : { granularity: noise.granularity }),
          }),
        }),
    ...(spec.once === true ? { once: true as const } : {}),
  })
}
