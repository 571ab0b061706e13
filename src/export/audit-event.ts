// The shape of an audit event: one strict zod object per event type, joined as a discriminated
// union on `type`, so an event of one type cannot smuggle the members of another, and the
// SHA-256 link over its canonical JSON. Events carry who, what fields, which purpose, how many
// rows and digests, never record values: every member is a bounded primitive or a fixed shape.
import { z } from 'zod'
import { canonicalJson } from '../lib/canonical-json.js'
import { textDigest } from '../lib/digest.js'

/**
 * `prev` of the first event of a chain: `sha256:` and 64 zeros.
 *
 * @example
 * ```ts
 * import { AUDIT_GENESIS } from 'datagate/export'
 *
 * console.log(AUDIT_GENESIS.length) // 71
 * ```
 */
export const AUDIT_GENESIS = `sha256:${'0'.repeat(64)}`

const HASH = /^sha256:[0-9a-f]{64}$/
const DETAIL_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/
const text = (max: number) => z.string().min(1).max(max)
const hash = z.string().regex(HASH)
const STANDINGS = ['gold', 'silver', 'bronze', 'yellow', 'terminated'] as const
const position = z.strictObject({ seq: z.int().min(0), head: hash })
const details = z
  .record(z.string().regex(DETAIL_KEY), z.union([z.string().max(256), z.number(), z.boolean()]))
  .refine((value) => Object.keys(value).length <= 32, 'at most 32 details')
  .optional()

const request = {
  partner: text(256),
  dataset: text(256),
  purpose: text(256),
  policyHash: text(256),
}
const released = {
  ...request,
  agreement: text(256),
  fields: z.array(z.strictObject({ path: text(512), operator: text(128) })).max(10_000),
  rows: z.int().min(0),
  payloadDigest: text(256),
  consentDropped: z.int().min(0).optional(),
  details,
}
// What a partner can later show: the token's `jti` and the SHA-256 of the exact signed bytes.
const signed = { jti: text(256), signedDigest: hash }

const inputSchemas = {
  release: z.strictObject({ type: z.literal('release'), ...released }),
  export: z.strictObject({ type: z.literal('export'), ...released, ...signed }),
  delta: z.strictObject({ type: z.literal('delta'), ...released, ...signed }),
  'stream-start': z.strictObject({
    type: z.literal('stream-start'),
    ...request,
    agreement: released.agreement,
    fields: released.fields,
    stream: text(256),
    details,
  }),
  'stream-end': z.strictObject({
    type: z.literal('stream-end'),
    ...released,
    ...signed,
    stream: text(256),
    chunks: z.int().min(0),
  }),
  // A conditional request answered from what the partner holds: no records left, no token.
  'not-modified': z.strictObject({ type: z.literal('not-modified'), ...released }),
  // A bulk export's set manifest (datagate/jobs): it carries no records, only the digests of
  // partition manifests whose own stream-start and stream-end events are on the chain.
  'stream-set': z.strictObject({
    type: z.literal('stream-set'),
    ...released,
    ...signed,
    set: text(256),
    partitions: z.int().min(1),
  }),
  denied: z.strictObject({
    type: z.literal('denied'),
    ...request,
    code: z.string().regex(/^ERR_[A-Z_]{1,60}$/),
  }),
  policy: z.strictObject({ type: z.literal('policy'), policyHash: hash, document: z.json() }),
  'standing-change': z.strictObject({
    type: z.literal('standing-change'),
    fromPolicyHash: hash,
    toPolicyHash: hash,
    scoresDigest: hash,
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
    changes: z
      .array(
        z.strictObject({
          partner: text(256),
          from: z.enum(STANDINGS),
          to: z.enum(STANDINGS),
          rating: z.number().min(0).max(5),
          complaintRate: z.number().min(0).max(1),
          yellowMonths: z.int().min(0),
        }),
      )
      .min(1)
      .max(10_000),
  }),
} as const
const logSchemas = {
  checkpoint: z.strictObject({
    type: z.literal('checkpoint'),
    covers: position,
    kid: text(256),
    token: z.string().min(1).max(16_384),
  }),
  resume: z.strictObject({
    type: z.literal('resume'),
    from: position,
    takeover: z
      .strictObject({ pid: z.int().min(0), host: text(256), started: z.iso.datetime() })
      .optional(),
  }),
} as const
const link = { seq: z.int().min(0), time: z.iso.datetime(), prev: hash, hash }

const { release, export: exported, delta, denied, policy } = inputSchemas
const standingChange = inputSchemas['standing-change']
const start = inputSchemas['stream-start']
const end = inputSchemas['stream-end']
const notModified = inputSchemas['not-modified']
const set = inputSchemas['stream-set']
const { checkpoint, resume } = logSchemas

