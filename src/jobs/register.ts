// Bulk exports across workers over an existing PostgreSQL job queue: one job per partition
// streams that partition through the gate (stream-start and stream-end on the gate's audit
// chain) into the sink under a key of its own, and the last partition to land enqueues the set
// job, which signs the set manifest. The queue does the scheduling, retries and crash recovery.
import { DatagateError } from '../errors.js'
import type { Gate } from '../export/gate.js'
import type { StreamPart, StreamSource } from '../export/stream.js'
import { assertFunction, assertNumber, assertObject, assertString } from '../lib/assert.js'
import {
  type ExportJobData,
  type ExportQueue,
  isPgBoss,
  type PgBossLike,
  type PgBossQueueOptions,
  pgBossQueue,
} from './queue.js'
import { lastLine } from './read.js'
import {
  assertExportId,
  assertSink,
  type ExportSink,
  partitionKey,
  partitionOf,
  requestKey,
  setKey,
} from './sink.js'

/**
 * Options of {@link registerExportJobs}.
 *
 * @example
 * ```ts
 * import type { ExportJobsOptions } from 'datagate/jobs'
 *
 * const options: Pick<ExportJobsOptions, 'source' | 'name'> = {
 *   name: 'nightly',
 *   async *source(partition, of) { for (let id = partition; id < 100; id += of) yield { outletId: `O-${id}` } },
 * }
 * console.log(options.name) // 'nightly'
 * ```
 */
export interface ExportJobsOptions {
  /** The rows of one partition, `partition` from 0 to `of - 1` (for example a key range). */
  readonly source: (partition: number, of: number, request: ExportJobData) => StreamSource
  /** Where signed partitions and set manifests go: `folderSink(dir)` or an object store. */
  readonly sink: ExportSink
  /** Prefix of the queue names (`<name>-partition`, `<name>-set`); default `datagate-export`. */
  readonly name?: string
  /** Retry and expiry when `queue` is a pg-boss instance. */
  readonly pgBoss?: PgBossQueueOptions
  /** Run workers in this process; default true. `false`: this process only enqueues and inspects. */
  readonly work?: boolean
}

/**
 * What {@link ExportJobs.startExport} enqueues.
 *
 * @example
 * ```ts
 * import type { StartExportRequest } from 'datagate/jobs'
 *
 * const request: StartExportRequest = { exportId: 'nightly-2026-12-01', partner: 'maps-co', dataset: 'outlet',
 *   purpose: 'map', partitions: 8 }
 * console.log(request.partitions) // 8
 * ```
 */
export interface StartExportRequest {
  /** Names the export's outputs in the sink; one export per id. */
  readonly exportId: string
  readonly partner: string
  readonly dataset: string
  readonly purpose: string
  /** Partitions (1 to 10,000): one job each. */
  readonly partitions: number
  /** Records per signed chunk; default 10,000. */
  readonly chunkSize?: number
}

/**
 * Where an export stands, read from the sink.
 *
 * @example
 * ```ts
 * import type { ExportStatus } from 'datagate/jobs'
 *
 * const status: ExportStatus = { exportId: 'e1', partitions: 8, done: [0, 1, 2], set: undefined }
 * console.log(`${status.done.length}/${status.partitions}`) // '3/8'
 * ```
 */
export interface ExportStatus {
  readonly exportId: string
  /** Partitions in the export, or 0 when the sink holds no such export. */
  readonly partitions: number
  /** Partitions whose signed stream is stored, ascending. */
  readonly done: readonly number[]
  /** The signed set manifest once the set job ran. */
  readonly set: string | undefined
}

/**
 * What {@link registerExportJobs} returns.
 *
 * @example
 * ```ts
 * import type { ExportJobs } from 'datagate/jobs'
 *
 * const finished = async (jobs: ExportJobs, id: string) => (await jobs.status(id)).set !== undefined
 * console.log(typeof finished) // 'function'
 * ```
 */
