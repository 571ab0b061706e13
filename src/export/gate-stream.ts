// The gate's streams: `exportStream` wires a plan, the consent filter, the subject tally, the
// budget and the audit events (`stream-start` before the first chunk, `stream-end` with the
// manifest) around streamExport (stream.ts), and `signStreamSet` signs the manifest of one
// export split into partition streams. Both sign under a records plan and share that wiring.
import { assertArray, assertObject, assertString, invalidArgument } from '../lib/assert.js'
import type { ReleasePlan } from '../policy/plan.js'
import { policyThresholds } from '../policy/thresholds.js'
import { type BudgetDetails, chargeFirst, chargeRelease } from './budget.js'
import { consentedStream, inOriginalStreamRows } from './consent-filter.js'
import type { GateCore, ReleaseRequest } from './gate-core.js'
import {
  assertStreamSource,
  rowsOf,
  type StreamPart,
  type StreamSource,
  streamExport,
} from './stream.js'
import { type SignedStreamSet, setEntries, signStreamSet as signSet } from './stream-set-sign.js'
import { subjectTally } from './subject-count.js'

/** Options of {@link Gate.exportStream}. */
export interface StreamRequest extends ReleaseRequest {
  /**
   * Records per signed chunk; default 625 (a partner verifying a 1,000,000-record stream in the
   * issuer's process peaked at 117-121 MB with it, 149-154 MB with 1,000, 146-182 MB with 2,000:
   * docs/benchmarks.md).
   */
  readonly chunkSize?: number
}

/**
 * What {@link Gate.signStreamSet} signs: one export split into partitions (`datagate/jobs`).
 *
 * @example
 * ```ts
 * import type { StreamSetRequest } from 'datagate'
 *
 * const request: StreamSetRequest = { partner: 'maps-co', dataset: 'outlet', purpose: 'map',
 *   set: 'nightly-2026-12-01', manifests: ['eyJ...0', 'eyJ...1'] }
 * console.log(request.manifests.length) // 2
 * ```
 */
export interface StreamSetRequest extends ReleaseRequest {
  /** The export id (1 to 128 characters). */
  readonly set: string
  /** Each partition's stream manifest token, in partition order. */
  readonly manifests: readonly string[]
}

/** A stream that yields nothing and fails with the refusal once its audit event is written. */
// biome-ignore lint/correctness/useYield: it only ever rejects, on its first read
async function* refusedStream(
  refusal: Promise<never>,
): AsyncGenerator<StreamPart, void, undefined> {
  await refusal
}

/** `gate.exportStream`: signed chunks of records, then a signed manifest linking them. */
export function exportStream(
  core: GateCore,
  rows: StreamSource,
  request: StreamRequest,
): AsyncGenerator<StreamPart, void, undefined> {
  const { audit, now } = core
  core.requireOpen()
  const keys = core.requireKeys()
  let plan: ReleasePlan
  try {
    plan = core.planFor(request)
  } catch (error) {
    // The refusal surfaces when the stream is first read, after its `denied` event is
    // durable (or as the audit failure), as export() does: a refusal is never unrecorded.
    return refusedStream(audit.denied(request, error))
  }
  if (plan.kind === 'aggregate')
    invalidArgument(
      'range',
      `exportStream: agreement ${plan.agreement.id}`,
      'a records agreement, not an aggregate (use export())',
    )
  if (plan.agreement.watermark)
    invalidArgument(
      'range',
      `exportStream: agreement ${plan.agreement.id}`,
      'an agreement without watermark rows (streams do not carry them yet; use export())',
    )
  assertStreamSource(rows)
  // Counted chunk by chunk: the registers only grow (a HyperLogLog merge is a maximum), so
  // each chunk merges everything released so far, and a threshold refuses the next chunk.
  const tally = subjectTally(core.counting, plan, policyThresholds(core.policy()))
  let subjects: Record<string, number | string> | undefined
  let spend: BudgetDetails | undefined
  const consentCount: { dropped: number; lastRow?: number } = { dropped: 0 }
  const source = plan.agreement.consent
    ? consentedStream(plan, rowsOf(rows), core.consentStore, now, consentCount)
    : rows
  const parts = streamExport(source, {
    plan,
    keys,
    ...(tally
      ? {
          tally: {
            observe: (row: unknown) => tally.observe(row),
            beforeChunk: async () => {
              subjects = { ...(await core.countSubjects(tally, request)) }
            },
          },
        }
      : {}),
    chunkSize: request.chunkSize ?? 625,
    claims: (jti) => core.baseClaims(plan, jti),
    newJti: core.newJti,
    receipt: audit.receipt,
    onStart: async (stream) => {
      await audit.ready()
      await audit.append({
        type: 'stream-start',
        ...audit.facts(plan),
        stream,
        details: { kid: keys.current.kid },
      })
    },
    onComplete: (summary) =>
      audit.append({
        type: 'stream-end',
        ...audit.facts(plan),
        rows: summary.count,
        payloadDigest: summary.manifestDigest,
        jti: summary.jti,
        signedDigest: summary.signedDigest,
        stream: summary.stream,
        chunks: summary.chunks,
        ...(plan.agreement.consent ? { consentDropped: consentCount.dropped } : {}),
        ...(spend || subjects ? { details: { ...spend, ...subjects } } : {}),
      }),
  })
  // Spends before the first chunk leaves; a refused charge leaves nothing.
  return chargeFirst(
    async () => {
      spend = await chargeRelease(core.budget, plan, now())
    },
    plan.agreement.consent ? inOriginalStreamRows(parts, consentCount) : parts,
  )
}

/** `gate.signStreamSet`: the signed set manifest over partition streams this gate signed. */
export async function signStreamSet(
  core: GateCore,
  request: StreamSetRequest,
): Promise<SignedStreamSet> {
  const { audit } = core
  core.requireOpen()
  const keys = core.requireKeys()
  assertObject(request, 'signStreamSet: request')
  assertString(request.set, 'signStreamSet: set', { nonEmpty: true, maxLength: 128 })
  assertArray(request.manifests, 'signStreamSet: manifests', { nonEmpty: true })
  const plan = await core.auditedPlan(request)
  const context = { plan, keys, issuer: core.issuer, now: core.now }
  const entries = await setEntries(request.manifests, context, 'signStreamSet')
  const jti = core.newJti()
  const set = await signSet(request.set, entries, {
    ...context,
    claims: core.baseClaims(plan, jti),
    receipt: audit.receipt(),
  })
  await audit.append({
    type: 'stream-set',
    ...audit.facts(plan),
    rows: set.signed.count,
    payloadDigest: set.payloadDigest,
    jti,
    signedDigest: set.signedDigest,
    set: request.set,
    partitions: entries.length,
    details: { kid: set.kid },
  })
  return set.signed
}