/** Strict schema of what callers may append (no `checkpoint`, no `resume`: the log writes those). */
export const auditInputSchema = z.discriminatedUnion('type', [
  release,
  exported,
  delta,
  start,
  end,
  notModified,
  set,
  denied,
  policy,
  standingChange,
])
/** Strict schema of a complete event: one strict object per type, each with the link members. */
export const auditEventSchema = z.discriminatedUnion('type', [
  release.extend(link),
  exported.extend(link),
  delta.extend(link),
  start.extend(link),
  end.extend(link),
  notModified.extend(link),
  set.extend(link),
  denied.extend(link),
  policy.extend(link),
  standingChange.extend(link),
  checkpoint.extend(link),
  resume.extend(link),
])

/**
 * A position in the chain: an event's `seq` and its `hash`.
 *
 * @example
 * ```ts
 * import type { AuditPosition } from 'datagate/export'
 *
 * const position: AuditPosition = { seq: 41, head: `sha256:${'a'.repeat(64)}` }
 * console.log(position.seq) // 41
 * ```
 */
export interface AuditPosition {
  readonly seq: number
  readonly head: string
}

/**
 * A released field and the operator that transformed it (`keep` for public fields).
 *
 * @example
 * ```ts
 * import type { AuditField } from 'datagate/export'
 *
 * const field: AuditField = { path: 'phone', operator: 'mask.phone' }
 * console.log(field.path) // 'phone'
 * ```
 */
export interface AuditField {
  readonly path: string
  readonly operator: string
}

interface AuditRequestFacts {
  readonly partner: string
  readonly dataset: string
  readonly purpose: string
  /** The policy in force. */
  readonly policyHash: string
}

interface AuditReleaseFacts extends AuditRequestFacts {
  readonly agreement: string
  readonly fields: readonly AuditField[]
  /** Records released (for a delta, in the new view). */
  readonly rows: number
  /** `sha256:` of the canonical JSON of the records (of the patch for a delta). */
  readonly payloadDigest: string
  /**
   * Rows dropped because their data subject held no consent of the agreement's scope (agreements
   * with `consent` only; for a delta, of the new view). Never told to the partner.
   */
  readonly consentDropped?: number
  /** Extra facts such as `kid`, `format`: primitives only, never record values. */
  readonly details?: Readonly<Record<string, string | number | boolean>>
}

interface AuditSignedFacts {
  /** `jti` of the signed token, which the partner holds. */
  readonly jti: string
  /** `sha256:` of the exact payload bytes that were signed. */
  readonly signedDigest: string
}

/**
 * Every event body by type. `checkpoint` and `resume` are written by the log itself.
 *
 * @example
 * ```ts
 * import type { AuditEventBodies } from 'datagate/export'
 *
 * const refusal: AuditEventBodies['denied'] = { type: 'denied', partner: 'old-co', dataset: 'outlet',
 *   purpose: 'map', policyHash: 'sha256:11', code: 'ERR_PARTNER_SUSPENDED' }
 * console.log(refusal.code) // 'ERR_PARTNER_SUSPENDED'
 * ```
 */
export interface AuditEventBodies {
  release: AuditReleaseFacts & { readonly type: 'release' }
  export: AuditReleaseFacts & AuditSignedFacts & { readonly type: 'export' }
  delta: AuditReleaseFacts & AuditSignedFacts & { readonly type: 'delta' }
  'stream-start': AuditRequestFacts & {
    readonly type: 'stream-start'
    readonly agreement: string
    readonly fields: readonly AuditField[]
    /** The stream id, written before the first chunk leaves. */
    readonly stream: string
    readonly details?: Readonly<Record<string, string | number | boolean>>
  }
  'stream-end': AuditReleaseFacts &
    AuditSignedFacts & {
      readonly type: 'stream-end'
      readonly stream: string
      readonly chunks: number
    }
  /**
   * A conditional request (`If-None-Match`) whose released view the partner already holds: the
   * view's `payloadDigest` (the ETag's digest), its `rows` and fields, and nothing that left: no
   * records, no token. `details.answers` names what would have been sent (`export`, `release`); `details.held` is
   * `digest` when the partner named the view's digest, `any` when only `'*'` matched.
   */
  'not-modified': AuditReleaseFacts & { readonly type: 'not-modified' }
  /**
   * The signed set manifest of a bulk export (`datagate/jobs`): `set` is the export id, `rows` the
   * records of every partition, `payloadDigest` the digest of the listed partitions.
   */
  'stream-set': AuditReleaseFacts &
    AuditSignedFacts & {
      readonly type: 'stream-set'
      readonly set: string
      readonly partitions: number
    }
  /** A refused request of a known partner: the error code, never a value. */
  denied: AuditRequestFacts & { readonly type: 'denied'; readonly code: string }
  /** The policy document in force from this event on (policies hold no secrets). */
  policy: { readonly type: 'policy'; readonly policyHash: string; readonly document: unknown }
  /**
   * Partners' standing changed from their monthly quality scores (`datagate standing --write`):
   * the policy before and after, the SHA-256 of the scores file's bytes, the month decided.
   */
  'standing-change': {
    readonly type: 'standing-change'
    /** The policy before the change. */
    readonly fromPolicyHash: string
    /** The policy after it; a `policy` event holding it precedes this one. */
    readonly toPolicyHash: string
    readonly scoresDigest: string
    /** `YYYY-MM`. */
    readonly month: string
    readonly changes: readonly AuditStandingChange[]
  }
  /** A compact JWS by the gate's key over `{ iss, seq, head, time }` of an earlier position. */
  checkpoint: {
    readonly type: 'checkpoint'
    readonly covers: AuditPosition
    readonly kid: string
    readonly token: string
  }
  /** A writer opened an existing chain at `from`; `takeover` names a stale lock it replaced. */
  resume: {
    readonly type: 'resume'
    readonly from: AuditPosition
    readonly takeover?: AuditLockHolder
  }
}

