// What the two operations that write a view straight to JSON bytes share (releaseJson in
// gate-release.ts, export in gate-export.ts): running the plan into a writer with the watermark
// rows woven among the real records, and the `not-modified` answer when the partner already holds
// the view's digest. Both need the bytes to learn the digest, so both run the plan the same way.
// Nothing here awaits before the plan has run: the callers keep their own awaits (consent,
// budget), so concurrent requests reach the chain in the order they did when this was inline.
import type { JsonArrayWriter } from '../lib/json-writer.js'
import type { ReleasePlan } from '../policy/plan.js'
import type { ReleaseReport } from '../policy/release.js'
import { policyThresholds } from '../policy/thresholds.js'
import type { BudgetDetails } from './budget.js'
import { inOriginalRows } from './consent-filter.js'
import type { GateCore } from './gate-core.js'
import { heldBy, type NotModified } from './not-modified.js'
import {
  runCounted,
  type SubjectDetails,
  type SubjectTally,
  subjectTally,
} from './subject-count.js'
import { watermarkDetails } from './watermark-gate.js'

/** A view written into a writer: `count` records in it, `real` of them released, `marked` synthetic. */
export interface WrittenView {
  /** Its subjects, to count before anything leaves (none when the dataset has no subject). */
  readonly tally: SubjectTally | undefined
  readonly report: ReleaseReport
  readonly count: number
  readonly real: number
  readonly marked: number
}

/**
 * Runs the plan over the consented rows into `writer`; an agreement with watermark rows releases
 * into an array first, so its synthetic rows go among the real ones.
 */
export function writeView(
  core: GateCore,
  plan: ReleasePlan,
  consent: { readonly rows: Iterable<unknown>; readonly origin?: readonly number[] },
  writer: JsonArrayWriter,
): WrittenView {
  const tally = subjectTally(core.counting, plan, policyThresholds(core.policy()))
  return inOriginalRows(consent.origin, () => {
    if (!plan.agreement.watermark) {
      const run = runCounted(plan, consent.rows, writer, tally)
      return { tally, report: run.report, count: run.count, real: run.count, marked: 0 }
    }
    const realRecords: Record<string, unknown>[] = []
    const run = runCounted(plan, consent.rows, realRecords, tally)
    const marked = core.watermarks.mark(plan, realRecords, core.now())
    for (const record of marked.records) writer.push(record)
    const report = marked.rows === 0 ? run.report : { ...run.report, watermarkRows: marked.rows }
    return { tally, report, count: run.count + marked.rows, real: run.count, marked: marked.rows }
  })
}

/** Audit event details of a written view: what was spent, counted and dropped, and its watermark. */
export function viewDetails(
  core: GateCore,
  view: WrittenView,
  spend: BudgetDetails | undefined,
  subjects: SubjectDetails | undefined,
): Record<string, string | number | boolean> {
  return {
    ...spend,
    ...subjects,
    unknownKeys: view.report.unknownKeysDropped,
    ...watermarkDetails(view.marked, core.watermarks),
  }
}

/**
 * Writes the `not-modified` event (durable before it resolves): nothing leaves. Its `rows` are
 * the real records, as the export's and release's events count them; `count` (with watermark
 * rows) is the view's, answered to the caller. A 304 gives nothing new: its subjects were counted
 * when the view was first released.
 */
export async function notModified(
  core: GateCore,
  plan: ReleasePlan,
  view: WrittenView,
  payloadDigest: string,
  answer: { readonly answers: 'release' | 'export'; readonly format?: string },
  held: ReadonlySet<string> | undefined,
  spend: BudgetDetails | undefined,
): Promise<NotModified> {
  const { audit } = core
  if (audit.enabled)
    await audit.append({
      type: 'not-modified',
      ...audit.facts(plan),
      rows: view.real,
      payloadDigest,
      details: {
        answers: answer.answers,
        held: heldBy(held, payloadDigest),
        ...(answer.format === undefined ? {} : { format: answer.format }),
        ...viewDetails(core, view, spend, undefined),
      },
    })
  return { notModified: true, payloadDigest, count: view.count }
}
