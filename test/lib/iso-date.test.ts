import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseIsoDate, utcIsoPrefix } from '../../src/lib/iso-date.js'

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

describe('utcIsoPrefix: the fast path of generalize.date', () => {
  const pad = (n: number, width: number) => String(n).padStart(width, '0')
  // Fields over and beyond their ranges (month 0 and 13, day 0 and 32, hour 24, second 60), every
  // shape the fast path reads and some it does not (offsets, a short fraction, no seconds).
  const text = fc
    .record({
      year: fc.integer({ min: 0, max: 9999 }),
      month: fc.integer({ min: 0, max: 13 }),
      day: fc.integer({ min: 0, max: 32 }),
      hour: fc.integer({ min: 0, max: 25 }),
      minute: fc.integer({ min: 0, max: 60 }),
      second: fc.integer({ min: 0, max: 61 }),
      fraction: fc.constantFrom('', '.123', '.9', '.99999', '.x12'),
      separator: fc.constantFrom('T', ' ', 't'),
      zone: fc.constantFrom('', 'Z', 'z', '+08:00', '-0530', 'Q'),
      dateOnly: fc.boolean(),
      noSeconds: fc.boolean(),
    })
    .map((f) => {
      const date = `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}`
      if (f.dateOnly) return date
      const seconds = f.noSeconds ? '' : `:${pad(f.second, 2)}${f.fraction}`
      return `${date}${f.separator}${pad(f.hour, 2)}:${pad(f.minute, 2)}${seconds}${f.zone}`
    })

  it('gives the general path’s prefix where it answers, for every unit', () => {
    fc.assert(
      fc.property(text, fc.constantFrom(4, 7, 10, 13), (value, length) => {
        const fast = utcIsoPrefix(value, length)
        const time = parseIsoDate(value)
        if (fast !== undefined) {
          expect(Number.isNaN(time)).toBe(false)
          expect(fast).toBe(new Date(time).toISOString().slice(0, length))
        }
      }),
      { numRuns: 5000 },
    )
  })

  it('answers for the usual shapes, leap days included', () => {
    expect(utcIsoPrefix('2026-09-02T17:39:00.000Z', 10)).toBe('2026-09-02')
    expect(utcIsoPrefix('2024-02-29T23:59:59Z', 13)).toBe('2024-02-29T23')
    expect(utcIsoPrefix('2000-02-29', 7)).toBe('2000-02')
    expect(utcIsoPrefix('1900-02-29', 10)).toBeUndefined()
    expect(utcIsoPrefix('2026-11-25T14:03:27+08:00', 10)).toBeUndefined()
  })
})
