// What the two operations that write a view straight to JSON bytes share (releaseJson in
// gate-release.ts, export in gate-export.ts): running the plan into a writer with the watermark
// rows woven among the real records, and the `not-modified` answer when the partner already holds
// the view's digest. Both need the bytes to learn the digest, so both run the plan the same way.
import type { JsonArrayWriter } from '../lib/json-writer.js'
import type { ReleasePlan } from '../policy/plan.js'
import type { ReleaseReport } from '../policy/release.js'
import type { GateCore } from './gate-core.js'
import type { NotModified } from './not-modified.js'
import { runCounted, type subjectTally } from './subject-count.js'

/**
 * Runs the plan into `writer`; an agreement with watermark rows releases into an array first,
 * so its synthetic rows go among the real ones. `real` counts the real records only.
 */
export function runMarkedPlan(
  core: GateCore,
  plan: ReleasePlan,
  rows: Iterable<unknown>,
  writer: JsonArrayWriter,
  tally: ReturnType<typeof subjectTally>,
): { report: ReleaseReport; count: number; real: number; marked: number } {
  if (!plan.agreement.watermark) {
    const run = runCounted(plan, rows, writer, tally)
    return { report: run.report, count: run.count, real: run.count, marked: 0 }
  }
  const realRecords: Record<string, unknown>[] = []
  const run = runCounted(plan, rows, realRecords, tally)
  const marked = core.watermarks.mark(plan, realRecords, core.now())
  for (const record of marked.records) writer.push(record)
  const report = marked.rows === 0 ? run.report : { ...run.report, watermarkRows: marked.rows }
  return { report, count: run.count + marked.rows, real: run.count, marked: marked.rows }
}

/**
 * Writes the `not-modified` event (durable before it resolves): nothing leaves. Its `rows` are
 * the real records (`real`), as the export's and release's events count them; `count` (with
 * watermark rows) is the view's, answered to the caller.
 */
export async function notModified(
  core: GateCore,
  plan: ReleasePlan,
  count: number,
  payloadDigest: string,
  details: Record<string, string | number | boolean>,
  real = count,
): Promise<NotModified> {
  const { audit } = core
  if (audit.enabled)
    await audit.append({
      type: 'not-modified',
      ...audit.facts(plan),
      rows: real,
      payloadDigest,
      details,
    })
  return { notModified: true, payloadDigest, count }
}
