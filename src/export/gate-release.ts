// The gate's unsigned releases: `release` (records as objects, digested for the audit event only
// while they are made) and `releaseJson` (records written once as JSON bytes: the body, the ETag
// and the event's digest, or a `not-modified` answer when the partner holds them). Both spend,
// filter by consent and count subjects as an export does, but sign nothing and need no keys.
import { assertObject } from '../lib/assert.js'
import { bytesDigest, digestingArray, jsonArrayDigest } from '../lib/digest.js'
import { JsonArrayWriter } from '../lib/json-writer.js'
import type { ReleaseResult } from '../policy/release.js'
import { policyThresholds } from '../policy/thresholds.js'
import { chargeRelease } from './budget.js'
import { consentedRows, inOriginalRows } from './consent-filter.js'
import type { GateCore, ReleaseRequest } from './gate-core.js'
import { notModified, viewDetails, writeView } from './gate-view.js'
import {
  type HeldDigests,
  heldSet,
  holds,
  type NotModified,
  type ReleasedJson,
} from './not-modified.js'
import { runCounted, subjectTally } from './subject-count.js'
import { watermarkDetails } from './watermark-gate.js'

/** `gate.release`: records filtered, projected and transformed, plus a report. */
export async function release(
  core: GateCore,
  rows: Iterable<unknown>,
  request: ReleaseRequest,
): Promise<ReleaseResult<never>> {
  const { audit, now } = core
  const plan = await core.auditedPlan(request)
  const consent = await consentedRows(plan, rows, core.consentStore, now())
  const spend = await chargeRelease(core.budget, plan, now())
  const tally = subjectTally(core.counting, plan, policyThresholds(core.policy()))
  // With an audit sink, digested as the records are made (the event's payloadDigest),
  // unless watermark rows are woven in afterwards: then the digest is of the woven records.
  // Without one, nothing is serialised.
  const digesting = audit.enabled ? digestingArray<Record<string, unknown>>() : undefined
  const released = digesting?.values ?? []
  const real = {
    records: released,
    report: inOriginalRows(consent.origin, () =>
      runCounted(plan, consent.rows, digesting ?? released, tally),
    ).report,
  }
  // The watermark rows first: a period whose rows cannot be made refuses before anyone is counted.
  const marked = core.watermarks.mark(plan, real.records, now())
  const subjects = await core.countSubjects(tally, request)
  const result =
    marked.rows === 0
      ? real
      : { records: marked.records, report: { ...real.report, watermarkRows: marked.rows } }
  // The digest is only for the audit event: JSON of the records, as an export would sign them.
  if (audit.enabled)
    await audit.append({
      type: 'release',
      ...audit.facts(plan),
      rows: real.records.length,
      payloadDigest:
        marked.rows === 0 && digesting ? digesting.digest() : jsonArrayDigest(result.records),
      ...consent.audit,
      details: {
        ...spend,
        ...subjects,
        unknownKeys: result.report.unknownKeysDropped,
        ...watermarkDetails(marked.rows, core.watermarks),
      },
    })
  // The plan validated and projected every record to the dataset's released shape.
  return result as ReleaseResult<never>
}

/** `gate.releaseJson`: a release written straight to JSON bytes, or a `not-modified` answer. */
export async function releaseJson(
  core: GateCore,
  rows: Iterable<unknown>,
  request: ReleaseRequest,
  options: { readonly held?: HeldDigests },
): Promise<ReleasedJson | NotModified> {
  const { audit, now } = core
  assertObject(options, 'releaseJson: options')
  const held =
    options.held === undefined ? undefined : heldSet(options.held, 'releaseJson: options.held')
  const plan = await core.auditedPlan(request)
  const consent = await consentedRows(plan, rows, core.consentStore, now())
  const spend = await chargeRelease(core.budget, plan, now())
  const writer = new JsonArrayWriter()
  const view = writeView(core, plan, consent, writer)
  // The array's own bytes, as JSON.stringify(records) writes them: one serialisation for
  // the body, the ETag and the release event's digest.
  const json = writer.finish('', '').array
  const payloadDigest = bytesDigest(json)
  if (holds(held, payloadDigest))
    return notModified(core, plan, view, payloadDigest, { answers: 'release' }, held, spend)
  const subjects = await core.countSubjects(view.tally, request)
  if (audit.enabled)
    await audit.append({
      type: 'release',
      ...audit.facts(plan),
      rows: view.real,
      payloadDigest,
      ...consent.audit,
      details: viewDetails(core, view, spend, subjects),
    })
  return { json, count: view.count, payloadDigest, report: view.report }
}
