import type { Gate } from '../../export/gate.js'
import { type ContractOptions, contractReply, contractShareOptions } from '../contract.js'
import { toResponse } from '../reply.js'

export type { ContractErrorContext, ContractOptions } from '../contract.js'

/**
 * A fetch handler serving the authenticated partner's contract: a JSON Schema (draft 2020-12,
 * `application/schema+json`) with one schema per agreement in force now, in `$defs` by agreement
 * id, of exactly the record each delivers (granted fields only, desensitised fields as their
 * operator outputs them). 401 without credentials, 403 for an unknown, suspended or revoked
 * partner. Bad options throw `ERR_INVALID_ARGUMENT` at once.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { createGate, defineDataset, field, generalize, generateKeys, loadPolicy, memoryAuditSink } from 'datagate'
 * import { contractHandler } from 'datagate/fetch'
 *
 * const Person = defineDataset('person', z.object({ city: field.public(z.string()),
 *   age: field.desensitised(z.number().int(), generalize.range({ width: 10 })), name: field.sensitive(z.string()) }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'maps-co', name: 'Maps Co', category: 'traffic',
 *   standing: 'gold', core: true, agreements: [{ id: 'm1', dataset: 'person', purpose: 'map',
 *   fields: ['city', 'age'], validFrom: '2026-01-01', validUntil: '2099-12-31' }] }] }, { datasets: [Person] })
 * const gate = createGate({ issuer: 'oem', datasets: [Person], policy, keys: await generateKeys(), audit: memoryAuditSink() })
 * const contract = contractHandler(gate, { authenticate: async () => ({ partner: 'maps-co' }) })
 *
 * const response = await contract(new Request('https://api.example/v1/contract'))
 * console.log(response.headers.get('content-type')) // 'application/schema+json'
 * const schema = await response.json()
 * console.log(schema.$defs.m1.properties.age) // { type: 'string', pattern: '^(?:-?(?:0|[1-9][0-9]*)--?(?:0|[1-9][0-9]*))$', description: 'desensitised: generalize.range(width=10,offset=0)' }
 * ```
 */
export function contractHandler(
  gate: Gate,
  options: ContractOptions,
): (request: Request) => Promise<Response> {
  const shared = contractShareOptions(gate, options, 'contractHandler')
  return async (request) =>
    toResponse(
      await contractReply(gate, shared, {
        headers: request.headers,
        method: request.method,
        url: request.url,
        native: request,
      }),
    )
}
