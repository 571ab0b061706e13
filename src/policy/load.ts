/**
 * `loadPolicy`: parses a policy document (YAML text, JSON text or an object), validates it
 * against the datasets and normalises it: wildcards expanded to leaf paths, dates parsed.
 *
 * @packageDocumentation
 */

import type { Dataset } from '../classify/dataset.js'
import { assertArray, assertObject } from '../lib/assert.js'
import { compileDocument, type Policy } from './compile-policy.js'
import { policyInvalid } from './policy-error.js'
import { parseText } from './policy-text.js'
import { validateDocument } from './validate-document.js'

/** Options of {@link loadPolicy}. */
export interface LoadPolicyOptions {
  /** Every dataset the policy's agreements may name. */
  readonly datasets: readonly Dataset[]
}

export { compilePolicy, type Policy } from './compile-policy.js'
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
