/**
 * A partner's contract: one JSON Schema document (draft 2020-12) describing what each of its
 * agreements in force delivers now, built from the gate's own compiled plans.
 *
 * @packageDocumentation
 */
import { isDatagateError } from '../errors.js'
import { type JsonSchema, planRecordSchema } from '../policy/contract-schema.js'
import { resolvePartner } from '../policy/plan.js'
import type { Gate } from './gate.js'

export type { JsonSchema }

/** The dialect every contract is written in. */
export const CONTRACT_DIALECT = 'https://json-schema.org/draft/2020-12/schema'

function isoDay(time: number): string {
  return new Date(time).toISOString()
}

/**
 * The contract of `partner`: a JSON Schema whose `$defs` hold one schema per agreement in force
 * at the gate's current time (keyed by agreement id, with its dataset, purpose and validity in
 * `title` and `description`), and which as a whole accepts a record any of them may deliver.
 * Only granted fields are named. Throws what a release would for the partner's standing:
 * `ERR_UNKNOWN_PARTNER`, `ERR_PARTNER_SUSPENDED`, `ERR_PARTNER_REVOKED`.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { createGate, defineDataset, field, loadPolicy, mask } from 'datagate'
 * import { releaseContract } from './contract.js'
 *
 * const Order = defineDataset('order', z.object({ orderId: field.public(z.string()),
 *   phone: field.desensitised(z.string(), mask.phone()), owner: field.sensitive(z.string()) }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'p', name: 'P', category: 'resource', standing: 'gold',
 *   core: true, agreements: [{ id: 'a1', dataset: 'order', purpose: 'repair', fields: ['orderId', 'phone'],
 *   validFrom: '2026-01-01', validUntil: '2099-12-31' }] }] }, { datasets: [Order] })
 * const gate = createGate({ issuer: 'oem', datasets: [Order], policy, audit: false })
 * const contract = releaseContract(gate, 'p')
 * console.log(Object.keys(contract.$defs as object)) // [ 'a1' ]
 * ```
 */
export function releaseContract(gate: Gate, partner: string): JsonSchema {
  const known = resolvePartner(gate.policy, partner)
  const defs: Record<string, JsonSchema> = {}
  const seen = new Set<string>()
  for (const { dataset, purpose } of known.agreements) {
    const pair = `${dataset}\u0000${purpose}`
    if (seen.has(pair)) continue
    seen.add(pair)
    let plan: ReturnType<Gate['plan']>
    try {
      plan = gate.plan({ partner, dataset, purpose })
    } catch (error) {
      // No agreement for this pair is in force now: it delivers nothing, and is not listed.
      if (isDatagateError(error, 'ERR_AGREEMENT_EXPIRED')) continue
      throw error
    }
    const { agreement } = plan
    defs[agreement.id] = {
      title: `agreement ${agreement.id}`,
      description: `${plan.kind === 'aggregate' ? 'aggregate rows' : 'records'} of dataset ${plan.dataset.name} (version ${plan.dataset.version}) for purpose ${agreement.purpose}, valid from ${isoDay(agreement.validFrom)} until ${isoDay(agreement.validUntil)}`,
      ...planRecordSchema(plan),
    }
  }
  const ids = Object.keys(defs)
  return {
    $schema: CONTRACT_DIALECT,
    title: `what ${gate.policy.issuer} delivers to ${known.id}`,
    $defs: defs,
    // A record of any agreement in force; none in force: nothing is delivered, nothing validates.
    ...(ids.length === 0
      ? { not: {} }
      : { anyOf: ids.map((id) => ({ $ref: `#/$defs/${pointerSegment(id)}` })) }),
  }
}

/** A JSON Pointer segment (RFC 6901), URI-encoded for use in a `$ref` fragment. */
function pointerSegment(id: string): string {
  return encodeURIComponent(id.replaceAll('~', '~0').replaceAll('/', '~1'))
}
