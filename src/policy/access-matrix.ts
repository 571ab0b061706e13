/**
 * The access matrix: for every partner, dataset and field, what the partner receives and under
 * which agreements. The data behind the compliance report.
 *
 * @packageDocumentation
 */
import type { Dataset } from '../classify/dataset.js'
import type { FieldClass } from '../classify/types.js'
import { readClock } from '../lib/clock.js'
import { abilityFromAgreements } from './ability.js'
import type { Policy } from './load.js'
import { type ClassRefusal, classRefusal } from './receivable.js'
import type { PartnerCategory, Standing } from './types.js'
import { isActiveAt } from './validity.js'

/** What a partner receives of one field. */
export type FieldAccess = 'raw' | 'transformed' | 'denied'

/** Why a field is denied. */
export type DenialReason =
  | ClassRefusal
  | 'not_granted'
  | 'suspended'
  | 'revoked'
  | 'no_active_agreement'

/** One cell of the matrix. */
export interface AccessMatrixEntry {
  readonly partner: string
  readonly category: PartnerCategory
  readonly standing: Standing
  readonly dataset: string
  readonly field: string
  readonly class: FieldClass
  readonly access: FieldAccess
  /** The operator applied (`keep` for raw), or `null` when denied. */
  readonly operator: string | null
  /** Agreements (with purpose) that grant the field at `asOf`. */
  readonly agreements: readonly { readonly id: string; readonly purpose: string }[]
  readonly reason: DenialReason | null
}

/** The matrix at one point in time. */
export interface AccessMatrix {
  /** The instant agreements were evaluated at, ISO 8601. */
  readonly asOf: string
  readonly policyHash: string
  readonly entries: readonly AccessMatrixEntry[]
}

/**
 * Computes the access matrix of a policy over datasets at `now`. Grants are read from the
 * CASL abilities, the same source release plans use.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { accessMatrix, defineDataset, field, loadPolicy } from 'datagate'
 *
 * const Outlet = defineDataset('outlet', z.object({
 *   outletId: field.public(z.string()),
 *   managerName: field.sensitive(z.string()),
 * }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'maps-co', name: 'Maps Co',
 *   category: 'traffic', standing: 'gold', core: false, agreements: [{ id: 'm1', dataset: 'outlet',
 *   purpose: 'map', fields: ['outletId'], validFrom: '2026-01-01', validUntil: '2026-12-31' }] }] },
 *   { datasets: [Outlet] })
 * const matrix = accessMatrix(policy, [Outlet], { now: () => new Date('2026-06-01') })
 * console.log(matrix.entries.map((e) => `${e.field}:${e.access}`)) // [ 'outletId:raw', 'managerName:denied' ]
 * ```
 */
export function accessMatrix(
  policy: Policy,
  datasets: readonly Dataset[],
  options: { readonly now?: () => Date } = {},
): AccessMatrix {
  const now = readClock(options.now, 'options.now')
  const time = now.getTime()
  const entries: AccessMatrixEntry[] = []
  for (const partner of policy.partners) {
    for (const dataset of datasets) {
      const active = partner.agreements.filter(
        (a) => a.dataset === dataset.name && isActiveAt(a, time),
      )
      const perAgreement = active.map((agreement) => ({
        agreement,
        ability: abilityFromAgreements(dataset.name, [agreement]),
      }))
      for (const f of dataset.fields) {
        const granting = perAgreement
          .filter(({ agreement, ability }) => ability.can(agreement.purpose, dataset.name, f.path))
          .map(({ agreement }) => ({ id: agreement.id, purpose: agreement.purpose }))
        const reason: DenialReason | null =
          classRefusal(f.class, partner.core) ??
          (partner.standing === 'yellow'
            ? 'suspended'
            : partner.standing === 'terminated'
              ? 'revoked'
              : active.length === 0
                ? 'no_active_agreement'
                : granting.length === 0
                  ? 'not_granted'
                  : null)
        const access: FieldAccess = reason ? 'denied' : f.class === 'public' ? 'raw' : 'transformed'
        entries.push({
          partner: partner.id,
          category: partner.category,
          standing: partner.standing,
          dataset: dataset.name,
          field: f.path,
          class: f.class,
          access,
          operator: reason ? null : f.operator.name,
          agreements: reason ? [] : granting,
          reason,
        })
      }
    }
  }
  return { asOf: now.toISOString(), policyHash: policy.hash, entries }
}
