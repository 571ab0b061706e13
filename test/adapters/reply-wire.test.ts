// What each adapter puts on the wire from the core's plain reply, read with Node's http client
// (raw header names, exact body bytes) from real servers on 127.0.0.1: a text body with
// non-ASCII records carries the byte length of its UTF-8 (not its length in UTF-16 units) and
// the digest of those bytes; a 304 has no body; the gate's header names are lower-case, once each.
import { createHash } from 'node:crypto'
import { createServer, request as httpRequest, type Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { share as expressShare } from '../../src/adapters/express/index.js'
import { datagate } from '../../src/adapters/fastify/index.js'
import { withShare } from '../../src/adapters/fetch/index.js'
import { share as honoShare } from '../../src/adapters/hono/index.js'
import type { ShareMode } from '../../src/adapters/share-options.js'
import { fetchShared } from '../../src/client/index.js'
import { type Fixture, fixture, ISSUER, listen, type Running, rows } from './helpers.js'

// CJK and an astral character: 3 and 4 UTF-8 bytes for 1 and 2 UTF-16 units.
const wide = () => rows(3).map((row, i) => ({ ...row, city: `上海浦东新区 𠀋 ${i}` }))

const ROUTES: readonly { path: string; mode: ShareMode; conditional?: boolean }[] = [
  { path: '/signed', mode: 'signed', conditional: true },
  { path: '/filtered', mode: 'filtered', conditional: true },
  { path: '/json', mode: 'json', conditional: true },
]

const servers: Record<string, (fx: Fixture) => Promise<Running>> = {
  express: async (fx) => {
    const app = express()
    for (const route of ROUTES)
      app.get(
        route.path,
        expressShare(fx.gate, fx.options(route.mode, route.conditional)),
        (_q, res) => {
          res.json(wide())
        },
      )
    return listen(createServer(app))
  },
  fastify: async (fx) => {
    const app = Fastify()
    const { dataset, purpose, ...shared } = fx.options()
    await app.register(datagate, { gate: fx.gate, ...shared })
    for (const route of ROUTES)
      app.get(
        route.path,
        { config: { share: { dataset, purpose, mode: route.mode, conditional: true } } },
        async () => wide(),
      )
    const address = await app.listen({ port: 0, host: '127.0.0.1' })
    return { url: (path) => `${address}${path}`, close: () => app.close() }
  },
  hono: async (fx) => {
    const app = new Hono()
    for (const route of ROUTES)
      app.get(route.path, honoShare(fx.gate, fx.options(route.mode, route.conditional)), (c) =>
        c.json(wide()),
      )
    return listen(createAdaptorServer({ fetch: app.fetch }) as Server)
  },
  fetch: async (fx) => {
    const routes = new Map(
      ROUTES.map((route) => [
        route.path,
        withShare(fx.gate, fx.options(route.mode, route.conditional), () => wide()),
      ]),
    )
    const handler = (request: Request) =>
      routes.get(new URL(request.url).pathname)?.(request) ?? new Response(null, { status: 404 })
    return listen(createAdaptorServer({ fetch: handler }) as Server)
  },
}

interface Raw {
  readonly status: number
  readonly rawHeaders: readonly string[]
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: Buffer
}

function rawGet(url: string, headers: Record<string, string>): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          rawHeaders: res.rawHeaders,
          headers: res.headers,
          body: Buffer.concat(chunks),
        }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/** The names among `rawHeaders` equal to `name` whatever their case, as sent. */
const sent = (raw: Raw, name: string) =>
  raw.rawHeaders.filter((value, i) => i % 2 === 0 && value.toLowerCase() === name)

