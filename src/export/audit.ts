// The audit chain: one event per release, each holding the hash of the one before, so removing,
// reordering or editing any event breaks a link that verifyAuditChain finds. Runtime-neutral;
// the append-only file sink lives in audit-file.node.ts. Events carry who, what fields, which
// purpose, how many rows and digests, never record values: inputs are zod strict objects and
// `details` holds primitives only.

import { z } from 'zod'
import { DatagateError, type Finding } from '../errors.js'
import { assertFunction, assertObject } from '../lib/assert.js'
import { canonicalJson } from '../lib/canonical-json.js'
import { textDigest } from '../lib/digest.js'

/** What an audit event records. */
export type AuditEventType = 'release' | 'export' | 'delta' | 'stream'

/** A released field and the operator that transformed it (`keep` for public fields). */
export interface AuditField {
  readonly path: string
  readonly operator: string
}

/**
 * One link of the audit chain. `hash` is `sha256:` + hex SHA-256 of the canonical JSON of the
 * event without `hash`; `prev` is the previous event's `hash`, or {@link AUDIT_GENESIS} first.
 *
 * @example
 * ```ts
 * import { createAuditLog, memoryAuditSink, type AuditEvent } from 'datagate/export'
 *
 * const log = createAuditLog({ sink: memoryAuditSink() })
 * const event: AuditEvent = await log.append({
 *   type: 'release', partner: 'rental-co', dataset: 'customer', purpose: 'courtesy-car',
 *   agreement: 'courtesy-car-2026', fields: [{ path: 'city', operator: 'keep' }], rows: 2,
 *   payloadDigest: 'sha256:00', policyHash: 'sha256:11',
 * })
 * console.log(event.seq, event.prev === event.hash) // 0 false
 * ```
 */
export interface AuditEvent {
  /** 0-based position in the chain. */
  readonly seq: number
  /** ISO 8601 time the event was appended. */
  readonly time: string
  readonly type: AuditEventType
  readonly partner: string
  readonly dataset: string
  readonly purpose: string
  readonly agreement: string
  readonly fields: readonly AuditField[]
  readonly rows: number
  readonly payloadDigest: string
  readonly policyHash: string
  /** Extra facts such as `kid`, `format`, `chunks`: primitives only, never record values. */
  readonly details?: Readonly<Record<string, string | number | boolean>>
  readonly prev: string
  readonly hash: string
}

/** What a caller gives {@link AuditLog.append}; the log assigns `seq`, `time`, `prev`, `hash`. */
export type AuditEventInput = Omit<AuditEvent, 'seq' | 'time' | 'prev' | 'hash'>

/** The last event of a chain, from which the next one continues. */
export interface AuditHead {
  readonly seq: number
  readonly hash: string
}

/**
 * Where audit events go. `append` must persist the event or throw; `head` (optional) tells
 * where an existing chain ends so a new {@link AuditLog} continues it.
 *
 * @example
 * ```ts
 * import { createAuditLog, type AuditEvent, type AuditSink } from 'datagate/export'
 *
 * const lines: string[] = []
 * const sink: AuditSink = { append: (event: AuditEvent) => void lines.push(JSON.stringify(event)) }
 * await createAuditLog({ sink }).append({
 *   type: 'export', partner: 'p', dataset: 'd', purpose: 'u', agreement: 'a', fields: [],
 *   rows: 0, payloadDigest: 'sha256:00', policyHash: 'sha256:11',
 * })
 * console.log(lines.length) // 1
 * ```
 */
export interface AuditSink {
  append(event: AuditEvent): void | Promise<void>
  head?(): AuditHead | undefined | Promise<AuditHead | undefined>
}

/** `prev` of the first event of a chain: `sha256:` and 64 zeros. */
export const AUDIT_GENESIS = `sha256:${'0'.repeat(64)}`

const HASH = /^sha256:[0-9a-f]{64}$/
const DETAIL_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/
const text = (max: number) => z.string().min(1).max(max)

