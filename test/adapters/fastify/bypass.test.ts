// Adversarial paths around the Fastify plugin: raw rows sent by hooks of a shared route, HEAD
// requests, and a plugin registered in a sibling context. Real requests on 127.0.0.1.
import { request as httpRequest } from 'node:http'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { datagate } from '../../../src/adapters/fastify/index.js'
import { CANARY, type Fixture, fixture, rows } from '../helpers.js'

let fx: Fixture
let app: FastifyInstance
let base: string

beforeAll(async () => {
  fx = await fixture()
  app = Fastify()
  const { dataset, purpose, ...shared } = fx.options('filtered')
  const share = { config: { share: { dataset, purpose } } }
  // A careless cache in front of every route, registered before the plugin.
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers['x-early'] === '1') return reply.send(rows())
  })
  await app.register(datagate, { gate: fx.gate, ...shared })
  app.addHook('preHandler', async (request, reply) => {
    if (request.headers['x-cached'] === '1') return reply.send(rows())
  })
  app.get('/orders', share, async () => rows())
  app.get(
    '/route-hook',
    { ...share, preHandler: async (_request, reply) => reply.send(JSON.stringify(rows())) },
    async () => rows(),
  )
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  base = address
})
afterAll(() => app.close())

const auth = async () => ({ authorization: `Bearer ${await fx.token({ sub: 'rental-co' })}` })

describe('fastify: raw rows sent by a hook of a shared route', () => {
  it('a preHandler hook of the app that sends raw rows gives the 500 problem', async () => {
    const response = await fetch(`${base}/orders`, {
      headers: { ...(await auth()), 'x-cached': '1' },
    })
    const text = await response.text()
    expect(text).not.toContain(CANARY)
    expect(response.status).toBe(500)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
  })
  it("a route's own preHandler that sends raw text gives the 500 problem", async () => {
    const response = await fetch(`${base}/route-hook`, { headers: await auth() })
    const text = await response.text()
    expect(text).not.toContain(CANARY)
    expect(response.status).toBe(500)
  })
  it('an onRequest hook registered before the plugin that sends raw rows gives the 500 problem', async () => {
    const response = await fetch(`${base}/orders`, {
      headers: { ...(await auth()), 'x-early': '1' },
    })
    expect(await response.text()).not.toContain(CANARY)
    expect(response.status).toBe(500)
  })
  it('the route itself still serves the release', async () => {
    const response = await fetch(`${base}/orders`, { headers: await auth() })
    expect(response.status).toBe(200)
    const body = await response.json()
    expect(body.data).toHaveLength(3)
    expect(JSON.stringify(body)).not.toContain(CANARY)
  })
  it('HEAD of a shared route carries no raw data and needs a partner', async () => {
    const anonymous = await fetch(`${base}/orders`, { method: 'HEAD' })
    expect(anonymous.status).toBe(401)
    const response = await fetch(`${base}/orders`, { method: 'HEAD', headers: await auth() })
    expect(response.status).toBe(200)
    const seen: string[] = []
    response.headers.forEach((value, name) => {
      seen.push(`${name}: ${value}`)
    })
    expect(seen.join('\n')).not.toContain(CANARY)
    expect(await response.text()).toBe('')
  })
})

describe('fastify: the plugin in a child context', () => {
  it('is refused at registration, since a sibling route with config.share would be served raw', async () => {
    const local = await fixture()
    const child = Fastify()
    const { dataset, purpose, ...shared } = local.options('filtered')
    child.register(async (scope) => {
      await scope.register(datagate, { gate: local.gate, ...shared })
    })
    child.register(async (sibling) => {
      sibling.get('/x', { config: { share: { dataset, purpose } } }, async () => rows())
    })
    await expect(child.ready()).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    await child.close()
  })
})

describe('fastify: trailers on a shared route', () => {
  it('reply.trailer() in the handler gives the 500 problem, no trailer and no raw value', async () => {
    const local = await fixture()
    const server = Fastify()
    const { dataset, purpose, ...shared } = local.options('filtered')
    await server.register(datagate, { gate: local.gate, ...shared })
    const share = { config: { share: { dataset, purpose } } }
    server.get('/trailer', share, async (_request, reply) => {
      reply.trailer('x-leak', async () => JSON.stringify(rows(1)))
      return rows()
    })
    server.get(
      '/trailer-hook',
      {
        ...share,
        preHandler: async (_request, reply) => {
          reply.trailer('x-leak', async () => JSON.stringify(rows(1)))
        },
      },
      async () => rows(),
    )
    const address = await server.listen({ port: 0, host: '127.0.0.1' })
    const authorization = `Bearer ${await local.token({ sub: 'rental-co' })}`
    try {
      for (const path of ['/trailer', '/trailer-hook']) {
        // node:http, since fetch never exposes trailers.
        const got = await new Promise<{
          status: number | undefined
          text: string
          trailers: string
        }>((resolve, reject) => {
          const req = httpRequest(`${address}${path}`, { headers: { authorization } }, (res) => {
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
        })
        expect(got.status).toBe(500)
        expect(`${got.text}${got.trailers}`).not.toContain(CANARY)
        expect(got.trailers).toBe('{}')
      }
    } finally {
      await server.close()
    }
  })
})
