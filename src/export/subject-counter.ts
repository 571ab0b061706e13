/**
 * Counters of distinct data subjects, kept as keyed HyperLogLog registers (src/lib/hyperloglog.ts):
 * the store holds 16,384 one-byte registers per counter and never an identifier. A store merges a
 * release's registers into several counters at once, all or none, and can refuse the merge when
 * an estimate after it would pass a limit: that is how `onThreshold: refuse` stops the release
 * that would cross a threshold, and only that one.
 *
 * @packageDocumentation
 */
import { DatagateError } from '../errors.js'
import { assertArray, assertFunction, assertObject, assertString } from '../lib/assert.js'
import { estimate, HLL_REGISTERS, merge } from '../lib/hyperloglog.js'

/**
 * One merge of a release's registers into counters.
 *
 * @example
 * ```ts
 * import type { SubjectCountUpdate } from 'datagate'
 *
 * const update: SubjectCountUpdate = { counters: ['2026/partner/maps-co'], registers: new Uint8Array(16384) }
 * console.log(update.counters.length) // 1
 * ```
 */
export interface SubjectCountUpdate {
  /** The counters to merge into (e.g. `2026/partner/maps-co`, `2026/overseas`). */
  readonly counters: readonly string[]
  /** The release's registers: 16,384 bytes, one rank per register. */
  readonly registers: Uint8Array
  /**
   * Per counter, the largest rounded estimate allowed after the merge, or `null` for none. When
   * any is passed, nothing is merged and `ok` is false.
   */
  readonly limits?: readonly (number | null)[]
}

/**
 * What a merge did: `ok`, and each counter's rounded estimate after it (or, refused, what it
 * would have been).
 *
 * @example
 * ```ts
 * import type { SubjectCountOutcome } from 'datagate'
 *
 * const outcome: SubjectCountOutcome = { ok: false, estimates: [10001] }
 * console.log(outcome.ok) // false
 * ```
 */
export interface SubjectCountOutcome {
  readonly ok: boolean
  readonly estimates: readonly number[]
}

/**
 * Where subject counters live: {@link memorySubjectCounterStore} for tests and single
 * processes, `postgresSubjectCounterStore` (`datagate/postgres`) for several instances. `merge`
 * is atomic: two merges never both pass a limit only one of them fits under.
 *
 * @example
 * ```ts
 * import { memorySubjectCounterStore, type SubjectCounterStore } from 'datagate'
 *
 * const store: SubjectCounterStore = memorySubjectCounterStore()
 * console.log(await store.read(['2026/overseas'])) // [ 0 ]
 * ```
 */
export interface SubjectCounterStore {
  /** Merges `update.registers` into every counter of `update.counters`, all or none (see {@link SubjectCountUpdate}). */
  merge(update: SubjectCountUpdate): SubjectCountOutcome | Promise<SubjectCountOutcome>
  /** The rounded estimates of `counters` (0 for a counter never merged into). */
  read(counters: readonly string[]): readonly number[] | Promise<readonly number[]>
}

/** Checks an update's shape; throws `ERR_INVALID_ARGUMENT`. */
export function assertSubjectCountUpdate(update: unknown): asserts update is SubjectCountUpdate {
  assertObject(update, 'subject counters: update')
  assertArray(update.counters, 'subject counters: update.counters', { nonEmpty: true })
  for (const counter of update.counters)
    assertString(counter, 'subject counters: counter', { nonEmpty: true, maxLength: 512 })
  if (!(update.registers instanceof Uint8Array) || update.registers.length !== HLL_REGISTERS)
    throw new DatagateError(
      'ERR_INVALID_ARGUMENT',
      `subject counters: update.registers: expected a Uint8Array of ${HLL_REGISTERS} registers`,
    )
  if (update.limits !== undefined) {
    assertArray(update.limits, 'subject counters: update.limits')
    if (update.limits.length !== update.counters.length)
      throw new DatagateError(
        'ERR_INVALID_ARGUMENT',
        'subject counters: update.limits: expected one limit (or null) per counter',
      )
  }
}

/** Checks a store's shape (`merge` and `read` functions). */
export function assertSubjectCounterStore(store: unknown, what: string): void {
  assertObject(store, what)
  assertFunction(store.merge, `${what}.merge`)
  assertFunction(store.read, `${what}.read`)
}

/**
 * The store made by {@link memorySubjectCounterStore}: it answers synchronously.
 *
 * @example
 * ```ts
 * import { memorySubjectCounterStore, type MemorySubjectCounterStore } from 'datagate'
 *
 * const store: MemorySubjectCounterStore = memorySubjectCounterStore()
 * console.log(store.read(['2026/all'])) // [ 0 ]
 * ```
 */
export interface MemorySubjectCounterStore extends SubjectCounterStore {
  /** As {@link SubjectCounterStore.merge}, answered synchronously. */
  merge(update: SubjectCountUpdate): SubjectCountOutcome
  /** As {@link SubjectCounterStore.read}, answered synchronously. */
  read(counters: readonly string[]): readonly number[]
}

/**
 * A subject counter store in memory: for tests and short-lived processes (it forgets every count
 * on restart, so a yearly threshold would start again from 0: use the PostgreSQL store in
 * production).
 *
 * @example
 * ```ts
 * import { memorySubjectCounterStore } from 'datagate'
 *
 * const store = memorySubjectCounterStore()
 * const registers = new Uint8Array(16384)
 * registers[3] = 1
 * registers[9] = 2
 * console.log(store.merge({ counters: ['2026/overseas'], registers, limits: [1] }))
 * // { ok: false, estimates: [ 2 ] }
 * console.log(store.merge({ counters: ['2026/overseas'], registers }))
 * // { ok: true, estimates: [ 2 ] }
 * ```
 */
export function memorySubjectCounterStore(): MemorySubjectCounterStore {
  const counters = new Map<string, Uint8Array>()
  return Object.freeze({
    merge(update: SubjectCountUpdate): SubjectCountOutcome {
      assertSubjectCountUpdate(update)
      const merged = new Map<string, Uint8Array>()
      for (const name of update.counters) {
        if (merged.has(name)) continue
        const current = counters.get(name)
        const next = current === undefined ? new Uint8Array(HLL_REGISTERS) : current.slice()
        merge(next, update.registers)
        merged.set(name, next)
      }
      const estimates = update.counters.map((name) =>
        Math.round(estimate(merged.get(name) as Uint8Array)),
      )
      const ok = estimates.every((value, i) => {
        const limit = update.limits?.[i]
        return limit === undefined || limit === null || value <= limit
      })
      if (ok) for (const [name, registers] of merged) counters.set(name, registers)
      return { ok, estimates }
    },
    read(names: readonly string[]): readonly number[] {
      assertArray(names, 'subject counters: counters')
      return names.map((name) => {
        const registers = counters.get(name)
        return registers === undefined ? 0 : Math.round(estimate(registers))
      })
    },
  })
}
