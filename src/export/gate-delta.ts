// The gate's signed delta: the JSON Patch from the view the partner holds to the view it would
// be released now. Both views come from the same deterministic plan (no aggregates, no noise),
// each record released once into its canonical JSON, and each version filtered by the consent
// of its own time, so a withdrawal in between becomes `remove` operations.
import { assertDate, invalidArgument } from '../lib/assert.js'
import { textDigest } from '../lib/digest.js'
import type { ReleasePlan } from '../policy/plan.js'
import { canonicalKeys, type KeyMemo } from '../policy/release.js'
import { policyThresholds } from '../policy/thresholds.js'
import { consentedRows, inOriginalRows } from './consent-filter.js'
import type { GateCore, ReleaseRequest } from './gate-core.js'
import { diffPreparedViews, type PatchOperation, viewDigest, viewOfKeys } from './patch.js'
import { type SignedEnvelope, signEnvelope } from './sign.js'
import { subjectTally } from './subject-count.js'
import { DELTA_TYP } from './typ.js'
import { watermarkDetails } from './watermark-gate.js'

/**
 * What a delta is for: a release request, and under a consent agreement when the partner's
 * current view was released.
 *
 * @example
 * ```ts
 * import type { DeltaRequest } from 'datagate'
 *
 * const request: DeltaRequest = { partner: 'insure-co', dataset: 'claim', purpose: 'claims',
 *   previousAt: new Date('2026-06-01T00:00:00Z') }
 * console.log(request.previousAt?.toISOString()) // '2026-06-01T00:00:00.000Z'
 * ```
 */
export interface DeltaRequest extends ReleaseRequest {
  /**
   * When the partner's current view was released (the previous export's time). Required when
   * the agreement declares `consent`: the base view is computed with consent as of then, the new
   * one with consent now, so a withdrawal in between becomes `remove` operations. With
   * `watermark` rows the base view has the rows of that time's period (without it, of now's):
   * give it when the previous export may be from another month.
   */
  readonly previousAt?: Date
}

/** A signed delta. */
export interface SignedDelta extends SignedEnvelope {
  readonly jti: string
  /** The RFC 6902 operations, also inside the signed payload under `patch`. */
  readonly patch: readonly PatchOperation[]
  /** Digest of the released view the patch applies to. */
  readonly baseDigest: string
  /** Digest of the released view the patch produces. */
  readonly resultDigest: string
}

/**
 * Both versions of a delta filtered by consent: the previous rows as of `previousAt` (what the
 * partner was given then), the current rows as of now, so a withdrawal becomes a removal.
 */
async function consentedVersions(
  core: GateCore,
  plan: ReleasePlan,
  previousRows: Iterable<unknown>,
  rows: Iterable<unknown>,
  previousAt: Date | undefined,
) {
  if (plan.agreement.consent === undefined)
    return {
      previousRows,
      rows,
      audit: {} as { consentDropped?: number },
      previousOrigin: undefined,
      origin: undefined,
    }
  if (previousAt === undefined)
    invalidArgument(
      'type',
      `exportDelta: previousAt (agreement ${plan.agreement.id} releases with consent)`,
      "a Date: when the partner's current view was released",
    )
  assertDate(previousAt, 'exportDelta: previousAt')
  const before = await consentedRows(plan, previousRows, core.consentStore, previousAt)
  const after = await consentedRows(plan, rows, core.consentStore, core.now())
  return {
    previousRows: before.rows,
    rows: after.rows,
    audit: after.audit,
    previousOrigin: before.origin,
    origin: after.origin,
  }
}

/** `gate.exportDelta`: signs the patch from the previous released view to the current one. */
export async function exportDelta(
  core: GateCore,
  previousRows: Iterable<unknown>,
  rows: Iterable<unknown>,
  request: DeltaRequest,
): Promise<SignedDelta> {
  const { audit, now, watermarks } = core
  core.requireOpen()
  const keys = core.requireKeys()
  const plan = await core.auditedPlan(request)
  if (plan.kind === 'aggregate')
    invalidArgument(
      'range',
      `exportDelta: agreement ${plan.agreement.id}`,
      'a records agreement, not an aggregate (a patch between suppressed tables can reveal suppressed cells; export it whole)',
    )
  if (!plan.deterministic)
    invalidArgument(
      'range',
      `exportDelta: ${plan.noisyFields[0] ?? 'a field'}`,
      "a field without noise (it gets fresh noise on every release, so the partner's view cannot be the base of a patch; export it whole)",
    )
  // Each record is released straight into its canonical JSON, once: edit-script key, digest
  // part, and normalised form of the records that changed.
  // A row object given in both versions is released once (the plan is deterministic).
  const memo: KeyMemo = new Map()
  const versions = await consentedVersions(core, plan, previousRows, rows, request.previousAt)
  // Each view carries its period's watermark rows, anchored alike: within a month the patch
  // leaves them be. The base is the view as released at `previousAt` (else now): a partner
  // holding last month's view holds last month's rows, and the patch swaps them.
  const at = now()
  if (request.previousAt !== undefined) assertDate(request.previousAt, 'exportDelta: previousAt')
  const before = viewOfKeys(
    watermarks.markKeys(
      plan,
      inOriginalRows(versions.previousOrigin, () =>
        canonicalKeys(plan, versions.previousRows, memo),
      ),
      request.previousAt ?? at,
    ).keys,
  )
  // The new view is what the partner holds after the patch: its subjects are counted (again,
  // for those counted before: a HyperLogLog merge is a maximum, so nobody counts twice).
  const tally = subjectTally(core.counting, plan, policyThresholds(core.policy()))
  const realAfter = inOriginalRows(versions.origin, () =>
    canonicalKeys(plan, versions.rows, memo, tally ? (row) => tally.observe(row) : undefined),
  )
  const markedAfter = watermarks.markKeys(plan, realAfter, at)
  const afterKeys = markedAfter.keys
  const afterView = viewOfKeys(afterKeys)
  const patch = diffPreparedViews(before, afterView)
  const baseDigest = before.digest
  const resultDigest = afterView.digest
  const jti = core.newJti()
  const claims = {
    ...core.baseClaims(plan, jti),
    audit: audit.receipt(),
    baseDigest,
    resultDigest,
    count: afterKeys.length,
    operations: patch.length,
    patch,
  }
  // Counted (and refused past a threshold) before anything is signed.
  const subjects = await core.countSubjects(tally, request)
  const envelope = await signEnvelope(claims, keys, { typ: DELTA_TYP })
  await audit.append({
    type: 'delta',
    ...audit.facts(plan),
    rows: realAfter.length,
    payloadDigest: viewDigest(patch),
    jti,
    signedDigest: textDigest(JSON.stringify(claims)),
    ...versions.audit,
    details: {
      kid: envelope.kid,
      baseDigest,
      resultDigest,
      operations: patch.length,
      ...subjects,
      ...watermarkDetails(markedAfter.rows, watermarks),
    },
  })
  return { ...envelope, jti, patch, baseDigest, resultDigest }
}
