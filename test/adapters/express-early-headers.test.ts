// Express: a handler that sends its headers early (res.flushHeaders, res.writeHead) must not get
// them, or a status, onto the wire: the partner receives the 500 problem and nothing else.
import { createServer } from 'node:http'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { share } from '../../src/adapters/express/index.js'
import { CANARY, type Fixture, fixture, listen, type Running, rows } from './helpers.js'

let fx: Fixture
let server: Running

beforeAll(async () => {
  fx = await fixture()
  const app = express()
  app.get('/flush-headers', share(fx.gate, fx.options()), (_req, res) => {
    res.setHeader('x-leak', CANARY)
    res.flushHeaders()
    res.json(rows())
  })
  app.get('/write-head', share(fx.gate, fx.options()), (_req, res) => {
    res.writeHead(200, { 'x-leak': CANARY })
    res.json(rows())
  })
  server = await listen(createServer(app))
})

afterAll(async () => {
  await server.close()
  await fx.gate.close()
})

describe('express: headers sent early by the handler', () => {
  it.each(['/flush-headers', '/write-head'])(
    '%s is refused with the 500 problem and its headers never reach the partner',
    async (path) => {
      const response = await fetch(server.url(path), {
        headers: { authorization: `Bearer ${await fx.token({ sub: 'rental-co' })}` },
      })
      expect(response.headers.get('x-leak')).toBeNull()
      expect(response.status).toBe(500)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
      expect(await response.text()).not.toContain(CANARY)
    },
  )
})
