import { describe, expect, it } from 'vitest'
import { parseIsoDate } from '../../src/lib/iso-date.js'

describe('parseIsoDate', () => {
  it.each([
    ['2026-11-25', Date.UTC(2026, 10, 25)],
    ['2026-11-25T14:03', Date.UTC(2026, 10, 25, 14, 3)],
    ['2026-11-25T14:03:27Z', Date.UTC(2026, 10, 25, 14, 3, 27)],
    ['2026-11-25T14:03:27.999Z', Date.UTC(2026, 10, 25, 14, 3, 27, 999)],
    ['2026-11-25T14:03:27.5123Z', Date.UTC(2026, 10, 25, 14, 3, 27, 512)],
    ['2026-11-25T14:03:27+08:00', Date.UTC(2026, 10, 25, 6, 3, 27)],
    ['2026-11-25T14:03:27-0530', Date.UTC(2026, 10, 25, 19, 33, 27)],
  ])('%s', (text, expected) => {
    expect(parseIsoDate(text)).toBe(expected)
  })

  it('reads years below 100 as such, not as 19xx (the Date.UTC pitfall)', () => {
    expect(new Date(parseIsoDate('0099-03-01')).toISOString()).toBe('0099-03-01T00:00:00.000Z')
  })

  it.each(['2026-02-29', '2026-04-31', '2026-11-25T14:03:61', '2026-11-25T14:03+08:60', 'x'])(
    'rejects %s',
    (text) => {
      expect(parseIsoDate(text)).toBeNaN()
    },
  )
})
