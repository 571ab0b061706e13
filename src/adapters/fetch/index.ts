/**
 * `datagate/fetch`: the adapter for fetch handlers (Workers, Deno, Bun, Next.js route handlers).
 * Runtime-neutral: no `node:` imports, no framework.
 *
 * @packageDocumentation
 */
import { DatagateError } from '../../errors.js'
import type { Gate } from '../../export/gate.js'
import { jwksReply } from '../jwks.js'
import { toResponse } from '../reply.js'
import { authenticateShare, releaseReply } from '../share.js'
import { checkShareOptions, type ShareOptions } from '../share-options.js'

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
 * A fetch handler's rows: an array or iterable of records, or an async iterable / ReadableStream to stream.
 *
 * @example
 * ```ts
 * import type { ShareHandler } from 'datagate/fetch'
 *
 * const handler: ShareHandler = async (request) => [{ outletId: new URL(request.url).searchParams.get('id') }]
 * console.log(await handler(new Request('https://api.example/v1/outlets?id=O-1'))) // [ { outletId: 'O-1' } ]
 * ```
 */
export type ShareHandler<R extends Request = Request> = (request: R) => unknown

/**
 * Wraps a fetch handler that returns raw rows: the caller is authenticated first (the handler
 * never runs for a 401), then the rows go through the gate for that partner. Signed mode serves
 * the compact JWS (`application/jose`), filtered mode `{ data, meta }`; an async iterable or a
 * `ReadableStream` is served as NDJSON of signed chunks and the manifest. Refusals are RFC 9457
 * problems. Json mode serves `{ data, meta }` with an RFC 9421 signature bound to the request.
 * Bad options throw `ERR_INVALID_ARGUMENT` at once (`ERR_KEY_UNSUPPORTED` for `mode: 'json'` on a
 * gate whose current key is not Ed25519).
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { createGate, defineDataset, field, generateKeys, loadPolicy, memoryAuditSink, verifyExport } from 'datagate'
 * import { withShare } from 'datagate/fetch'
 *
 * const Outlet = defineDataset('outlet', z.object({ outletId: field.public(z.string()), owner: field.sensitive(z.string()) }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'maps-co', name: 'Maps Co', category: 'traffic',
 *   standing: 'gold', core: false, agreements: [{ id: 'm1', dataset: 'outlet', purpose: 'map',
 *   fields: ['outletId'], validFrom: '2026-01-01', validUntil: '2099-12-31' }] }] }, { datasets: [Outlet] })
 * const gate = createGate({ issuer: 'oem', datasets: [Outlet], policy, keys: await generateKeys(), audit: memoryAuditSink() })
 * // a stand-in for bearerPartner: every caller is maps-co
 * const authenticate = async () => ({ partner: 'maps-co' })
 * const handler = withShare(gate, { dataset: 'outlet', purpose: 'map', authenticate },
 *   async () => [{ outletId: 'O-1', owner: 'Zhang San' }])
 *
 * const response = await handler(new Request('https://api.example/v1/outlets'))
 * console.log(response.status, response.headers.get('content-type')) // 200 'application/jose'
 * const { records } = await verifyExport(await response.text(), { jwks: gate.jwks(), issuer: 'oem', audience: 'maps-co' })
 * console.log(records) // [ { outletId: 'O-1' } ]
 * ```
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { createGate, defineDataset, field, generateKeys, loadPolicy, memoryAuditSink } from 'datagate'
 * import { fetchShared } from 'datagate/client'
 * import { withShare } from 'datagate/fetch'
 *
 * const Outlet = defineDataset('outlet', z.object({ outletId: field.public(z.string()) }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'maps-co', name: 'Maps Co', category: 'traffic',
 *   standing: 'gold', core: false, agreements: [{ id: 'm1', dataset: 'outlet', purpose: 'map',
 *   fields: ['outletId'], validFrom: '2026-01-01', validUntil: '2099-12-31' }] }] }, { datasets: [Outlet] })
 * const gate = createGate({ issuer: 'oem', datasets: [Outlet], policy, keys: await generateKeys(), audit: memoryAuditSink() })
 * const api = withShare(gate, { dataset: 'outlet', purpose: 'map', mode: 'json',
 *   authenticate: async () => ({ partner: 'maps-co' }) }, () => [{ outletId: 'O-1' }])
 *
 * const response = await api(new Request('https://api.example/v1/outlets', { headers: { authorization: 'Bearer t' } }))
 * console.log(response.headers.get('signature-input')?.startsWith('datagate=("@status" "content-type" "content-digest"')) // true
 * // the client checks the signature against its own request: method, URL and Authorization
 * const { kind, records } = await fetchShared('https://api.example/v1/outlets', {
 *   headers: { authorization: 'Bearer t' }, jwks: gate.jwks(), issuer: 'oem', audience: 'maps-co',
 *   fetch: async (url, init) => api(new Request(url, init)) })
 * console.log(kind, records) // 'json' [ { outletId: 'O-1' } ]
 * ```
 */
export function withShare<R extends Request = Request>(
  gate: Gate,
  options: ShareOptions,
  handler: ShareHandler<R>,
): (request: R) => Promise<Response> {
  checkShareOptions(gate, options, 'withShare')
  if (typeof handler !== 'function')
    throw new DatagateError('ERR_INVALID_ARGUMENT', 'withShare: handler must be a function')
  return async (request) => {
    const share = {
      headers: request.headers,
      method: request.method,
      url: request.url,
      native: request,
    }
    const who = await authenticateShare(options, share)
    if ('reply' in who) return toResponse(who.reply)
    return toResponse(await releaseReply(gate, options, share, who.partner, () => handler(request)))
  }
}

/**
 * A fetch handler serving the gate's public keys (`application/jwk-set+json`), for partners'
 * `fetchShared` and `createRemoteJWKSet`.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { createGate, defineDataset, field, generateKeys, loadPolicy, memoryAuditSink } from 'datagate'
 * import { jwksHandler } from 'datagate/fetch'
 *
 * const Outlet = defineDataset('outlet', z.object({ outletId: field.public(z.string()) }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'maps-co', name: 'Maps Co', category: 'traffic',
 *   standing: 'gold', core: false, agreements: [{ id: 'm1', dataset: 'outlet', purpose: 'map',
 *   fields: ['outletId'], validFrom: '2026-01-01', validUntil: '2099-12-31' }] }] }, { datasets: [Outlet] })
 * const gate = createGate({ issuer: 'oem', datasets: [Outlet], policy, keys: await generateKeys(), audit: memoryAuditSink() })
 * const response = await jwksHandler(gate)()
 * console.log(response.headers.get('content-type')) // 'application/jwk-set+json'
 * console.log((await response.json()).keys.length) // 1
 * ```
 */
export function jwksHandler(gate: Gate): (request?: Request) => Promise<Response> {
  return async () => toResponse(jwksReply(gate))
}