export interface ExportJobs {
  /** Stores the request and enqueues one job per partition (again for the same id: no new jobs). */
  startExport(request: StartExportRequest): Promise<void>
  /** What the sink holds for the export: the partitions stored so far, and the set once signed. */
  status(exportId: string): Promise<ExportStatus>
  /** Resolves with the status once the set manifest is stored; rejects with `signal.reason`. */
  waitFor(
    exportId: string,
    options?: { readonly signal?: AbortSignal; readonly intervalMs?: number },
  ): Promise<ExportStatus & { readonly set: string }>
}

async function readText(sink: ExportSink, key: string): Promise<string | undefined> {
  const body = await sink.get(key)
  if (body === undefined) return undefined
  const parts: Uint8Array[] = []
  for await (const part of body as AsyncIterable<Uint8Array>) parts.push(part)
  return new TextDecoder().decode(await new Blob(parts as BlobPart[]).arrayBuffer())
}

/**
 * The partition's lines for the sink. Before the body ends (so before the sink commits it), a
 * set already signed stops it: an attempt the queue gave up on as expired, still running, must
 * not replace a partition that set lists.
 */
async function* ndjson(
  parts: AsyncIterable<StreamPart>,
  sealed: () => Promise<boolean>,
  where: string,
): AsyncGenerator<string, void, undefined> {
  for await (const part of parts) yield `${part.token}\n`
  if (await sealed())
    throw new DatagateError(
      'ERR_STREAM_SET_DUPLICATE',
      `${where}: the set is already signed; this attempt's output is dropped`,
    )
}

/** The request `startExport` stored, read back; anything else in its place is refused. */
function storedRequest(text: string, exportId: string): ExportJobData {
  let data: Partial<ExportJobData> | undefined
  try {
    data = JSON.parse(text) as Partial<ExportJobData>
  } catch {
    data = undefined
  }
  if (data?.exportId !== exportId || !Number.isSafeInteger(data.of))
    throw new DatagateError(
      'ERR_STREAM_SET_INVALID',
      `export ${exportId}: the sink's export.json is not the request startExport stored`,
    )
  return data as ExportJobData
}

/** What a job carries of the stored request (all but the partition). */
const REQUEST_FIELDS = ['exportId', 'partner', 'dataset', 'purpose', 'of', 'chunkSize'] as const

/** A job's data as the queue hands it back: checked again, the queue's table being writable. */
function checkJob(data: ExportJobData, withPartition: boolean): void {
  assertObject(data, 'export job: data')
  assertExportId(data.exportId, 'export job: exportId')
  assertNumber(data.of, 'export job: of', { integer: true, min: 1, max: 10_000 })
  assertNumber(data.chunkSize, 'export job: chunkSize', { integer: true, min: 1, max: 1_000_000 })
  if (withPartition)
    assertNumber(data.partition, 'export job: partition', {
      integer: true,
      min: 0,
      max: data.of - 1,
    })
}

function checkRequest(request: StartExportRequest): Required<StartExportRequest> {
  assertObject(request, 'startExport: request')
  assertExportId(request.exportId, 'startExport: exportId')
  for (const key of ['partner', 'dataset', 'purpose'] as const)
    assertString(request[key], `startExport: ${key}`, { nonEmpty: true, maxLength: 256 })
  assertNumber(request.partitions, 'startExport: partitions', {
    integer: true,
    min: 1,
    max: 10_000,
  })
  const chunkSize = request.chunkSize ?? 10_000
  assertNumber(chunkSize, 'startExport: chunkSize', { integer: true, min: 1, max: 1_000_000 })
  return { ...request, chunkSize }
}

