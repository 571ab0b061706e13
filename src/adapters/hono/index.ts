/**
 * `datagate/hono`: the Hono middleware, made with hono's `createMiddleware` on the fetch core.
 * The handler answers with `c.json(rows)`; the middleware intercepts that call (the rows are never
 * serialised, then re-parsed) and serves the partner's release instead.
 *
 * @packageDocumentation
 */
import type { Context, MiddlewareHandler } from 'hono'
import { createMiddleware } from 'hono/factory'
import { DatagateError } from '../../errors.js'
import type { Gate } from '../../export/gate.js'
import { jwksReply } from '../jwks.js'
import { type Reply, toResponse } from '../reply.js'
import { authenticateShare, failure, releaseReply } from '../share.js'
import { checkShareOptions, type ShareOptions, type ShareRequest } from '../share-options.js'

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

/** Replaces `c.res` outright: headers the handler set do not survive; those set before it do. */
function replaceResponse(c: Context, reply: Reply, upstream: Headers): void {
  const response = toResponse(reply)
  upstream.forEach((value, name) => {
    if (!response.headers.has(name)) response.headers.set(name, value)
  })
  c.res = undefined
  c.res = response
}

/**
 * Hono middleware: authenticates the caller (the handler never runs for a 401), then serves what
 * the handler passes to `c.json(...)` (an array of records; an async iterable or `ReadableStream`
 * streams NDJSON) through the gate for that partner. A handler that throws, or answers by any
 * other path (`c.text`, `c.body`, a `Response`), gets the 500 problem and sends no data.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { z } from 'zod'
 * import { createGate, defineDataset, field, generateKeys, loadPolicy, memoryAuditSink } from 'datagate'
 * import { share } from 'datagate/hono'
 *
 * const Outlet = defineDataset('outlet', z.object({ outletId: field.public(z.string()), owner: field.sensitive(z.string()) }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'maps-co', name: 'Maps Co', category: 'traffic',
 *   standing: 'gold', core: false, agreements: [{ id: 'm1', dataset: 'outlet', purpose: 'map',
 *   fields: ['outletId'], validFrom: '2026-01-01', validUntil: '2099-12-31' }] }] }, { datasets: [Outlet] })
 * const gate = createGate({ issuer: 'oem', datasets: [Outlet], policy, keys: await generateKeys(), audit: memoryAuditSink() })
 * const authenticate = async () => ({ partner: 'maps-co' }) // a stand-in for bearerPartner
 *
 * const app = new Hono()
 * app.get('/v1/outlets', share(gate, { dataset: 'outlet', purpose: 'map', authenticate, mode: 'filtered' }),
 *   (c) => c.json([{ outletId: 'O-1', owner: 'Zhang San' }]))
 * const response = await app.request('/v1/outlets')
 * console.log((await response.json()).data) // [ { outletId: 'O-1' } ]
 * ```
 */
export function share(gate: Gate, options: ShareOptions): MiddlewareHandler {
  checkShareOptions(gate, options, 'hono share')
  return createMiddleware(async (c, next) => {
    const request: ShareRequest = {
      headers: c.req.raw.headers,
      method: c.req.method,
      url: c.req.url,
      native: c,
    }
    const upstream = new Headers(c.res.headers)
    const who = await authenticateShare(options, request)
    if ('reply' in who) {
      replaceResponse(c, who.reply, upstream)
      return
    }
    let captured: { readonly body: unknown } | undefined
    const json = (body: unknown) => {
      captured ??= { body }
      return new Response(null, { status: 204 })
    }
    c.json = json as typeof c.json
    let thrown: { readonly error: unknown } | undefined
    try {
      await next()
    } catch (error) {
      thrown = { error }
    }
    if (c.error !== undefined) thrown ??= { error: c.error }
    let reply: Reply
    if (thrown !== undefined) reply = await failure(options, request, thrown.error, who.partner)
    else if (captured === undefined)
      reply = await failure(
        options,
        request,
        new DatagateError(
          'ERR_INVALID_ARGUMENT',
          'hono share: the handler answered without c.json(rows); nothing was sent',
        ),
        who.partner,
      )
    else {
      const { body } = captured
      reply = await releaseReply(gate, options, request, who.partner, () => body)
    }
    c.error = undefined
    replaceResponse(c, reply, upstream)
  })
}

/**
 * A Hono handler serving the gate's public keys (`application/jwk-set+json`).
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { z } from 'zod'
 * import { createGate, defineDataset, field, generateKeys, loadPolicy, memoryAuditSink } from 'datagate'
 * import { jwksHandler } from 'datagate/hono'
 *
 * const Outlet = defineDataset('outlet', z.object({ outletId: field.public(z.string()) }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'maps-co', name: 'Maps Co', category: 'traffic',
 *   standing: 'gold', core: false, agreements: [{ id: 'm1', dataset: 'outlet', purpose: 'map',
 *   fields: ['outletId'], validFrom: '2026-01-01', validUntil: '2099-12-31' }] }] }, { datasets: [Outlet] })
 * const gate = createGate({ issuer: 'oem', datasets: [Outlet], policy, keys: await generateKeys(), audit: memoryAuditSink() })
 * const app = new Hono().get('/.well-known/jwks.json', jwksHandler(gate))
 * console.log((await (await app.request('/.well-known/jwks.json')).json()).keys.length) // 1
 * ```
 */
export function jwksHandler(gate: Gate): (c: Context) => Response {
  return () => toResponse(jwksReply(gate))
}
