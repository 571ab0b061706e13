// The one rule of consent per data subject (PIPL Art. 21, 23): which agreements release personal
// information, which of those need each subject's separate consent, and what a `consent.subject`
// path may name. Imported by the policy compiler, `datagate lint` and the notice manifest.
import type { Dataset, DatasetField } from '../classify/dataset.js'
import type { Finding } from '../errors.js'
import { DEFAULT_PARTNER_ROLE } from './document.js'
import type { AgreementConsent, PartnerRole } from './types.js'

/** Leaf types a subject may have: its value is the subject id a consent store is asked about. */
const SUBJECT_TYPES = new Set(['string', 'number'])

/**
 * Whether granting these fields releases personal information: any desensitised field
 * (masked or pseudonymised data still relates to an identifiable person; only anonymised data
 * does not), any field tagged with a `pii` kind, or any field tagged `sensitivePI`. Aggregate agreements release k-suppressed
 * statistics, not records of persons, and are not counted.
 */
export function releasesPersonalInformation(
  fields: readonly string[],
  dataset: Dataset,
  aggregate: boolean,
): boolean {
  if (aggregate) return false
  return fields.some((path) => {
    const leaf = dataset.field(path)
    return (
      leaf !== undefined &&
      (leaf.class === 'desensitised' || leaf.pii !== undefined || leaf.sensitivePI !== undefined)
    )
  })
}

/** The role a partner document declares, or the default. */
export function roleOf(role: PartnerRole | undefined): PartnerRole {
  return role ?? DEFAULT_PARTNER_ROLE
}

/** Whether a partner of this role needs each subject's separate consent (PIPL Art. 23). */
export function needsSeparateConsent(role: PartnerRole): boolean {
  return role === 'handler' || role === 'joint-handler'
}

/** The subject leaf of a consent declaration, or the finding that refuses its path. */
export function subjectField(
  consent: AgreementConsent,
  dataset: Dataset,
  at: string,
): { field: DatasetField; finding?: undefined } | { field?: undefined; finding: Finding } {
  const leaf = dataset.field(consent.subject)
  if (leaf === undefined)
    return {
      finding: {
        code: 'unknown_consent_subject',
        path: `${at}.consent.subject`,
        message: `${consent.subject} is not a field of dataset ${dataset.name}`,
      },
    }
  if (leaf.segments.includes('[]'))
    return {
      finding: {
        code: 'invalid_consent_subject',
        path: `${at}.consent.subject`,
        message: `${consent.subject} is inside an array; a row has one data subject`,
      },
    }
  if (!SUBJECT_TYPES.has(leaf.type))
    return {
      finding: {
        code: 'invalid_consent_subject',
        path: `${at}.consent.subject`,
        message: `${consent.subject} is a ${leaf.type}; a subject is a string or number field`,
      },
    }
  return { field: leaf }
}

/**
 * Consent findings of one agreement: a `handler` or `joint-handler` partner's agreement that
 * releases personal information without `consent` (`consent_required`), and a `consent.subject`
 * that names no usable field. Every problem is returned; none is thrown.
 */
export function consentFindings(
  role: PartnerRole | undefined,
  consent: AgreementConsent | undefined,
  fields: readonly string[] | undefined,
  dataset: Dataset,
  aggregate: boolean,
  at: string,
): Finding[] {
  const findings: Finding[] = []
  const effective = roleOf(role)
  if (
    consent === undefined &&
    fields !== undefined &&
    needsSeparateConsent(effective) &&
    releasesPersonalInformation(fields, dataset, aggregate)
  )
    findings.push({
      code: 'consent_required',
      path: `${at}.consent`,
      message: `the partner is a ${effective} and the agreement releases personal information: declare consent: { scope, subject } (PIPL Art. 23)`,
    })
  if (consent !== undefined) {
    const { finding } = subjectField(consent, dataset, at)
    if (finding) findings.push(finding)
  }
  return findings
}
