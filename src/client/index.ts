/**
 * `datagate/client`: the partner's side of the HTTP adapters. Fetches a shared resource, verifies
 * it (a signed export, or a whole NDJSON stream of signed chunks and its manifest) and returns the
 * records; refusals come back as `DatagateError` with the problem's code. Runs on any fetch
 * runtime: no `node:` imports.
 *
 * @packageDocumentation
 */
import { problemCode } from '../adapters/problem.js'
import { DatagateError, isDatagateError } from '../errors.js'
import type { ExportMeta, VerifyExportOptions } from '../export/export-claims.js'
import { verifyStream } from '../export/stream.js'
import { verifyExport } from '../export/verify-export.js'

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
  /** The issuer's public keys (its `jwksHandler`), or a resolver such as jose's `createRemoteJWKSet`. */
  readonly jwks: NonNullable<VerifyExportOptions['jwks']>
  /** The issuer id the tokens must carry. */
  readonly issuer: string
  /** Your partner id: the tokens' audience. */
  readonly audience: string
  /** The clock for expiry checks; default the system's. */
  readonly now?: () => Date
  /** The `fetch` to use; default the global one. */
  readonly fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>
}

/**
 * What a whole NDJSON stream's manifest says.
 *
 * @example
 * ```ts
 * import type { StreamMeta } from 'datagate/client'
 *
 * const meta: StreamMeta = { count: 25, chunks: 3 }
 * console.log(meta.count / meta.chunks > 8) // true
 * ```
 */
export interface StreamMeta {
  readonly count: number
  readonly chunks: number
}

/**
 * What {@link fetchShared} returns: the verified records and the export's claims or the stream's totals.
 *
 * @example
 * ```ts
 * import type { FetchSharedResult } from 'datagate/client'
 *
 * const describe = (result: FetchSharedResult) =>
 *   result.kind === 'export' ? `export under ${result.meta.agreement}` : `stream of ${result.meta.chunks} chunks`
 * console.log(describe({ kind: 'stream', records: [], meta: { count: 0, chunks: 0 } })) // 'stream of 0 chunks'
 * ```
 */
export type FetchSharedResult =
  | {
      readonly kind: 'export'
      readonly records: Record<string, unknown>[]
      readonly meta: ExportMeta
    }
  | {
      readonly kind: 'stream'
      readonly records: Record<string, unknown>[]
      readonly meta: StreamMeta
    }

function verifyOptions(options: FetchSharedOptions): VerifyExportOptions {
  return {
    jwks: options.jwks,
    issuer: options.issuer,
    audience: options.audience,
    ...(options.now ? { now: options.now } : {}),
  }
}

function checkOptions(options: FetchSharedOptions, where: string): void {
  const fail = (message: string): never => {
    throw new DatagateError('ERR_INVALID_ARGUMENT', `${where}: ${message}`)
  }
  if (typeof options !== 'object' || options === null) fail('options must be an object')
  if (options.jwks === undefined) fail('jwks is required')
  if (typeof options.issuer !== 'string' || options.issuer === '') fail('issuer is required')
  if (typeof options.audience !== 'string' || options.audience === '') fail('audience is required')
  if (options.fetch === undefined && typeof fetch !== 'function') fail('no fetch in this runtime')
}

function mediaType(response: Response): string {
  return (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
}

/** Fetches and turns refusals into errors; returns a 200 response to read. */
async function get(
  url: string | URL,
  options: FetchSharedOptions,
  where: string,
): Promise<Response> {
  checkOptions(options, where)
  const doFetch = options.fetch ?? fetch
  const response = await doFetch(url, { headers: options.headers ?? {} })
  if (response.status === 200) return response
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

/** The lines of an NDJSON body, one token each; a broken connection is `ERR_STREAM_INVALID`. */
async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string, void, undefined> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffered = ''
  try {
    for (;;) {
      let read: ReadableStreamReadResult<Uint8Array>
      try {
        read = await reader.read()
      } catch {
        throw new DatagateError('ERR_STREAM_INVALID', 'the stream broke off before its manifest')
      }
      if (read.done) break
      buffered += decoder.decode(read.value, { stream: true })
      let at = buffered.indexOf('\n')
      while (at >= 0) {
        const line = buffered.slice(0, at).trim()
        buffered = buffered.slice(at + 1)
        if (line !== '') yield line
        at = buffered.indexOf('\n')
      }
    }
    const rest = (buffered + decoder.decode()).trim()
    if (rest !== '') yield rest
  } finally {
    await reader.cancel().catch(() => {})
  }
}

async function* chunks(
  response: Response,
  options: FetchSharedOptions,
  where: string,
  done: (meta: StreamMeta | ExportMeta) => void,
): AsyncGenerator<Record<string, unknown>[], void, undefined> {
  const type = mediaType(response)
  if (type === 'application/jose') {
    const { records, meta } = await verifyExport(await response.text(), verifyOptions(options))
    done(meta)
    yield records
    return
  }
  if (type === 'application/x-ndjson' && response.body !== null) {
    const parts = verifyStream(lines(response.body), verifyOptions(options))
    for (;;) {
      const next = await parts.next()
      if (next.done) {
        done(next.value)
        return
      }
      yield [...next.value.records]
    }
  }
  await response.body?.cancel().catch(() => {})
  throw new DatagateError(
    'ERR_SIGNATURE_INVALID',
    `${where}: the response is not signed (${type || 'no content type'}); fetchShared accepts application/jose and application/x-ndjson`,
  )
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
  const response = await get(url, options, 'fetchShared')
  let meta: StreamMeta | ExportMeta | undefined
  const records: Record<string, unknown>[] = []
  for await (const chunk of chunks(response, options, 'fetchShared', (m) => {
    meta = m
  }))
    records.push(...chunk)
  if (meta === undefined) throw new DatagateError('ERR_STREAM_INVALID', 'fetchShared: no manifest')
  return mediaType(response) === 'application/jose'
    ? { kind: 'export', records, meta: meta as ExportMeta }
    : { kind: 'stream', records, meta: meta as StreamMeta }
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
  const response = await get(url, options, 'fetchSharedStream')
  try {
    yield* chunks(response, options, 'fetchSharedStream', () => {})
  } catch (error) {
    if (isDatagateError(error)) throw error
    throw new DatagateError('ERR_STREAM_INVALID', 'fetchSharedStream: the stream broke off', {
      cause: error,
    })
  }
}
