// Express: once the middleware has taken over the response, nothing the handler writes later
// (res.write, res.end, res.send) may reach the wire, in the middle of a stream or otherwise.
import { createServer } from 'node:http'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { share } from '../../src/adapters/express/index.js'
import { CANARY, type Fixture, fixture, listen, type Running, rows } from './helpers.js'

async function* paced(n: number) {
  for (let i = 0; i < n; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    yield { ...rows(1)[0], orderId: `R-${i}` }
  }
}

let fx: Fixture
let server: Running

beforeAll(async () => {
  fx = await fixture()
  const app = express()
  app.get('/stream-then-write', share(fx.gate, fx.options()), (_req, res) => {
    res.json(paced(6))
    setTimeout(() => {
      res.write(`${CANARY}-late-write\n`)
      res.send(`${CANARY}-late-send\n`)
    }, 50)
  })
  server = await listen(createServer(app))
})

afterAll(async () => {
  await server.close()
  await fx.gate.close()
})

describe('express: writes after res.json(rows)', () => {
  it('a res.write or res.send by the handler while the stream is served never reaches the partner', async () => {
    const response = await fetch(server.url('/stream-then-write'), {
      headers: { authorization: `Bearer ${await fx.token({ sub: 'rental-co' })}` },
    })
    const text = await response.text().catch(() => '')
    expect(text).not.toContain(CANARY)
  })
})
