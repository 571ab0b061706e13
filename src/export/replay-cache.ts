/**
 * An in-memory {@link ReplayCache} for one process.
 *
 * @packageDocumentation
 */
import { DatagateError } from '../errors.js'
import { assertFunction, assertNumber, assertString } from '../lib/assert.js'
import type { ReplayCache } from './types.js'

/**
 * Options of {@link createMemoryReplayCache}.
 *
 * @example
 * ```ts
 * import { createMemoryReplayCache, type MemoryReplayCacheOptions } from 'datagate/export'
 *
 * const options: MemoryReplayCacheOptions = { max: 50_000, now: () => new Date() }
 * console.log(createMemoryReplayCache(options).size) // 0
 * ```
 */
export interface MemoryReplayCacheOptions {
  /** Most `jti` values remembered at once. Default 100 000. */
  readonly max?: number
  /** Clock for evicting expired entries (tests). Default `() => new Date()`. */
  readonly now?: () => Date
}

/**
 * A {@link ReplayCache} held in memory; `size` counts the entries currently remembered.
 *
 * @example
 * ```ts
 * import { createMemoryReplayCache, type MemoryReplayCache } from 'datagate/export'
 *
 * const cache: MemoryReplayCache = createMemoryReplayCache()
 * console.log(cache.size) // 0
 * ```
 */
export interface MemoryReplayCache extends ReplayCache {
  readonly size: number
}

/**
 * Creates a replay cache in memory. Entries are forgotten once they expire (the moment the token
 * would be rejected anyway: `exp`, or `iat + maxAge`). `add` throws ERR_TOKEN_REPLAYED for a
 * `jti` already remembered, which makes `has` + `add` safe against two concurrent verifications
 * of one token. When `max` live entries are held, `add` throws ERR_TOKEN_REPLAYED too: it fails
 * closed rather than forget a live `jti` and let its token be replayed. Not shared between
 * processes; use a shared store behind the same interface for that.
 *
 * @example
 * ```ts
 * import { createMemoryReplayCache } from 'datagate/export'
 *
 * const cache = createMemoryReplayCache({ max: 1000 })
 * await cache.add('jti-1', Math.floor(Date.now() / 1000) + 60)
 * console.log(await cache.has('jti-1'), cache.size) // true 1
 * ```
 */
export function createMemoryReplayCache(options: MemoryReplayCacheOptions = {}): MemoryReplayCache {
  const { max = 100_000, now: clock = () => new Date() } = options
  assertNumber(max, 'max', { integer: true, min: 1 })
  assertFunction(clock, 'now')
  const entries = new Map<string, number>()
  const nowSeconds = () => clock().getTime() / 1000

  const sweep = (now: number) => {
    for (const [jti, expiresAt] of entries) if (expiresAt <= now) entries.delete(jti)
  }
  const live = (jti: string, now: number): boolean => {
    const expiresAt = entries.get(jti)
    if (expiresAt === undefined) return false
    if (expiresAt > now) return true
    entries.delete(jti)
    return false
  }

  return {
    get size() {
      sweep(nowSeconds())
      return entries.size
    },
    has(jti: string): boolean {
      assertString(jti, 'jti', { nonEmpty: true })
      return live(jti, nowSeconds())
    },
    add(jti: string, expiresAt: number): void {
      assertString(jti, 'jti', { nonEmpty: true })
      assertNumber(expiresAt, 'expiresAt')
      const now = nowSeconds()
      if (live(jti, now))
        throw new DatagateError('ERR_TOKEN_REPLAYED', 'token "jti" was seen before')
      if (expiresAt <= now) return
      if (entries.size >= max) sweep(now)
      if (entries.size >= max)
        throw new DatagateError(
          'ERR_TOKEN_REPLAYED',
          `replay cache is full (${max} live entries); token not accepted`,
        )
      entries.set(jti, expiresAt)
    },
  }
}
