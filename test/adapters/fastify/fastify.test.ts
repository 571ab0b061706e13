// datagate/fastify (Fastify 5) on Fastify's own listen, with real requests on 127.0.0.1.
import Fastify, { type FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { datagate, jwksHandler } from '../../../src/adapters/fastify/index.js'
import { adapterContract } from '../contract.js'
import { CANARY, type Fixture, fixture, ROUTES, type Running, rows } from '../helpers.js'

async function listenFastify(app: FastifyInstance): Promise<Running> {
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return { url: (path) => `${address}${path}`, close: () => app.close() }
}

async function build(fx: Fixture): Promise<FastifyInstance> {
  const app = Fastify()
  const { dataset, purpose, ...shared } = fx.options()
  await app.register(datagate, { gate: fx.gate, ...shared })
  for (const route of ROUTES)
    app.get(
      route.path,
      {
        config: {
          share: {
            dataset,
            purpose,
            ...(route.mode ? { mode: route.mode } : {}),
            ...(route.conditional ? { conditional: true } : {}),
          },
        },
      },
      async () => route.body(),
    )
  const share = { config: { share: { dataset, purpose } } }
  app.get('/jwks', jwksHandler(fx.gate))
  app.get('/reply-send', share, (_request, reply) => {
    setTimeout(() => reply.send(rows()), 5)
  })
  app.get('/reply-send-async', share, async (_request, reply) => {
    reply.header('x-leak', CANARY)
    reply.code(201)
    return reply.send(rows())
  })
  app.get('/send-error', share, (_request, reply) => {
    reply.send(new Error(`${CANARY} ${JSON.stringify(rows(1))}`))
  })
  app.get('/hijack', share, (_request, reply) => {
    reply.hijack()
    return rows()
  })
  app.get('/undefined', share, async () => undefined)
  app.get(
    '/pre-handler-throws',
    {
      ...share,
      preHandler: async () => {
        throw new Error(`${CANARY} ${JSON.stringify(rows(1))}`)
      },
    },
    async () => rows(),
  )
  app.get('/serializer', share, async (_request, reply) => {
    reply.serializer(() => JSON.stringify(rows()))
    return rows()
  })
  app.get('/plain', async () => ({ ok: true }))
  return app
}

const contract = adapterContract('fastify', async (fx) => listenFastify(await build(fx)))

const authorized = async (sub = 'rental-co') => ({
  headers: { authorization: `Bearer ${await contract.fx().token({ sub })}` },
})

describe('fastify: the adapter itself', () => {
  it('serves the JWKS and leaves routes without config.share alone', async () => {
    const response = await fetch(contract.server().url('/jwks'))
    expect(response.headers.get('content-type')).toBe('application/jwk-set+json')
    expect(await response.json()).toEqual(contract.fx().gate.jwks())
    const plain = await fetch(contract.server().url('/plain'))
    expect(await plain.json()).toEqual({ ok: true })
  })

  it.each(['/reply-send', '/reply-send-async'])(
    '%s: rows given to reply.send are the wrapped path; the handler status and headers are dropped',
    async (path) => {
      const response = await fetch(contract.server().url(path), await authorized())
      expect(response.status).toBe(200)
      expect(response.headers.get('x-leak')).toBeNull()
      expect(response.headers.get('content-type')).toBe('application/jose')
      expect(await response.text()).not.toContain(CANARY)
    },
  )

  it.each([
    ['/send-error', 'ERR_RECORD_INVALID'],
    ['/hijack', 'ERR_INVALID_ARGUMENT'],
    ['/undefined', 'ERR_INVALID_ARGUMENT'],
    ['/pre-handler-throws', 'ERR_RECORD_INVALID'],
  ])(
    '%s gives the 500 problem with nothing of the rows, and reaches onError',
    async (path, code) => {
      const response = await fetch(contract.server().url(path), await authorized())
      expect(response.status).toBe(500)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
      const text = await response.text()
      expect(text).not.toContain(CANARY)
      expect(text).not.toContain('R-0')
      expect(JSON.parse(text).type).toBe(`urn:datagate:problem:${code}`)
      expect(contract.fx().errors.at(-1)).toMatchObject({
        error: { code },
        ctx: { status: 500, path, partner: 'rental-co' },
      })
    },
  )

  it("a serializer the handler set does not touch the gate's body", async () => {
    const response = await fetch(contract.server().url('/serializer'), await authorized())
    expect(response.status).toBe(200)
    expect(await response.text()).not.toContain(CANARY)
  })

  it('a route declared before the plugin is refused with the 500 problem, never served raw', async () => {
    const fx = await fixture()
    const { dataset, purpose, ...shared } = fx.options()
    const app = Fastify()
    app.get('/early', { config: { share: { dataset, purpose } } }, async () => rows())
    await app.register(datagate, { gate: fx.gate, ...shared })
    app.get('/late', { config: { share: { dataset, purpose } } }, async () => rows())
    const running = await listenFastify(app)
    try {
      const headers = { authorization: `Bearer ${await fx.token({ sub: 'rental-co' })}` }
      const early = await fetch(running.url('/early'), { headers })
      expect(early.status).toBe(500)
      const text = await early.text()
      expect(text).not.toContain(CANARY)
      expect(text).not.toContain('R-0')
      expect(fx.errors.at(-1)?.error.message).toMatch(/declared before the plugin/)
      const late = await fetch(running.url('/late'), { headers })
      expect(late.status).toBe(200)
      expect(late.headers.get('content-type')).toBe('application/jose')
      await late.text()
    } finally {
      await running.close()
      await fx.gate.close()
    }
  })

  it('bad plugin and route options fail at registration', async () => {
    const fx = await fixture()
    const { dataset: _d, purpose: _p, ...shared } = fx.options()
    const bad = Fastify()
    await expect(
      bad.register(datagate, { gate: fx.gate, ...shared, chunkSize: 0 }).ready(),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    const app = Fastify()
    await app.register(datagate, { gate: fx.gate, ...shared })
    expect(() =>
      app.get('/x', { config: { share: { dataset: '', purpose: 'p' } } }, async () => []),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    await app.close()
    await bad.close().catch(() => {})
    await fx.gate.close()
  })
})
