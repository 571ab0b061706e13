// The partner API on Express 5: one `share(...)` in front of each route, the handler returns the
// raw rows with res.json. Run it: `npx tsx examples/partner-api/express.ts` (PORT, default 8080).
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import { jwksHandler, share } from 'datagate/express'
import express, { type Express } from 'express'
import { cursor, type PartnerSetup, partnerSetup, ROUTES } from './setup.js'

/** The Express app: every shared route, and the gate's keys at /.well-known/jwks.json. */
export function expressApp(setup: PartnerSetup): Express {
  const app = express()
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
    app.get(route.path, share(setup.gate, options), async (_req, res) => {
      const rows = route.rows() // stands in for the database query
      res.json(route.stream ? cursor(rows) : rows)
    })
  }
  return app
}

/** Listens on host:port (port 0: any free port) and returns the base URL and a stop function. */
export async function startExpress(
  setup: PartnerSetup,
  { host = '127.0.0.1', port = 0 } = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const s = expressApp(setup).listen(port, host, () => resolve(s))
  })
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
  const { url } = await startExpress(setup, { port: Number(process.env.PORT ?? 8080) })
  console.log(`partner API (Express) on ${url}`)
  console.log(`a token for rental-co: ${await setup.token('rental-co')}`)
}
