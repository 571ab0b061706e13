/**
 * Running a release plan over rows: validate, filter, cap, project, and (for aggregate
 * agreements) aggregate with small-cell suppression. All or nothing: any failure throws and
 * no record is returned.
 *
 * @packageDocumentation
 */
import { type AggregateReport, aggregate } from '../anonymize/aggregate.js'
import type { IntervalAuditor } from '../anonymize/interval-audit.js'
import type { RandomSource } from '../anonymize/operator.js'
import { DatagateError, isDatagateError } from '../errors.js'
import type { PlanField, ReleasePlan } from './plan.js'

/** What a release did, without any value. */
export interface ReleaseReport {
  readonly partner: string
  readonly dataset: string
  readonly datasetVersion: string
  readonly schemaHash: string
  readonly purpose: string
  readonly agreement: string
  readonly policyHash: string
  /** Released fields with their operator. */
  readonly fields: readonly PlanField[]
  readonly rows: {
    /** Rows given to the release. */
    readonly received: number
    /** Rows the agreement's conditions filtered out. */
    readonly filtered: number
    /** Records released (for aggregate releases: records aggregated). */
    readonly released: number
    /** Whether the partner's record cap cut the release. */
    readonly capped: boolean
    readonly cap: number | null
  }
  /** Keys the schema does not know, dropped from the input (at any depth). */
  readonly unknownKeysDropped: number
  /** Present for aggregate agreements. */
  readonly aggregate?: AggregateReport
}

/** The result of a release. */
export interface ReleaseResult<R = Record<string, unknown>> {
  readonly records: R[]
  readonly report: ReleaseReport
}

/** Incremental state of a release, so streams can run the same steps chunk by chunk. */
export interface ReleaseCounter {
  received: number
  filtered: number
  released: number
  capped: boolean
  unknownKeysDropped: number
}

/** A fresh counter. */
export function newCounter(): ReleaseCounter {
  return { received: 0, filtered: 0, released: 0, capped: false, unknownKeysDropped: 0 }
}

/**
 * Runs one row through the plan: returns the released record, or `undefined` when the row is
 * filtered or the cap is reached. Throws `ERR_RECORD_INVALID` naming the row index.
 */
export function releaseRow(
  plan: ReleasePlan,
  row: unknown,
  counter: ReleaseCounter,
): Record<string, unknown> | undefined {
  const index = counter.received
  counter.received++
  let parsed: ReturnType<ReleasePlan['dataset']['parse']>
  try {
    parsed = plan.dataset.parse(row)
  } catch (error) {
    if (isDatagateError(error, 'ERR_RECORD_INVALID')) {
      throw new DatagateError('ERR_RECORD_INVALID', `row ${index}: ${error.message}`, {
        cause: error,
        findings: error.findings.map((f) => ({ ...f, path: `[${index}].${f.path}` })),
      })
    }
    throw error
  }
  counter.unknownKeysDropped += parsed.unknownKeys
  if (!plan.predicate(parsed.record)) {
    counter.filtered++
    return undefined
  }
  if (plan.cap !== undefined && counter.released >= plan.cap) {
    counter.capped = true
    return undefined
  }
  counter.released++
  return plan.project(parsed.record)
}

/** The report for a finished release. */
export function buildReport(
  plan: ReleasePlan,
  policyHash: string,
  counter: ReleaseCounter,
  aggregateReport?: AggregateReport,
): ReleaseReport {
  return {
    partner: plan.partner.id,
    dataset: plan.dataset.name,
    datasetVersion: plan.dataset.version,
    schemaHash: plan.dataset.schemaHash,
    purpose: plan.purpose,
    agreement: plan.agreement.id,
    policyHash,
    fields: plan.fields,
    rows: {
      received: counter.received,
      filtered: counter.filtered,
      released: counter.released,
      capped: counter.capped,
      cap: plan.cap ?? null,
    },
    unknownKeysDropped: counter.unknownKeysDropped,
    ...(aggregateReport ? { aggregate: aggregateReport } : {}),
  }
}

/** Runs a plan over all rows; aggregate agreements return aggregated rows. */
export function runRelease(
  plan: ReleasePlan,
  rows: Iterable<unknown>,
  policyHash: string,
  random?: RandomSource,
  auditor?: IntervalAuditor,
): ReleaseResult {
  if (rows === null || typeof rows !== 'object' || !(Symbol.iterator in rows)) {
    throw new DatagateError(
      'ERR_INVALID_ARGUMENT',
      'release: rows must be an array or iterable of records',
      {
        cause: new TypeError('rows not iterable'),
      },
    )
  }
  const counter = newCounter()
  const records: Record<string, unknown>[] = []
  for (const row of rows) {
    const released = releaseRow(plan, row, counter)
    if (released !== undefined) records.push(released)
  }
  const spec = plan.agreement.aggregate
  if (!spec) return { records, report: buildReport(plan, policyHash, counter) }
  const result = aggregate(records, {
    by: spec.by,
    measures: spec.measures,
    k: plan.agreement.k ?? 5,
    ...(spec.totals ? { totals: spec.totals } : {}),
    ...(spec.protectionWidth ? { protectionWidth: spec.protectionWidth } : {}),
    ...(spec.noise ? { noise: spec.noise } : {}),
    ...(auditor ? { auditor } : {}),
    ...(random ? { random } : {}),
  })
  const rowsOut = result.rows.map((row) => ({ ...row.group, ...row.values }))
  return { records: rowsOut, report: buildReport(plan, policyHash, counter, result.report) }
}
