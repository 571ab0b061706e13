/**
 * `datagate/fastify`: the Fastify 5 plugin, made with `fastify-plugin`. Register it before the
 * routes; a route with `config: { share: { dataset, purpose, mode? } }` is then authenticated in
 * an `onRequest` hook (the handler never runs for a 401) and its handler is wrapped: what it
 * returns, or passes to `reply.send`, goes through the gate for that partner. `reply.hijack()` is
 * refused; raw writes (`reply.raw`) are outside the guarantee.
 *
 * @packageDocumentation
 */
import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  RouteHandlerMethod,
  RouteOptions,
} from 'fastify'
import fp from 'fastify-plugin'
import { DatagateError } from '../../errors.js'
import type { Gate } from '../../export/gate.js'
import { jwksReply } from '../jwks.js'
import { headersOf } from '../node-headers.js'
import type { Reply } from '../reply.js'
import { authenticateShare, failure, releaseReply } from '../share.js'
import { checkShareOptions, type ShareOptions, type ShareRequest } from '../share-options.js'
import { payloadOf } from './write.js'

export {
  type Authenticate,
  type AuthenticateContext,
  type BearerPartnerOptions,
  bearerPartner,
} from '../bearer.js'
export {
  PROBLEM_STATUS,
  PROBLEM_TYPE_PREFIX,
  type Problem,
  type ProblemStatus,
  problemFor,
  problemResponse,
} from '../problem.js'
export type { ShareErrorContext, ShareMode, ShareOptions } from '../share-options.js'
export {
  type ContractErrorContext,
  type ContractOptions,
  contractHandler,
} from './contract.js'

/**
 * What a route puts in `config.share`: its dataset and purpose, and optionally its own mode or
 * chunk size (else the plugin's).
 *
 * @example
 * ```ts
 * import type { ShareRouteConfig } from 'datagate/fastify'
 *
 * const share: ShareRouteConfig = { dataset: 'repair_order', purpose: 'courtesy-car', mode: 'filtered' }
 * console.log(share.mode) // 'filtered'
 * ```
 */
export type ShareRouteConfig = Pick<ShareOptions, 'dataset' | 'purpose'> &
  Partial<Pick<ShareOptions, 'mode' | 'chunkSize' | 'conditional'>>

/**
 * Options of the {@link datagate} plugin: the gate, and the options every adapter takes except
 * `dataset` and `purpose`, which each route names in `config.share`.
 *
 * @example
 * ```ts
 * import type { DatagateFastifyOptions } from 'datagate/fastify'
 *
 * const keys: (keyof DatagateFastifyOptions)[] = ['gate', 'authenticate', 'mode', 'chunkSize', 'onError']
 * console.log(keys.length) // 5
 * ```
 */
export type DatagateFastifyOptions = Omit<ShareOptions, 'dataset' | 'purpose'> & {
  readonly gate: Gate
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Serve this route through datagate (see `datagate/fastify`). */
    share?: ShareRouteConfig
  }
}

interface Shared {
  readonly request: ShareRequest
  readonly partner: string
}

/** What `onRequest` learned, per request. */
const authenticated = new WeakMap<FastifyRequest, Shared>()
/**
 * The `config.share` of every route a datagate plugin wrapped (a fresh copy each, so an object
 * the service reuses on a route the plugin never saw is not in it), whichever instance did.
 */
const wrappedShares = new WeakSet<object>()

function shareRequest(request: FastifyRequest): ShareRequest {
  const headers = headersOf(request.headers)
  // Absolute, as the partner addressed it (json mode signs it as @target-uri): behind a proxy,
  // set Fastify's `trustProxy` so that request.protocol and request.host are the partner's.
  return {
    headers,
    method: request.method,
    url: `${request.protocol}://${request.host}${request.url}`,
    native: request,
  }
}

