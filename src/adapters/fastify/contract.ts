import type { RouteHandlerMethod } from 'fastify'
import type { Gate } from '../../export/gate.js'
import { type ContractOptions, contractReply, contractShareOptions } from '../contract.js'
import { headersOf } from '../node-headers.js'
import { payloadOf } from './write.js'

export type { ContractErrorContext, ContractOptions } from '../contract.js'

/**
 * A Fastify handler serving the authenticated partner's contract: a JSON Schema (draft 2020-12,
 * `application/schema+json`) with one schema per agreement in force now, in `$defs` by agreement
 * id; 401 without credentials, 403 for an unknown, suspended or revoked partner. `authenticate`
 * receives the `FastifyRequest` as `request`. Needs no plugin.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import { z } from 'zod'
 * import { createGate, defineDataset, field, generateKeys, loadPolicy, memoryAuditSink } from 'datagate'
 * import { contractHandler } from 'datagate/fastify'
 *
 * const Outlet = defineDataset('outlet', z.object({ outletId: field.public(z.string()) }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'maps-co', name: 'Maps Co', category: 'traffic',
 *   standing: 'gold', core: false, agreements: [{ id: 'm1', dataset: 'outlet', purpose: 'map',
 *   fields: ['outletId'], validFrom: '2026-01-01', validUntil: '2099-12-31' }] }] }, { datasets: [Outlet] })
 * const gate = createGate({ issuer: 'oem', datasets: [Outlet], policy, keys: await generateKeys(), audit: memoryAuditSink() })
 * const app = Fastify()
 * app.get('/v1/contract', contractHandler(gate, { authenticate: async () => ({ partner: 'maps-co' }) }))
 * const response = await app.inject({ url: '/v1/contract' })
 * console.log(response.statusCode, response.headers['content-type']) // 200 'application/schema+json'
 * await app.close()
 * ```
 */
export function contractHandler(gate: Gate, options: ContractOptions): RouteHandlerMethod {
  const shared = contractShareOptions(gate, options, 'fastify contractHandler')
  return async (request, reply) => {
    const answer = await contractReply(gate, shared, {
      headers: headersOf(request.headers),
      method: request.method,
      url: `${request.protocol}://${request.host}${request.url}`,
      native: request,
    })
    return reply.send(payloadOf(reply, answer))
  }
}
