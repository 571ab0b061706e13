/**
 * `loadPolicy`: parses a policy document (YAML text, JSON text or an object), validates it
 * against the datasets and normalises it: wildcards expanded to leaf paths, dates parsed.
 *
 * @packageDocumentation
 */

import type { Dataset } from '../classify/dataset.js'
import { assertArray, assertObject } from '../lib/assert.js'
import { compileDocument } from './compile-policy.js'
import type { PolicyDocument } from './document.js'
import { policyInvalid } from './policy-error.js'
import { parseText } from './policy-text.js'
import type { Partner } from './types.js'
import { validateDocument } from './validate-document.js'

/**
 * A loaded, validated policy. Deeply frozen: every object in it, `document` and each agreement's
 * `where` included, refuses edits, since `hash` and every compiled plan were made from it as
 * loaded. Load a new one to change it.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { defineDataset, field, loadPolicy, type Policy } from 'datagate'
 *
 * const Order = defineDataset('repair_order', z.object({ hours: field.public(z.number()) }), { version: '1' })
 * const policy: Policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'rental-co', name: 'Rental Co',
 *   category: 'capability', standing: 'gold', core: true, agreements: [{ id: 'a1', dataset: 'repair_order',
 *   purpose: 'courtesy-car', fields: ['hours'], where: { hours: { $gt: 4 } },
 *   validFrom: '2026-01-01', validUntil: '2026-12-31' }] }] }, { datasets: [Order] })
 * console.log(Object.isFrozen(policy.partners[0]?.agreements[0]?.where?.hours)) // true
 * ```
 */
export interface Policy {
  readonly issuer: string
  readonly partners: readonly Partner[]
  /** `sha256:<hex>` of the canonical JSON of the document; every export and audit event names it. */
  readonly hash: string
  /** The document as written (after structural validation), for re-checking against other datasets. */
  readonly document: PolicyDocument
  /** Names of the datasets the policy was checked against. */
  readonly datasets: readonly string[]
  /** The partner with this id, or `undefined`. */
  partner(id: string): Partner | undefined
}

/** Options of {@link loadPolicy}. */
export interface LoadPolicyOptions {
  /** Every dataset the policy's agreements may name. */
  readonly datasets: readonly Dataset[]
}

export { compilePolicy } from './compile-policy.js'
export { MAX_POLICY_TEXT } from './policy-text.js'

/**
 * Loads a policy: YAML text, JSON text or an object. Validates the structure with zod strict
 * objects, then every agreement against the datasets. Throws `ERR_POLICY_INVALID` whose
 * `findings` list every problem at once (see docs/policy.md for each code).
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { defineDataset, field, loadPolicy } from 'datagate'
 *
 * const Outlet = defineDataset('outlet', z.object({
 *   outletId: field.public(z.string()),
 *   city: field.public(z.string()),
 *   managerName: field.sensitive(z.string()),
 * }), { version: '1' })
 *
 * const policy = loadPolicy(`
 * issuer: oem-aftersales
 * partners:
 *   - id: maps-co
 *     name: Maps Co
 *     category: traffic
 *     standing: silver
 *     core: false
 *     agreements:
 *       - id: outlet-map-2026
 *         dataset: outlet
 *         purpose: map-display
 *         fields: ['*']
 *         validFrom: 2026-01-01
 *         validUntil: 2026-12-31
 * `, { datasets: [Outlet] })
 * console.log(policy.partner('maps-co')?.agreements[0]?.fields) // [ 'outletId', 'city' ]
 * ```
 */
export function loadPolicy(input: string | object, options: LoadPolicyOptions): Policy {
  assertObject(options, 'loadPolicy: options')
  assertArray(options.datasets, 'loadPolicy: options.datasets')
  const raw = typeof input === 'string' ? parseText(input) : input
  const validated = validateDocument(raw)
  if (validated.document === undefined) policyInvalid(validated.findings)
  const { policy, findings } = compileDocument(validated.document, options.datasets)
  if (!policy) policyInvalid(findings)
  return policy
}