const inputShape = {
  type: z.enum(['release', 'export', 'delta', 'stream']),
  partner: text(256),
  dataset: text(256),
  purpose: text(256),
  agreement: text(256),
  fields: z.array(z.strictObject({ path: text(512), operator: text(128) })),
  rows: z.int().min(0),
  payloadDigest: text(256),
  policyHash: text(256),
  details: z
    .record(z.string().regex(DETAIL_KEY), z.union([z.string().max(256), z.number(), z.boolean()]))
    .refine((details) => Object.keys(details).length <= 32, 'at most 32 details')
    .optional(),
}
const inputSchema = z.strictObject(inputShape)
const eventSchema = z.strictObject({
  seq: z.int().min(0),
  time: z.iso.datetime(),
  ...inputShape,
  prev: z.string().regex(HASH),
  hash: z.string().regex(HASH),
})

/**
 * `sha256:` + hex SHA-256 of the canonical JSON of `event` without its `hash` member.
 *
 * @example
 * ```ts
 * import { auditEventHash, createAuditLog, memoryAuditSink } from 'datagate/export'
 *
 * const event = await createAuditLog({ sink: memoryAuditSink() }).append({
 *   type: 'delta', partner: 'p', dataset: 'd', purpose: 'u', agreement: 'a', fields: [],
 *   rows: 0, payloadDigest: 'sha256:00', policyHash: 'sha256:11',
 * })
 * console.log(auditEventHash(event) === event.hash) // true
 * ```
 */
export function auditEventHash(
  event: Omit<AuditEvent, 'hash' | 'details'> & {
    readonly details?: AuditEvent['details'] | undefined
    readonly hash?: string | undefined
  },
): string {
  const { hash: _ignored, ...rest } = event
  return textDigest(canonicalJson(rest))
}

/**
 * An {@link AuditSink} that keeps events in memory, for tests and short-lived processes.
 *
 * @example
 * ```ts
 * import { createAuditLog, memoryAuditSink, verifyAuditChain } from 'datagate/export'
 *
 * const sink = memoryAuditSink()
 * await createAuditLog({ sink }).append({
 *   type: 'release', partner: 'p', dataset: 'd', purpose: 'u', agreement: 'a', fields: [],
 *   rows: 0, payloadDigest: 'sha256:00', policyHash: 'sha256:11',
 * })
 * console.log(sink.events.length, verifyAuditChain(sink.events).ok) // 1 true
 * ```
 */
export function memoryAuditSink(): AuditSink & {
  readonly events: readonly AuditEvent[]
  head(): AuditHead | undefined
} {
  const events: AuditEvent[] = []
  return {
    get events(): readonly AuditEvent[] {
      return events
    },
    append(event: AuditEvent): void {
      events.push(event)
    },
    head(): AuditHead | undefined {
      const last = events.at(-1)
      return last === undefined ? undefined : { seq: last.seq, hash: last.hash }
    },
  }
}

/**
 * An {@link AuditSink} that hands each event to `fn` (a queue producer, a database insert).
 * If `fn` throws or rejects, the append fails and the chain does not advance.
 *
 * @example
 * ```ts
 * import { callbackAuditSink, createAuditLog } from 'datagate/export'
 *
 * const log = createAuditLog({ sink: callbackAuditSink((event) => console.log(event.seq, event.hash)) })
 * await log.append({
 *   type: 'stream', partner: 'p', dataset: 'd', purpose: 'u', agreement: 'a', fields: [],
 *   rows: 0, payloadDigest: 'sha256:00', policyHash: 'sha256:11', details: { chunks: 3 },
 * })
 * ```
 */
export function callbackAuditSink(fn: (event: AuditEvent) => void | Promise<void>): AuditSink {
  assertFunction(fn, 'callbackAuditSink: fn')
  return { append: (event) => fn(event) }
}

/** Options of {@link createAuditLog}. */
export interface AuditLogOptions {
  readonly sink: AuditSink
  /** Clock; defaults to `new Date()`. */
  readonly now?: () => Date
  /** Where an existing chain ends; defaults to `sink.head()`, else a new chain. */
  readonly head?: AuditHead
}

