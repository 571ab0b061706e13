/**
 * `datagate/redis`: a replay cache in Redis shared by every verifier instance (Node only;
 * `redis` or `ioredis` is an optional peer dependency, never loaded by `datagate` itself).
 *
 * @packageDocumentation
 */
export {
  type RedisClientLike,
  type RedisReplayCacheOptions,
  redisReplayCache,
} from './redis-replay-cache.js'
