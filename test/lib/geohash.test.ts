import { describe, expect, it } from 'vitest'
import { encodeGeohash } from '../../src/lib/geohash.js'

describe('encodeGeohash', () => {
  it('matches the Wikipedia examples', () => {
    expect(encodeGeohash(57.64911, 10.40744, 11)).toBe('u4pruydqqvj')
    expect(encodeGeohash(42.6, -5.6, 5)).toBe('ezs42')
  })

  it('puts the corners and the origin in the first and last cells', () => {
    expect(encodeGeohash(-90, -180, 4)).toBe('0000')
    expect(encodeGeohash(90, 180, 4)).toBe('zzzz')
    expect(encodeGeohash(0, 0, 2)).toBe('s0')
  })
})
