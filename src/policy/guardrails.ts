// Load-time guardrails of important data and location fields, one partner at a time:
// - a location field (tagged `sensitivePI: 'location'`, or with a `maxPrecision`) leaves only
//   through a generalisation whose precision is no finer than its cap (the field's
//   `maxPrecision`, else the policy's `locationPrecision`, else geohash 5), to any partner;
// - an important-data field granted to a partner outside CN needs the agreement's `assessment`
//   (automotive data provisions Art. 11).
import type { Dataset, DatasetField } from '../classify/dataset.js'
import {
  DEFAULT_PRECISION_CAP,
  describePrecision,
  type PrecisionCap,
  withinCap,
} from '../classify/guardrail-tags.js'
import type { Finding } from '../errors.js'
import type { PolicyDocument } from './document.js'
import { isOverseas } from './region.js'
import type { Agreement } from './types.js'

type PartnerDocument = PolicyDocument['partners'][number]

/** Whether a field is a location field for the precision caps. */
export function isLocationField(field: DatasetField): boolean {
  return field.sensitivePI === 'location' || field.maxPrecision !== undefined
}

/** The precision cap of a location field under a policy's default. */
export function precisionCapOf(field: DatasetField, policyDefault?: PrecisionCap): PrecisionCap {
  return field.maxPrecision ?? policyDefault ?? DEFAULT_PRECISION_CAP
}

/** Findings of one partner's normalised agreements; `at` is the partner's policy path. */
export function guardrailFindings(
  doc: PartnerDocument,
  agreements: readonly Agreement[],
  datasets: ReadonlyMap<string, Dataset>,
  at: string,
  policyDefault: PrecisionCap | undefined,
): Finding[] {
  const findings: Finding[] = []
  const overseas = isOverseas(doc.region)
  for (const agreement of agreements) {
    const dataset = datasets.get(agreement.dataset)
    if (dataset === undefined) continue
    const index = doc.agreements.findIndex((a) => a.id === agreement.id)
    const here = `${at}.agreements[${index}]`
    for (const path of agreement.fields) {
      const field = dataset.field(path)
      if (field === undefined) continue
      const declared = agreement.declaredFields.indexOf(path)
      const where = declared >= 0 ? `${here}.fields[${declared}]` : `${here}.fields`
      if (isLocationField(field)) {
        const cap = precisionCapOf(field, policyDefault)
        const precision =
          field.operator.kind === 'generalize' ? field.operator.precision : undefined
        if (precision === undefined)
          findings.push({
            code: 'location_not_generalised',
            path: where,
            message: `${path} is a location field and leaves only through generalize.geohash or generalize.geo at ${describePrecision(cap)} or coarser (its operator is ${field.operator.name})`,
          })
        else if (!withinCap(precision, cap))
          findings.push({
            code: 'location_precision_exceeds_cap',
            path: where,
            message: `${path} leaves at ${describePrecision(precision)}, finer than its cap of ${describePrecision(cap)}`,
          })
      }
      if (field.important !== undefined && overseas && agreement.assessment === undefined)
        findings.push({
          code: 'important_data_abroad_without_assessment',
          path: where,
          message: `${path} is important data (${field.important}) and partner ${doc.id} is outside CN (${doc.region}): the agreement must name its security assessment (assessment: <id>)`,
        })
    }
  }
  return findings
}
