/**
 * Running a release plan over rows: validate, filter, cap, project, and (for aggregate
 * agreements) aggregate with small-cell suppression. All or nothing: any failure throws and
 * no record is returned.
 *
 * @packageDocumentation
 */
import { type AggregateReport, aggregate } from '../anonymize/aggregate.js'
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
  /**
   * Top-level keys of the rows that the schema does not declare, dropped (unknown nested keys
   * are dropped too, uncounted: only the leaves a plan reads are looked at).
   */
  readonly unknownKeysDropped: number
  /** Present for aggregate agreements. */
  readonly aggregate?: AggregateReport
  /** Synthetic records added for leak tracing (`watermark: { rows }`), beside `rows.released`. */
  readonly watermarkRows?: number
}

/** The result of a release. */
export interface ReleaseResult<R = Record<string, unknown>> {
  readonly records: R[]
  readonly report: ReleaseReport
}

/** Where a run puts its released records: an array, or a writer that serialises them. */
export interface RecordSink {
  push(record: Record<string, unknown>): unknown
}

/** A release in progress: rows go in one at a time (batches and streams alike). */
export interface PlanRun<R = Record<string, unknown>> {
  /**
   * Runs one row through the plan: validates what the plan reads, filters, caps and projects.
   * Returns the released record, or `undefined` when the row is filtered or the cap is reached.
   * Throws `ERR_RECORD_INVALID` naming the row index. Aggregate plans return records to
   * aggregate, not to release; use {@link runPlan}.
   */
  row(row: unknown): R | undefined
  /**
   * Counts a row whose outcome an earlier call of {@link PlanRun.row} of a run of the same
   * deterministic plan found for the same row object: `outcome` is what it projected to, or
   * `null` when the conditions filtered it out. Applies the cap as {@link PlanRun.row} does and
   * returns the projection, or `undefined` when filtered or capped.
   */
  repeat(outcome: R | null, unknownKeys: number): R | undefined
  /** Records released so far. */
  readonly released: number
  /** Rows the conditions filtered out so far. */
  readonly filtered: number
  /** Unknown top-level keys counted so far. */
  readonly unknownKeysDropped: number
  /** The report of the rows seen so far. */
  report(aggregateReport?: AggregateReport): ReleaseReport
}

/**
 * Starts a run of `plan`. `project` is what a released row becomes: the plan's projection by
 * default, or e.g. `plan.canonicalKey` (deltas, which need only each record's canonical JSON).
 */
export function startRun(plan: ReleasePlan): PlanRun
export function startRun<R>(plan: ReleasePlan, project: (record: unknown) => R): PlanRun<R>
export function startRun(
  plan: ReleasePlan,
  project: (record: unknown) => unknown = plan.project,
): PlanRun<unknown> {
  let received = 0
  let filtered = 0
  let released = 0
  let capped = false
  let unknownKeysDropped = 0
  const { read, predicate, cap } = plan
  // Counts a row past the condition (or not) and under the cap (or not): true when it is released.
  function admit(passes: boolean): boolean {
    if (!passes) {
      filtered++
      return false
    }
    if (cap !== undefined && released >= cap) {
      capped = true
      return false
    }
    released++
    return true
  }
  return {
    row(row) {
      const index = received
      received++
      let parsed: ReturnType<ReleasePlan['read']>
      try {
        parsed = read(row)
      } catch (error) {
        if (isDatagateError(error, 'ERR_RECORD_INVALID')) {
          throw new DatagateError('ERR_RECORD_INVALID', `row ${index}: ${error.message}`, {
            cause: error,
            findings: error.findings.map((f) => ({ ...f, path: `[${index}].${f.path}` })),
          })
        }
        throw error
      }
      unknownKeysDropped += parsed.unknownKeys
      return admit(predicate(parsed.record)) ? project(parsed.record) : undefined
    },
    repeat(outcome, unknownKeys) {
      received++
      unknownKeysDropped += unknownKeys
      return admit(outcome !== null) ? outcome : undefined
    },
    get released() {
      return released
    },
    get filtered() {
      return filtered
    },
    get unknownKeysDropped() {
      return unknownKeysDropped
    },
    report(aggregateReport) {
      return {
        partner: plan.partner.id,
        dataset: plan.dataset.name,
        datasetVersion: plan.dataset.version,
        schemaHash: plan.dataset.schemaHash,
        purpose: plan.purpose,
        agreement: plan.agreement.id,
        policyHash: plan.policyHash,
        fields: plan.fields,
        rows: { received, filtered, released, capped, cap: cap ?? null },
        unknownKeysDropped,
        ...(aggregateReport ? { aggregate: aggregateReport } : {}),
      }
    },
  }
}

