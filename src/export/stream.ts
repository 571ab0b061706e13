import { DatagateError } from '../errors.js'
import { assertNumber, invalidArgument } from '../lib/assert.js'
import { base64urlDecode, utf8 } from '../lib/bytes.js'
import { bytesDigest, textDigest } from '../lib/digest.js'
import { JsonArrayWriter } from '../lib/json-writer.js'
import type { ReleasePlan } from '../policy/plan.js'
import { startRun } from '../policy/release.js'
import type { AuditReceiptClaim } from './audit-receipt.js'
import type { VerifyExportOptions } from './export-claims.js'
import type { KeyRing } from './key-ring.js'
import { signCompactBytes, signEnvelopeBytes } from './sign.js'
import { CHUNK_TYP, MANIFEST_TYP } from './typ.js'
import { verifyEnvelope } from './verify.js'

/** Rows for a stream: an array, any (async) iterable, or a Web `ReadableStream`. */
export type StreamSource = Iterable<unknown> | AsyncIterable<unknown> | ReadableStream<unknown>

/** One signed chunk of a stream. */
export interface StreamChunk {
  readonly kind: 'chunk'
  /** 0-based position. */
  readonly index: number
  /** Compact JWS (`typ` `datagate-chunk+jwt`). */
  readonly token: string
  readonly count: number
  /** `sha256:` digest of the token text; the manifest lists it. */
  readonly digest: string
}

/** The signed manifest that closes a stream. */
export interface StreamManifest {
  readonly kind: 'manifest'
  /** Compact JWS (`typ` `datagate-manifest+jwt`). */
  readonly token: string
  readonly stream: string
  readonly chunks: number
  readonly count: number
}

/** What `gate.exportStream` yields: chunks, then exactly one manifest. */
export type StreamPart = StreamChunk | StreamManifest

/** Internal wiring from the gate. */
export interface StreamExportContext {
  readonly plan: ReleasePlan
  readonly keys: KeyRing
  readonly chunkSize: number
  readonly claims: (jti: string) => Record<string, unknown>
  readonly newJti: () => string
  /** The `audit` claim of the manifest, read when it is signed. */
  readonly receipt: () => AuditReceiptClaim
  /**
   * Subject counting (`createGate({ subjects })`): `observe` sees each row a record was released
   * from, and `beforeChunk` (the counters' merge, which may refuse past a threshold) is awaited
   * before each chunk is signed, so no chunk leaves uncounted.
   */
  readonly tally?: {
    readonly observe: (row: unknown) => void
    readonly beforeChunk: () => Promise<void>
  }
  /** Writes `stream-start`; awaited before any row is read, so before the first chunk leaves. */
  readonly onStart: (stream: string) => Promise<void>
  /** Writes `stream-end`; awaited after the manifest is signed and before it is yielded. */
  readonly onComplete: (summary: {
    stream: string
    /** `jti` of the manifest. */
    jti: string
    count: number
    chunks: number
    /** `sha256:` of the manifest token text. */
    manifestDigest: string
    /** `sha256:` of the manifest's signed payload bytes. */
    signedDigest: string
  }) => Promise<void>
}

/**
 * `prev` of the first chunk of a stream: no chunk came before it.
 *
 * @example
 * ```ts
 * import { STREAM_GENESIS } from 'datagate/export'
 *
 * console.log(STREAM_GENESIS === `sha256:${'0'.repeat(64)}`) // true
 * ```
 */
export const STREAM_GENESIS = `sha256:${'0'.repeat(64)}`

function digestOf(token: string): string {
  return textDigest(token)
}

/**
 * Throws `ERR_INVALID_ARGUMENT` unless `source` is an iterable, an async iterable or a
 * `ReadableStream`: checked when a stream is made, before its `stream-start` event, so a source
 * that could never yield a row leaves no unfinished stream in the audit log.
 */
export function assertStreamSource(source: unknown): asserts source is StreamSource {
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) return
  if (
    typeof source === 'object' &&
    source !== null &&
    (Symbol.asyncIterator in source || Symbol.iterator in source)
  )
    return
  invalidArgument(
    'type',
    'exportStream: rows',
    'an iterable, an async iterable or a ReadableStream',
  )
}

