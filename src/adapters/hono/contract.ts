import type { Context } from 'hono'
import type { Gate } from '../../export/gate.js'
import { type ContractOptions, contractReply, contractShareOptions } from '../contract.js'
import { toResponse } from '../reply.js'

export type { ContractErrorContext, ContractOptions } from '../contract.js'

/**
 * A Hono handler serving the authenticated partner's contract: a JSON Schema (draft 2020-12,
 * `application/schema+json`) with one schema per agreement in force now, in `$defs` by agreement
 * id; 401 without credentials, 403 for an unknown, suspended or revoked partner. `authenticate`
 * receives the Hono `Context` as `request`.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { z } from 'zod'
 * import { createGate, defineDataset, field, generateKeys, loadPolicy, memoryAuditSink } from 'datagate'
 * import { contractHandler } from 'datagate/hono'
 *
 * const Outlet = defineDataset('outlet', z.object({ outletId: field.public(z.string()), owner: field.sensitive(z.string()) }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'maps-co', name: 'Maps Co', category: 'traffic',
 *   standing: 'gold', core: false, agreements: [{ id: 'm1', dataset: 'outlet', purpose: 'map',
 *   fields: ['outletId'], validFrom: '2026-01-01', validUntil: '2099-12-31' }] }] }, { datasets: [Outlet] })
 * const gate = createGate({ issuer: 'oem', datasets: [Outlet], policy, keys: await generateKeys(), audit: memoryAuditSink() })
 * const app = new Hono().get('/v1/contract', contractHandler(gate, { authenticate: async () => ({ partner: 'maps-co' }) }))
 * const schema = await (await app.request('/v1/contract')).json()
 * console.log(schema.$defs.m1.properties) // { outletId: { type: 'string' } }
 * ```
 */
export function contractHandler(
  gate: Gate,
  options: ContractOptions,
): (c: Context) => Promise<Response> {
  const shared = contractShareOptions(gate, options, 'hono contractHandler')
  return async (c) =>
    toResponse(
      await contractReply(gate, shared, {
        headers: c.req.raw.headers,
        method: c.req.method,
        url: c.req.url,
        native: c,
      }),
    )
}
