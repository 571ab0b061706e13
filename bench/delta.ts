// Deltas on 10,000 rows of which 1 % changed: gate.exportDelta against a naive delta (hand
// release of both versions + fast-json-patch `compare` + jose CompactSign), and applyDelta
// against jose jwtVerify + fast-json-patch `applyPatch` + the same two view digests. Both patches
// are checked to turn the partner's old view into its new one before anything is timed.
import { loadavg } from 'node:os'
import { isDeepStrictEqual } from 'node:util'
import { applyDelta, DELTA_TYP, type Gate, type KeyRing, viewDigest } from 'datagate'
import jsonpatch, { type Operation } from 'fast-json-patch'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { handRelease, naiveSigner, type Released } from './baselines.js'
import { type AfterSalesRow, ISSUER, NOW, REQUEST } from './fixtures.js'
import { type ComparisonReport, interleave, paired, scaledRounds } from './harness.js'

/** Rows of each version. */
export const DELTA_ROWS = 10_000
const STATUSES = ['待检测', '维修中', '待取车', '已完成']

/** The next version of `rows`: every 100th order moves to another status. */
export function changedRows(rows: readonly AfterSalesRow[]): AfterSalesRow[] {
  return rows.map((row, i) => {
    if (i % 100 !== 0) return row
    const status = STATUSES[(STATUSES.indexOf(row.status) + 1) % STATUSES.length] as string
    return { ...row, status }
  })
}

function naiveDelta(keys: KeyRing) {
  const release = handRelease()
  const sign = naiveSigner(keys, DELTA_TYP)
  return async (before: readonly AfterSalesRow[], after: readonly AfterSalesRow[]) => {
    const patch = jsonpatch.compare(release(before), release(after))
    return { token: await sign({ patch }), patch }
  }
}

function patched(view: readonly Released[], patch: readonly unknown[]): unknown {
  return jsonpatch.applyPatch(structuredClone(view), patch as Operation[], true, false).newDocument
}

/** Runs the delta comparison. */
export async function deltaComparison(
  gate: Gate,
  keys: KeyRing,
  workload: readonly AfterSalesRow[],
): Promise<ComparisonReport> {
  const before = workload.slice(0, DELTA_ROWS)
  const after = changedRows(before)
  const naive = naiveDelta(keys)
  const hand = handRelease()
  const beforeView = hand(before)
  const afterView = hand(after)

  const ours = await gate.exportDelta(before, after, REQUEST)
  const theirs = await naive(before, after)
  const jwks = gate.jwks()
  const keySet = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0])
  const verifyOptions = { jwks, issuer: ISSUER, audience: REQUEST.partner, now: () => NOW }
  const joseOptions = {
    issuer: ISSUER,
    audience: REQUEST.partner,
    typ: DELTA_TYP,
    algorithms: ['EdDSA'],
    currentDate: NOW,
  }
  /** jose verify + applyPatch + the two digests applyDelta checks, fail closed like it. */
  const joseApply = async (current: readonly Released[], token: string) => {
    const { payload } = await jwtVerify(token, keySet, joseOptions)
    if (viewDigest(current) !== payload.baseDigest) throw new Error('base digest differs')
    const next = jsonpatch.applyPatch(
      current,
      payload.patch as Operation[],
      true,
      false,
    ).newDocument
    if (viewDigest(next) !== payload.resultDigest) throw new Error('result digest differs')
    return next
  }
  const applied = await applyDelta(beforeView, ours.token, verifyOptions)
  const checks = [
    {
      baseline: 'naive delta (its patch applied)',
      ok: isDeepStrictEqual(patched(beforeView, theirs.patch), afterView),
    },
    {
      baseline: 'exportDelta (its patch applied)',
      ok: isDeepStrictEqual(patched(beforeView, ours.patch), afterView),
    },
    { baseline: 'applyDelta', ok: isDeepStrictEqual(applied, afterView) },
    {
      baseline: 'jose verify + applyPatch + digests',
      ok: isDeepStrictEqual(await joseApply(beforeView, ours.token), afterView),
    },
  ]

  const loadBefore = loadavg()[0] as number
  const result = await interleave(
    [
      { name: 'gate.exportDelta', run: () => gate.exportDelta(before, after, REQUEST) },
      { name: 'naive delta', run: () => naive(before, after) },
      { name: 'applyDelta', run: () => applyDelta(beforeView, ours.token, verifyOptions) },
      {
        name: 'jose verify + applyPatch + 2 digests',
        run: () => joseApply(beforeView, ours.token),
      },
    ],
    { rounds: scaledRounds(2) },
  )
  const loadAfter = loadavg()[0] as number
  return {
    id: 'delta',
    title: `Delta (${DELTA_ROWS.toLocaleString('en-US')} rows, 1 % changed: ${ours.patch.length} operations)`,
    checks,
    timings: result.cases,
    ratios: [
      paired(result, 'gate.exportDelta', 'naive delta'),
      paired(result, 'applyDelta', 'jose verify + applyPatch + 2 digests'),
    ],
    notes: [
      `the naive delta's patch (fast-json-patch compare) has ${theirs.patch.length} operations`,
      'applyPatch in the baseline applies without validation but to a copy (mutateDocument false), as applyDelta never mutates the caller',
    ],
    load: [loadBefore, loadAfter],
  }
}
