// Types of the adapters' options and of what they return.

import type { RequestHandler } from 'express'
import Fastify, { type FastifyPluginAsync } from 'fastify'
import type { MiddlewareHandler } from 'hono'
import { describe, expectTypeOf, it } from 'vitest'
import { share as expressShare } from '../../src/adapters/express/index.js'
import {
  type DatagateFastifyOptions,
  datagate,
  type ShareRouteConfig,
} from '../../src/adapters/fastify/index.js'
import {
  type Authenticate,
  bearerPartner,
  type ShareMode,
  type ShareOptions,
  withShare,
} from '../../src/adapters/fetch/index.js'
import { share as honoShare } from '../../src/adapters/hono/index.js'
import { type FetchSharedResult, fetchShared } from '../../src/client/index.js'
import type { Gate } from '../../src/export/gate.js'

declare const gate: Gate
const authenticate: Authenticate = async () => ({ partner: 'p' })

describe('adapter options', () => {
  it('modes are signed, json and filtered; conditional is a boolean', () => {
    expectTypeOf<ShareMode>().toEqualTypeOf<'signed' | 'json' | 'filtered'>()
    // @ts-expect-error there is no 'jws' mode
    const jws: ShareOptions = { dataset: 'd', purpose: 'p', authenticate, mode: 'jws' }
    void jws
    // @ts-expect-error conditional is a boolean
    const conditional: ShareOptions = { dataset: 'd', purpose: 'p', authenticate, conditional: 1 }
    void conditional
  })

  it('dataset, purpose and authenticate are required', () => {
    // @ts-expect-error authenticate is required: the partner is never a parameter
    const missing: ShareOptions = { dataset: 'd', purpose: 'p' }
    void missing
    // @ts-expect-error there is no partner option
    const partner: ShareOptions = { dataset: 'd', purpose: 'p', authenticate, partner: 'p' }
    void partner
  })

  it('Authenticate takes Headers and the native request and resolves to a partner', () => {
    expectTypeOf<Parameters<Authenticate>[0]>().toEqualTypeOf<{
      readonly headers: Headers
      readonly request: unknown
    }>()
    expectTypeOf<ReturnType<Authenticate>>().toEqualTypeOf<Promise<{ readonly partner: string }>>()
    expectTypeOf(
      bearerPartner({ jwks: { keys: [] }, issuer: 'i', audience: 'a' }),
    ).toEqualTypeOf<Authenticate>()
  })

  it('onError receives a DatagateError and a context without values', () => {
    withShare(
      gate,
      {
        dataset: 'd',
        purpose: 'p',
        authenticate,
        onError: (error, ctx) => {
          expectTypeOf(error.code).toBeString()
          expectTypeOf(ctx.status).toBeNumber()
          expectTypeOf(ctx.partner).toEqualTypeOf<string | undefined>()
        },
      },
      () => [],
    )
  })

  it('each adapter returns its framework’s handler type', () => {
    const opts: ShareOptions = { dataset: 'd', purpose: 'p', authenticate }
    expectTypeOf(expressShare(gate, opts)).toEqualTypeOf<RequestHandler>()
    expectTypeOf(honoShare(gate, opts)).toEqualTypeOf<MiddlewareHandler>()
    interface NextRequest extends Request {
      readonly nextUrl: URL
    }
    const handler = withShare<NextRequest>(gate, opts, (request) => {
      expectTypeOf(request.nextUrl).toEqualTypeOf<URL>()
      return []
    })
    expectTypeOf(handler).toEqualTypeOf<(request: NextRequest) => Promise<Response>>()
  })

  it('fetchShared tells an export and a json response from a stream', async () => {
    const result = await fetchShared('https://x', {
      jwks: { keys: [] },
      issuer: 'i',
      audience: 'a',
    })
    expectTypeOf(result).toEqualTypeOf<FetchSharedResult>()
    if (result.kind === 'export' || result.kind === 'json')
      expectTypeOf(result.meta.agreement).toBeString()
    else expectTypeOf(result.meta.chunks).toBeNumber()
  })
})

describe('the Fastify plugin', () => {
  it('is a plugin of DatagateFastifyOptions; config.share is typed on every route', async () => {
    const app = Fastify()
    expectTypeOf(datagate).toEqualTypeOf<FastifyPluginAsync<DatagateFastifyOptions>>()
    await app.register(datagate, { gate, authenticate, mode: 'json' })
    app.get(
      '/ok',
      { config: { share: { dataset: 'd', purpose: 'p', mode: 'filtered' } } },
      async () => [],
    )
    const bad = { dataset: 'd', purpose: 'p', mode: 'jws' } as const
    // @ts-expect-error there is no 'jws' mode
    app.get('/bad', { config: { share: bad } }, async () => [])
    expectTypeOf<ShareRouteConfig['mode']>().toEqualTypeOf<ShareMode | undefined>()
    expectTypeOf<ShareRouteConfig['conditional']>().toEqualTypeOf<boolean | undefined>()
    expectTypeOf<ShareRouteConfig>().toHaveProperty('dataset').toEqualTypeOf<string>()
    // @ts-expect-error dataset and purpose are required on a route
    const partial: ShareRouteConfig = { dataset: 'd' }
    void partial
  })
})
