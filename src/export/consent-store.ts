/**
 * Consent of data subjects (PIPL Art. 23): the `ConsentStore` a gate asks before a release under
 * an agreement with `consent`, and the in-memory store. A store holds grant and withdraw events
 * per (subject, scope); the state at a time is the last event at or before it.
 *
 * @packageDocumentation
 */
import { DatagateError } from '../errors.js'
import { assertArray, assertDate, assertString, invalidArgument } from '../lib/assert.js'
import { parseIsoDate } from '../lib/iso-date.js'

/**
 * Where consent lives: {@link memoryConsentStore}, `jsonlConsentStore(path)` from `datagate/node`,
 * `postgresConsentStore({ pool })` from `datagate/postgres`, or your own. `has` and `filter` answer
 * as of `at` (the release time, or an earlier export's time for the base of a delta): the last
 * event at or before `at` decides, a grant or a withdrawal; no event means no consent. A store that
 * cannot answer throws, and the gate refuses the release with `ERR_CONSENT_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * import { type ConsentStore, memoryConsentStore } from 'datagate'
 *
 * const store: ConsentStore = memoryConsentStore([
 *   { subject: 'C-1', scope: 'share-with-insurers', at: '2026-01-01T00:00:00Z', event: 'grant' },
 * ])
 * console.log(await store.has('C-1', 'share-with-insurers', new Date('2026-06-01T00:00:00Z'))) // true
 * console.log([...(await store.filter(['C-1', 'C-2'], 'share-with-insurers', new Date('2026-06-01T00:00:00Z')))]) // [ 'C-1' ]
 * ```
 */
export interface ConsentStore {
  /** Whether `subject` holds consent `scope` at `at`. */
  has(subject: string, scope: string, at: Date): boolean | Promise<boolean>
  /** The subjects among `subjects` that hold consent `scope` at `at` (one call per release). */
  filter(
    subjects: readonly string[],
    scope: string,
    at: Date,
  ): Iterable<string> | Promise<Iterable<string>>
}

/**
 * One consent event: `grant` or `withdraw` of `scope` by `subject`, effective from `at` (an ISO
 * date-time with a zone, or a Date). The JSONL store keeps one such object a line.
 *
 * @example
 * ```ts
 * import type { ConsentEvent } from 'datagate'
 *
 * const withdrawal: ConsentEvent = { subject: 'C-7', scope: 'share-with-insurers',
 *   at: '2026-06-02T09:00:00+08:00', event: 'withdraw' }
 * console.log(withdrawal.event) // 'withdraw'
 * ```
 */
export interface ConsentEvent {
  readonly subject: string
  readonly scope: string
  readonly at: string | Date
  readonly event: 'grant' | 'withdraw'
}

/** The longest subject id a store accepts (UTF-16 code units). */
export const MAX_SUBJECT_LENGTH = 256
const SCOPE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/
// An ISO 8601 date-time with a zone: a time without one would mean a different instant per host.
const ISO_WITH_ZONE =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/

/** Checks a scope id (the policy's id shape). */
export function assertScope(scope: unknown, what: string): asserts scope is string {
  assertString(scope, what, { nonEmpty: true, maxLength: 128 })
  if (!SCOPE.test(scope)) invalidArgument('range', what, 'letters, digits and . _ : - only')
}

// A NUL character, or a lone surrogate (which UTF-8 encodes as U+FFFD, so two different ids would
// meet as one in PostgreSQL): no store can hold consent for such an id the same way.
const LONE_SURROGATE = /\p{Cs}/u

/** Whether `value` can be a subject id: a string of 1 to 256 units, no NUL, no lone surrogate. */
export function isSubjectId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_SUBJECT_LENGTH &&
    !value.includes('\u0000') &&
    !LONE_SURROGATE.test(value)
  )
}

/** Checks a subject id. */
export function assertSubject(subject: unknown, what: string): asserts subject is string {
  assertString(subject, what, { nonEmpty: true, maxLength: MAX_SUBJECT_LENGTH })
  if (!isSubjectId(subject))
    invalidArgument('range', what, 'a subject id without NUL characters or lone surrogates')
}

/** A consent event checked and reduced to what an index holds; `undefined` when it is not one. */
export function parseConsentEvent(
  value: unknown,
): { subject: string; scope: string; at: number; granted: boolean } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const { subject, scope, at, event } = value as Record<string, unknown>
  if (!isSubjectId(subject)) return undefined
  if (typeof scope !== 'string' || !SCOPE.test(scope)) return undefined
  if (event !== 'grant' && event !== 'withdraw') return undefined
  let time: number
  if (at instanceof Date) time = at.getTime()
  // Not Date.parse: it rolls an impossible day over (2026-02-30 is read as 2026-03-02), so a
  // mistyped withdrawal would silently count from another day instead of being refused.
  else if (typeof at === 'string' && ISO_WITH_ZONE.test(at))
    time = parseIsoDate(at, { requireOffset: true })
  else return undefined
  if (!Number.isFinite(time)) return undefined
  return { subject, scope, at: time, granted: event === 'grant' }
}

