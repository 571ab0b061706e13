// The client's ETag cache and remote key sets against a real server on 127.0.0.1 (the fetch
// adapter with conditional requests on, through @hono/node-server): a kept result answers only
// for the issuer it was verified for, every 304 answer is a copy, and remote key sets are bounded.
import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jwksHandler, withShare } from '../../src/adapters/fetch/index.js'
import { createEtagCache, fetchShared } from '../../src/client/index.js'
import { type Fixture, fixture, ISSUER, listen, type Running } from '../adapters/helpers.js'

let fx: Fixture
let server: Running
const seen = { orders: [] as (string | null)[], jwks: new Map<string, number>() }

beforeAll(async () => {
  fx = await fixture()
  const orders = withShare(fx.gate, { ...fx.options(undefined, true) }, () => [
    { orderId: 'R-1', city: 'Lyon', phone: '13812345678', owner: 'x', estimatedHours: 6 },
  ])
  const jwks = jwksHandler(fx.gate)
  const handler = (request: Request) => {
    const url = new URL(request.url)
    if (url.pathname === '/jwks') {
      seen.jwks.set(url.search, (seen.jwks.get(url.search) ?? 0) + 1)
      return jwks(request)
    }
    seen.orders.push(request.headers.get('if-none-match'))
    return orders(request)
  }
  server = await listen(createAdaptorServer({ fetch: handler }) as Server)
})

afterAll(async () => {
  await server.close()
  await fx.gate.close()
})

const options = async () => ({
  headers: { authorization: `Bearer ${await fx.token({ sub: 'rental-co' })}` },
  jwks: fx.gate.jwks(),
  issuer: ISSUER,
  audience: 'rental-co',
})

describe('createEtagCache', () => {
  it('a result kept for one issuer never answers for another: no If-None-Match, verified anew', async () => {
    const cache = createEtagCache()
    const url = server.url('/orders?issuer')
    await fetchShared(url, { ...(await options()), cache })
    seen.orders.length = 0
    const other = await fetchShared(url, {
      ...(await options()),
      issuer: 'another-issuer',
      cache,
    }).catch((error: unknown) => error)
    expect(seen.orders).toEqual([null])
    expect(other).toMatchObject({ code: 'ERR_ISSUER_MISMATCH' })
  })

  it('a 304 answers with a copy: what the caller changed in its records does not come back', async () => {
    const cache = createEtagCache()
    const url = server.url('/orders?copy')
    const first = await fetchShared(url, { ...(await options()), cache })
    expect(first.records).toEqual([{ orderId: 'R-1', city: 'Lyon', estimatedHours: 6 }])
    ;(first.records[0] as Record<string, unknown>).city = 'changed by the caller'
    const second = await fetchShared(url, { ...(await options()), cache })
    expect(seen.orders.at(-1)).toMatch(/^W\/"sha256:/)
    expect(second.records).toEqual([{ orderId: 'R-1', city: 'Lyon', estimatedHours: 6 }])
    second.records.length = 0
    const third = await fetchShared(url, { ...(await options()), cache })
    expect(third.records).toHaveLength(1)
  })
})

describe('jwksUrl key sets', () => {
  it('are bounded: past 64 URLs the least recently used is dropped and fetched again', async () => {
    const { jwks: _jwks, ...rest } = await options()
    const fetchWith = (i: number) =>
      fetchShared(server.url('/orders'), { ...rest, jwksUrl: server.url(`/jwks?v=${i}`) })
    await fetchWith(0)
    await fetchWith(0)
    expect(seen.jwks.get('?v=0')).toBe(1) // kept: jose's cache of that URL's keys
    for (let i = 1; i <= 64; i++) await fetchWith(i)
    await fetchWith(0)
    expect(seen.jwks.get('?v=0')).toBe(2)
    expect(seen.jwks.get('?v=64')).toBe(1)
  })
})