/**
 * One partner's change in a `standing-change` event, with the month's scores that decided it.
 *
 * @example
 * ```ts
 * import type { AuditStandingChange } from 'datagate/export'
 *
 * const change: AuditStandingChange = { partner: 'maps-co', from: 'silver', to: 'yellow', rating: 3.9,
 *   complaintRate: 0.012, yellowMonths: 1 }
 * console.log(change.to) // 'yellow'
 * ```
 */
export interface AuditStandingChange {
  readonly partner: string
  readonly from: 'gold' | 'silver' | 'bronze' | 'yellow' | 'terminated'
  readonly to: 'gold' | 'silver' | 'bronze' | 'yellow' | 'terminated'
  /** The month's composite rating (qualityRating). */
  readonly rating: number
  readonly complaintRate: number
  /** Consecutive yellow months ending with the month decided. */
  readonly yellowMonths: number
}

/**
 * The writer named in a lock file: process id, host name and ISO start time.
 *
 * @example
 * ```ts
 * import { fileAuditSink } from 'datagate/node'
 *
 * const sink = await fileAuditSink('/tmp/datagate-example-lock.jsonl')
 * console.log(sink.takenOver?.pid ?? 'no stale lock') // 'no stale lock'
 * await sink.close()
 * ```
 */
export interface AuditLockHolder {
  readonly pid: number
  readonly host: string
  readonly started: string
}

/**
 * What an audit event records.
 *
 * @example
 * ```ts
 * import type { AuditEventType } from 'datagate/export'
 *
 * const type: AuditEventType = 'stream-start'
 * console.log(type) // 'stream-start'
 * ```
 */
export type AuditEventType = keyof AuditEventBodies

/**
 * What a caller gives `AuditLog.append`; the log assigns `seq`, `time`, `prev`, `hash`.
 *
 * @example
 * ```ts
 * import { createAuditLog, memoryAuditSink, type AuditEventInput } from 'datagate/export'
 *
 * const input: AuditEventInput = { type: 'denied', partner: 'p', dataset: 'd', purpose: 'u',
 *   policyHash: 'sha256:11', code: 'ERR_NOT_PERMITTED' }
 * console.log((await createAuditLog({ sink: memoryAuditSink() }).append(input)).seq) // 0
 * ```
 */
export type AuditEventInput = AuditEventBodies[Exclude<AuditEventType, 'checkpoint' | 'resume'>]

/**
 * The members the chain adds to every body.
 *
 * @example
 * ```ts
 * import { createAuditLog, memoryAuditSink, type AuditEventLink } from 'datagate/export'
 *
 * const event = await createAuditLog({ sink: memoryAuditSink() }).append({ type: 'denied', partner: 'p',
 *   dataset: 'd', purpose: 'u', policyHash: 'sha256:11', code: 'ERR_NOT_PERMITTED' })
 * const link: AuditEventLink = event
 * console.log(link.prev === `sha256:${'0'.repeat(64)}`) // true
 * ```
 */
export interface AuditEventLink {
  /** 0-based position in the chain. */
  readonly seq: number
  /** ISO 8601 time the event was appended. */
  readonly time: string
  /** The previous event's `hash`, or {@link AUDIT_GENESIS} first. */
  readonly prev: string
  /** `sha256:` + hex SHA-256 of the canonical JSON of the event without `hash`. */
  readonly hash: string
}

/**
 * One link of the audit chain: a body of one {@link AuditEventType} plus `seq`, `time`, `prev`
 * and `hash`. Narrow on `type` to reach the members of that type.
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
 * if (event.type === 'release') console.log(event.seq, event.rows) // 0 2
 * ```
 */
