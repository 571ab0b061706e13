// Express: trailers the handler adds (res.addTrailers) left after the gate's body on a chunked
// (NDJSON) response, raw rows included; res.addTrailers is now refused like res.write. Real requests on 127.0.0.1 by node:http, since
// fetch never exposes trailers.
import { createServer, request as httpRequest } from 'node:http'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { share } from '../../src/adapters/express/index.js'
import { CANARY, type Fixture, fixture, listen, type Running, rows, slowRows } from './helpers.js'

let fx: Fixture
let server: Running

beforeAll(async () => {
  fx = await fixture()
  const app = express()
  app.get('/stream', share(fx.gate, fx.options()), (_req, res) => {
    res.addTrailers({ 'x-leak': `${CANARY}${JSON.stringify(rows(1))}` })
    res.json(slowRows(3))
  })
  app.get('/orders', share(fx.gate, fx.options()), (_req, res) => {
    res.addTrailers({ 'x-leak': `${CANARY}${JSON.stringify(rows(1))}` })
    res.json(rows())
  })
  server = await listen(createServer(app))
})

afterAll(async () => {
  await server.close()
  await fx.gate.close()
})

describe('express: trailers added by the handler', () => {
  for (const path of ['/stream', '/orders'])
    it(`${path}: the 500 problem, no trailer`, async () => {
      const authorization = `Bearer ${await fx.token({ sub: 'rental-co' })}`
      const got = await new Promise<{ status: number | undefined; text: string; trailers: string }>(
        (resolve, reject) => {
          const req = httpRequest(server.url(path), { headers: { authorization } }, (res) => {
            let text = ''
            res.on('data', (chunk) => {
              text += chunk
            })
            res.on('end', () =>
              resolve({ status: res.statusCode, text, trailers: JSON.stringify(res.trailers) }),
            )
          })
          req.on('error', reject)
          req.end()
        },
      )
      expect(got.status).toBe(500)
      expect(got.trailers).toBe('{}')
      expect(`${got.text}${got.trailers}`).not.toContain(CANARY)
    })
})