/**
 * The replies whose payload {@link deliver} handed to Fastify: a wrapped route's `onSend` lets
 * only those through, so raw rows a hook sends (`reply.send` in onRequest, preHandler, ...,
 * which never passes through the wrapped handler) are replaced by the 500 problem.
 */
const delivered = new WeakSet<FastifyReply>()

/**
 * Sends a reply by Fastify's own `send`: status and headers from it; a body other than a stream
 * as bytes (so no serializer of the handler's touches it); an NDJSON stream as the Web stream,
 * which Fastify pipes with backpressure and destroys the socket on failure.
 */
function deliver(
  reply: FastifyReply,
  send: FastifyReply['send'],
  answer: Reply,
  before: ReadonlySet<string>,
): FastifyReply {
  for (const name of Object.keys(reply.getHeaders()))
    if (!before.has(name)) reply.removeHeader(name)
  delivered.add(reply)
  const payload = payloadOf(reply, answer)
  return Reflect.apply(send, reply, payload === undefined ? [] : [payload])
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

function wrapHandler(gate: Gate, options: ShareOptions, handler: RouteHandlerMethod) {
  return async function shared(
    this: FastifyInstance,
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    const send = reply.send
    const before = new Set(Object.keys(reply.getHeaders()))
    const state = authenticated.get(request)
    if (state === undefined) {
      const error = new DatagateError('ERR_UNAUTHENTICATED', 'fastify share: no partner')
      return deliver(reply, send, await failure(options, shareRequest(request), error), before)
    }
    const refused = (path: string) =>
      new DatagateError(
        'ERR_INVALID_ARGUMENT',
        `fastify share: the handler answered by ${path}; only its return value and reply.send(rows) are served`,
      )
    // The first answer wins: reply.send(rows) or the return value; nothing the handler sends
    // reaches the wire by send, and hijacking (writing reply.raw by hand) is refused.
    let answer:
      | ((value: { readonly body: unknown } | { readonly error: unknown }) => void)
      | undefined
    const answered = new Promise<{ readonly body: unknown } | { readonly error: unknown }>(
      (resolve) => {
        answer = resolve
      },
    )
    let settled = false
    const settle = (value: { readonly body: unknown } | { readonly error: unknown }) => {
      if (settled) return
      settled = true
      answer?.(value)
    }
    reply.send = ((payload?: unknown) => {
      settle(payload instanceof Error ? { error: payload } : { body: payload })
      return reply
    }) as FastifyReply['send']
    reply.hijack = (() => {
      settle({ error: refused('reply.hijack()') })
      return reply
    }) as FastifyReply['hijack']
    try {
      const result: unknown = Reflect.apply(handler, this, [request, reply])
      // Never awaited by itself: a handler that returns `reply` (a thenable that settles once the
      // response is sent) would wait for the response this wrapper has yet to send.
      if (isThenable(result))
        result.then(
          (value) => {
            if (value === undefined)
              settle({ error: refused('resolving with undefined without reply.send') })
            else if (value !== reply) settle({ body: value })
          },
          (error: unknown) => settle({ error }),
        )
      else if (result !== undefined && result !== reply) settle({ body: result })
    } catch (error) {
      settle({ error })
    }
    const outcome = await answered
    const served =
      'error' in outcome
        ? await failure(options, state.request, outcome.error, state.partner)
        : await releaseReply(gate, options, state.request, state.partner, () => outcome.body)
    return deliver(reply, send, served, before)
  }
}

function prepend<T>(hook: T, existing: T | T[] | undefined): T[] {
  if (existing === undefined) return [hook]
  return [hook, ...(Array.isArray(existing) ? existing : [existing])]
}

const plugin: FastifyPluginAsync<DatagateFastifyOptions> = async (app, pluginOptions) => {
  if (typeof pluginOptions !== 'object' || pluginOptions === null)
    throw new DatagateError('ERR_INVALID_ARGUMENT', 'fastify datagate: options must be an object')
  // Fastify has no hook that reaches a sibling context: registered in a child, the plugin would
  // never see a sibling's routes, and one with config.share would be served raw. Only the root
  // instance is accepted (a child context is `Object.create(parent)`; the root is a plain object).
  if (Object.getPrototypeOf(app) !== Object.prototype)
    throw new DatagateError(
      'ERR_INVALID_ARGUMENT',
      'fastify datagate: register the plugin on the root instance; in a child context, routes with config.share in its siblings would be served without it',
    )
  const { gate, ...shared } = pluginOptions
  // Checked at registration with a stand-in route, so bad plugin options fail at once.
  checkShareOptions(gate, { ...shared, dataset: '-', purpose: '-' }, 'fastify datagate')
  // A route declared before the plugin is never seen by onRoute, but root hooks do run for it:
  // one that asks for config.share and was not wrapped is refused, rather than served raw.
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const config = request.routeOptions.config as {
      share?: { dataset?: unknown; purpose?: unknown }
    }
    if (config?.share === undefined || wrappedShares.has(config.share)) return
    const named = (value: unknown) => (typeof value === 'string' && value !== '' ? value : '-')
    const options: ShareOptions = {
      ...shared,
      dataset: named(config.share?.dataset),
      purpose: named(config.share?.purpose),
    }
    const error = new DatagateError(
      'ERR_INVALID_ARGUMENT',
      'fastify datagate: this route has config.share but was declared before the plugin was registered; register datagate first',
    )
    const answer = await failure(options, shareRequest(request), error)
    await deliver(reply, reply.send, answer, new Set(Object.keys(reply.getHeaders())))
    return reply
  })
  app.addHook('onRoute', (route: RouteOptions) => {
    const config = route.config?.share
    if (config === undefined) return
    const where = `fastify datagate: route ${String(route.method)} ${route.url}`
    if (typeof config !== 'object' || config === null)
      throw new DatagateError('ERR_INVALID_ARGUMENT', `${where}: config.share must be an object`)
    const options: ShareOptions = { ...shared, ...config }
    checkShareOptions(gate, options, where)
    route.onRequest = prepend(async (request: FastifyRequest, reply: FastifyReply) => {
      const native = shareRequest(request)
      const who = await authenticateShare(options, native)
      if ('reply' in who) {
        await deliver(reply, reply.send, who.reply, new Set(Object.keys(reply.getHeaders())))
        return reply
      }
      authenticated.set(request, { request: native, partner: who.partner })
      // A trailer is written after the body, outside what the gate decides: a handler or hook
      // that sets one (`reply.trailer('x', () => rows)`) fails with the 500 problem.
      reply.trailer = (() => {
        throw new DatagateError(
          'ERR_INVALID_ARGUMENT',
          'fastify share: reply.trailer() is refused on a shared route; trailers leave after the gate decides',
        )
      }) as FastifyReply['trailer']
      return undefined
    }, route.onRequest) as NonNullable<RouteOptions['onRequest']>
    // Route-level onSend hooks run after every app-level one: whatever a hook sent (raw rows from
    // an onRequest or preHandler, before the handler or instead of it) is replaced here.
    route.onSend = prepend(
      async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
        if (delivered.has(reply)) return payload
        const state = authenticated.get(request)
        const error = new DatagateError(
          'ERR_INVALID_ARGUMENT',
          'fastify share: a hook sent a body by reply.send; only the route handler is served',
        )
        const answer = await failure(
          options,
          state?.request ?? shareRequest(request),
          error,
          state?.partner,
        )
        if (typeof (payload as { destroy?: unknown } | null)?.destroy === 'function')
          (payload as { destroy: () => void }).destroy()
        for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name)
        return payloadOf(reply, answer)
      },
      route.onSend,
    ) as NonNullable<RouteOptions['onSend']>
    route.handler = wrapHandler(gate, options, route.handler)
    const marked = Object.freeze({ ...config })
    wrappedShares.add(marked)
    route.config = { ...route.config, share: marked }
    // An error in any other hook of the route (preHandler, validation) is the 500 problem too,
    // never Fastify's default body, which quotes the error's message.
    route.errorHandler = async (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
      const state = authenticated.get(request)
      const answer = await failure(
        options,
        state?.request ?? shareRequest(request),
        error,
        state?.partner,
      )
      return deliver(reply, reply.send, answer, new Set())
    }
  })
}

