// The replay cache on Redis, shared by every verifier: a `jti` is accepted once across all of
// them. One command per claim, `SET key 1 NX PX ttl`: Redis checks and records atomically, and
// the TTL is relative, computed from the verifier's clock, never an absolute EXAT judged by
// Redis's own (a time in Redis's past replies OK and keeps nothing: the token would pass again).
import { DatagateError } from '../errors.js'
import type { ReplayCache } from '../export/replay-cache.js'
import { assertNumber, assertObject, assertString } from '../lib/assert.js'

/**
 * A node-redis (`createClient`, v5 or v6) or ioredis (`new Redis()`, v5 or v6) client: the
 * cache sends raw commands through `sendCommand` (node-redis) or `call` (ioredis).
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import type { RedisClientLike } from 'datagate/redis'
 *
 * const client: RedisClientLike = createClient({ url: process.env.DATAGATE_TEST_REDIS })
 * console.log('sendCommand' in client) // true
 * ```
 */
export type RedisClientLike =
  | {
      /** ioredis: sends one raw command. */
      call(command: string, ...args: string[]): Promise<unknown>
    }
  | {
      /** node-redis: sends one raw command. */
      sendCommand(args: string[]): Promise<unknown>
    }

/**
 * Options of {@link redisReplayCache}.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import type { RedisReplayCacheOptions } from 'datagate/redis'
 *
 * const options: RedisReplayCacheOptions = { client: createClient(), prefix: 'partner-api:jti:' }
 * console.log(options.prefix) // 'partner-api:jti:'
 * ```
 */
export interface RedisReplayCacheOptions {
  readonly client: RedisClientLike
  /** Prepended to every `jti` to make its key. Default `datagate:jti:`. */
  readonly prefix?: string
  /**
   * Added to every TTL. It must cover the largest clock difference between the verifiers sharing
   * the cache (one whose clock runs ahead stores a TTL too short for the others) and Redis's
   * clock running slower than the verifier's, and any `clockTolerance` the verifiers accept past
   * `exp`. Default 60,000 ms: a minute more of memory per `jti`, against a replay whenever two
   * verifiers' clocks drift apart by more than the skew (1 s was replayed at a 10 s drift).
   */
  readonly skewMs?: number
  /** A claim with no answer by then fails (closed). Default 2,000 ms. */
  readonly timeoutMs?: number
}

/**
 * A {@link ReplayCache} in Redis, for verifiers on several instances: `claim(jti, expiresAt,
 * now)` sends one `SET <prefix><jti> 1 NX PX <ttl>` with `ttl = max(1000, (expiresAt - now) *
 * 1000) + skewMs` and accepts only on `OK`. When Redis cannot answer (down, unreachable, a
 * client not connected, no reply within `timeoutMs`, an unexpected reply) it throws
 * `ERR_REPLAY_CACHE_UNAVAILABLE` and the token is not accepted: it never fails open. A command
 * that timed out may still land later; that `jti` is then held, so the token stays refused.
 * Give node-redis clients an `error` listener: node-redis reports lost connections as events.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { redisReplayCache } from 'datagate/redis'
 *
 * const client = await createClient({ url: process.env.DATAGATE_TEST_REDIS }).connect()
 * const cache = redisReplayCache({ client, prefix: `doc:${Date.now()}:` })
 * const now = Math.floor(Date.now() / 1000)
 * console.log(await cache.claim('jti-1', now + 60, now), await cache.claim('jti-1', now + 60, now)) // true false
 * client.destroy()
 * ```
 */
export function redisReplayCache(options: RedisReplayCacheOptions): ReplayCache {
  assertObject(options, 'redisReplayCache: options')
  const { client, prefix = 'datagate:jti:', skewMs = 60_000, timeoutMs = 2_000 } = options
  assertObject(client, 'redisReplayCache: client')
  assertString(prefix, 'redisReplayCache: prefix', { maxLength: 256 })
  assertNumber(skewMs, 'redisReplayCache: skewMs', { integer: true, min: 0 })
  assertNumber(timeoutMs, 'redisReplayCache: timeoutMs', { integer: true, min: 1 })
  const send = commandSender(client)

  return {
    async claim(jti: string, expiresAt: number, now: number): Promise<boolean> {
      assertString(jti, 'jti', { nonEmpty: true, maxLength: 1024 })
      assertNumber(expiresAt, 'expiresAt')
      assertNumber(now, 'now')
      const ttl = Math.max(1000, Math.ceil((expiresAt - now) * 1000)) + skewMs
      let timer: ReturnType<typeof setTimeout> | undefined
      let reply: unknown
      try {
        reply = await Promise.race([
          send(['SET', prefix + jti, '1', 'NX', 'PX', String(ttl)]),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no reply in ${timeoutMs} ms`)), timeoutMs)
          }),
        ])
      } catch (error) {
        throw unavailable(error)
      } finally {
        clearTimeout(timer)
      }
      if (reply === 'OK') return true
      if (reply === null) return false
      throw unavailable(new Error('unexpected reply to SET NX'))
    },
  }
}

function commandSender(client: Record<string, unknown>): (args: string[]) => Promise<unknown> {
  // ioredis has `call` (its `sendCommand` takes a Command object); node-redis has no `call`.
  const call = client.call
  if (typeof call === 'function')
    return ([command, ...args]) => call.call(client, command, ...args) as Promise<unknown>
  const sendCommand = client.sendCommand
  if (typeof sendCommand === 'function')
    return (args) => sendCommand.call(client, args) as Promise<unknown>
  throw new DatagateError(
    'ERR_INVALID_ARGUMENT',
    'redisReplayCache: client: expected a node-redis or ioredis client',
  )
}

/**
 * The error of a claim that could not be decided. The client's error is named, not kept: some
 * replies quote the command, and with it the key.
 */
function unavailable(error: unknown): DatagateError {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown }
  const what = typeof code === 'string' ? code : typeof name === 'string' ? name : 'error'
  const detail = error instanceof Error && /^no reply in|^unexpected reply/.test(error.message)
  return new DatagateError(
    'ERR_REPLAY_CACHE_UNAVAILABLE',
    `replay cache (Redis) unavailable: ${detail ? (error as Error).message : what}; token not accepted`,
  )
}
