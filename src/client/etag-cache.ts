// What fetchShared keeps between fetches: each verified export with its ETag, dropped at its
// `exp`, so a 304 never extends the life of what it stands for.
import { assertNumber } from '../lib/assert.js'
import type { FetchSharedResult } from './fetch-result.js'

const brand = Symbol('datagate.etagCache')

/**
 * A bounded cache of verified results by ETag, for `fetchShared`'s `cache` option. Entries are
 * dropped at the export's `exp` and, past `maxEntries`, oldest first.
 *
 * @example
 * ```ts
 * import { createEtagCache } from 'datagate/client'
 *
 * const cache = createEtagCache({ maxEntries: 100 })
 * console.log(cache.size) // 0
 * ```
 */
export interface EtagCache {
  readonly [brand]: true
  /** Number of results kept. */
  readonly size: number
  /** @internal */
  get(
    key: string,
    now: number,
  ): { readonly etag: string; readonly result: FetchSharedResult } | undefined
  /** @internal */
  set(
    key: string,
    entry: { readonly etag: string; readonly result: FetchSharedResult; readonly expires: number },
  ): void
  /** Forgets every result. */
  clear(): void
}

export function isEtagCache(value: unknown): value is EtagCache {
  return (
    typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true
  )
}

/**
 * Makes the cache `fetchShared` keeps ETags and verified results in (`options.cache`): a
 * re-fetch of the same URL by the same partner (`audience`) of the same `issuer` sends
 * `If-None-Match`, and the server's `304` returns a copy of the kept result. A result whose `exp` has passed is dropped and fetched
 * anew.
 *
 * @example
 * ```ts
 * import { createEtagCache } from 'datagate/client'
 *
 * const cache = createEtagCache()
 * // fetchShared(url, { ...options, cache }) twice: the second request carries If-None-Match
 * console.log(cache.size) // 0
 * ```
 */
export function createEtagCache(options: { readonly maxEntries?: number } = {}): EtagCache {
  const max = options.maxEntries ?? 1000
  assertNumber(max, 'createEtagCache: maxEntries', { integer: true, min: 1 })
  const entries = new Map<string, { etag: string; result: FetchSharedResult; expires: number }>()
  return {
    [brand]: true,
    get size() {
      return entries.size
    },
    get(key, now) {
      const entry = entries.get(key)
      if (entry === undefined) return undefined
      if (entry.expires <= now) {
        entries.delete(key)
        return undefined
      }
      // A copy each time: what one caller does to its records never shows in the next answer.
      return { etag: entry.etag, result: structuredClone(entry.result) }
    },
    set(key, entry) {
      entries.delete(key)
      // Kept as a copy: the caller's own result stays its own to change.
      entries.set(key, { ...entry, result: structuredClone(entry.result) })
      while (entries.size > max) entries.delete(entries.keys().next().value as string)
    },
    clear() {
      entries.clear()
    },
  }
}