/**
 * The Fastify 5 plugin (made with `fastify-plugin`, so its hook reaches the routes registered
 * after it): `await app.register(datagate, { gate, authenticate, mode?, chunkSize?, onError? })`,
 * then `config: { share: { dataset, purpose, mode? } }` on each route to share. The handler
 * returns raw rows (an array; an async iterable or `ReadableStream` streams NDJSON) or passes them
 * to `reply.send`; the partner receives its release. A throw, a body that is not records, an
 * error in another hook of the route, or `reply.hijack()` gives the 500 problem and no data.
 * Options are checked at registration and per route (`ERR_INVALID_ARGUMENT`).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import { z } from 'zod'
 * import { createGate, defineDataset, field, generateKeys, loadPolicy, memoryAuditSink } from 'datagate'
 * import { datagate } from 'datagate/fastify'
 *
 * const Outlet = defineDataset('outlet', z.object({ outletId: field.public(z.string()), owner: field.sensitive(z.string()) }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'maps-co', name: 'Maps Co', category: 'traffic',
 *   standing: 'gold', core: false, agreements: [{ id: 'm1', dataset: 'outlet', purpose: 'map',
 *   fields: ['outletId'], validFrom: '2026-01-01', validUntil: '2099-12-31' }] }] }, { datasets: [Outlet] })
 * const gate = createGate({ issuer: 'oem', datasets: [Outlet], policy, keys: await generateKeys(), audit: memoryAuditSink() })
 * const authenticate = async () => ({ partner: 'maps-co' }) // a stand-in for bearerPartner
 *
 * const app = Fastify()
 * await app.register(datagate, { gate, authenticate, mode: 'filtered' })
 * app.get('/v1/outlets', { config: { share: { dataset: 'outlet', purpose: 'map' } } },
 *   async () => [{ outletId: 'O-1', owner: 'Zhang San' }])
 * const response = await app.inject({ method: 'GET', url: '/v1/outlets' })
 * console.log(response.statusCode, response.json().data) // 200 [ { outletId: 'O-1' } ]
 * await app.close()
 * ```
 */
