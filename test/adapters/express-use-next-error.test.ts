// Express: share() mounted with app.use, where no route error layer can be appended. An error the
// handler passes to next(err) then reaches Express's error handling; whatever that writes goes
// through the middleware's refusals, so the partner gets the 500 problem and no raw value.
// Real requests on 127.0.0.1.
import { createServer } from 'node:http'
import express, { type NextFunction, type Request, type Response } from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { share } from '../../src/adapters/express/index.js'
import { CANARY, type Fixture, fixture, listen, type Running, rows } from './helpers.js'

let fx: Fixture
let server: Running

beforeAll(async () => {
  fx = await fixture()
  const app = express()
  const failing = (_req: Request, _res: Response, next: NextFunction) => {
    next(new Error(`${CANARY} database down ${JSON.stringify(rows(1))}`))
  }
  const plain = express.Router()
  plain.use(share(fx.gate, fx.options()))
  plain.get('/default', failing)
  plain.get('/send', (_req: Request, res: Response) => {
    res.send(JSON.stringify(rows(1)))
  })
  app.use('/plain', plain)
  const custom = express.Router()
  custom.use(share(fx.gate, fx.options()))
  custom.get('/send', failing)
  custom.get('/json', failing)
  custom.use((error: Error, req: Request, res: Response, _next: NextFunction) => {
    res.setHeader('x-error', error.message)
    if (req.path === '/send') res.status(500).send(error.message)
    else res.status(500).json({ message: error.message })
  })
  app.use('/custom', custom)
  server = await listen(createServer(app))
})

afterAll(async () => {
  await server.close()
  await fx.gate.close()
})

const get = async (path: string) =>
  fetch(server.url(path), {
    headers: { authorization: `Bearer ${await fx.token({ sub: 'rental-co' })}` },
  })

describe('express: app.use(share(...)) and next(err)', () => {
  for (const path of ['/plain/default', '/custom/send', '/custom/json'])
    it(`${path}: the 500 problem, no raw value in the body or headers`, async () => {
      const response = await get(path)
      const seen: string[] = []
      response.headers.forEach((value, name) => {
        seen.push(`${name}: ${value}`)
      })
      const body = await response.text()
      expect(response.status).toBe(500)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
      expect(`${seen.join('\n')}\n${body}`).not.toContain(CANARY)
    })

  it("onError is told the error went to Express's error handling, and how to have it reported", async () => {
    fx.errors.length = 0
    await (await get('/plain/default')).text()
    await (await get('/custom/send')).text()
    expect(fx.errors.map((e) => [e.error.code, e.ctx.status])).toEqual([
      ['ERR_INVALID_ARGUMENT', 500],
      ['ERR_INVALID_ARGUMENT', 500],
    ])
    for (const { error } of fx.errors) {
      expect(error.message).toMatch(/mounted with app\.use.*next\(err\).*Express's error handling/)
      expect(error.message).toMatch(/app\.get\(path, share\(\.\.\.\), handler\)/)
      expect(error.message).not.toContain(CANARY)
    }
  })

  it('a handler that writes by res.send itself on such a mount is still told it wrote by res.send', async () => {
    fx.errors.length = 0
    const response = await get('/plain/send')
    expect(response.status).toBe(500)
    await response.text()
    expect(fx.errors[0]?.error.message).toMatch(/the handler threw or wrote by res\.send/)
  })
})
