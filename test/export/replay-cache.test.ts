// The in-memory replay cache: one atomic claim, expiry by the caller's clock, fails closed when full.
import { describe, expect, it } from 'vitest'
import { createMemoryReplayCache } from '../../src/export/replay-cache.js'
import { NOW_S } from './helpers.js'

describe('createMemoryReplayCache', () => {
  it('claims a jti once while it is live, and again once the given now passes its expiry', () => {
    const cache = createMemoryReplayCache()
    expect(cache.claim('a', NOW_S + 60, NOW_S)).toBe(true)
    expect(cache.claim('a', NOW_S + 60, NOW_S)).toBe(false)
    expect(cache.claim('b', NOW_S + 60, NOW_S)).toBe(true)
    expect(cache.claim('a', NOW_S + 60, NOW_S + 59)).toBe(false)
    expect(cache.claim('a', NOW_S + 120, NOW_S + 60)).toBe(true)
    expect(cache.size).toBe(2)
  })

  it('when full, sweeps entries expired by the given now first and otherwise fails closed', () => {
    const cache = createMemoryReplayCache({ max: 2 })
    cache.claim('a', NOW_S + 10, NOW_S)
    cache.claim('b', NOW_S + 100, NOW_S)
    expect(() => cache.claim('c', NOW_S + 100, NOW_S)).toThrow(
      expect.objectContaining({ code: 'ERR_TOKEN_REPLAYED' }),
    )
    expect(cache.claim('a', NOW_S + 10, NOW_S)).toBe(false)
    expect(cache.claim('c', NOW_S + 100, NOW_S + 10)).toBe(true)
    expect(cache.size).toBe(2)
    expect(cache.claim('b', NOW_S + 100, NOW_S + 10)).toBe(false)
  })

  it('validates its arguments', () => {
    expect(() => createMemoryReplayCache({ max: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
    const cache = createMemoryReplayCache()
    for (const call of [
      () => cache.claim('', NOW_S + 1, NOW_S),
      () => cache.claim('x', Number.NaN, NOW_S),
      () => cache.claim('x', NOW_S + 1, Number.NaN),
    ])
      expect(call).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
  })
})
