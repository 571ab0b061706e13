// datagate/express (Express 5) on Node's http server, with real requests on 127.0.0.1.
import { createServer } from 'node:http'
import express from 'express'
import { describe, expect, it } from 'vitest'
import { jwksHandler, share } from '../../../src/adapters/express/index.js'
import { adapterContract } from '../contract.js'
import { CANARY, fixture, listen, ROUTES, rows } from '../helpers.js'

const contract = adapterContract('express', async (fx) => {
  const app = express()
  for (const route of ROUTES)
    app.get(
      route.path,
      share(fx.gate, fx.options(route.mode, route.conditional)),
      async (_req, res) => {
        res.json(await route.body())
      },
    )
  app.get('/jwks', jwksHandler(fx.gate))
  app.get('/send-bypass', share(fx.gate, fx.options()), (_req, res) => {
    res.setHeader('x-leak', CANARY)
    res.send(JSON.stringify(rows()))
  })
  app.get('/write-bypass', share(fx.gate, fx.options()), (_req, res) => {
    res.write(JSON.stringify(rows()))
    res.end()
  })
  app.get('/end-bypass', share(fx.gate, fx.options()), (_req, res) => {
    res.end(JSON.stringify(rows()))
  })
  return listen(createServer(app))
})

describe('express: the adapter itself', () => {
  it('serves the JWKS', async () => {
    const response = await fetch(contract.server().url('/jwks'))
    expect(await response.json()).toEqual(contract.fx().gate.jwks())
  })

  it.each(['/send-bypass', '/write-bypass', '/end-bypass'])(
    '%s: res.send, res.write and res.end by the handler are refused with the 500 problem, nothing leaks',
    async (path) => {
      const response = await fetch(contract.server().url(path), {
        headers: { authorization: `Bearer ${await contract.fx().token({ sub: 'rental-co' })}` },
      })
      expect(response.status).toBe(500)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
      expect(response.headers.get('x-leak')).toBeNull()
      const text = await response.text()
      expect(text).not.toContain(CANARY)
      expect(text).not.toContain('R-0')
      expect(contract.fx().errors.at(-1)).toMatchObject({
        error: { code: 'ERR_INVALID_ARGUMENT' },
        ctx: { status: 500, path },
      })
    },
  )

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
