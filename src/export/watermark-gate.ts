// The gate's side of watermark rows, kept out of gate.ts: the check at createGate and setPolicy
// that every watermarked agreement can get its rows (a key, and rows the schema and condition
// accept), and what audit events record of them (how many, and the key's id, never the key).
import type { Dataset } from '../classify/dataset.js'
import { DatagateError, isDatagateError } from '../errors.js'
import type { Policy } from '../policy/load.js'
import { compilePlan } from '../policy/plan.js'
import type { Watermarker } from './watermark.js'

/**
 * Fails closed (`ERR_WATERMARK_UNAVAILABLE`) when the policy has a watermarked agreement and the
 * gate has no watermark key, or when its rows cannot be made for the current period. A plan that
 * does not compile here (a missing pseudonym key, say) is left to fail on request as before.
 */
export function checkWatermarks(
  policy: Policy,
  datasets: readonly Dataset[],
  watermarks: Watermarker,
  context: { readonly pseudonymKey: Uint8Array | undefined; readonly now: () => Date },
): void {
  for (const partner of policy.partners) {
    for (const agreement of partner.agreements) {
      if (!agreement.watermark) continue
      if (watermarks.keyId === undefined)
        throw new DatagateError(
          'ERR_WATERMARK_UNAVAILABLE',
          `createGate: agreement ${agreement.id} of partner ${partner.id} has watermark rows; pass watermarkKey (32 random bytes)`,
        )
      const dataset = datasets.find((d) => d.name === agreement.dataset)
      if (!dataset) continue
      let plan: ReturnType<typeof compilePlan>
      try {
        plan = compilePlan(partner, agreement, dataset, {
          pseudonymKey: context.pseudonymKey,
          policyHash: policy.hash,
        })
      } catch (error) {
        if (isDatagateError(error)) continue
        throw error
      }
      watermarks.check(plan, context.now())
    }
  }
}

/** Audit event details of a release with `rows` watermark rows: none without any. */
export function watermarkDetails(
  rows: number,
  watermarks: Watermarker,
): { watermarkRows?: number; watermarkKeyId?: string } {
  if (rows === 0 || watermarks.keyId === undefined) return {}
  return { watermarkRows: rows, watermarkKeyId: watermarks.keyId }
}