/** A chain writer made by {@link createAuditLog}. */
export interface AuditLog {
  /** Validates `input`, links it to the chain and writes it to the sink, in call order. */
  append(input: AuditEventInput): Promise<AuditEvent>
  /** The last event written through this log or found in the sink; `undefined` before any. */
  head(): AuditHead | undefined
}

/**
 * Creates the writer of an audit chain. Appends are serialised: concurrent calls are written
 * in call order. An input that is not a strict {@link AuditEventInput} (an unknown member, a
 * non-primitive detail) throws `ERR_INVALID_ARGUMENT`; a sink that throws makes the append
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
  assertFunction(sink.append, 'createAuditLog: sink.append')
  assertFunction(now, 'createAuditLog: now')
  if (options.head !== undefined) checkHead(options.head, 'createAuditLog: head')

  let head: AuditHead | undefined = options.head
  let resolved = false
  let queue: Promise<unknown> = Promise.resolve()

  async function resolveHead(): Promise<void> {
    if (resolved) return
    const fromSink = sink.head ? await sink.head() : undefined
    if (fromSink !== undefined) checkHead(fromSink, 'createAuditLog: sink.head()')
    if (
      head !== undefined &&
      fromSink !== undefined &&
      canonicalJson(head) !== canonicalJson(fromSink)
    )
      throw new DatagateError(
        'ERR_INVALID_ARGUMENT',
        `createAuditLog: head (seq ${head.seq}) differs from the sink's (seq ${fromSink.seq})`,
      )
    head ??= fromSink
    resolved = true
  }

  async function write(input: z.output<typeof inputSchema>): Promise<AuditEvent> {
    await resolveHead()
    const date = now()
    if (!(date instanceof Date) || Number.isNaN(date.getTime()))
      throw new DatagateError('ERR_INVALID_ARGUMENT', 'createAuditLog: now() gave an invalid Date')
    const { details, ...required } = input
    const unsigned = {
      seq: head === undefined ? 0 : head.seq + 1,
      time: date.toISOString(),
      ...required,
      ...(details === undefined ? {} : { details }),
      prev: head === undefined ? AUDIT_GENESIS : head.hash,
    }
    const event = deepFreeze({ ...unsigned, hash: auditEventHash(unsigned) })
    try {
      await sink.append(event)
    } catch (cause) {
      throw new DatagateError(
        'ERR_AUDIT_WRITE_FAILED',
        `audit sink failed to write event seq ${event.seq}; the chain was not advanced`,
        { cause },
      )
    }
    head = { seq: event.seq, hash: event.hash }
    return event
  }

  return {
    append(input: AuditEventInput): Promise<AuditEvent> {
      const parsed = inputSchema.safeParse(input)
      if (!parsed.success)
        return Promise.reject(
          new DatagateError('ERR_INVALID_ARGUMENT', 'audit event input is invalid', {
            findings: parsed.error.issues.map((issue) => toFinding(issue, 'input')),
          }),
        )
      const result = queue.then(() => write(parsed.data))
      queue = result.catch(() => undefined)
      return result
    },
    head: () => head,
  }
}

/** Result of {@link verifyAuditChain}. */
export interface AuditChainReport {
  /** True when every event is well formed and linked. */
  readonly ok: boolean
  /** Number of events examined. */
  readonly count: number
  /** The first broken link; absent when `ok`. */
  readonly firstBroken?: {
    readonly index: number
    readonly seq?: number
    readonly reason: 'hash_mismatch' | 'prev_mismatch' | 'seq_gap' | 'malformed'
  }
  /** Every problem found, in order; `path` is the event's index, e.g. `[3].hash`. */
  readonly issues: readonly Finding[]
}

/** Options of {@link verifyAuditChain}. */
export interface VerifyAuditChainOptions {
  /** The event before `events[0]`, when verifying the continuation of a chain. */
  readonly head?: AuditHead
}

