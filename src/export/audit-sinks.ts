// Runtime-neutral audit sinks: in memory (tests, short-lived processes) and a callback (a queue
// producer, a database insert). The append-only file sink is in audit-file.node.ts.
import { assertFunction, assertObject } from '../lib/assert.js'
import {
  type AuditEvent,
  type AuditHead,
  type AuditLinkInput,
  type AuditSink,
  linkEvent,
} from './audit-event.js'

/**
 * Options of {@link memoryAuditSink}.
 *
 * @example
 * ```ts
 * import { memoryAuditSink, type MemoryAuditSinkOptions } from 'datagate/export'
 *
 * const options: MemoryAuditSinkOptions = { linked: true }
 * console.log(typeof memoryAuditSink(options).appendLinked) // 'function'
 * ```
 */
export interface MemoryAuditSinkOptions {
  /**
   * Link events in the sink (`appendLinked`) instead of receiving them linked (`append`), as a
   * database shared by several writers does. Default `false`.
   */
  readonly linked?: boolean
}

/**
 * The sink made by {@link memoryAuditSink}.
 *
 * @example
 * ```ts
 * import { memoryAuditSink, type MemoryAuditSink } from 'datagate/export'
 *
 * const sink: MemoryAuditSink = memoryAuditSink()
 * console.log(sink.events.length, sink.head()) // 0 undefined
 * ```
 */
export interface MemoryAuditSink extends AuditSink {
  /** Every event written, in order. */
  readonly events: readonly AuditEvent[]
  /** The last event's position, `undefined` while empty. */
  head(): AuditHead | undefined
}

/**
 * An {@link AuditSink} that keeps events in memory, for tests and short-lived processes. With
 * `linked: true` it assigns `seq`, `prev` and `hash` itself (`appendLinked`), so several logs
 * can share it as they would share a database.
 *
 * @example
 * ```ts
 * import { createAuditLog, memoryAuditSink, verifyAuditChain } from 'datagate/export'
 *
 * const sink = memoryAuditSink({ linked: true })
 * const input = { type: 'denied', partner: 'p', dataset: 'd', purpose: 'u', policyHash: 'sha256:11',
 *   code: 'ERR_NOT_PERMITTED' } as const
 * await createAuditLog({ sink }).append(input)
 * await createAuditLog({ sink }).append(input) // a second writer resumes, then appends
 * console.log(sink.events.map((e) => e.type), verifyAuditChain(sink.events).ok)
 * // ['denied', 'resume', 'denied'] true
 * ```
 */
export function memoryAuditSink(options: MemoryAuditSinkOptions = {}): MemoryAuditSink {
  assertObject(options, 'memoryAuditSink: options')
  const events: AuditEvent[] = []
  const head = (): AuditHead | undefined => {
    const last = events.at(-1)
    return last === undefined ? undefined : { seq: last.seq, hash: last.hash }
  }
  const sink = {
    get events(): readonly AuditEvent[] {
      return events
    },
    head,
  }
  if (options.linked === true)
    return Object.assign(sink, {
      appendLinked(input: AuditLinkInput): AuditEvent {
        // One JS turn: nothing interleaves between reading the head and pushing, which is the
        // atomicity a database gets from a lock on its head row.
        const { time, ...body } = input
        const event = linkEvent(body, time, head())
        events.push(event)
        return event
      },
    })
  return Object.assign(sink, {
    append(event: AuditEvent): void {
      events.push(event)
    },
  })
}

/**
 * An {@link AuditSink} that hands each event to `fn` (a queue producer, a database insert).
 * If `fn` throws or rejects, the append fails and the chain does not advance.
 *
 * @example
 * ```ts
 * import { callbackAuditSink, createAuditLog } from 'datagate/export'
 *
 * const log = createAuditLog({ sink: callbackAuditSink((event) => console.log(event.seq, event.type)) })
 * await log.append({
 *   type: 'release', partner: 'p', dataset: 'd', purpose: 'u', agreement: 'a', fields: [],
 *   rows: 0, payloadDigest: 'sha256:00', policyHash: 'sha256:11',
 * })
 * // 0 'release'
 * ```
 */
export function callbackAuditSink(fn: (event: AuditEvent) => void | Promise<void>): AuditSink {
  assertFunction(fn, 'callbackAuditSink: fn')
  return { append: (event) => fn(event) }
}
