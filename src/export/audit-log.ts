// The writer of an audit chain. Appends are serialised through one queue, so the resume event,
// events, and the checkpoints they trigger are written in call order. A sink that links events
// itself (`appendLinked`) is trusted for seq and prev only after its answer is checked.
import { DatagateError } from '../errors.js'
import {
  argumentError,
  assertFunction,
  assertNumber,
  assertObject,
  assertString,
  invalidArgument,
} from '../lib/assert.js'
import { canonicalJson } from '../lib/canonical-json.js'
import { textDigest } from '../lib/digest.js'
import { formatIssuePath, issueFinding } from '../lib/zod-findings.js'
import {
  type AuditEvent,
  type AuditEventInput,
  type AuditHead,
  type AuditSink,
  auditEventHash,
  auditEventSchema,
  auditInputSchema,
  deepFreeze,
  isHead,
  linkEvent,
} from './audit-event.js'
import { type CheckpointClaims, type CheckpointSink, signCheckpoint } from './checkpoint.js'
import type { KeyRing } from './key-ring.js'
import { isKeyRing } from './keys.js'

/**
 * When and how the log signs checkpoints.
 *
 * @example
 * ```ts
 * import { createAuditLog, generateKeys, memoryAuditSink, memoryCheckpointSink,
 *   type AuditCheckpointOptions } from 'datagate/export'
 *
 * const copies = memoryCheckpointSink()
 * const checkpoint: AuditCheckpointOptions = { keys: await generateKeys(), issuer: 'oem', every: 2, sink: copies }
 * const log = createAuditLog({ sink: memoryAuditSink(), checkpoint })
 * for (const code of ['ERR_NOT_PERMITTED', 'ERR_PARTNER_SUSPENDED'])
 *   await log.append({ type: 'denied', partner: 'p', dataset: 'd', purpose: 'u', policyHash: 'sha256:11', code })
 * await log.close()
 * console.log(copies.tokens.length) // 2
 * ```
 */
export interface AuditCheckpointOptions {
  /** Signs checkpoints with its newest key. */
  readonly keys: KeyRing
  /** `iss` of every checkpoint: the gate's issuer. */
  readonly issuer: string
  /** A checkpoint after every this many events; default 1000. */
  readonly every?: number
  /** And every this many milliseconds when events were written since the last; default 60,000. */
  readonly intervalMs?: number
  /** Receives a copy of every checkpoint token. */
  readonly sink?: CheckpointSink
}

/**
 * Options of {@link createAuditLog}.
 *
 * @example
 * ```ts
 * import { createAuditLog, memoryAuditSink, type AuditLogOptions } from 'datagate/export'
 *
 * const options: AuditLogOptions = { sink: memoryAuditSink(), now: () => new Date('2026-06-01T00:00:00Z') }
 * console.log(createAuditLog(options).head()) // undefined
 * ```
 */
export interface AuditLogOptions {
  readonly sink: AuditSink
  /** Clock; defaults to `new Date()`. */
  readonly now?: () => Date
  /** Where an existing chain ends; defaults to `sink.head()`, else a new chain. */
  readonly head?: AuditHead
  /** Sign checkpoints; without it `checkpoint()` throws. */
  readonly checkpoint?: AuditCheckpointOptions
}

/**
 * A chain writer made by {@link createAuditLog}.
 *
 * @example
 * ```ts
 * import { createAuditLog, memoryAuditSink, type AuditLog } from 'datagate/export'
 *
 * const log: AuditLog = createAuditLog({ sink: memoryAuditSink() })
 * console.log(log.latestCheckpoint()) // undefined
 * ```
 */
export interface AuditLog {
  /** Validates `input`, links it to the chain and writes it to the sink, in call order. */
  append(input: AuditEventInput): Promise<AuditEvent>
  /** The last event written through this log or found in the sink; `undefined` before any. */
  head(): AuditHead | undefined
  /** Signs and appends a checkpoint of the head now; `undefined` when there is nothing new. */
  checkpoint(): Promise<AuditEvent | undefined>
  /** The latest checkpoint token written by this log. */
  latestCheckpoint(): string | undefined
  /** Stops the timer, writes a final checkpoint and refuses later appends. */
  close(): Promise<void>
}

