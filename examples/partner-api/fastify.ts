// The partner API on Fastify 5: the datagate plugin once, `config.share` on each route, the
// handler returns the raw rows. Run it: `npx tsx examples/partner-api/fastify.ts` (PORT, default 8080).
import { pathToFileURL } from 'node:url'
import { datagate, jwksHandler } from 'datagate/fastify'
import Fastify, { type FastifyInstance } from 'fastify'
import { cursor, type PartnerSetup, partnerSetup, ROUTES } from './setup.js'

/** The Fastify app: every shared route, and the gate's keys at /.well-known/jwks.json. */
export async function fastifyApp(setup: PartnerSetup): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(datagate, {
    gate: setup.gate,
    authenticate: setup.authenticate,
    chunkSize: setup.chunkSize,
    onError: (error, ctx) =>
      console.error(`[partner-api] ${ctx.status} ${ctx.path} ${ctx.partner ?? '-'} ${error.code}`),
  })
  app.get('/.well-known/jwks.json', jwksHandler(setup.gate))
  for (const route of ROUTES) {
    const share = { dataset: route.dataset, purpose: route.purpose, mode: route.mode }
    app.get(route.path, { config: { share } }, async () => {
      const rows = route.rows() // stands in for the database query
      return route.stream ? cursor(rows) : rows
    })
  }
  return app
}

/** Listens on host:port (port 0: any free port) and returns the base URL and a stop function. */
export async function startFastify(
  setup: PartnerSetup,
  { host = '127.0.0.1', port = 0 } = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const app = await fastifyApp(setup)
  const url = await app.listen({ host, port })
  return { url, close: () => app.close() }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const setup = await partnerSetup()
  const { url } = await startFastify(setup, { port: Number(process.env.PORT ?? 8080) })
  console.log(`partner API (Fastify) on ${url}`)
  console.log(`a token for rental-co: ${await setup.token('rental-co')}`)
}
