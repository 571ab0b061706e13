/**
 * An in-memory {@link ReplayCache} for one process.
 *
 * @packageDocumentation
 */
import { DatagateError } from '../errors.js'
import { assertNumber, assertString } from '../lib/assert.js'

/**
 * Remembers `jti` values of accepted tokens so a token is accepted once. One call, `claim`, both
 * checks and records, so two verifications of one token cannot both pass between a lookup and a
 * write: a shared store must make it atomic (Redis `SET key 1 NX EX <expiresAt - now>`, an
 * `INSERT ... ON CONFLICT DO NOTHING`). Both times are NumericDate seconds on the verifier's
 * clock; `now` is passed in so a store never expires an entry by a clock of its own, which may
 * run ahead (hence a relative TTL, not Redis `EXAT`). Verifiers that share one cache should use
 * the same `clockTolerance`: an entry lives until `exp` plus the tolerance of the verifier that
 * stored it, so one with a larger tolerance could accept the token again in the difference.
 *
 * @example
 * ```ts
 * import type { ReplayCache } from 'datagate/export'
 *
 * const seen = new Map<string, number>()
 * const cache: ReplayCache = {
 *   claim(jti, expiresAt, now) {
 *     const held = seen.get(jti)
 *     if (held !== undefined && held > now) return false
 *     seen.set(jti, expiresAt)
 *     return true
 *   },
 * }
 * console.log(await cache.claim('x', 1_700_000_060, 1_700_000_000)) // true
 * console.log(await cache.claim('x', 1_700_000_060, 1_700_000_001)) // false
 * ```
 */
export interface ReplayCache {
  /**
   * Records `jti` unless it is already held and live; `true` when this call recorded it (accept),
   * `false` when it was held (a replay). `expiresAt`: the token's `exp` plus the verifier's clock
   * tolerance (never shortened by `maxAge`, which verifiers sharing a cache may set differently):
   * hold the `jti` while `expiresAt > now`. `now`: the verifier's current time (NumericDate). Anything but
   * `true`, or a throw, rejects the token.
   */
  claim(jti: string, expiresAt: number, now: number): boolean | Promise<boolean>
}

/**
 * Options of {@link createMemoryReplayCache}.
 *
 * @example
 * ```ts
 * import { createMemoryReplayCache, type MemoryReplayCacheOptions } from 'datagate/export'
 *
 * const options: MemoryReplayCacheOptions = { max: 50_000 }
 * console.log(createMemoryReplayCache(options).size) // 0
 * ```
 */
export interface MemoryReplayCacheOptions {
  /** Most `jti` values remembered at once. Default 100 000. */
  readonly max?: number
}

/**
 * A {@link ReplayCache} held in memory; `size` counts the entries it holds, expired ones included
 * until a later `claim` sweeps them.
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
 * Creates a replay cache in memory. `claim(jti, expiresAt, now)` returns `true` and remembers
 * `jti` until `expiresAt`, or returns `false` when `jti` is held with `expiresAt > now`. Expiry
 * is judged only by the `now` each call passes (the verifier's clock), never by the wall clock:
 * a verifier run with an explicit `now` (archives, tests) must not see its entries vanish, nor
 * be told a live `jti` is gone. When `max` live entries are held, `claim` throws
 * ERR_TOKEN_REPLAYED: it fails closed rather than forget a live `jti` and let its token be
 * replayed. Not shared between processes; put a shared store behind the same interface for that.
 *
 * @example
 * ```ts
 * import { createMemoryReplayCache } from 'datagate/export'
 *
 * const cache = createMemoryReplayCache({ max: 1000 })
 * const now = 1_790_000_000
 * console.log(cache.claim('jti-1', now + 60, now), cache.claim('jti-1', now + 60, now + 59)) // true false
 * console.log(cache.claim('jti-1', now + 120, now + 60), cache.size) // true 1
 * ```
 */
export function createMemoryReplayCache(options: MemoryReplayCacheOptions = {}): MemoryReplayCache {
  const { max = 100_000 } = options
  assertNumber(max, 'max', { integer: true, min: 1 })
  const entries = new Map<string, number>()

  const sweep = (now: number) => {
    for (const [jti, expiresAt] of entries) if (expiresAt <= now) entries.delete(jti)
  }

  return {
    get size() {
      return entries.size
    },
    claim(jti: string, expiresAt: number, now: number): boolean {
      assertString(jti, 'jti', { nonEmpty: true })
      assertNumber(expiresAt, 'expiresAt')
      assertNumber(now, 'now')
      const held = entries.get(jti)
      if (held !== undefined && held > now) return false
      // Checked and written in one synchronous step: no other claim can run in between.
      if (held === undefined && entries.size >= max) sweep(now)
      if (held === undefined && entries.size >= max)
        throw new DatagateError(
          'ERR_TOKEN_REPLAYED',
          `replay cache is full (${max} live entries); token not accepted`,
        )
      entries.set(jti, expiresAt)
      return true
    },
  }
}