/** Most events one group commit hands a batching sink. */
const MAX_BATCH = 64

const writeFailed = (message: string, cause?: unknown) =>
  new DatagateError('ERR_AUDIT_WRITE_FAILED', message, cause === undefined ? {} : { cause })

/**
 * Creates the writer of an audit chain. Opening a chain that already has events (a `head`, or
 * `sink.head()`) first appends a `resume` event. With `checkpoint`, a signed `checkpoint` event
 * follows every `every` events, every `intervalMs` (on a timer that does not keep the process
 * alive) and on `checkpoint()` and `close()`. An input that is not a strict
 * {@link AuditEventInput} throws `ERR_INVALID_ARGUMENT`; a sink that throws makes the append
 * throw `ERR_AUDIT_WRITE_FAILED` and leaves the chain where it was.
 *
 * @example
 * ```ts
 * import { createAuditLog, memoryAuditSink } from 'datagate/export'
 *
 * const log = createAuditLog({ sink: memoryAuditSink(), now: () => new Date('2026-05-01T00:00:00Z') })
 * const first = await log.append({
 *   type: 'release', partner: 'rental-co', dataset: 'customer', purpose: 'courtesy-car',
 *   agreement: 'courtesy-car-2026', fields: [{ path: 'city', operator: 'keep' }], rows: 12,
 *   payloadDigest: 'sha256:00', policyHash: 'sha256:11', details: { kid: 'k1' },
 * })
 * console.log(first.time, log.head()?.seq) // '2026-05-01T00:00:00.000Z' 0
 * ```
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  assertObject(options, 'createAuditLog: options')
  const { sink, now = () => new Date() } = options
  assertObject(sink, 'createAuditLog: sink')
  if (sink.appendLinkedBatch !== undefined)
    assertFunction(sink.appendLinkedBatch, 'sink.appendLinkedBatch')
  if (sink.appendLinked !== undefined) assertFunction(sink.appendLinked, 'sink.appendLinked')
  else assertFunction(sink.append, 'createAuditLog: sink.append')
  assertFunction(now, 'createAuditLog: now')
  if (options.head !== undefined && !isHead(options.head))
    invalidArgument('type', 'createAuditLog: head', '{ seq, hash }')
  const signing = options.checkpoint === undefined ? undefined : checkSigning(options.checkpoint)

  let head: AuditHead | undefined = options.head
  let resolved = false
  let resumedFrom: { seq: number; head: string } | undefined
  let sinceCheckpoint = 0
  let checkpointDue = false
  let latest: string | undefined
  let closed = false
  let queue: Promise<unknown> = Promise.resolve()
  // Group commit, for sinks that write several linked events in one round trip: appends that
  // arrive while a write is in flight wait here and go together in the next one. Nothing waits
  // on a timer, so an append alone is written at once; each still resolves only once written.
  const batching = typeof sink.appendLinkedBatch === 'function'
  const pending: {
    body: object
    resolve: (e: AuditEvent) => void
    reject: (e: unknown) => void
  }[] = []

  const enqueue = <T>(task: () => Promise<T>): Promise<T> => {
    const result = queue.then(task)
    queue = result.catch(() => undefined)
    return result
  }

  async function resolveHead(): Promise<void> {
    if (resolved) return
    const fromSink = sink.head ? await sink.head() : undefined
    if (fromSink !== undefined && !isHead(fromSink))
      invalidArgument('type', 'createAuditLog: sink.head()', '{ seq, hash }')
    if (
      head !== undefined &&
      fromSink !== undefined &&
      canonicalJson(head) !== canonicalJson(fromSink)
    )
      invalidArgument(
        'range',
        `createAuditLog: head (seq ${head.seq})`,
        `the sink's head (seq ${fromSink.seq})`,
      )
    head ??= fromSink
    resolved = true
    if (head === undefined) return
    // A writer that opens an existing chain says so, so a rewrite done while no writer ran
    // shows as a resume after the last checkpoint that signed the old head.
    resumedFrom = { seq: head.seq, head: head.hash }
    const takeover = sink.takenOver
    await write({ type: 'resume', from: resumedFrom, ...(takeover ? { takeover } : {}) })
  }

  function time(): string {
    const date = now()
    if (!(date instanceof Date) || Number.isNaN(date.getTime()))
      invalidArgument('range', 'createAuditLog: now()', 'a valid Date')
    return date.toISOString()
  }

  async function write(body: object): Promise<AuditEvent> {
    const at = time()
    let event: AuditEvent
    try {
      if (sink.appendLinked) {
        event = checkLinked(await sink.appendLinked({ ...body, time: at } as never), body, at)
      } else {
        event = linkEvent(body, at, head)
        await sink.append?.(event)
      }
    } catch (cause) {
      if (cause instanceof DatagateError && cause.code === 'ERR_AUDIT_WRITE_FAILED') throw cause
      throw writeFailed(
        `audit sink failed to write an event after seq ${head?.seq ?? -1}; the chain was not advanced`,
        cause,
      )
    }
    head = { seq: event.seq, hash: event.hash }
    if (event.type !== 'checkpoint') sinceCheckpoint++
    return event
  }

  async function writeMany(bodies: readonly object[]): Promise<AuditEvent[]> {
    if (bodies.length === 1) return [await write(bodies[0]!)]
    const at = time()
    let events: AuditEvent[]
    try {
      const answer: unknown = await sink.appendLinkedBatch?.(
        bodies.map((body) => ({ ...body, time: at }) as never),
      )
      if (!Array.isArray(answer) || answer.length !== bodies.length)
        throw writeFailed('sink.appendLinkedBatch did not return one event per input')
      events = answer.map((event, i) => checkLinked(event, bodies[i]!, at))
      for (const [i, event] of events.entries())
        if (i > 0 && (event.seq !== events[i - 1]!.seq + 1 || event.prev !== events[i - 1]!.hash))
          throw writeFailed('sink.appendLinkedBatch returned events that do not follow each other')
    } catch (cause) {
      if (cause instanceof DatagateError && cause.code === 'ERR_AUDIT_WRITE_FAILED') throw cause
      throw writeFailed(
        `audit sink failed to write ${bodies.length} events after seq ${head?.seq ?? -1}; the chain was not advanced`,
        cause,
      )
    }
    const last = events.at(-1)!
    head = { seq: last.seq, hash: last.hash }
    sinceCheckpoint += events.length
    return events
  }

  async function flushPending(): Promise<void> {
    const entries = pending.splice(0, MAX_BATCH)
    if (pending.length > 0) enqueue(flushPending).catch(() => undefined)
    try {
      await resolveHead()
      const events = await writeMany(entries.map((entry) => entry.body))
      // As for a single append: a checkpoint it makes due is signed before the appends resolve,
      // and its failure fails them (their events are written, the data does not leave).
      if (signing !== undefined && (checkpointDue || sinceCheckpoint >= signing.every))
        await writeCheckpoint(false)
      for (const [i, entry] of entries.entries()) entry.resolve(events[i]!)
    } catch (error) {
      for (const entry of entries) entry.reject(error)
    }
  }

  async function writeCheckpoint(final: boolean): Promise<AuditEvent | undefined> {
    if (signing === undefined || head === undefined) return undefined
    if (sinceCheckpoint === 0 && !final) return undefined
    const claims: CheckpointClaims = {
      iss: signing.issuer,
      seq: head.seq,
      head: head.hash,
      time: time(),
      ...(resumedFrom === undefined ? {} : { resumed: resumedFrom }),
      // Several writers share a linked sink, so one closing says nothing about the others.
      ...(final && sink.appendLinked === undefined ? { final: true as const } : {}),
    }
    const { token, kid } = await signCheckpoint(claims, signing.keys)
    const event = await write({
      type: 'checkpoint',
      covers: { seq: claims.seq, head: claims.head },
      kid,
      token,
    })
    sinceCheckpoint = 0
    checkpointDue = false
    resumedFrom = undefined
    latest = token
    try {
      await signing.sink?.write(token)
    } catch (cause) {
      // Due again, so the next append signs a newer checkpoint and fails closed until a copy
      // lands: a timer or startup checkpoint has no caller to fail, and losing copies silently
      // would leave truncation while the gate is stopped undetectable.
      checkpointDue = true
      throw writeFailed(`the checkpoint copy of seq ${claims.seq} could not be written`, cause)
    }
    return event
  }

  let timer: ReturnType<typeof setInterval> | undefined
  if (signing !== undefined && signing.intervalMs > 0) {
    timer = setInterval(() => {
      if (sinceCheckpoint === 0 || closed) return
      checkpointDue = true
      // A failure here is retried after the next event, which then fails closed.
      enqueue(() => writeCheckpoint(false)).catch(() => undefined)
    }, signing.intervalMs)
    ;(timer as { unref?: () => void }).unref?.()
  }

  return {
    append(input: AuditEventInput): Promise<AuditEvent> {
      if (closed) return Promise.reject(writeFailed('the audit log is closed'))
      const parsed = auditInputSchema.safeParse(input)
      if (!parsed.success)
        return Promise.reject(
          new DatagateError('ERR_INVALID_ARGUMENT', 'audit event input is invalid', {
            findings: parsed.error.issues.map((issue) =>
              issueFinding(issue, formatIssuePath(issue.path, 'input')),
            ),
          }),
        )
      const body = parsed.data
      if (body.type === 'policy' && textDigest(canonicalJson(body.document)) !== body.policyHash)
        return Promise.reject(
          argumentError('range', 'policy event: policyHash', 'the hash of its document'),
        )
      if (batching)
        return new Promise<AuditEvent>((resolve, reject) => {
          pending.push({ body: stripUndefined(body), resolve, reject })
          if (pending.length === 1) enqueue(flushPending).catch(() => undefined)
        })
      return enqueue(async () => {
        await resolveHead()
        const event = await write(stripUndefined(body))
        if (signing !== undefined && (checkpointDue || sinceCheckpoint >= signing.every))
          await writeCheckpoint(false)
        return event
      })
    },
    head: () => head,
    checkpoint(): Promise<AuditEvent | undefined> {
      if (signing === undefined)
        return Promise.reject(
          argumentError('type', 'createAuditLog: checkpoint', 'checkpoint options to sign with'),
        )
      if (closed) return Promise.reject(writeFailed('the audit log is closed'))
      return enqueue(async () => {
        await resolveHead()
        return writeCheckpoint(false)
      })
    },
    latestCheckpoint: () => latest,
    async close(): Promise<void> {
      if (closed) return
      closed = true
      if (timer !== undefined) clearInterval(timer)
      await enqueue(async () => {
        if (resolved) await writeCheckpoint(true)
      })
    },
  }
}

function checkSigning(options: AuditCheckpointOptions) {
  assertObject(options, 'createAuditLog: checkpoint')
  if (!isKeyRing(options.keys))
    invalidArgument('type', 'createAuditLog: checkpoint.keys', 'a KeyRing')
  assertString(options.issuer, 'createAuditLog: checkpoint.issuer', {
    nonEmpty: true,
    maxLength: 256,
  })
  const every = options.every ?? 1000
  assertNumber(every, 'checkpointEvery', { integer: true, min: 1 })
  const intervalMs = options.intervalMs ?? 60_000
  assertNumber(intervalMs, 'checkpointIntervalMs', { integer: true, min: 0 })
  if (options.sink !== undefined) {
    assertObject(options.sink, 'checkpointSink')
    assertFunction(options.sink.write, 'checkpointSink.write')
  }
  return { keys: options.keys, issuer: options.issuer, every, intervalMs, sink: options.sink }
}

/** A linked sink's answer must be a valid event holding exactly what was given. */
function checkLinked(event: unknown, body: object, time: string): AuditEvent {
  const parsed = auditEventSchema.safeParse(event)
  if (!parsed.success) throw writeFailed('sink.appendLinked returned a malformed event')
  const { seq: _seq, prev: _prev, hash, ...content } = parsed.data as Record<string, unknown>
  if (
    hash !== auditEventHash(parsed.data) ||
    canonicalJson(content) !== canonicalJson({ ...body, time })
  )
    throw writeFailed('sink.appendLinked returned an event that is not the one given')
  return deepFreeze(event as AuditEvent)
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
