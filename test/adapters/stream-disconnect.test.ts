// A partner that disconnects mid-stream is not a failure: the rows source is closed, no
// `stream-end` is written, and onError is not told the rows failed.
import { createServer, get, type Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import express from 'express'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { share } from '../../src/adapters/express/index.js'
import { share as honoShare } from '../../src/adapters/hono/index.js'
import { fixture, listen, type Running, rows } from './helpers.js'

describe.each(['express', 'hono'])('%s: the partner disconnects mid-stream', (framework) => {
  it('closes the rows source, writes no stream-end and reports no error to onError', async () => {
    const fx = await fixture()
    let closed = false
    async function* paced() {
      try {
        for (let i = 0; i < 1000; i++) {
          await new Promise((resolve) => setTimeout(resolve, 10))
          yield { ...rows(1)[0], orderId: `R-${i}` }
        }
      } finally {
        closed = true
      }
    }
    let server: Running
    if (framework === 'express') {
      const app = express()
      app.get('/stream', share(fx.gate, fx.options()), (_req, res) => {
        res.json(paced())
      })
      server = await listen(createServer(app))
    } else {
      const app = new Hono()
      app.get('/stream', honoShare(fx.gate, fx.options()), (c) => c.json(paced()))
      server = await listen(createAdaptorServer({ fetch: app.fetch }) as Server)
    }
    const token = await fx.token({ sub: 'rental-co' })
    await new Promise<void>((resolve) => {
      const req = get(
        server.url('/stream'),
        { headers: { authorization: `Bearer ${token}` } },
        (res) => {
          res.once('data', () => {
            req.destroy()
            resolve()
          })
        },
      )
      req.on('error', () => {})
    })
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(closed).toBe(true)
    expect(fx.audit.events.map((e) => e.type)).not.toContain('stream-end')
    expect(fx.errors).toEqual([])
    await server.close()
    await fx.gate.close()
  })
})