/**
 * Checks an audit chain: each event's shape (strict), its own hash, its link to the event before
 * and its `seq`. Reports the first broken link and every problem, as data; never throws for a
 * broken chain. After a break, checking continues from the event found, so each later issue is
 * a further break.
 *
 * @example
 * ```ts
 * import { createAuditLog, memoryAuditSink, verifyAuditChain } from 'datagate/export'
 *
 * const sink = memoryAuditSink()
 * const log = createAuditLog({ sink })
 * for (const rows of [1, 2, 3])
 *   await log.append({
 *     type: 'release', partner: 'p', dataset: 'd', purpose: 'u', agreement: 'a', fields: [],
 *     rows, payloadDigest: 'sha256:00', policyHash: 'sha256:11',
 *   })
 * const tampered = [sink.events[0], sink.events[2]]
 * console.log(verifyAuditChain(sink.events).ok, verifyAuditChain(tampered).firstBroken)
 * // true { index: 1, seq: 2, reason: 'prev_mismatch' }
 * ```
 */
export function verifyAuditChain(
  events: readonly unknown[],
  options: VerifyAuditChainOptions = {},
): AuditChainReport {
  if (!Array.isArray(events))
    throw new DatagateError('ERR_INVALID_ARGUMENT', 'verifyAuditChain: expected an array of events')
  if (options.head !== undefined) checkHead(options.head, 'verifyAuditChain: head')
  const issues: Finding[] = []
  let firstBroken: AuditChainReport['firstBroken']
  let expectedPrev = options.head?.hash ?? AUDIT_GENESIS
  let expectedSeq = options.head === undefined ? 0 : options.head.seq + 1

  const broken = (
    index: number,
    seq: number | undefined,
    reason: NonNullable<AuditChainReport['firstBroken']>['reason'],
    finding: Finding,
  ) => {
    firstBroken ??= seq === undefined ? { index, reason } : { index, seq, reason }
    issues.push(finding)
  }

  events.forEach((raw, index) => {
    const parsed = eventSchema.safeParse(raw)
    if (!parsed.success) {
      const findings = parsed.error.issues.map((issue) => toFinding(issue, `[${index}]`))
      broken(index, undefined, 'malformed', {
        code: 'malformed',
        path: `[${index}]`,
        message: `event ${index} is not a well-formed audit event`,
      })
      issues.push(...findings)
      return
    }
    const event = parsed.data
    const at = `event ${index} (seq ${event.seq})`
    if (auditEventHash(event) !== event.hash)
      broken(index, event.seq, 'hash_mismatch', {
        code: 'hash_mismatch',
        path: `[${index}].hash`,
        message: `${at}: hash does not match the event's content`,
      })
    else if (event.prev !== expectedPrev)
      broken(index, event.seq, 'prev_mismatch', {
        code: 'prev_mismatch',
        path: `[${index}].prev`,
        message: `${at}: prev is not the hash of the event before`,
      })
    else if (event.seq !== expectedSeq)
      broken(index, event.seq, 'seq_gap', {
        code: 'seq_gap',
        path: `[${index}].seq`,
        message: `${at}: expected seq ${expectedSeq}`,
      })
    expectedPrev = event.hash
    expectedSeq = event.seq + 1
  })
  const report = { ok: issues.length === 0, count: events.length, issues }
  return firstBroken === undefined ? report : { ...report, firstBroken }
}

function checkHead(head: unknown, what: string): asserts head is AuditHead {
  const parsed = z
    .strictObject({ seq: z.int().min(0), hash: z.string().regex(HASH) })
    .safeParse(head)
  if (!parsed.success)
    throw new DatagateError(
      'ERR_INVALID_ARGUMENT',
      `${what}: expected { seq, hash: 'sha256:<64 hex>' }`,
    )
}

function toFinding(issue: z.core.$ZodIssue, prefix: string): Finding {
  const path = issue.path.map((part) =>
    typeof part === 'number' ? `[${part}]` : `.${String(part)}`,
  )
  return { code: issue.code, path: `${prefix}${path.join('')}`, message: issue.message }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const member of Object.values(value)) deepFreeze(member)
  }
  return value
}