/**
 * Registers bulk-export jobs on a PostgreSQL job queue (a started pg-boss 10 instance, or any
 * {@link ExportQueue}) and returns the handle to start and follow exports. Each partition job
 * runs `gate.exportStream` over `source(partition, of)` (its `stream-start` and `stream-end` go
 * to the gate's audit chain, a shared `postgresAuditSink` for many workers) and stores the
 * NDJSON (chunk tokens, the manifest last) under its own key, atomically, so a retried job
 * replaces its own output. The last partition to land enqueues the set job, which signs the set
 * manifest with `gate.signStreamSet`; partners check the whole set with `verifyStreamSet`.
 *
 * @example
 * ```ts
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { z } from 'zod'
 * import { createGate, defineDataset, field, generateKeys, loadPolicy, memoryAuditSink } from 'datagate'
 * import { folderSink, registerExportJobs } from 'datagate/jobs'
 *
 * const Outlet = defineDataset('outlet', z.object({ outletId: field.public(z.string()) }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'maps-co', name: 'Maps Co', category: 'traffic',
 *   standing: 'gold', core: false, agreements: [{ id: 'm1', dataset: 'outlet', purpose: 'map',
 *   fields: ['outletId'], validFrom: '2026-01-01', validUntil: '2099-12-31' }] }] }, { datasets: [Outlet] })
 * const gate = createGate({ issuer: 'oem', datasets: [Outlet], policy, keys: await generateKeys(), audit: memoryAuditSink() })
 * // A queue that runs each job at once, in this process: in production, a started pg-boss instance.
 * const handlers = new Map()
 * const queue = { async send(name, id, data) { await handlers.get(name)(data) },
 *   async work(name, handler) { handlers.set(name, handler) } }
 * const jobs = await registerExportJobs(queue, gate, { sink: folderSink(mkdtempSync(join(tmpdir(), 'dg-'))),
 *   async *source(partition, of) { for (let id = partition; id < 30; id += of) yield { outletId: `O-${id}` } } })
 * await jobs.startExport({ exportId: 'nightly-1', partner: 'maps-co', dataset: 'outlet', purpose: 'map', partitions: 3 })
 * const { done, set } = await jobs.waitFor('nightly-1')
 * console.log(done, set.split('.').length) // [ 0, 1, 2 ] 3
 * ```
 */
