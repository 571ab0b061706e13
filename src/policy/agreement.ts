// One agreement document to a normalised, frozen Agreement: validity dates, reserved names,
// granted leaves, row conditions and the aggregate block checked against its dataset.
import type { Dataset } from '../classify/dataset.js'
import type { Finding } from '../errors.js'
import { isCaslWildcard } from '../lib/casl-wildcards.js'
import { isForbiddenKey } from '../lib/forbidden-keys.js'
import { normaliseAggregate } from './aggregate-findings.js'
import { checkConditions } from './conditions.js'
import type { AgreementDocument } from './document.js'
import { expandFields } from './grants.js'
import type { Agreement, Conditions } from './types.js'
import { parseValidityDate } from './validity.js'

/** The agreement, or `undefined` when it has findings (pushed to `findings`). */
export function normaliseAgreement(
  doc: AgreementDocument,
  dataset: Dataset | undefined,
  core: boolean,
  at: string,
  findings: Finding[],
): Agreement | undefined {
  const before = findings.length
  const validFrom = parseValidityDate(doc.validFrom, false)
  const validUntil = parseValidityDate(doc.validUntil, true)
  if (validFrom === undefined)
    findings.push({
      code: 'invalid_date',
      path: `${at}.validFrom`,
      message: 'expected YYYY-MM-DD or an ISO date-time with a zone',
    })
  if (validUntil === undefined)
    findings.push({
      code: 'invalid_date',
      path: `${at}.validUntil`,
      message: 'expected YYYY-MM-DD or an ISO date-time with a zone',
    })
  if (validFrom !== undefined && validUntil !== undefined && validUntil < validFrom)
    findings.push({
      code: 'validity_reversed',
      path: `${at}.validUntil`,
      message: 'validUntil is before validFrom',
    })
  for (const member of ['purpose', 'dataset'] as const) {
    if (isCaslWildcard(doc[member]))
      findings.push({
        code: 'reserved_name',
        path: `${at}.${member}`,
        message: `${doc[member]} is a CASL wildcard (every ${member === 'purpose' ? 'action' : 'subject'}) and cannot name a ${member}`,
      })
  }
  if (doc.fields.length === 0)
    findings.push({
      code: 'empty_field_list',
      path: `${at}.fields`,
      message: 'an agreement must grant at least one field',
    })
  if (!dataset) {
    findings.push({
      code: 'unknown_dataset',
      path: `${at}.dataset`,
      message: `no dataset named ${doc.dataset}`,
    })
    return undefined
  }
  const fields = expandFields(doc.fields, dataset, core, `${at}.fields`, findings)
  if (doc.where) findings.push(...checkConditions(doc.where, dataset, core, `${at}.where`))
  if (doc.k !== undefined && !doc.aggregate)
    findings.push({
      code: 'k_without_aggregate',
      path: `${at}.k`,
      message: 'k applies to aggregate agreements only; add aggregate',
    })
  if (doc.aggregate) {
    const granted = new Set(fields)
    doc.aggregate.by.forEach((path, i) => {
      if (!granted.has(path))
        findings.push({
          code: 'aggregate_field_not_granted',
          path: `${at}.aggregate.by[${i}]`,
          message: `${path} is not among the granted fields`,
        })
    })
    for (const [name, measure] of Object.entries(doc.aggregate.measures)) {
      if (isForbiddenKey(name))
        findings.push({
          code: 'invalid_measure',
          path: `${at}.aggregate.measures`,
          message: `${name} cannot name a measure`,
        })
      if (measure.op !== 'count' && !granted.has(measure.field))
        findings.push({
          code: 'aggregate_field_not_granted',
          path: `${at}.aggregate.measures.${name}.field`,
          message: `${measure.field} is not among the granted fields`,
        })
    }
  }
  if (doc.watermark && doc.aggregate)
    findings.push({
      code: 'watermark_on_aggregate',
      path: `${at}.watermark`,
      message:
        'watermark rows apply to records agreements only; an aggregate has no records to add them to',
    })
  if (findings.length > before || validFrom === undefined || validUntil === undefined)
    return undefined
  return Object.freeze({
    id: doc.id,
    dataset: doc.dataset,
    purpose: doc.purpose,
    fields: Object.freeze(fields),
    declaredFields: Object.freeze([...doc.fields]),
    where: doc.where as Conditions | undefined,
    validFrom,
    validUntil,
    ...(doc.basis === undefined ? {} : { basis: doc.basis }),
    ...(doc.consent === undefined ? {} : { consent: Object.freeze({ ...doc.consent }) }),
    ...(doc.assessment === undefined ? {} : { assessment: doc.assessment }),
    k: doc.aggregate ? (doc.k ?? 5) : undefined,
    aggregate: doc.aggregate ? normaliseAggregate(doc.aggregate) : undefined,
    ...(doc.watermark === undefined
      ? {}
      : { watermark: Object.freeze({ rows: doc.watermark.rows }) }),
  })
}