/** The rows of a stream source, one at a time. */
export async function* rowsOf(source: StreamSource): AsyncGenerator<unknown, void, undefined> {
  assertStreamSource(source)
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) {
    const reader = source.getReader()
    try {
      while (true) {
        const { done, value } = await reader.read()
        if (done) return
        yield value
      }
    } finally {
      reader.releaseLock()
    }
  }
  yield* source as AsyncIterable<unknown>
}

/** Runs a release plan over a stream of rows, signing chunk by chunk. */
export async function* streamExport(
  source: StreamSource,
  context: StreamExportContext,
): AsyncGenerator<StreamPart, void, undefined> {
  const { plan, keys, chunkSize } = context
  assertNumber(chunkSize, 'exportStream: chunkSize', { integer: true, min: 1, max: 1_000_000 })
  const stream = context.newJti()
  // Before any row is read: a consumer that stops after the first chunk still left a trace.
  await context.onStart(stream)
  const run = startRun(plan)
  const digests: { index: number; count: number; digest: string }[] = []
  let prev = STREAM_GENESIS
  // Each released record is serialised at once into a byte buffer, so the chunk is held as
  // bytes (outside the JS heap) rather than as thousands of objects that outlive several
  // young-generation collections; measured in bench/stream-memory.ts.
  const records = new JsonArrayWriter()

  async function sign(): Promise<StreamChunk> {
    if (context.tally && records.count > 0) await context.tally.beforeChunk()
    const index = digests.length
    const count = records.count
    const head = JSON.stringify({
      ...context.claims(`${stream}.${index}`),
      stream,
      index,
      prev,
      count,
    })
    const { bytes } = records.finish(`${head.slice(0, -1)},"records":`, '}')
    const { token, tokenBytes } = await signCompactBytes(bytes, keys, CHUNK_TYP)
    // The token's own ASCII bytes: the digest of its text, without reading the string again.
    const digest = bytesDigest(tokenBytes)
    digests.push({ index, count, digest })
    prev = digest
    return { kind: 'chunk', index, token, count, digest }
  }

  for await (const row of rowsOf(source)) {
    const released = run.row(row)
    if (released !== undefined) {
      context.tally?.observe(row)
      records.push(released)
    }
    if (records.count === chunkSize) yield await sign()
  }
  if (records.count > 0 || digests.length === 0) yield await sign()
  const report = run.report()
  const manifestPayload = {
    ...context.claims(`${stream}.manifest`),
    audit: context.receipt(),
    stream,
    count: run.released,
    chunks: digests,
    last: prev,
    report,
  }
  const manifestBytes = utf8(JSON.stringify(manifestPayload))
  const { token } = await signEnvelopeBytes(manifestBytes, keys, { typ: MANIFEST_TYP })
  await context.onComplete({
    stream,
    jti: `${stream}.manifest`,
    count: run.released,
    chunks: digests.length,
    manifestDigest: digestOf(token),
    signedDigest: bytesDigest(manifestBytes),
  })
  yield { kind: 'manifest', token, stream, chunks: digests.length, count: run.released }
}

/** A verified chunk of records. */
export interface VerifiedChunk {
  readonly index: number
  readonly records: readonly Record<string, unknown>[]
}

function invalid(message: string): never {
  throw new DatagateError('ERR_STREAM_INVALID', message)
}

/**
 * Verifies a streamed export on the partner side and yields its records chunk by chunk.
 * Each chunk's signature, `typ`, issuer, audience and age are checked as `verifyExport` does,
 * chunks must come in order and link to the previous one, and the stream must end with a
 * manifest whose digests and counts match every chunk seen. Until the generator finishes
 * without throwing, treat what it yielded as provisional.
 *
 * Accepts chunk and manifest tokens as strings or as the parts `gate.exportStream` yields.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { createGate, defineDataset, field, generateKeys, loadPolicy, memoryAuditSink, verifyStream } from 'datagate'
 *
 * const Outlet = defineDataset('outlet', z.object({ outletId: field.public(z.string()) }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'maps-co', name: 'Maps Co', category: 'traffic',
 *   standing: 'gold', core: false, agreements: [{ id: 'm1', dataset: 'outlet', purpose: 'map',
 *   fields: ['outletId'], validFrom: '2026-01-01', validUntil: '2026-12-31' }] }] }, { datasets: [Outlet] })
 * const gate = createGate({ issuer: 'oem', datasets: [Outlet], policy, keys: await generateKeys(), audit: memoryAuditSink(),
 *   now: () => new Date('2026-06-01T00:00:00Z') })
 * const rows = Array.from({ length: 25 }, (_, i) => ({ outletId: `O-${i}` }))
 * const parts = gate.exportStream(rows, { partner: 'maps-co', dataset: 'outlet', purpose: 'map', chunkSize: 10 })
 * let received = 0
 * for await (const chunk of verifyStream(parts, { jwks: gate.jwks(), issuer: 'oem', audience: 'maps-co',
 *   now: () => new Date('2026-06-01T00:00:05Z') })) received += chunk.records.length
 * console.log(received) // 25
 * ```
 */
