// The important-data and cross-border side of `datagate lint` and `datagate report --year`.
//
// Where the counts come from: the audit log. Every counted release records the estimates its
// merge gave (`subjects.*` details: the partner's, the overseas total, the handler's, and their
// sensitive-PI parts), so the largest estimate of a counter in a year's events is its count at
// the year's last release. The chain is signed and hash-linked, survives the counter store, and
// is what the CLI is already given; reading the store itself would need its credentials too.
import type { z } from 'zod'
import type { Dataset } from '../classify/dataset.js'
import type { AuditEvent } from '../export/audit-event.js'
import { ChainChecker } from '../export/audit-verify.js'
import { shanghaiYear } from '../export/subject-count.js'
import type { Policy } from '../policy/load.js'
import { policyThresholds, type Thresholds } from '../policy/thresholds.js'
import type { LogSource } from './log-source.js'
import type { LintFindingSchema, YearReportSchema } from './schemas.js'

type LintFinding = z.infer<typeof LintFindingSchema>
type YearReport = z.infer<typeof YearReportSchema>

/** The year's largest recorded estimates. */
export interface YearCounts {
  overseas: number | null
  overseasSensitivePI: number | null
  all: number | null
  readonly partners: Map<string, { subjects: number | null; sensitivePI: number | null }>
}

type Sharing = YearReport['sharing'][number]

/** What one pass over the log gives for a year. */
export interface YearLog {
  readonly counts: YearCounts
  readonly sharing: Sharing[]
  readonly chainOk: boolean
}

const max = (a: number | null, b: unknown) =>
  typeof b === 'number' ? (a === null ? b : Math.max(a, b)) : a

// `undefined` when the log holds no policy event of the release's policy hash (a log cut or
// rotated): not CN, which would report a partner abroad as domestic.
function regionIn(document: unknown, partner: string): string | undefined {
  const partners = (document as { partners?: unknown } | undefined)?.partners
  if (!Array.isArray(partners)) return undefined
  const found = partners.find((p) => (p as { id?: unknown })?.id === partner) as
    | { region?: unknown; agreements?: unknown }
    | undefined
  return typeof found?.region === 'string' ? found.region : 'CN'
}

function assessmentIn(document: unknown, partner: string, agreement: string): string | null {
  const partners = (document as { partners?: unknown } | undefined)?.partners
  if (!Array.isArray(partners)) return null
  const found = partners.find((p) => (p as { id?: unknown })?.id === partner) as
    | { agreements?: unknown }
    | undefined
  const agreements = Array.isArray(found?.agreements) ? found.agreements : []
  const a = agreements.find((x) => (x as { id?: unknown })?.id === agreement) as
    | { assessment?: unknown }
    | undefined
  return typeof a?.assessment === 'string' ? a.assessment : null
}

type Released = Extract<AuditEvent, { type: 'release' | 'export' | 'delta' | 'stream-start' }>

/**
 * Reads a year (Asia/Shanghai) of `source`: the counters' largest estimates and, per partner,
 * purpose, dataset and region (as the policy in force at each event declared it), the important
 * data and sensitive personal information released, with events and records.
 */
