// The client's json-mode check against a real server on 127.0.0.1 (the fetch adapter on
// @hono/node-server): the URL as the partner writes it and the clock the partner keeps.
import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withShare } from '../../src/adapters/fetch/index.js'
import { fetchShared } from '../../src/client/index.js'
import { type Fixture, fixture, ISSUER, listen, type Running, rows } from '../adapters/helpers.js'

let fx: Fixture
let server: Running
beforeAll(async () => {
  fx = await fixture()
  const json = withShare(
    fx.gate,
    { ...fx.options('json'), authenticate: async () => ({ partner: 'rental-co' }) },
    () => rows(),
  )
  const signed = withShare(
    fx.gate,
    { ...fx.options(), authenticate: async () => ({ partner: 'rental-co' }) },
    () => rows(),
  )
  server = await listen(
    createAdaptorServer({
      fetch: (request: Request) =>
        new URL(request.url).pathname.startsWith('/signed') ? signed(request) : json(request),
    }) as Server,
  )
})
afterAll(async () => {
  await server.close()
  await fx.gate.close()
})

const options = { jwks: () => fx.gate.jwks(), issuer: ISSUER, audience: 'rental-co' }

describe('json mode: the target URI as the partner wrote it', () => {
  it('a URL with a fragment (never sent) verifies', async () => {
    const result = await fetchShared(server.url('/orders?city=Lyon#top'), {
      ...options,
      jwks: fx.gate.jwks(),
    })
    expect(result.kind).toBe('json')
    expect(result.records).toHaveLength(3)
  })
  it('a query string and percent-encoded path verify as sent', async () => {
    const result = await fetchShared(server.url('/orders/a%20b/?x=1&y=%2F'), {
      ...options,
      jwks: fx.gate.jwks(),
    })
    expect(result.records).toHaveLength(3)
  })
})

describe('clock skew between the partner and the issuer', () => {
  const behind = () => new Date(Date.now() - 3000)
  for (const path of ['/orders', '/signed'])
    it(`${path}: a partner clock 3 s behind fails without clockTolerance, verifies with it`, async () => {
      const strict = await fetchShared(server.url(path), {
        ...options,
        jwks: fx.gate.jwks(),
        now: behind,
      }).catch((error: unknown) => error)
      expect(strict).toMatchObject({ code: 'ERR_CLAIM_INVALID' })
      const tolerant = await fetchShared(server.url(path), {
        ...options,
        jwks: fx.gate.jwks(),
        now: behind,
        clockTolerance: 5,
      })
      expect(tolerant.records).toHaveLength(3)
    })
})