export const datagate: FastifyPluginAsync<DatagateFastifyOptions> = fp(plugin, {
  fastify: '5.x',
  name: 'datagate',
})

/**
 * A Fastify handler serving the gate's public keys (`application/jwk-set+json`).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import { z } from 'zod'
 * import { createGate, defineDataset, field, generateKeys, loadPolicy, memoryAuditSink } from 'datagate'
 * import { jwksHandler } from 'datagate/fastify'
 *
 * const Outlet = defineDataset('outlet', z.object({ outletId: field.public(z.string()) }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'maps-co', name: 'Maps Co', category: 'traffic',
 *   standing: 'gold', core: false, agreements: [{ id: 'm1', dataset: 'outlet', purpose: 'map',
 *   fields: ['outletId'], validFrom: '2026-01-01', validUntil: '2099-12-31' }] }] }, { datasets: [Outlet] })
 * const gate = createGate({ issuer: 'oem', datasets: [Outlet], policy, keys: await generateKeys(), audit: memoryAuditSink() })
 * const app = Fastify()
 * app.get('/.well-known/jwks.json', jwksHandler(gate))
 * console.log((await app.inject({ url: '/.well-known/jwks.json' })).json().keys.length) // 1
 * await app.close()
 * ```
 */
export function jwksHandler(gate: Gate): RouteHandlerMethod {
  return async (_request, reply) =>
    deliver(reply, reply.send, jwksReply(gate), new Set(Object.keys(reply.getHeaders())))
}