export async function readYear(
  source: LogSource,
  year: number,
  datasets: readonly Dataset[],
): Promise<YearLog> {
  const byName = new Map(datasets.map((d) => [d.name, d]))
  const checker = new ChainChecker()
  const documents = new Map<string, unknown>()
  const counts: YearCounts = {
    overseas: null,
    overseasSensitivePI: null,
    all: null,
    partners: new Map(),
  }
  const sharing = new Map<string, Sharing>()
  const streams = new Map<string, Sharing>()
  let chainOk = true
  let index = 0
  for await (const raw of source.events()) {
    const { event, broken } = checker.check(raw, index++)
    if (broken) chainOk = false
    if (!event) continue
    if (event.type === 'policy') {
      documents.set(event.policyHash, event.document)
      continue
    }
    // The counts by the year their merge named: the event is written a moment later and may
    // fall in the next year (a release counted at 15:59:59.999Z, audited at 16:00Z).
    const counted = 'details' in event ? event.details : undefined
    if (counted?.['subjects.year'] === year && 'partner' in event) {
      counts.overseas = max(counts.overseas, counted['subjects.overseas'])
      counts.overseasSensitivePI = max(
        counts.overseasSensitivePI,
        counted['subjects.overseasSensitivePI'],
      )
      counts.all = max(counts.all, counted['subjects.all'])
      const partner = counts.partners.get(event.partner) ?? { subjects: null, sensitivePI: null }
      partner.subjects = max(partner.subjects, counted['subjects.partner'])
      partner.sensitivePI = max(partner.sensitivePI, counted['subjects.partnerSensitivePI'])
      counts.partners.set(event.partner, partner)
    }
    if (shanghaiYear(Date.parse(event.time)) !== year) continue
    if (event.type === 'stream-end') {
      const row = streams.get(event.stream)
      if (row) row.records += event.rows
      continue
    }
    if (
      event.type !== 'release' &&
      event.type !== 'export' &&
      event.type !== 'delta' &&
      event.type !== 'stream-start'
    )
      continue
    const released = event as Released
    const dataset = byName.get(released.dataset)
    const tagged = released.fields
      .map((f) => dataset?.field(f.path))
      .filter((f) => f !== undefined && (f.important !== undefined || f.sensitivePI !== undefined))
    if (tagged.length === 0) continue
    const document = documents.get(released.policyHash)
    const region = regionIn(document, released.partner) ?? 'unknown'
    const key = [released.partner, released.purpose, released.dataset, region].join('\u0000')
    const row: Sharing = sharing.get(key) ?? {
      partner: released.partner,
      purpose: released.purpose,
      dataset: released.dataset,
      region,
      overseas: region === 'unknown' ? null : region !== 'CN',
      agreements: [],
      assessments: [],
      important: [],
      sensitivePI: [],
      events: 0,
      records: 0,
    }
    row.events++
    if (released.type === 'stream-start') streams.set(released.stream, row)
    else row.records += released.rows
    if (!row.agreements.includes(released.agreement)) row.agreements.push(released.agreement)
    const assessment = assessmentIn(document, released.partner, released.agreement)
    if (assessment !== null && !row.assessments.includes(assessment))
      row.assessments.push(assessment)
    for (const f of tagged) {
      if (f?.important !== undefined && !row.important.some((x) => x.path === f.path))
        row.important.push({ path: f.path, kind: f.important })
      if (f?.sensitivePI !== undefined && !row.sensitivePI.some((x) => x.path === f.path))
        row.sensitivePI.push({ path: f.path, kind: f.sensitivePI })
    }
    sharing.set(key, row)
  }
  const rows = [...sharing.values()].sort(
    (a, b) =>
      a.partner.localeCompare(b.partner) ||
      a.purpose.localeCompare(b.purpose) ||
      a.dataset.localeCompare(b.dataset),
  )
  return { counts, sharing: rows, chainOk }
}

/**
 * Thresholds the year's counts crossed, as lint findings: cross-border ones are errors (a filing
 * or an assessment is due; raise the threshold in the policy once it is done), the important-data
 * one a warning (the personal information is important data: catalogue it, and overseas
 * agreements need an assessment). Cross-border thresholds count "or more" (以上), the
 * important-data one "more than" (超过), as the rules word them.
 */
export function thresholdFindings(
  thresholds: Thresholds,
  counts: YearCounts,
  year: number,
): LintFinding[] {
  const out: LintFinding[] = []
  const { crossBorder, importantData } = thresholds
  const about = (n: number) =>
    `about ${n} people (HyperLogLog estimate, ±2.4 % at 3 standard errors)`
  if (counts.overseas !== null && counts.overseas >= crossBorder.assessment)
    out.push({
      severity: 'error',
      code: 'cross_border_assessment_threshold',
      path: 'crossBorder.assessment',
      message: `personal information of ${about(counts.overseas)} went abroad in ${year} (Asia/Shanghai), at or past ${crossBorder.assessment}: a security assessment is needed`,
    })
  else if (counts.overseas !== null && counts.overseas >= crossBorder.filing)
    out.push({
      severity: 'error',
      code: 'cross_border_filing_threshold',
      path: 'crossBorder.filing',
      message: `personal information of ${about(counts.overseas)} went abroad in ${year} (Asia/Shanghai), at or past ${crossBorder.filing}: a standard contract filing or certification is needed`,
    })
  if (counts.overseasSensitivePI !== null && counts.overseasSensitivePI >= crossBorder.sensitivePI)
    out.push({
      severity: 'error',
      code: 'cross_border_sensitive_pi_threshold',
      path: 'crossBorder.sensitivePI',
      message: `sensitive personal information of ${about(counts.overseasSensitivePI)} went abroad in ${year} (Asia/Shanghai), at or past ${crossBorder.sensitivePI}: a security assessment is needed`,
    })
  if (counts.all !== null && counts.all > importantData.individuals)
    out.push({
      severity: 'warning',
      code: 'important_data_individuals',
      path: 'importantData.individuals',
      message: `personal information of ${about(counts.all)} was shared in ${year} (Asia/Shanghai), more than ${importantData.individuals}: it is important data (automotive data provisions Art. 3); catalogue it, and send it abroad only with a security assessment`,
    })
  return out
}

/** The threshold findings of the year `now` falls in, read from `source`. */
export async function lintThresholds(
  policy: Policy,
  datasets: readonly Dataset[],
  source: LogSource,
  now: number,
): Promise<LintFinding[]> {
  const year = shanghaiYear(now)
  const { counts } = await readYear(source, year, datasets)
  return thresholdFindings(policyThresholds(policy), counts, year)
}
