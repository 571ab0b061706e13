// The few things datagate/jobs needs from a job queue, so that pg-boss (or graphile-worker, or
// another PostgreSQL queue) runs the jobs and datagate schedules nothing itself: enqueue once by
// id, and run a handler whose rejection the queue retries.
import { createHash } from 'node:crypto'
import { assertFunction, assertNumber, assertObject } from '../lib/assert.js'

/**
 * What every export job carries (JSON, in the queue's job row).
 *
 * @example
 * ```ts
 * import type { ExportJobData } from 'datagate/jobs'
 *
 * const job: ExportJobData = { exportId: 'nightly-1', partner: 'maps-co', dataset: 'outlet', purpose: 'map',
 *   of: 8, chunkSize: 10_000, partition: 3 }
 * console.log(job.partition) // 3
 * ```
 */
export interface ExportJobData {
  readonly exportId: string
  readonly partner: string
  readonly dataset: string
  readonly purpose: string
  /** Partitions in the export. */
  readonly of: number
  /** Records per signed chunk. */
  readonly chunkSize: number
  /** The partition of a partition job; absent on the set job. */
  readonly partition?: number
}

/**
 * A job queue as `registerExportJobs` uses it. `send` with an `id` already sent is a no-op (so a
 * partition job or the set job is enqueued once however often it is asked for). `work` runs the
 * handler for each job of `name`; a rejection (or a worker that dies) must make the queue run the
 * job again, up to its retry limit. {@link pgBossQueue} adapts pg-boss 10.
 *
 * @example
 * ```ts
 * import type { ExportQueue } from 'datagate/jobs'
 *
 * const handlers = new Map()
 * const queue: ExportQueue = {
 *   async send(name, id, data) { await handlers.get(name)?.(data) },
 *   async work(name, handler) { handlers.set(name, handler) },
 * }
 * console.log(typeof queue.send) // 'function'
 * ```
 */
export interface ExportQueue {
  /** Creates the named queues where the queue needs that (pg-boss 10 does). */
  prepare?(names: readonly string[]): Promise<void>
  /** Enqueues one job; `id` is derived from the export id, so sending it again adds no job. */
  send(name: string, id: string, data: ExportJobData): Promise<void>
  /** Runs `handler` for each job of the queue `name`; a rejection makes the queue retry it. */
  work(name: string, handler: (data: ExportJobData) => Promise<void>): Promise<void>
}

/**
 * The part of a pg-boss 10 instance {@link pgBossQueue} calls (structural, so that datagate's
 * types do not depend on pg-boss).
 *
 * @example
 * ```ts
 * import type { PgBossLike } from 'datagate/jobs'
 *
 * const describe = (boss: PgBossLike) => typeof boss.work
 * console.log(typeof describe) // 'function'
 * ```
 */
export interface PgBossLike {
  /** pg-boss 10's `createQueue`: queues must exist before jobs are sent to them. */
  createQueue(name: string, options: PgBossJobPolicy & { name: string }): Promise<void>
  /** pg-boss 10's `send`, with the job's id and retry policy. */
  send(
    name: string,
    data: object,
    options: PgBossJobPolicy & { id: string },
  ): Promise<string | null>
  /** pg-boss 10's `work`, one job per batch. */
  work(
    name: string,
    options: { batchSize: number; pollingIntervalSeconds?: number },
    handler: (jobs: { data: unknown }[]) => Promise<unknown>,
  ): Promise<string>
}

/** The retry policy datagate gives each pg-boss queue and job. */
interface PgBossJobPolicy {
  retryLimit: number
  retryDelay: number
  expireInSeconds: number
}

/**
 * Retry and expiry of the export jobs on pg-boss. Each job carries those of the process that
 * sent it (`startExport` sends the partition jobs, a worker the set job): give every process the
 * same options.
 *
 * @example
 * ```ts
 * import type { PgBossQueueOptions } from 'datagate/jobs'
 *
 * const options: PgBossQueueOptions = { retryLimit: 5, expireInSeconds: 600 }
 * console.log(options.retryLimit) // 5
 * ```
 */
