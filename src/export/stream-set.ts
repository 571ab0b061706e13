// The partner's side of an export set: the signed set manifest lists every partition's stream
// manifest by digest, in partition order; each partition is then verified as a stream
// (verifyStream) and matched to its line. Runs on any runtime: no `node:` imports.
import { DatagateError, type DatagateErrorCode } from '../errors.js'
import { assertString } from '../lib/assert.js'
import { textDigest } from '../lib/digest.js'
import type { VerifyExportOptions } from './export-claims.js'
import { type StreamPart, verifyStream } from './stream.js'
import type { StreamSetEntry } from './stream-set-sign.js'
import { STREAM_SET_TYP } from './typ.js'
import { verifyEnvelope } from './verify.js'

/**
 * The parts of one partition: chunk and manifest tokens (or parts), the manifest last.
 *
 * @example
 * ```ts
 * import type { StreamSetPartition } from 'datagate'
 *
 * const partition: StreamSetPartition = ['eyJ...chunk', 'eyJ...manifest']
 * console.log(Array.isArray(partition)) // true
 * ```
 */
export type StreamSetPartition = Iterable<string | StreamPart> | AsyncIterable<string | StreamPart>

/**
 * A verified chunk of a set: its partition, its index in that partition, its records.
 *
 * @example
 * ```ts
 * import type { VerifiedSetChunk } from 'datagate'
 *
 * const chunk: VerifiedSetChunk = { partition: 3, index: 0, records: [{ outletId: 'O-1' }] }
 * console.log(chunk.partition) // 3
 * ```
 */
export interface VerifiedSetChunk {
  readonly partition: number
  readonly index: number
  readonly records: readonly Record<string, unknown>[]
}

/**
 * What {@link verifyStreamSet} returns once the whole set verified.
 *
 * @example
 * ```ts
 * import type { StreamSetSummary } from 'datagate'
 *
 * const summary: StreamSetSummary = { set: 'nightly-2026-12-01', count: 1_000_000, partitions: 8, chunks: 104 }
 * console.log(summary.count / summary.partitions) // 125000
 * ```
 */
export interface StreamSetSummary {
  /** The export id the set manifest names. */
  readonly set: string
  readonly count: number
  readonly partitions: number
  readonly chunks: number
}

function fail(code: DatagateErrorCode, message: string): never {
  throw new DatagateError(code, `verifyStreamSet: ${message}`)
}

const DIGEST = /^sha256:[0-9a-f]{64}$/

/** The set manifest's partition list, checked for shape, order, duplicates and the total. */
function listedEntries(payload: Record<string, unknown>): {
  set: string
  count: number
  entries: StreamSetEntry[]
} {
  const { set, of, count, partitions } = payload
  if (typeof set !== 'string' || set === '')
    fail('ERR_STREAM_SET_INVALID', 'the manifest names no set')
  if (!Number.isSafeInteger(of) || (of as number) < 1)
    fail('ERR_STREAM_SET_INVALID', 'the manifest has no partition count')
  if (!Array.isArray(partitions)) fail('ERR_STREAM_SET_INVALID', 'the manifest lists no partitions')
  if (!Number.isSafeInteger(count))
    fail('ERR_STREAM_SET_INVALID', 'the manifest has no record count')
  const entries: StreamSetEntry[] = []
  const streams = new Set<string>()
  const numbers = new Set<number>()
  for (const [i, value] of partitions.entries()) {
    const entry = value as Partial<StreamSetEntry> | null
    if (
      typeof entry !== 'object' ||
      entry === null ||
      !Number.isSafeInteger(entry.partition) ||
      typeof entry.stream !== 'string' ||
      typeof entry.manifest !== 'string' ||
      !DIGEST.test(entry.manifest) ||
      !Number.isSafeInteger(entry.count) ||
      !Number.isSafeInteger(entry.chunks)
    )
      fail('ERR_STREAM_SET_INVALID', `line ${i} of the manifest is not a partition entry`)
    const { partition, stream } = entry as StreamSetEntry
    if (numbers.has(partition) || streams.has(stream))
      fail('ERR_STREAM_SET_DUPLICATE', `partition ${partition} is listed twice`)
    if (partition !== i)
      fail('ERR_STREAM_SET_ORDER', `line ${i} of the manifest lists partition ${partition}`)
    numbers.add(partition)
    streams.add(stream)
    entries.push(entry as StreamSetEntry)
  }
  if (entries.length !== of)
    fail(
      'ERR_STREAM_SET_INCOMPLETE',
      `the manifest lists ${entries.length} of ${String(of)} partitions`,
    )
  const total = entries.reduce((sum, e) => sum + e.count, 0)
  if (total !== count)
    fail(
      'ERR_STREAM_SET_COUNT',
      `the partitions hold ${total} records; the manifest says ${String(count)}`,
    )
  return { set, count: count as number, entries }
}

/** Why a partition whose manifest digest is not the one listed at its place fails. */
function misplaced(
  entries: readonly StreamSetEntry[],
  position: number,
  digest: string,
  done: ReadonlySet<string>,
): never {
  if (done.has(digest))
    fail('ERR_STREAM_SET_DUPLICATE', `partition ${position} repeats an earlier partition`)
  const listed = entries.findIndex((e) => e.manifest === digest)
  if (listed >= 0)
    fail(
      'ERR_STREAM_SET_ORDER',
      `partition ${listed} arrived in the place of partition ${position}`,
    )
  fail('ERR_STREAM_SET_INVALID', `partition ${position} is not the stream the set manifest lists`)
}

