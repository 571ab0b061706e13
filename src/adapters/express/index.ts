/**
 * `datagate/express`: Express 5 middleware. The handler answers with `res.json(rows)`, which the
 * middleware wraps; `res.send`, `res.write`, `res.end`, `res.writeHead` and `res.flushHeaders` by
 * the handler are refused with the 500 problem, so no byte of data leaves by another path. Raw
 * socket writes (`res.socket`) are outside that guarantee.
 *
 * @packageDocumentation
 */
import type { Request, RequestHandler, Response } from 'express'
import { DatagateError } from '../../errors.js'
import type { Gate } from '../../export/gate.js'
import { jwksReply } from '../jwks.js'
import { headersOf } from '../node-headers.js'
import type { Reply } from '../reply.js'
import { authenticateShare, failure, releaseReply, reportFailure } from '../share.js'
import { checkShareOptions, type ShareOptions, type ShareRequest } from '../share-options.js'
import { type Writers, writeReply } from './write.js'

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
 * Express 5 middleware: authenticates the caller (the handler never runs for a 401), then serves
 * what the handler passes to `res.json(rows)` (an array of records; an async iterable or
 * `ReadableStream` streams NDJSON) through the gate for that partner. Headers the handler set are
 * dropped. A handler that throws (Express's error handling then writes by `res.end`) or writes by
 * `res.send`, `res.write`, `res.end`, `res.writeHead` or `res.flushHeaders` gets the 500 problem
 * and sends no data.
 *
 * @example
 * ```ts no-run
 * import express from 'express'
 * import { bearerPartner, share } from 'datagate/express'
 *
 * const authenticate = bearerPartner({ jwksUrl: 'https://partners.example/jwks.json', issuer: 'partners', audience: 'oem-api' })
 * const app = express()
 * app.get('/v1/orders', share(gate, { dataset: 'repair_order', purpose: 'courtesy-car', authenticate }),
 *   async (req, res) => { res.json(await db.orders()) })
 * app.listen(8080)
 * ```
 */
export function share(gate: Gate, options: ShareOptions): RequestHandler {
  checkShareOptions(gate, options, 'express share')
  return (req, res, next) => {
    void serve(gate, options, req, res, next)
  }
}

/** What serve() does with an error the handler passes to next(err), per request. */
const failures = new WeakMap<Request, (error: unknown) => void>()
const guarded = new WeakSet<object>()

/** The error handler appended to each route that uses share(): see guardRoute. */
function routeError(error: unknown, req: Request, _res: Response, next: (error?: unknown) => void) {
  const fail = failures.get(req)
  if (fail === undefined) return next(error)
  fail(error)
}

/**
 * Appends an error-handling layer to the route the request is on, once per route: Express's
 * own final handler writes its error page only after the request's body is read, so a handler
 * that called next(err) and then res.json(rows) had its rows served and its error lost. The
 * route re-reads its stack's length as it dispatches, so the layer serves this request too.
 */
function guardRoute(req: Request): boolean {
  const route = (req as { route?: { stack?: unknown } }).route
  if (typeof route !== 'object' || route === null) return false
  if (guarded.has(route)) return true
  const stack = route.stack
  if (!Array.isArray(stack) || stack.length === 0) return false
  const Layer = (
    stack[0] as {
      constructor: new (
        path: string,
        options: object,
        fn: unknown,
      ) => { method?: string | undefined }
    }
  ).constructor
  const layer = new Layer('/', {}, routeError)
  layer.method = undefined
  stack.push(layer)
  guarded.add(route)
  return true
}

async function serve(
  gate: Gate,
  options: ShareOptions,
  req: Request,
  res: Response,
  next: () => void,
): Promise<void> {
  const request: ShareRequest = {
    headers: headersOf(req.headers),
    method: req.method,
    // Absolute, as the partner addressed it (json mode signs it as @target-uri): behind a proxy,
    // set Express's `trust proxy` so that req.protocol and the host are the partner's.
    url: `${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl}`,
    native: req,
  }
  const before = new Set(res.getHeaderNames())
  const original: Writers = { write: res.write, end: res.end, writeHead: res.writeHead }
  let settled = false
  const deliver = async (reply: Reply) => {
    // From here on only the middleware writes: whatever the handler (or Express's error
    // handling) sends later, by any of these, is dropped, so nothing joins the response.
    res.json = (() => res) as Response['json']
    res.send = (() => res) as Response['send']
    res.write = (() => false) as Response['write']
    res.end = (() => res) as Response['end']
    res.writeHead = (() => res) as Response['writeHead']
    res.flushHeaders = () => {}
    res.addTrailers = () => {}
    for (const name of res.getHeaderNames()) if (!before.has(name)) res.removeHeader(name)
    await writeReply(res, reply, original)
  }
  const who = await authenticateShare(options, request)
  if ('reply' in who) return deliver(who.reply)
  const { partner } = who
  res.json = (body: unknown) => {
    if (!settled) {
      settled = true
      void releaseReply(gate, options, request, partner, () => body).then(deliver)
    }
    return res
  }
  // next(err) by the handler (also a throw, which Express turns into next(err)) reaches the
  // error layer guardRoute appended to the route: the 500 problem, or, when the handler had
  // answered already, a report to onError.
  failures.set(req, (error) => {
    if (settled) {
      void reportFailure(options, request, error, 200, partner)
      return
    }
    settled = true
    void failure(options, request, error, partner).then(deliver)
  })
  const routed = guardRoute(req)
  const refuse = (path: string) => () => {
    if (!settled) {
      settled = true
      // Mounted with app.use (no route to append the error layer to), a handler's next(err) or
      // throw reaches Express's error handling, whose error page (or the service's own error
      // handler) is what writes here, with an error status: the error itself is out of reach, so
      // onError is told where it went and how to have it reported.
      const message =
        !routed && res.statusCode >= 400
          ? `express share: mounted with app.use, the handler's error (next(err) or a throw) went to Express's error handling, which wrote by res.${path} (or the handler wrote status ${res.statusCode} itself); mount share on the route, app.get(path, share(...), handler), to have the error itself reported`
          : `express share: the handler threw or wrote by res.${path}; only res.json(rows) is served`
      const error = new DatagateError('ERR_INVALID_ARGUMENT', message)
      void failure(options, request, error, partner).then(deliver)
    }
    return res
  }
  res.send = refuse('send')
  res.end = refuse('end') as Response['end']
  res.write = ((..._args: unknown[]) => {
    refuse('write')()
    return false
  }) as Response['write']
  // Sending the head early would put the handler's status and headers on the wire.
  res.writeHead = refuse('writeHead') as Response['writeHead']
  res.flushHeaders = () => {
    refuse('flushHeaders')()
  }
  // Trailers leave after the gate's body (on a chunked NDJSON stream), outside what it decides.
  res.addTrailers = () => {
    refuse('addTrailers')()
  }
  next()
}

/**
 * An Express handler serving the gate's public keys (`application/jwk-set+json`).
 *
 * @example
 * ```ts no-run
 * import express from 'express'
 * import { jwksHandler } from 'datagate/express'
 *
 * express().get('/.well-known/jwks.json', jwksHandler(gate)).listen(8080)
 * ```
 */
export function jwksHandler(gate: Gate): RequestHandler {
  return (_req, res) => {
    void writeReply(res, jwksReply(gate))
  }
}