export interface PgBossQueueOptions {
  /** Attempts after the first; default 3. */
  readonly retryLimit?: number
  /** Seconds before a failed job runs again; default 5. */
  readonly retryDelay?: number
  /**
   * Seconds a job may stay active before pg-boss takes it for dead and retries it; default 900.
   * A worker killed mid-partition is noticed only this long after it started (plus pg-boss's
   * maintenance interval): set it above the time of the slowest partition, or a live job runs twice.
   */
  readonly expireInSeconds?: number
  /** How often an idle worker polls for jobs; default pg-boss's (2 s). */
  readonly pollingIntervalSeconds?: number
}

/** pg-boss job ids are UUIDs: one derived from the queue name and datagate's id. */
function uuidOf(name: string, id: string): string {
  const hex = createHash('sha256').update(`${name}\u0000${id}`).digest('hex')
  // RFC 9562 version 8 (custom) with the RFC variant bits.
  const variant = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/**
 * Adapts a started pg-boss 10 instance to {@link ExportQueue}: one queue per job kind, each
 * job's id derived from datagate's (so a repeated send is dropped by pg-boss), one job at a
 * time per `work` call. `registerExportJobs` wraps a pg-boss instance with this on its own.
 *
 * @example
 * ```ts
 * import { pgBossQueue } from 'datagate/jobs'
 *
 * const boss = { createQueue: async () => {}, send: async () => null, work: async () => 'w1' }
 * const queue = pgBossQueue(boss, { retryLimit: 2, expireInSeconds: 60 })
 * console.log(typeof queue.work) // 'function'
 * ```
 */
export function pgBossQueue(boss: PgBossLike, options: PgBossQueueOptions = {}): ExportQueue {
  assertObject(boss, 'pgBossQueue: boss')
  for (const method of ['createQueue', 'send', 'work'] as const)
    assertFunction(boss[method], `pgBossQueue: boss.${method}`)
  const retryLimit = options.retryLimit ?? 3
  const retryDelay = options.retryDelay ?? 5
  const expireInSeconds = options.expireInSeconds ?? 900
  assertNumber(retryLimit, 'pgBossQueue: retryLimit', { integer: true, min: 0 })
  assertNumber(retryDelay, 'pgBossQueue: retryDelay', { integer: true, min: 0 })
  assertNumber(expireInSeconds, 'pgBossQueue: expireInSeconds', { integer: true, min: 1 })
  const policy = { retryLimit, retryDelay, expireInSeconds }
  return {
    async prepare(names) {
      for (const name of names) await createQueueRetrying(boss, name, policy)
    },
    async send(name, id, data) {
      await boss.send(name, data, { id: uuidOf(name, id), ...policy })
    },
    async work(name, handler) {
      const polling =
        options.pollingIntervalSeconds === undefined
          ? {}
          : { pollingIntervalSeconds: options.pollingIntervalSeconds }
      await boss.work(name, { batchSize: 1, ...polling }, async (jobs) => {
        for (const job of jobs) await handler(job.data as ExportJobData)
      })
    },
  }
}

/** Tells a pg-boss instance from an {@link ExportQueue}. */
export function isPgBoss(value: unknown): value is PgBossLike {
  const v = value as Partial<PgBossLike> | null
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.createQueue === 'function' &&
    typeof v.work === 'function' &&
    typeof v.send === 'function'
  )
}

/** PostgreSQL's deadlock_detected and unique_violation SQLSTATEs. */
const RACE_CODES = new Set(['40P01', '23505'])
const CREATE_ATTEMPTS = 5

/**
 * pg-boss 10's `createQueue` run by several workers that start at once can deadlock in its
 * `create_queue` function (measured: 4 workers on an empty schema, SQLSTATE 40P01) or lose the
 * insert race; the queue then exists or is being made by the winner, so the loser tries again
 * after a short jittered pause. Any other error, or the fifth loss, is thrown.
 */
async function createQueueRetrying(
  boss: PgBossLike,
  name: string,
  policy: PgBossJobPolicy,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await boss.createQueue(name, { name, ...policy })
      return
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code
      if (attempt >= CREATE_ATTEMPTS || typeof code !== 'string' || !RACE_CODES.has(code))
        throw error
      await new Promise((resolve) => setTimeout(resolve, 25 * attempt + Math.random() * 50))
    }
  }
}
