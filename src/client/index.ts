/**
 * `datagate/client`: the partner's side of the HTTP adapters. Fetches a shared resource, verifies
 * it (a signed export, or a whole NDJSON stream of signed chunks and its manifest) and returns the
 * records; refusals come back as `DatagateError` with the problem's code. Runs on any fetch
 * runtime: no `node:` imports.
 *
 * @packageDocumentation
 */
import { createRemoteJWKSet } from 'jose'
import { problemCode } from '../adapters/problem.js'
import { DatagateError, isDatagateError } from '../errors.js'
import type { VerifyExportOptions } from '../export/export-claims.js'
import { verifyStream } from '../export/stream.js'
import { verifyExport } from '../export/verify-export.js'
import { assertNumber } from '../lib/assert.js'
import { type EtagCache, isEtagCache } from './etag-cache.js'
import type { FetchSharedResult } from './fetch-result.js'
import { DEFAULT_MAX_LINE_LENGTH, lines } from './lines.js'
import { keyResolver, verifyJsonResponse } from './verify-json.js'

export { createEtagCache, type EtagCache } from './etag-cache.js'
export type { FetchSharedResult, StreamMeta } from './fetch-result.js'

/**
 * Options of {@link fetchShared} and {@link fetchSharedStream}.
 *
 * @example
 * ```ts
 * import type { FetchSharedOptions } from 'datagate/client'
 *
 * const options: FetchSharedOptions = { headers: { authorization: 'Bearer eyJ...' }, jwks: { keys: [] },
 *   issuer: 'oem-aftersales', audience: 'rental-co' }
 * console.log(options.audience) // 'rental-co'
 * ```
 */
export interface FetchSharedOptions {
  /** Request headers: at least your `Authorization`. */
  readonly headers?: HeadersInit
  /** The issuer's public keys (its `jwksHandler`), or a resolver such as jose's `createRemoteJWKSet`. Give this or `jwksUrl`. */
  readonly jwks?: NonNullable<VerifyExportOptions['jwks']>
  /** Where the issuer serves its keys (its `jwksHandler`): fetched and cached by jose's `createRemoteJWKSet`. */
  readonly jwksUrl?: string | URL
  /**
   * Keeps each verified result with its ETag ({@link createEtagCache}): a re-fetch sends
   * `If-None-Match`, and a `304` returns the kept result, while its `exp` has not passed.
   */
  readonly cache?: EtagCache
  /** The longest NDJSON line (one signed chunk) read, in characters; default 64 Mi. Longer: `ERR_STREAM_INVALID`. */
  readonly maxLineLength?: number
  /** The issuer id the tokens must carry. */
  readonly issuer: string
  /** Your partner id: the tokens' audience. */
  readonly audience: string
  /** The clock for expiry checks; default the system's. */
  readonly now?: () => Date
  /**
   * Seconds of clock skew forgiven between your clock and the issuer's, on `iat`/`exp` (and a
   * json-mode signature's `created`/`expires`); default 0, as `verifyExport`.
   */
  readonly clockTolerance?: number
  /** The `fetch` to use; default the global one. */
  readonly fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>
}

/**
 * One remote key set per `jwksUrl`, so jose's cache of each URL's keys is kept across calls. At
 * most {@link MAX_REMOTE_KEY_SETS}, least recently used dropped first: a client that is handed
 * ever new URLs (a query string per call) does not keep every one for the life of the process.
 */
const remoteKeySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>()
const MAX_REMOTE_KEY_SETS = 64

/** The keys to verify with: `jwks` as given, or one remote set per `jwksUrl` (jose caches its keys). */
function keysOf(options: FetchSharedOptions): NonNullable<VerifyExportOptions['jwks']> {
  if (options.jwks !== undefined) return options.jwks
  const url = new URL(options.jwksUrl as string | URL)
  let remote = remoteKeySets.get(url.href)
  if (remote === undefined) remote = createRemoteJWKSet(url)
  // A Map iterates in insertion order: re-inserting makes this URL the most recently used.
  remoteKeySets.delete(url.href)
  remoteKeySets.set(url.href, remote)
  while (remoteKeySets.size > MAX_REMOTE_KEY_SETS)
    remoteKeySets.delete(remoteKeySets.keys().next().value as string)
  return remote
}

function verifyOptions(options: FetchSharedOptions): VerifyExportOptions {
  return {
    jwks: keysOf(options),
    issuer: options.issuer,
    audience: options.audience,
    ...(options.now ? { now: options.now } : {}),
    ...(options.clockTolerance === undefined ? {} : { clockTolerance: options.clockTolerance }),
  }
}

