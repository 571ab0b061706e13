// The partner API on Hono (served here by @hono/node-server; the same app runs on Workers, Deno
// and Bun): `share(...)` in front of each route, the handler passes the raw rows to c.json.
// Run it: `npx tsx examples/partner-api/hono.ts` (PORT, default 8080).
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import { createAdaptorServer } from '@hono/node-server'
import { jwksHandler, share } from 'datagate/hono'
import { Hono } from 'hono'
import { cursor, type PartnerSetup, partnerSetup, ROUTES } from './setup.js'

/** The Hono app: every shared route, and the gate's keys at /.well-known/jwks.json. */
export function honoApp(setup: PartnerSetup): Hono {
  const app = new Hono()
  app.get('/.well-known/jwks.json', jwksHandler(setup.gate))
  for (const route of ROUTES) {
    const options = {
      dataset: route.dataset,
      purpose: route.purpose,
      mode: route.mode,
      chunkSize: setup.chunkSize,
      authenticate: setup.authenticate,
      onError: (error: { code: string }, ctx: { status: number; path: string; partner?: string }) =>
        console.error(
          `[partner-api] ${ctx.status} ${ctx.path} ${ctx.partner ?? '-'} ${error.code}`,
        ),
    }
    app.get(route.path, share(setup.gate, options), (c) => {
      const rows = route.rows() // stands in for the database query
      return c.json(route.stream ? cursor(rows) : rows)
    })
  }
  return app
}

/** Listens on host:port (port 0: any free port) and returns the base URL and a stop function. */
export async function startHono(
  setup: PartnerSetup,
  { host = '127.0.0.1', port = 0 } = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createAdaptorServer({ fetch: honoApp(setup).fetch }) as Server
  await new Promise<void>((resolve) => server.listen(port, host, resolve))
  const address = server.address() as AddressInfo
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const setup = await partnerSetup()
  const { url } = await startHono(setup, { port: Number(process.env.PORT ?? 8080) })
  console.log(`partner API (Hono) on ${url}`)
  console.log(`a token for rental-co: ${await setup.token('rental-co')}`)
}