describe.each(Object.keys(servers))('%s: the reply on the wire', (framework) => {
  let fx: Fixture
  let server: Running
  beforeAll(async () => {
    fx = await fixture({ alg: 'EdDSA' })
    server = await (servers[framework] as (fx: Fixture) => Promise<Running>)(fx)
  })
  afterAll(async () => {
    await server?.close()
    await fx?.gate.close()
  })
  const auth = async () => ({ authorization: `Bearer ${await fx.token({ sub: 'rental-co' })}` })

  it.each(ROUTES.map((route) => route.path))(
    '%s: content-length is the UTF-8 byte length of non-ASCII records, and the records survive',
    async (path) => {
      const raw = await rawGet(server.url(path), await auth())
      expect(raw.status).toBe(200)
      const text = raw.body.toString('utf8')
      // The JWS is base64url, ASCII; the JSON bodies hold the records' text as it is.
      if (path !== '/signed') expect(text.length).toBeLessThan(raw.body.byteLength)
      expect(raw.headers['content-length']).toBe(String(raw.body.byteLength))
      if (path === '/json') {
        const digest = createHash('sha256').update(raw.body).digest('base64')
        expect(raw.headers['content-digest']).toBe(`sha-256=:${digest}:`)
      }
      if (path === '/filtered') {
        // Unsigned: read as it is (fetchShared accepts only signed bodies).
        expect(JSON.parse(text).data.map((r: { city: string }) => r.city)).toEqual(
          wide().map((r) => r.city),
        )
        return
      }
      // The client checks the JWS, or the RFC 9421 signature over the digest, of these bytes.
      const { records } = await fetchShared(server.url(path), {
        headers: await auth(),
        jwks: fx.gate.jwks(),
        issuer: ISSUER,
        audience: 'rental-co',
      })
      expect(records.map((r) => (r as { city: string }).city)).toEqual(wide().map((r) => r.city))
    },
  )

  it.each(ROUTES.map((route) => route.path))(
    "%s: the gate's header names go out lower-case, each once",
    async (path) => {
      const raw = await rawGet(server.url(path), await auth())
      const names = ['cache-control', 'vary', 'content-type', 'etag']
      if (path === '/json') names.push('content-digest', 'signature-input', 'signature')
      // Express and Fastify write the length the adapter set; @hono/node-server writes its own.
      if (framework === 'express' || framework === 'fastify') names.push('content-length')
      else expect(sent(raw, 'content-length')).toHaveLength(1)
      for (const name of names) expect(sent(raw, name), name).toEqual([name])
      expect(raw.headers['cache-control']).toBe('no-store')
      expect(raw.headers.vary).toBe('Authorization')
    },
  )

  it.each(ROUTES.map((route) => route.path))(
    '%s: a 304 carries the ETag and no-store, and no body',
    async (path) => {
      const first = await rawGet(server.url(path), await auth())
      const etag = first.headers.etag
      expect(etag).toMatch(/^W\/"sha256:[0-9a-f]{64}"$/)
      const again = await rawGet(server.url(path), {
        ...(await auth()),
        'if-none-match': etag as string,
      })
      expect(again.status).toBe(304)
      expect(again.body.byteLength).toBe(0)
      expect(again.headers.etag).toBe(etag)
      expect(again.headers['cache-control']).toBe('no-store')
      expect(again.headers['content-type']).toBeUndefined()
      expect(again.headers['transfer-encoding']).toBeUndefined()
    },
  )

  it('a refusal: the problem with its byte length and WWW-Authenticate, lower-case', async () => {
    const raw = await rawGet(server.url('/signed'), {})
    expect(raw.status).toBe(401)
    expect(raw.headers['content-length']).toBe(String(raw.body.byteLength))
    expect(JSON.parse(raw.body.toString('utf8'))).toMatchObject({
      status: 401,
      type: 'urn:datagate:problem:ERR_UNAUTHENTICATED',
    })
    for (const name of ['www-authenticate', 'content-type', 'cache-control', 'vary'])
      expect(sent(raw, name), name).toEqual([name])
    expect(sent(raw, 'content-length')).toHaveLength(1)
    expect(raw.headers['www-authenticate']).toBe('Bearer')
    expect(raw.headers['content-type']).toBe('application/problem+json')
  })
})