export type AuditEvent = {
  [Type in AuditEventType]: AuditEventBodies[Type] & AuditEventLink
}[AuditEventType]

/**
 * What a sink that links events itself receives: the body and its `time`.
 *
 * @example
 * ```ts
 * import { memoryAuditSink, type AuditLinkInput } from 'datagate/export'
 *
 * const input: AuditLinkInput = { type: 'denied', time: '2026-06-01T00:00:00.000Z', partner: 'p',
 *   dataset: 'd', purpose: 'u', policyHash: 'sha256:11', code: 'ERR_NOT_PERMITTED' }
 * const event = await memoryAuditSink({ linked: true }).appendLinked?.(input)
 * console.log(event?.seq) // 0
 * ```
 */
export type AuditLinkInput = {
  [Type in AuditEventType]: AuditEventBodies[Type] & { readonly time: string }
}[AuditEventType]

/**
 * The last event of a chain, from which the next one continues.
 *
 * @example
 * ```ts
 * import type { AuditHead } from 'datagate/export'
 *
 * const head: AuditHead = { seq: 0, hash: `sha256:${'0'.repeat(64)}` }
 * console.log(head.seq) // 0
 * ```
 */
export interface AuditHead {
  readonly seq: number
  readonly hash: string
}

/**
 * Where audit events go. A sink implements `append` (persist the linked event or throw), or
 * `appendLinked` (assign `seq`, `prev` and `hash` itself, atomically, and return the event: a
 * database shared by several writers). A linked sink may add `appendLinkedBatch`: several inputs
 * linked one after the other in one atomic write, returned in order; the log then hands it the
 * appends that queued up while a write was in flight (group commit). `head` (optional) tells where an existing chain ends so
 * a new log continues it; `takenOver` names a stale lock the sink replaced on opening.
 *
 * @example
 * ```ts
 * import { createAuditLog, type AuditEvent, type AuditSink } from 'datagate/export'
 *
 * const lines: string[] = []
 * const sink: AuditSink = { append: (event: AuditEvent) => void lines.push(JSON.stringify(event)) }
 * await createAuditLog({ sink }).append({
 *   type: 'denied', partner: 'p', dataset: 'd', purpose: 'u', policyHash: 'sha256:11',
 *   code: 'ERR_NOT_PERMITTED',
 * })
 * console.log(lines.length) // 1
 * ```
 */
export interface AuditSink {
  /** Persists an event the log has already linked (`seq`, `prev`, `hash`), or throws. */
  append?(event: AuditEvent): void | Promise<void>
  /** Links `input` to the chain itself, atomically, persists it and returns the event. */
  appendLinked?(input: AuditLinkInput): AuditEvent | Promise<AuditEvent>
  /** Links and persists several inputs in one atomic write, returned in order. */
  appendLinkedBatch?(
    inputs: readonly AuditLinkInput[],
  ): readonly AuditEvent[] | Promise<readonly AuditEvent[]>
  /** Where an existing chain ends, so that the log continues it; `undefined` for an empty one. */
  head?(): AuditHead | undefined | Promise<AuditHead | undefined>
  readonly takenOver?: AuditLockHolder
}

/**
 * `sha256:` + hex SHA-256 of the canonical JSON of `event` without its `hash` member.
 *
 * @example
 * ```ts
 * import { auditEventHash, createAuditLog, memoryAuditSink } from 'datagate/export'
 *
 * const event = await createAuditLog({ sink: memoryAuditSink() }).append({
 *   type: 'denied', partner: 'p', dataset: 'd', purpose: 'u', policyHash: 'sha256:11',
 *   code: 'ERR_PARTNER_SUSPENDED',
 * })
 * console.log(auditEventHash(event) === event.hash) // true
 * ```
 */
export function auditEventHash(event: object): string {
  const { hash: _ignored, ...rest } = event as { hash?: unknown }
  return textDigest(canonicalJson(rest))
}

/** Links `body` after `head` at `time`: the one place a complete event is built. */
export function linkEvent(body: object, time: string, head: AuditHead | undefined): AuditEvent {
  const unsigned = {
    seq: head === undefined ? 0 : head.seq + 1,
    time,
    ...body,
    prev: head === undefined ? AUDIT_GENESIS : head.hash,
  }
  return deepFreeze({ ...unsigned, hash: auditEventHash(unsigned) }) as AuditEvent
}

/** Tells a `{ seq, hash }` head apart from anything else. */
export function isHead(value: unknown): value is AuditHead {
  return z.strictObject({ seq: z.int().min(0), hash }).safeParse(value).success
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const member of Object.values(value)) deepFreeze(member)
  }
  return value
}
