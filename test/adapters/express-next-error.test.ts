// Express: two ways a handler used to get around the middleware. `next(err)` and then
// `res.json(rows)` served the release and never told onError; a refused `res.sendFile` left its
// file descriptor open. Real requests on 127.0.0.1.
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { share } from '../../src/adapters/express/index.js'
import { CANARY, type Fixture, fixture, listen, type Running, rows } from './helpers.js'

let fx: Fixture
let server: Running
const dir = mkdtempSync(join(tmpdir(), 'datagate-sendfile-'))
const file = join(dir, 'orders.json')

/** How many of this process's file descriptors point at `path`. */
function openFds(path: string): number {
  let count = 0
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) count++
    } catch {
      // closed while listing
    }
  }
  return count
}

beforeAll(async () => {
  // Larger than any stream buffer: the file stream is still open, paused, when the refusal lands.
  writeFileSync(file, `${CANARY} ${JSON.stringify(rows())}`.repeat(20_000))
  fx = await fixture()
  const app = express()
  app.get('/next-error-then-json', share(fx.gate, fx.options()), (_req, res, next) => {
    next(new Error(`${CANARY} database down`))
    res.json(rows())
  })
  app.get('/json-then-next-error', share(fx.gate, fx.options()), (_req, res, next) => {
    res.json(rows())
    next(new Error(`${CANARY} late failure`))
  })
  app.get('/send-file', share(fx.gate, fx.options()), (_req, res) => {
    res.sendFile(file)
  })
  server = await listen(createServer(app))
})

afterAll(async () => {
  await server.close()
  await fx.gate.close()
  rmSync(dir, { recursive: true, force: true })
})

const get = async (path: string) =>
  fetch(server.url(path), {
    headers: { authorization: `Bearer ${await fx.token({ sub: 'rental-co' })}` },
  })

describe('express: next(err) and res.sendFile', () => {
  it('next(err) then res.json(rows): the 500 problem, onError told, no data', async () => {
    const errors = fx.errors.length
    const response = await get('/next-error-then-json')
    expect(response.status).toBe(500)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    const text = await response.text()
    expect(text).not.toContain(CANARY)
    expect(text).not.toContain('R-0')
    expect(fx.errors.slice(errors)).toEqual([
      expect.objectContaining({
        error: expect.objectContaining({ code: 'ERR_RECORD_INVALID' }),
        ctx: expect.objectContaining({ status: 500, path: '/next-error-then-json' }),
      }),
    ])
    expect(fx.errors.at(-1)?.error.message).not.toContain(CANARY)
  })

  it('res.json(rows) then next(err): the first answer stands, the error still reaches onError', async () => {
    const errors = fx.errors.length
    const response = await get('/json-then-next-error')
    expect(response.status).toBe(200)
    expect(await response.text()).not.toContain(CANARY)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(fx.errors.slice(errors).map((e) => e.error.code)).toEqual(['ERR_RECORD_INVALID'])
  })

  it('a refused res.sendFile gets the 500 problem and closes its file', async () => {
    const before = openFds(file)
    for (let i = 0; i < 5; i++) {
      const response = await get('/send-file')
      expect(response.status).toBe(500)
      expect(await response.text()).not.toContain(CANARY)
    }
    // The descriptors of refused streams are closed once the problem has been sent.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(openFds(file)).toBe(before)
  })
})