/**
 * Runs a plan over all rows into `sink`, the one pipeline behind release, export, delta and
 * stream: records plans push each released record as it is made; aggregate plans push the
 * aggregated rows. Returns the report and the number of records pushed. All or nothing: any
 * failure throws, and a caller must discard what the sink holds.
 */
export function runPlan(
  plan: ReleasePlan,
  rows: Iterable<unknown>,
  sink: RecordSink,
): { readonly report: ReleaseReport; readonly count: number } {
  assertRows(rows)
  const run = startRun(plan)
  const spec = plan.agreement.aggregate
  if (plan.kind === 'records' || !spec) {
    for (const row of rows) {
      const released = run.row(row)
      if (released !== undefined) sink.push(released)
    }
    return { report: run.report(), count: run.released }
  }
  const records: Record<string, unknown>[] = []
  for (const row of rows) {
    const released = run.row(row)
    if (released !== undefined) records.push(released)
  }
  const result = aggregate(records, {
    by: spec.by,
    measures: spec.measures,
    k: plan.agreement.k ?? 5,
    ...(spec.totals ? { totals: spec.totals } : {}),
    ...(spec.protectionWidth ? { protectionWidth: spec.protectionWidth } : {}),
    ...(spec.noise ? { noise: spec.noise } : {}),
    ...(plan.auditor ? { auditor: plan.auditor } : {}),
    ...(plan.random ? { random: plan.random } : {}),
  })
  for (const row of result.rows) sink.push({ ...row.group, ...row.values })
  return { report: run.report(result.report), count: result.rows.length }
}

function assertRows(rows: Iterable<unknown>): void {
  if (rows === null || typeof rows !== 'object' || !(Symbol.iterator in rows)) {
    throw new DatagateError(
      'ERR_INVALID_ARGUMENT',
      'release: rows must be an array or iterable of records',
      {
        cause: new TypeError('rows not iterable'),
      },
    )
  }
}

/**
 * What a row object released to in a run of a deterministic plan: its canonical JSON, or `null`
 * when the conditions filtered it out, with the unknown top-level keys it had. Rows the cap cut
 * are not kept (their outcome was not computed).
 */
export type KeyMemo = Map<object, { readonly key: string | null; readonly unknownKeys: number }>

/**
 * Runs a records plan over all rows and returns each released record as its canonical JSON
 * (`plan.canonicalKey`), what a delta diffs and digests. Validates, filters and caps as
 * {@link runPlan} does; all or nothing.
 *
 * With `memo` (deltas of a deterministic plan, both versions run synchronously one after the
 * other): a row object found in it is not read or projected again, its outcome is reused (the
 * cap still counts it), and every row object released or filtered is added to it. A
 * deterministic plan releases the same object to the same text, so the keys are the same; a
 * row whose accessors answer differently on each read is released as first read (and
 * validated as read then). Rows that are equal but distinct objects are run again. `observe`
 * sees each row a key was released from (the subject counters of a delta's new view).
 */
export function canonicalKeys(
  plan: ReleasePlan,
  rows: Iterable<unknown>,
  memo?: KeyMemo,
  observe?: (row: unknown) => void,
): string[] {
  assertRows(rows)
  const run = startRun(plan, plan.canonicalKey)
  const keys: string[] = []
  for (const row of rows) {
    if (memo === undefined || typeof row !== 'object' || row === null) {
      const key = run.row(row)
      if (key !== undefined) {
        observe?.(row)
        keys.push(key)
      }
      continue
    }
    const known = memo.get(row)
    if (known !== undefined) {
      const key = run.repeat(known.key, known.unknownKeys)
      if (key !== undefined) {
        observe?.(row)
        keys.push(key)
      }
      continue
    }
    const filteredBefore = run.filtered
    const unknownBefore = run.unknownKeysDropped
    const key = run.row(row)
    const unknownKeys = run.unknownKeysDropped - unknownBefore
    if (key !== undefined) {
      observe?.(row)
      keys.push(key)
      memo.set(row, { key, unknownKeys })
    } else if (run.filtered > filteredBefore) memo.set(row, { key: null, unknownKeys })
  }
  return keys
}

/** Runs a plan over all rows and returns the released records with the report. */
export function runRelease(plan: ReleasePlan, rows: Iterable<unknown>): ReleaseResult {
  const records: Record<string, unknown>[] = []
  const { report } = runPlan(plan, rows, records)
  return { records, report }
}