function checkOptions(options: FetchSharedOptions, where: string): void {
  const fail = (message: string): never => {
    throw new DatagateError('ERR_INVALID_ARGUMENT', `${where}: ${message}`)
  }
  if (typeof options !== 'object' || options === null) fail('options must be an object')
  if ((options.jwks === undefined) === (options.jwksUrl === undefined))
    fail('give exactly one of jwks or jwksUrl')
  if (options.jwksUrl !== undefined && !URL.canParse(String(options.jwksUrl)))
    fail('jwksUrl must be an absolute URL')
  if (typeof options.issuer !== 'string' || options.issuer === '') fail('issuer is required')
  if (typeof options.audience !== 'string' || options.audience === '') fail('audience is required')
  if (options.fetch === undefined && typeof fetch !== 'function') fail('no fetch in this runtime')
  if (options.cache !== undefined && !isEtagCache(options.cache))
    fail('cache must come from createEtagCache()')
  if (options.clockTolerance !== undefined)
    assertNumber(options.clockTolerance, `${where}: clockTolerance`, { min: 0 })
  const max: unknown = options.maxLineLength
  if (max !== undefined && (!Number.isSafeInteger(max) || (max as number) < 1))
    fail('maxLineLength must be a positive integer')
}

function nowSeconds(options: FetchSharedOptions): number {
  return Math.floor((options.now ? options.now() : new Date()).getTime() / 1000)
}

