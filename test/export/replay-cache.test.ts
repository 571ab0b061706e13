// The in-memory replay cache: remembers live jti values, forgets expired ones, fails closed when full.
import { describe, expect, it } from 'vitest'
import { createMemoryReplayCache } from '../../src/export/replay-cache.js'
import { expectCode, NOW_S } from './helpers.js'

function clock(start: number) {
  let seconds = start
  return {
    now: () => new Date(seconds * 1000),
    advance: (by: number) => {
      seconds += by
    },
  }
}

describe('createMemoryReplayCache', () => {
  it('remembers a jti until it expires, then evicts it', async () => {
    const time = clock(NOW_S)
    const cache = createMemoryReplayCache({ now: time.now })
    await cache.add('a', NOW_S + 60)
    expect(await cache.has('a')).toBe(true)
    expect(await cache.has('b')).toBe(false)
    time.advance(59)
    expect(await cache.has('a')).toBe(true)
    time.advance(1)
    expect(await cache.has('a')).toBe(false)
    expect(cache.size).toBe(0)
  })

  it('add of a live jti throws ERR_TOKEN_REPLAYED (closes the has/add race)', async () => {
    const cache = createMemoryReplayCache({ now: clock(NOW_S).now })
    await cache.add('a', NOW_S + 60)
    await expectCode(
      Promise.resolve().then(() => cache.add('a', NOW_S + 60)),
      'ERR_TOKEN_REPLAYED',
    )
  })

  it('never stores an already expired entry', async () => {
    const cache = createMemoryReplayCache({ now: clock(NOW_S).now })
    await cache.add('old', NOW_S - 1)
    expect(cache.size).toBe(0)
  })

  it('when full, evicts expired entries first and otherwise fails closed', async () => {
    const time = clock(NOW_S)
    const cache = createMemoryReplayCache({ max: 2, now: time.now })
    await cache.add('a', NOW_S + 10)
    await cache.add('b', NOW_S + 100)
    await expectCode(
      Promise.resolve().then(() => cache.add('c', NOW_S + 100)),
      'ERR_TOKEN_REPLAYED',
    )
    expect(await cache.has('a')).toBe(true)
    time.advance(10)
    await cache.add('c', NOW_S + 100)
    expect(cache.size).toBe(2)
    expect(await cache.has('b')).toBe(true)
  })

  it('validates its arguments', async () => {
    expect(() => createMemoryReplayCache({ max: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
    const cache = createMemoryReplayCache()
    expect(() => cache.has('')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    expect(() => cache.add('x', Number.NaN)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
  })
})
