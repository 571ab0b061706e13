// datagate/fetch served by Node's http server through @hono/node-server's bridge (a plain fetch
// handler, no Hono app), with real requests on 127.0.0.1.

import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { describe, expect, it } from 'vitest'
import { jwksHandler, withShare } from '../../../src/adapters/fetch/index.js'
import { adapterContract } from '../contract.js'
import { fixture, listen, ROUTES } from '../helpers.js'

const contract = adapterContract('fetch', async (fx) => {
  const routes = new Map(
    ROUTES.map((route) => [
      route.path,
      withShare(fx.gate, fx.options(route.mode, route.conditional), () => route.body()),
    ]),
  )
  const jwks = jwksHandler(fx.gate)
  const handler = (request: Request) => {
    const path = new URL(request.url).pathname
    if (path === '/jwks') return jwks(request)
    return routes.get(path)?.(request) ?? new Response('not found', { status: 404 })
  }
  return listen(createAdaptorServer({ fetch: handler }) as Server)
})

describe('fetch: the adapter itself', () => {
  it('serves the JWKS', async () => {
    const response = await fetch(contract.server().url('/jwks'))
    expect(response.headers.get('content-type')).toBe('application/jwk-set+json')
    expect(await response.json()).toEqual(contract.fx().gate.jwks())
  })

  it("refuses mode 'json' at once when the gate's current key is not Ed25519", async () => {
    const fx = await fixture({ alg: 'ES256' })
    expect(() => withShare(fx.gate, { ...fx.options(), mode: 'json' }, () => [])).toThrow(
      expect.objectContaining({
        code: 'ERR_KEY_UNSUPPORTED',
        message: expect.stringMatching(/ed25519/),
      }),
    )
    await fx.gate.close()
  })

  it('does not run the handler for an unauthenticated request', async () => {
    const fx = await fixture()
    let ran = 0
    const handler = withShare(fx.gate, fx.options(), () => {
      ran++
      return []
    })
    const response = await handler(new Request('http://localhost/orders'))
    expect(response.status).toBe(401)
    expect(ran).toBe(0)
    await fx.gate.close()
  })
})
