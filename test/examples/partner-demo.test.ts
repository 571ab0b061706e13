// examples/partner-demo.ts starts the Express partner API on 127.0.0.1, makes real requests as
// partners and stops it; the Fastify and Hono variants serve the same releases to the same client.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startExpress } from '../../examples/partner-api/express.js'
import { startFastify } from '../../examples/partner-api/fastify.js'
import { startHono } from '../../examples/partner-api/hono.js'
import { type PartnerSetup, partnerSetup } from '../../examples/partner-api/setup.js'
import { fetchVerified, streamVerified } from '../../examples/partner-client.js'

const root = fileURLToPath(new URL('../../', import.meta.url))

it('partner-demo: two partners served over HTTP, one refused, the server stopped', () => {
  const tsx = join(root, 'node_modules', '.bin', 'tsx')
  const output = execFileSync(tsx, ['examples/partner-demo.ts'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  })
  expect(output).toMatch(/^partner API \(Express\) listening on http:\/\/127\.0\.0\.1:\d+$/m)
  expect(output).toMatch(
    /^rental-co GET \/v1\/repair-orders: export, [1-9]\d* records, fields city, customerId, estimatedHours, orderId, outletId, vehicle$/m,
  )
  expect(output).toMatch(/^rental-co GET \/v1\/repair-orders\.json: json, [1-9]\d* records/m)
  expect(output).toMatch(/^rental-co GET \/v1\/repair-orders\/stream: \d+ verified chunks of 50, /m)
  expect(output).toMatch(/^maps-co GET \/v1\/outlets: json, [1-9]\d* records/m)
  expect(output).toContain('insure-co GET /v1/customers/claims: refused, ERR_PARTNER_SUSPENDED')
  expect(output).toContain('rental-co GET /v1/customers/claims: refused, ERR_NOT_PERMITTED')
  expect(output).toContain('no valid token GET /v1/repair-orders: refused, ERR_UNAUTHENTICATED')
  expect(output).toMatch(/audit events: .*3 export, 1 stream-start, 1 stream-end, 2 denied/)
  expect(output).not.toContain('NOT REFUSED')
  // No released record carries a sensitive field of the dataset.
  expect(output).not.toMatch(/customerName|technicianName|customerPhone/)
  expect(output.trim().endsWith('partner API stopped')).toBe(true)
})

describe('the three variants of the partner API serve the same releases', () => {
  let setup: PartnerSetup
  const servers: { url: string; close: () => Promise<void> }[] = []
  beforeAll(async () => {
    setup = await partnerSetup()
    servers.push(await startExpress(setup), await startFastify(setup), await startHono(setup))
  })
  afterAll(async () => {
    for (const server of servers) await server.close()
    await setup.gate.close()
  })

  it('Express, Fastify and Hono: the same records for each partner, the same refusals', async () => {
    const seen: unknown[] = []
    for (const { url } of servers) {
      const client = (partner: string) =>
        setup.token(partner).then((token) => ({ baseUrl: url, token, partner, now: setup.now }))
      const signed = await fetchVerified(await client('rental-co'), '/v1/repair-orders')
      const json = await fetchVerified(await client('rental-co'), '/v1/repair-orders.json')
      const outlets = await fetchVerified(await client('maps-co'), '/v1/outlets')
      const refused = await fetchVerified(await client('insure-co'), '/v1/customers/claims')
      const chunks = await streamVerified(await client('rental-co'), '/v1/repair-orders/stream')
      if (!signed.ok || !json.ok || !outlets.ok) throw new Error(`${url}: a release was refused`)
      expect([signed.result.kind, json.result.kind, outlets.result.kind]).toEqual([
        'export',
        'json',
        'json',
      ])
      expect(json.result.records).toEqual(signed.result.records)
      expect(refused).toEqual({ ok: false, code: 'ERR_PARTNER_SUSPENDED' })
      expect(chunks.reduce((a, b) => a + b, 0)).toBe(signed.result.records.length)
      seen.push({ records: signed.result.records, outlets: outlets.result.records, chunks })
    }
    expect(seen[1]).toEqual(seen[0])
    expect(seen[2]).toEqual(seen[0])
  })
})