/**
 * Grant and withdraw events per (scope, subject), each list in order of `at` and, for equal
 * times, of recording: the later event wins. Shared by the memory and JSONL stores.
 */
export class ConsentIndex {
  readonly #events = new Map<string, Map<string, { at: number; granted: boolean }[]>>()

  add(subject: string, scope: string, at: number, granted: boolean): void {
    let subjects = this.#events.get(scope)
    if (!subjects) {
      subjects = new Map()
      this.#events.set(scope, subjects)
    }
    let list = subjects.get(subject)
    if (!list) {
      list = []
      subjects.set(subject, list)
    }
    let i = list.length
    while (i > 0 && (list[i - 1] as { at: number }).at > at) i--
    list.splice(i, 0, { at, granted })
  }

  has(subject: string, scope: string, at: number): boolean {
    const list = this.#events.get(scope)?.get(subject)
    if (!list) return false
    for (let i = list.length - 1; i >= 0; i--) {
      const event = list[i] as { at: number; granted: boolean }
      if (event.at <= at) return event.granted
    }
    return false
  }
}

/** Checks the arguments of `filter` / `has` as every store receives them. */
export function assertConsentQuery(
  subjects: readonly unknown[],
  scope: unknown,
  at: unknown,
  what: string,
): asserts subjects is readonly string[] {
  assertArray(subjects, `${what}: subjects`)
  for (const subject of subjects) assertSubject(subject, `${what}: subject`)
  assertScope(scope, `${what}: scope`)
  assertDate(at, `${what}: at`)
}

/**
 * The store made by {@link memoryConsentStore}: a {@link ConsentStore} that also records events.
 *
 * @example
 * ```ts
 * import { type MemoryConsentStore, memoryConsentStore } from 'datagate'
 *
 * const store: MemoryConsentStore = memoryConsentStore()
 * store.grant('C-9', 'share-with-insurers', new Date('2026-01-01T00:00:00Z'))
 * console.log(store.filter(['C-8', 'C-9'], 'share-with-insurers', new Date('2026-02-01T00:00:00Z'))) // [ 'C-9' ]
 * ```
 */
export interface MemoryConsentStore extends ConsentStore {
  /** Records a grant of `scope` by `subject`, effective from `at`. */
  grant(subject: string, scope: string, at: Date): void
  /** Records a withdrawal of `scope` by `subject`, effective from `at`. */
  withdraw(subject: string, scope: string, at: Date): void
}

/**
 * A consent store in memory, for tests, demos and short-lived processes (edge runtimes too): it
 * forgets every event on restart, so production gates load it from a durable source or use the
 * JSONL or PostgreSQL store. `events` are checked (`ERR_INVALID_ARGUMENT` naming the index).
 *
 * @example
 * ```ts
 * import { memoryConsentStore } from 'datagate'
 *
 * const store = memoryConsentStore()
 * store.grant('C-1', 'share-with-insurers', new Date('2026-01-01T00:00:00Z'))
 * store.withdraw('C-1', 'share-with-insurers', new Date('2026-06-01T00:00:00Z'))
 * console.log(store.has('C-1', 'share-with-insurers', new Date('2026-05-31T00:00:00Z'))) // true
 * console.log(store.has('C-1', 'share-with-insurers', new Date('2026-06-01T00:00:00Z'))) // false
 * ```
 */
export function memoryConsentStore(events: readonly ConsentEvent[] = []): MemoryConsentStore {
  assertArray(events, 'memoryConsentStore: events')
  const index = new ConsentIndex()
  events.forEach((value, i) => {
    const event = parseConsentEvent(value)
    if (!event)
      throw new DatagateError(
        'ERR_INVALID_ARGUMENT',
        `memoryConsentStore: events[${i}] must be { subject, scope, at: ISO date-time with a zone or Date, event: grant | withdraw }`,
        { cause: new TypeError('not a consent event') },
      )
    index.add(event.subject, event.scope, event.at, event.granted)
  })
  const record = (what: string, subject: string, scope: string, at: Date, granted: boolean) => {
    assertConsentQuery([subject], scope, at, what)
    index.add(subject, scope, at.getTime(), granted)
  }
  return Object.freeze({
    has(subject: string, scope: string, at: Date): boolean {
      assertConsentQuery([subject], scope, at, 'consent.has')
      return index.has(subject, scope, at.getTime())
    },
    filter(subjects: readonly string[], scope: string, at: Date): string[] {
      assertConsentQuery(subjects, scope, at, 'consent.filter')
      const time = at.getTime()
      return subjects.filter((subject) => index.has(subject, scope, time))
    },
    grant(subject: string, scope: string, at: Date): void {
      record('consent.grant', subject, scope, at, true)
    },
    withdraw(subject: string, scope: string, at: Date): void {
      record('consent.withdraw', subject, scope, at, false)
    },
  })
}
