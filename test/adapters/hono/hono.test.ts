// datagate/hono on @hono/node-server, with real requests on 127.0.0.1.

import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { describe, expect, it } from 'vitest'
import { jwksHandler, share } from '../../../src/adapters/hono/index.js'
import { adapterContract } from '../contract.js'
import { CANARY, fixture, listen, ROUTES, rows } from '../helpers.js'

const contract = adapterContract('hono', async (fx) => {
  const app = new Hono()
  for (const route of ROUTES)
    app.get(route.path, share(fx.gate, fx.options(route.mode, route.conditional)), async (c) =>
      c.json(await route.body()),
    )
  app.get('/jwks', jwksHandler(fx.gate))
  app.get('/text-bypass', share(fx.gate, fx.options()), (c) => {
    c.header('x-leak', CANARY)
    return c.text(JSON.stringify(rows()))
  })
  app.use('/cors/*', cors({ origin: 'https://partner.example' }))
  app.get('/cors/orders', share(fx.gate, fx.options()), (c) => c.json(rows()))
  return listen(createAdaptorServer({ fetch: app.fetch }) as Server)
})

describe('hono: the adapter itself', () => {
  it('serves the JWKS', async () => {
    const response = await fetch(contract.server().url('/jwks'))
    expect(await response.json()).toEqual(contract.fx().gate.jwks())
  })

  it('a handler answering by another path than c.json gets the 500 problem; its headers are dropped', async () => {
    const response = await fetch(contract.server().url('/text-bypass'), {
      headers: { authorization: `Bearer ${await contract.fx().token({ sub: 'rental-co' })}` },
    })
    expect(response.status).toBe(500)
    expect(response.headers.get('x-leak')).toBeNull()
    const text = await response.text()
    expect(text).not.toContain(CANARY)
    expect(text).not.toContain('R-0')
  })

  it('keeps headers set before it (CORS)', async () => {
    const response = await fetch(contract.server().url('/cors/orders'), {
      headers: {
        origin: 'https://partner.example',
        authorization: `Bearer ${await contract.fx().token({ sub: 'rental-co' })}`,
      },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBe('https://partner.example')
    await response.text()
  })

  it("refuses mode 'json' at once when the gate's current key is not Ed25519", async () => {
    const fx = await fixture({ alg: 'ES256' })
    expect(() => share(fx.gate, { ...fx.options(), mode: 'json' })).toThrow(
      expect.objectContaining({
        code: 'ERR_KEY_UNSUPPORTED',
        message: expect.stringMatching(/ed25519/),
      }),
    )
    await fx.gate.close()
  })
})
