// Load-time guardrails of important data and location fields, one partner at a time:
// - a location field (tagged `sensitivePI: 'location'`, or with a `maxPrecision`) leaves only
//   through a generalisation whose precision is no finer than its cap (the field's
//   `maxPrecision`, else the policy's `locationPrecision`, else geohash 5), to any partner;
// - an important-data field granted to a partner outside CN needs the agreement's `assessment`
//   (automotive data provisions Art. 11);
// - a row condition (`where`) tells the partner something of the value of every row it gets
//   (`lat > 31.23456`, `chargerLoad = 42`): on a location field it is refused outright (the
//   cap cannot bound an operand), on important data abroad it needs the assessment as a grant
//   does. A condition on presence alone (`$exists`, `null`) says nothing of the value.
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
import type { Agreement, FieldCondition } from './types.js'

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
    for (const [path, condition] of Object.entries(agreement.where ?? {})) {
      const field = dataset.field(path)
      if (field === undefined || presenceOnly(condition)) continue
      const where = `${here}.where.${path}`
      if (isLocationField(field))
        findings.push({
          code: 'location_in_condition',
          path: where,
          message: `${path} is a location field: rows selected by its value are known to lie where the condition says, finer than any precision cap; select rows by a coarser field`,
        })
      if (field.important !== undefined && overseas && agreement.assessment === undefined)
        findings.push({
          code: 'important_data_abroad_without_assessment',
          path: where,
          message: `${path} is important data (${field.important}) and selects the rows partner ${doc.id} outside CN (${doc.region}) receives: the agreement must name its security assessment (assessment: <id>)`,
        })
    }
  }
  return findings
}

/** Whether a condition tests only that a value is there (`$exists`, `null`), not what it is. */
function presenceOnly(condition: FieldCondition): boolean {
  if (condition === null) return true
  if (typeof condition !== 'object') return false
  return Object.entries(condition).every(([op, operand]) => op === '$exists' || operand === null)
}