/**
 * Verifies a whole export set (a bulk export split into partitions by `datagate/jobs`) and
 * yields its records chunk by chunk. The set manifest's signature, `typ`, issuer, audience and
 * age are checked as `verifyExport` does; then every partition, given in order, is verified as
 * `verifyStream` does, and its manifest must be the one the set lists at that place, by digest.
 * Fails with `ERR_STREAM_SET_INCOMPLETE` (a partition missing), `ERR_STREAM_SET_DUPLICATE` (a
 * partition twice), `ERR_STREAM_SET_ORDER` (out of order), `ERR_STREAM_SET_COUNT` (a record
 * count that does not add up), `ERR_STREAM_SET_INVALID` (a stream the set does not list, a
 * malformed set), or the stream's and signature's own codes. Until the generator finishes
 * without throwing, treat what it yielded as provisional.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { createGate, defineDataset, field, generateKeys, loadPolicy, memoryAuditSink, verifyStreamSet } from 'datagate'
 *
 * const Outlet = defineDataset('outlet', z.object({ outletId: field.public(z.string()) }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'maps-co', name: 'Maps Co', category: 'traffic',
 *   standing: 'gold', core: false, agreements: [{ id: 'm1', dataset: 'outlet', purpose: 'map',
 *   fields: ['outletId'], validFrom: '2026-01-01', validUntil: '2026-12-31' }] }] }, { datasets: [Outlet] })
 * const now = () => new Date('2026-06-01T00:00:00Z')
 * const gate = createGate({ issuer: 'oem', datasets: [Outlet], policy, keys: await generateKeys(), audit: memoryAuditSink(), now })
 * const request = { partner: 'maps-co', dataset: 'outlet', purpose: 'map' }
 * const partitions = []
 * for (const p of [0, 1]) {
 *   const rows = Array.from({ length: 5 }, (_, i) => ({ outletId: `O-${p}-${i}` }))
 *   const parts = []
 *   for await (const part of gate.exportStream(rows, request)) parts.push(part.token)
 *   partitions.push(parts)
 * }
 * const set = await gate.signStreamSet({ ...request, set: 'nightly-1', manifests: partitions.map((p) => p.at(-1)) })
 * const verifying = verifyStreamSet(set.token, partitions, { jwks: gate.jwks(), issuer: 'oem', audience: 'maps-co', now })
 * let received = 0
 * for (let next = await verifying.next(); ; next = await verifying.next()) {
 *   if (next.done) { console.log(received, next.value) // 10 { set: 'nightly-1', count: 10, partitions: 2, chunks: 2 }
 *     break }
 *   received += next.value.records.length
 * }
 * ```
 */
export async function* verifyStreamSet(
  setToken: string,
  partitions: Iterable<StreamSetPartition> | AsyncIterable<StreamSetPartition>,
  options: VerifyExportOptions,
): AsyncGenerator<VerifiedSetChunk, StreamSetSummary, undefined> {
  assertString(setToken, 'verifyStreamSet: setToken', { nonEmpty: true })
  const { payload } = await verifyEnvelope(setToken, { ...options, typ: STREAM_SET_TYP })
  const { set, count, entries } = listedEntries(payload)
  const done = new Set<string>()
  let position = 0
  let chunks = 0
  for await (const partition of partitions as AsyncIterable<StreamSetPartition>) {
    if (position >= entries.length) {
      // One more than the set lists: a repeat if it is a partition already verified.
      let last: string | undefined
      for await (const part of partition as AsyncIterable<string | StreamPart>)
        last = typeof part === 'string' ? part : part?.token
      if (last !== undefined && done.has(textDigest(last)))
        fail('ERR_STREAM_SET_DUPLICATE', `a partition arrived twice (${entries.length + 1} given)`)
      fail('ERR_STREAM_SET_INVALID', `more partitions than the ${entries.length} the set lists`)
    }
    const entry = entries[position] as StreamSetEntry
    let manifest: string | undefined
    async function* tapped(): AsyncGenerator<string | StreamPart, void, undefined> {
      for await (const part of partition as AsyncIterable<string | StreamPart>) {
        manifest = typeof part === 'string' ? part : part?.token
        yield part
      }
    }
    const stream = verifyStream(tapped(), options)
    let verified: { count: number; chunks: number }
    for (;;) {
      const next = await stream.next()
      if (next.done) {
        verified = next.value
        break
      }
      yield { partition: position, index: next.value.index, records: next.value.records }
    }
    // verifyStream ended on a manifest, so `manifest` is its token.
    const digest = textDigest(manifest as string)
    if (digest !== entry.manifest) misplaced(entries, position, digest, done)
    if (verified.count !== entry.count || verified.chunks !== entry.chunks)
      fail('ERR_STREAM_SET_COUNT', `partition ${position} does not hold what the set lists`)
    done.add(digest)
    chunks += verified.chunks
    position++
  }
  if (position < entries.length)
    fail(
      'ERR_STREAM_SET_INCOMPLETE',
      `partition ${position} is missing (${position} of ${entries.length} arrived)`,
    )
  return { set, count, partitions: entries.length, chunks }
}
