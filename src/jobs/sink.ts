// Where a bulk export's outputs go: a small key-value interface any object store can implement
// (S3 and its kin have put, get, list and delete by key), and the keys datagate uses in it.
import { assertFunction, assertObject, assertString, invalidArgument } from '../lib/assert.js'

/**
 * A body to store: text or bytes, whole or as an async iterable of pieces.
 *
 * @example
 * ```ts
 * import type { SinkBody } from 'datagate/jobs'
 *
 * async function* lines() { yield 'chunk\n'; yield 'manifest\n' }
 * const body: SinkBody = lines()
 * console.log(Symbol.asyncIterator in body) // true
 * ```
 */
export type SinkBody = string | Uint8Array | AsyncIterable<string | Uint8Array>

/**
 * Where `registerExportJobs` stores signed partitions and set manifests. `put` must be atomic: a
 * reader sees the old object or the whole new one, never a part (a folder: temp file and rename;
 * an object store: a single PUT), and a `put` whose body throws stores nothing. Keys are
 * `/`-separated segments of letters, digits, `.`, `_` and `-`, each starting with a letter or digit.
 *
 * @example
 * ```ts
 * import type { ExportSink } from 'datagate/jobs'
 *
 * const objects = new Map<string, Uint8Array>()
 * const sink: ExportSink = {
 *   async put(key, body) {
 *     const parts: Uint8Array[] = []
 *     for await (const part of typeof body === 'string' || body instanceof Uint8Array ? [body] : body)
 *       parts.push(typeof part === 'string' ? new TextEncoder().encode(part) : part)
 *     objects.set(key, new Uint8Array(await new Blob(parts).arrayBuffer()))
 *   },
 *   async get(key) { const o = objects.get(key); return o === undefined ? undefined : [o] },
 *   async list(prefix) { return [...objects.keys()].filter((k) => k.startsWith(prefix)).sort() },
 *   async delete(key) { objects.delete(key) },
 * }
 * await sink.put('e1/set.jwt', 'token')
 * console.log(await sink.list('e1/')) // [ 'e1/set.jwt' ]
 * ```
 */
export interface ExportSink {
  /** Stores `body` under `key`, replacing what was there, atomically. */
  put(key: string, body: SinkBody): Promise<void>
  /** The object's bytes, in pieces; `undefined` when there is none. */
  get(key: string): Promise<AsyncIterable<Uint8Array> | Iterable<Uint8Array> | undefined>
  /** Every key that starts with `prefix`, sorted. */
  list(prefix: string): Promise<readonly string[]>
  /** Removes the object; no error when there is none. */
  delete(key: string): Promise<void>
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

/** Asserts an export id: one key segment, 1 to 128 characters. */
export function assertExportId(value: unknown, what: string): asserts value is string {
  assertString(value, what, { nonEmpty: true, maxLength: 128 })
  if (!SEGMENT.test(value))
    invalidArgument(
      'range',
      what,
      'letters, digits, ".", "_" and "-", starting with a letter or digit',
    )
}

/** Asserts a sink key: `/`-separated segments as {@link assertExportId}. */
export function assertSinkKey(value: unknown, what: string): asserts value is string {
  assertString(value, what, { nonEmpty: true, maxLength: 1024 })
  if (!value.split('/').every((segment) => SEGMENT.test(segment)))
    invalidArgument(
      'range',
      what,
      'a key of "/"-separated segments of letters, digits, ".", "_" and "-"',
    )
}

/** Asserts an object with the four sink methods. */
export function assertSink(value: unknown, what: string): asserts value is ExportSink {
  assertObject(value, what)
  for (const method of ['put', 'get', 'list', 'delete'] as const)
    assertFunction(value[method], `${what}.${method}`)
}

/** The key of a partition's NDJSON stream (chunk tokens, then the manifest token). */
export function partitionKey(exportId: string, partition: number): string {
  return `${exportId}/partition-${String(partition).padStart(6, '0')}.ndjson`
}

/** The key of the signed set manifest (one compact JWS). */
export function setKey(exportId: string): string {
  return `${exportId}/set.jwt`
}

/** The key of the export's request (JSON): partner, dataset, purpose, partitions. */
export function requestKey(exportId: string): string {
  return `${exportId}/export.json`
}

/** The partition a key names, or `undefined`. */
export function partitionOf(exportId: string, key: string): number | undefined {
  const match = /^partition-(\d{6})\.ndjson$/.exec(key.slice(exportId.length + 1))
  return key.startsWith(`${exportId}/`) && match ? Number(match[1]) : undefined
}