export async function* verifyStream(
  parts: Iterable<string | StreamPart> | AsyncIterable<string | StreamPart>,
  options: VerifyExportOptions,
): AsyncGenerator<VerifiedChunk, { readonly count: number; readonly chunks: number }, undefined> {
  let stream: string | undefined
  let prev = STREAM_GENESIS
  const seen: { index: number; count: number; digest: string }[] = []
  let manifestSeen = false
  for await (const part of parts as AsyncIterable<string | StreamPart>) {
    const token = typeof part === 'string' ? part : part?.token
    if (typeof token !== 'string')
      invalid('a stream part is neither a token nor a part with a token')
    if (manifestSeen) invalid('data follows the manifest')
    const kind =
      typeof part === 'string' ? headerTyp(token) : part.kind === 'chunk' ? CHUNK_TYP : MANIFEST_TYP
    if (kind === CHUNK_TYP) {
      const { payload } = await verifyEnvelope(token, { ...options, typ: CHUNK_TYP })
      const index = payload.index
      const records = payload.records
      if (typeof payload.stream !== 'string') invalid('chunk without a stream id')
      stream ??= payload.stream
      if (payload.stream !== stream) invalid(`chunk ${String(index)} belongs to another stream`)
      if (index !== seen.length)
        invalid(`chunk ${String(index)} arrived where chunk ${seen.length} was expected`)
      if (payload.prev !== prev) invalid(`chunk ${seen.length} does not link to the previous chunk`)
      if (!Array.isArray(records) || payload.count !== records.length)
        invalid(`chunk ${seen.length}: count does not match its records`)
      const digest = digestOf(token)
      seen.push({ index: seen.length, count: records.length, digest })
      prev = digest
      yield { index: seen.length - 1, records: records as Record<string, unknown>[] }
    } else if (kind === MANIFEST_TYP) {
      const { payload } = await verifyEnvelope(token, { ...options, typ: MANIFEST_TYP })
      manifestSeen = true
      if (stream !== undefined && payload.stream !== stream)
        invalid('the manifest belongs to another stream')
      const listed = payload.chunks
      if (!Array.isArray(listed) || listed.length !== seen.length)
        invalid(
          `the manifest lists ${Array.isArray(listed) ? listed.length : 0} chunks; ${seen.length} arrived`,
        )
      listed.forEach((entry: unknown, i: number) => {
        const expected = seen[i]
        const given = entry as { index?: unknown; count?: unknown; digest?: unknown }
        if (
          !expected ||
          given.index !== expected.index ||
          given.count !== expected.count ||
          given.digest !== expected.digest
        ) {
          invalid(`chunk ${i} does not match the manifest`)
        }
      })
      const total = seen.reduce((sum, c) => sum + c.count, 0)
      if (payload.count !== total) invalid('the manifest count does not match the chunks')
      if (payload.last !== prev) invalid('the manifest does not close the chunk chain')
    } else {
      invalid('a stream part has an unexpected typ')
    }
  }
  if (!manifestSeen) invalid('the stream ended without its manifest')
  return { count: seen.reduce((sum, c) => sum + c.count, 0), chunks: seen.length }
}

function headerTyp(token: string): string | undefined {
  const head = token.slice(0, token.indexOf('.'))
  try {
    const json = JSON.parse(new TextDecoder().decode(base64urlDecode(head))) as { typ?: unknown }
    return typeof json.typ === 'string' ? json.typ : undefined
  } catch {
    return undefined
  }
}