function mediaType(response: Response): string {
  return (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
}

/** What {@link get} gives: a 200 to read, or the kept result a 304 stands for. */
type Fetched =
  | {
      readonly response: Response
      readonly sent: { method: string; url: string; headers: Headers }
      readonly cacheKey: string
    }
  | { readonly cached: FetchSharedResult }

/** Fetches and turns refusals into errors; returns a 200 response to read. */
async function get(
  url: string | URL,
  options: FetchSharedOptions,
  where: string,
): Promise<Fetched> {
  checkOptions(options, where)
  const doFetch = options.fetch ?? fetch
  const headers = new Headers(options.headers ?? {})
  const target = new URL(url).href
  // Per issuer, partner and URL, not per token: the server authenticates every request, a
  // refreshed token included, before it answers 304 for this partner's view; a result verified
  // for one issuer never answers for another.
  const cacheKey = `${options.issuer}\u0000${options.audience}\u0000${target}`
  const kept = options.cache?.get(cacheKey, nowSeconds(options))
  if (kept !== undefined) headers.set('if-none-match', kept.etag)
  const response = await doFetch(target, { headers })
  if (response.status === 304 && kept !== undefined) {
    await response.body?.cancel().catch(() => {})
    const etag = response.headers.get('etag')
    if (etag === null || etag === kept.etag) return { cached: kept.result }
    throw new DatagateError(
      'ERR_CLAIM_INVALID',
      `${where}: a 304 for another ETag than the one sent`,
    )
  }
  if (response.status === 200) {
    const sent = {
      method: 'GET',
      url: response.redirected && response.url ? response.url : target,
      headers,
    }
    return { response, sent, cacheKey }
  }
  if (mediaType(response) === 'application/problem+json') {
    const problem: unknown = await response.json().catch(() => undefined)
    const type =
      typeof problem === 'object' && problem !== null
        ? (problem as { type?: unknown }).type
        : undefined
    const code = problemCode(type)
    if (code !== undefined)
      throw new DatagateError(code, `${where}: the server refused with ${response.status} ${code}`)
  }
  await response.body?.cancel().catch(() => {})
  throw new DatagateError(
    'ERR_CLAIM_INVALID',
    `${where}: the server answered ${response.status}, not a datagate response`,
  )
}

type Done = (result: FetchSharedResult) => void

async function* chunks(
  fetched: Extract<Fetched, { response: Response }>,
  options: FetchSharedOptions,
  where: string,
  done: Done,
): AsyncGenerator<Record<string, unknown>[], void, undefined> {
  const { response, sent } = fetched
  const type = mediaType(response)
  if (type === 'application/jose') {
    const { records, meta } = await verifyExport(await response.text(), verifyOptions(options))
    done({ kind: 'export', records, meta })
    yield records
    return
  }
  if (type === 'application/json' && response.headers.has('signature-input')) {
    const { records, meta } = await verifyJsonResponse(response, sent, {
      keys: keyResolver(keysOf(options) as Parameters<typeof keyResolver>[0]),
      issuer: options.issuer,
      audience: options.audience,
      now: nowSeconds(options),
      clockTolerance: options.clockTolerance ?? 0,
    })
    done({ kind: 'json', records, meta })
    yield records
    return
  }
  if (type === 'application/x-ndjson' && response.body !== null) {
    const parts = verifyStream(
      lines(response.body, options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH),
      verifyOptions(options),
    )
    for (;;) {
      const next = await parts.next()
      if (next.done) {
        done({ kind: 'stream', records: [], meta: next.value })
        return
      }
      yield [...next.value.records]
    }
  }
  await response.body?.cancel().catch(() => {})
  throw new DatagateError(
    'ERR_SIGNATURE_INVALID',
    `${where}: the response is not signed (${type || 'no content type'}); fetchShared accepts application/jose, signed application/json and application/x-ndjson`,
  )
}

/** Keeps a verified export (signed or json) with its ETag, until its `exp`. */
function keep(
  options: FetchSharedOptions,
  fetched: Extract<Fetched, { response: Response }>,
  result: FetchSharedResult,
): void {
  const etag = fetched.response.headers.get('etag')
  if (options.cache === undefined || etag === null || result.kind === 'stream') return
  options.cache.set(fetched.cacheKey, { etag, result, expires: result.meta.exp })
}

/**
 * Fetches a shared resource and verifies all of it before returning: a compact JWS
 * (`application/jose`) with `verifyExport`, or a whole NDJSON stream with `verifyStream` (every
 * chunk, their order and the manifest). A problem response raises a `DatagateError` with the
 * problem's code (401 `ERR_UNAUTHENTICATED`, 403 `ERR_NOT_PERMITTED`, ...); a broken stream
 * `ERR_STREAM_INVALID`; an unsigned (`filtered`) response `ERR_SIGNATURE_INVALID`.
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
 * const api = withShare(gate, { dataset: 'outlet', purpose: 'map', authenticate: async () => ({ partner: 'maps-co' }) },
 *   async () => [{ outletId: 'O-1' }])
 *
 * // `fetch` stands in for the network here; partners leave it out
 * const { records, meta } = await fetchShared('https://api.example/v1/outlets', {
 *   jwks: gate.jwks(), issuer: 'oem', audience: 'maps-co', fetch: async (url) => api(new Request(url)) })
 * console.log(records, meta.count) // [ { outletId: 'O-1' } ] 1
 * ```
 */
export async function fetchShared(
  url: string | URL,
  options: FetchSharedOptions,
): Promise<FetchSharedResult> {
  const fetched = await get(url, options, 'fetchShared')
  if ('cached' in fetched) return fetched.cached
  let result: FetchSharedResult | undefined
  const records: Record<string, unknown>[] = []
  for await (const chunk of chunks(fetched, options, 'fetchShared', (r) => {
    result = r
  }))
    records.push(...chunk)
  if (result === undefined)
    throw new DatagateError('ERR_STREAM_INVALID', 'fetchShared: no manifest')
  const whole = { ...result, records } as FetchSharedResult
  keep(options, fetched, whole)
  return whole
}

/**
 * Fetches a shared resource and yields its verified records chunk by chunk, as each signed chunk
 * arrives (a signed export is one chunk). Memory stays bounded by the chunk size. Until the
 * generator finishes without throwing, treat what it yielded as provisional: a stream that breaks
 * off or whose manifest does not match raises `ERR_STREAM_INVALID`. Errors as in {@link fetchShared}.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { createGate, defineDataset, field, generateKeys, loadPolicy, memoryAuditSink } from 'datagate'
 * import { fetchSharedStream } from 'datagate/client'
 * import { withShare } from 'datagate/fetch'
 *
 * const Outlet = defineDataset('outlet', z.object({ outletId: field.public(z.string()) }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'maps-co', name: 'Maps Co', category: 'traffic',
 *   standing: 'gold', core: false, agreements: [{ id: 'm1', dataset: 'outlet', purpose: 'map',
 *   fields: ['outletId'], validFrom: '2026-01-01', validUntil: '2099-12-31' }] }] }, { datasets: [Outlet] })
 * const gate = createGate({ issuer: 'oem', datasets: [Outlet], policy, keys: await generateKeys(), audit: memoryAuditSink() })
 * async function* outlets() { for (let i = 0; i < 25; i++) yield { outletId: `O-${i}` } }
 * const api = withShare(gate, { dataset: 'outlet', purpose: 'map', chunkSize: 10,
 *   authenticate: async () => ({ partner: 'maps-co' }) }, () => outlets())
 *
 * const sizes = []
 * for await (const chunk of fetchSharedStream('https://api.example/v1/outlets', {
 *   jwks: gate.jwks(), issuer: 'oem', audience: 'maps-co', fetch: async (url) => api(new Request(url)) }))
 *   sizes.push(chunk.length)
 * console.log(sizes) // [ 10, 10, 5 ]
 * ```
 */
export async function* fetchSharedStream(
  url: string | URL,
  options: FetchSharedOptions,
): AsyncGenerator<Record<string, unknown>[], void, undefined> {
  const fetched = await get(url, options, 'fetchSharedStream')
  if ('cached' in fetched) {
    yield fetched.cached.records
    return
  }
  try {
    yield* chunks(fetched, options, 'fetchSharedStream', (result) => keep(options, fetched, result))
  } catch (error) {
    if (isDatagateError(error)) throw error
    throw new DatagateError('ERR_STREAM_INVALID', 'fetchSharedStream: the stream broke off', {
      cause: error,
    })
  }
}