export async function registerExportJobs(
  queue: ExportQueue | PgBossLike,
  gate: Gate,
  options: ExportJobsOptions,
): Promise<ExportJobs> {
  assertObject(queue, 'registerExportJobs: queue')
  assertObject(gate, 'registerExportJobs: gate')
  assertFunction(gate.exportStream, 'registerExportJobs: gate.exportStream')
  assertObject(options, 'registerExportJobs: options')
  assertFunction(options.source, 'registerExportJobs: source')
  assertSink(options.sink, 'registerExportJobs: sink')
  const { sink, source } = options
  const name = options.name ?? 'datagate-export'
  assertExportId(name, 'registerExportJobs: name')
  const jobs: ExportQueue = isPgBoss(queue) ? pgBossQueue(queue, options.pgBoss) : queue
  assertFunction(jobs.send, 'registerExportJobs: queue.send')
  assertFunction(jobs.work, 'registerExportJobs: queue.work')
  const partitionQueue = `${name}-partition`
  const setQueue = `${name}-set`
  await jobs.prepare?.([partitionQueue, setQueue])

  async function status(exportId: string): Promise<ExportStatus> {
    assertExportId(exportId, 'status: exportId')
    const stored = await readText(sink, requestKey(exportId))
    const partitions = stored === undefined ? 0 : storedRequest(stored, exportId).of
    const keys = await sink.list(`${exportId}/`)
    const done = keys
      .map((key) => partitionOf(exportId, key))
      .filter((p): p is number => p !== undefined && p < partitions)
    const set = keys.includes(setKey(exportId)) ? await readText(sink, setKey(exportId)) : undefined
    return { exportId, partitions, done, set: set?.trim() }
  }

  /**
   * The job's data must be the request `startExport` stored, field by field: someone who can
   * write the queue's table (not the sink) could otherwise change `of` (rows lost or repeated
   * in a set that still verifies) or the partner, dataset or purpose of one partition.
   */
  async function matchStored(data: ExportJobData): Promise<void> {
    const text = await readText(sink, requestKey(data.exportId))
    const stored = text === undefined ? undefined : storedRequest(text, data.exportId)
    if (stored === undefined || REQUEST_FIELDS.some((key) => stored[key] !== data[key]))
      throw new DatagateError(
        'ERR_STREAM_SET_INVALID',
        `export ${data.exportId}: the job's data is not the request startExport stored`,
      )
  }

  async function runPartition(data: ExportJobData): Promise<void> {
    checkJob(data, true)
    await matchStored(data)
    const partition = data.partition as number
    // A set already signed is final: a late retry must not replace a partition it lists.
    const sealed = async () => (await sink.list(setKey(data.exportId))).length > 0
    if (await sealed()) return
    const request = { partner: data.partner, dataset: data.dataset, purpose: data.purpose }
    const parts = gate.exportStream(source(partition, data.of, data), {
      ...request,
      chunkSize: data.chunkSize,
    })
    const where = `export ${data.exportId} partition ${partition}`
    await sink.put(partitionKey(data.exportId, partition), ndjson(parts, sealed, where))
    const { done } = await status(data.exportId)
    if (done.length === data.of) {
      const { partition: _partition, ...set } = data
      await jobs.send(setQueue, data.exportId, set)
    }
  }

  async function runSet(data: ExportJobData): Promise<void> {
    checkJob(data, false)
    if ((await sink.list(setKey(data.exportId))).length > 0) return
    await matchStored(data)
    const manifests: string[] = []
    for (let partition = 0; partition < data.of; partition++) {
      const body = await sink.get(partitionKey(data.exportId, partition))
      const manifest = body === undefined ? undefined : await lastLine(body)
      // Rejected, so the queue runs the set job again later.
      if (manifest === undefined)
        throw new DatagateError(
          'ERR_STREAM_SET_INCOMPLETE',
          `export ${data.exportId}: partition ${partition} is not stored yet`,
        )
      manifests.push(manifest)
    }
    const signed = await gate.signStreamSet({
      partner: data.partner,
      dataset: data.dataset,
      purpose: data.purpose,
      set: data.exportId,
      manifests,
    })
    await sink.put(setKey(data.exportId), `${signed.token}\n`)
  }

  if (options.work !== false) {
    await jobs.work(partitionQueue, runPartition)
    await jobs.work(setQueue, runSet)
  }

  return {
    async startExport(request) {
      const checked = checkRequest(request)
      const data: ExportJobData = {
        exportId: checked.exportId,
        partner: checked.partner,
        dataset: checked.dataset,
        purpose: checked.purpose,
        of: checked.partitions,
        chunkSize: checked.chunkSize,
      }
      const text = `${JSON.stringify(data)}\n`
      const stored = await readText(sink, requestKey(data.exportId))
      if (stored !== undefined && stored !== text)
        throw new DatagateError(
          'ERR_INVALID_ARGUMENT',
          `startExport: export ${data.exportId} already exists with another request`,
        )
      if (stored === undefined) await sink.put(requestKey(data.exportId), text)
      for (let partition = 0; partition < data.of; partition++)
        await jobs.send(partitionQueue, `${data.exportId}/${partition}`, { ...data, partition })
    },
    status,
    async waitFor(exportId, waitOptions = {}) {
      const intervalMs = waitOptions.intervalMs ?? 1000
      assertNumber(intervalMs, 'waitFor: intervalMs', { min: 1 })
      for (;;) {
        waitOptions.signal?.throwIfAborted()
        const current = await status(exportId)
        if (current.set !== undefined) return { ...current, set: current.set }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, intervalMs)
          function done() {
            clearTimeout(timer)
            waitOptions.signal?.removeEventListener('abort', done)
            resolve()
          }
          waitOptions.signal?.addEventListener('abort', done, { once: true })
        })
      }
    },
  }
}
