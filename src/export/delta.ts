/**
 * Partner side of deltas: verify a signed JSON Patch and apply it to the view the partner holds.
 *
 * @packageDocumentation
 */
import { DatagateError } from '../errors.js'
import type { VerifyExportOptions } from './export-claims.js'
import { applyPatchSafely, type PatchOperation, viewDigest } from './patch.js'
import { DELTA_TYP } from './typ.js'
import { verifyEnvelope } from './verify.js'

/**
 * Verifies a delta token and applies its patch to `current`, the released view the partner holds.
 * Checks, in order: the signature and claims (as {@link verifyExport}), that `current` is the
 * view the patch was made against (`ERR_DIGEST_MISMATCH`), that every operation is valid and safe
 * (`ERR_PATCH_INVALID`, `ERR_PATCH_UNSAFE`: no `__proto__`, `constructor` or `prototype` segment,
 * in `path` or `from`), and that the result is the view the issuer signed (`ERR_DIGEST_MISMATCH`).
 * `current` is never mutated; a new array is returned.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { applyDelta, createGate, defineDataset, field, generateKeys, loadPolicy, memoryAuditSink } from 'datagate'
 *
 * const Outlet = defineDataset('outlet', z.object({ outletId: field.public(z.string()),
 *   hours: field.public(z.string()) }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'maps-co', name: 'Maps Co', category: 'traffic',
 *   standing: 'gold', core: false, agreements: [{ id: 'm1', dataset: 'outlet', purpose: 'map',
 *   fields: ['outletId', 'hours'], validFrom: '2026-01-01', validUntil: '2026-12-31' }] }] }, { datasets: [Outlet] })
 * const clock = () => new Date('2026-06-01T00:00:00Z')
 * const gate = createGate({ issuer: 'oem', datasets: [Outlet], policy, keys: await generateKeys(), audit: memoryAuditSink(), now: clock })
 * const request = { partner: 'maps-co', dataset: 'outlet', purpose: 'map' }
 * const before = [{ outletId: 'O-1', hours: '8-18' }]
 * const after = [{ outletId: 'O-1', hours: '8-20' }, { outletId: 'O-2', hours: '9-17' }]
 * const delta = await gate.exportDelta(before, after, request)
 * const next = await applyDelta(before, delta.token, { jwks: gate.jwks(), issuer: 'oem', audience: 'maps-co',
 *   now: clock })
 * console.log(next) // [ { outletId: 'O-1', hours: '8-20' }, { outletId: 'O-2', hours: '9-17' } ]
 * ```
 */
export async function applyDelta<T = Record<string, unknown>>(
  current: readonly unknown[],
  token: string,
  options: VerifyExportOptions,
): Promise<T[]> {
  const { payload } = await verifyEnvelope(token, { ...options, typ: DELTA_TYP })
  const { baseDigest, resultDigest, patch } = payload as {
    baseDigest?: unknown
    resultDigest?: unknown
    patch?: unknown
  }
  if (typeof baseDigest !== 'string' || typeof resultDigest !== 'string' || !Array.isArray(patch)) {
    throw new DatagateError(
      'ERR_CLAIM_INVALID',
      'a delta carries baseDigest, resultDigest and patch',
    )
  }
  if (viewDigest(current) !== baseDigest) {
    throw new DatagateError(
      'ERR_DIGEST_MISMATCH',
      'the delta was made against another view than the one given',
    )
  }
  const next = applyPatchSafely(current, patch as PatchOperation[])
  if (viewDigest(next) !== resultDigest) {
    throw new DatagateError(
      'ERR_DIGEST_MISMATCH',
      'the patched view is not the one the issuer signed',
    )
  }
  if (!Array.isArray(next))
    throw new DatagateError('ERR_PATCH_INVALID', 'the patched view is not an array')
  return next as T[]
}
