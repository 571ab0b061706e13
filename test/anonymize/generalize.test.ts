import fc from 'fast-check'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { generalize, type LatLng } from '../../src/anonymize/generalize.js'
import type { Operator } from '../../src/anonymize/operator.js'
import { bound, expectCode, expectOperatorFailed } from './helpers.js'

describe('generalize.range', () => {
  it.each([
    [37, '30-39'],
    [30, '30-39'],
    [39.99, '30-39'],
    [0, '0-9'],
    [-0, '0-9'],
    [9, '0-9'],
    [-1, '-10--1'],
    [-10, '-10--1'],
    [-0.5, '-10--1'],
    [-11, '-20--11'],
    [105, '100-109'],
  ])('width 10: %d -> %s', (value, expected) => {
    expect(bound(generalize.range({ width: 10 }))(value)).toBe(expected)
  })

  it('honours an offset', () => {
    const transform = bound(generalize.range({ width: 5, offset: 3 }))
    expect(transform(7)).toBe('3-7')
    expect(transform(8)).toBe('8-12')
    expect(transform(2)).toBe('-2-2')
    expect(bound(generalize.range({ width: 10, offset: -5 }))(0)).toBe('-5-4')
  })

  it('rejects wrong values and bad options', () => {
    const transform = bound(generalize.range({ width: 10 }))
    expectOperatorFailed(() => transform('37' as never))
    expectOperatorFailed(() => transform(Number.NaN))
    expectOperatorFailed(() => transform(Number.POSITIVE_INFINITY), 'Infinity')
    expectOperatorFailed(() => transform(2 ** 60), String(2 ** 60))
    for (const width of [0, -10, 2.5, Number.NaN])
      expectCode(() => generalize.range({ width }), 'ERR_INVALID_ARGUMENT')
    expectCode(() => generalize.range({ width: 10, offset: 0.5 }), 'ERR_INVALID_ARGUMENT')
    expectCode(() => generalize.range(10 as never), 'ERR_INVALID_ARGUMENT')
  })

  it('puts every number in a range that contains it', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e9, max: 1e9, noNaN: true }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: -100, max: 100 }),
        (value, width, offset) => {
          const out = bound(generalize.range({ width, offset }))(value)
          const [, low, high] = /^(-?\d+)-(-?\d+)$/.exec(out) ?? []
          expect(Number(high) - Number(low)).toBe(width - 1)
          expect(Number(low)).toBeLessThanOrEqual(value)
          expect(Number(high) + 1).toBeGreaterThan(value)
          expect((((Number(low) - offset) % width) + width) % width).toBe(0)
        },
      ),
    )
  })

  it('is typed number -> string', () => {
    const operator = generalize.range({ width: 10 })
    expect(operator.kind).toBe('generalize')
    expect(operator.name).toBe('generalize.range(width=10,offset=0)')
    expectTypeOf(operator).toEqualTypeOf<Operator<number, string>>()
  })
})

describe('generalize.date', () => {
  const at = (unit: 'year' | 'month' | 'day' | 'hour', value: Date | string) =>
    bound(generalize.date(unit))(value)

  it('truncates to each unit in UTC', () => {
    const value = '2026-11-25T14:03:27.123Z'
    expect(at('year', value)).toBe('2026')
    expect(at('month', value)).toBe('2026-11')
    expect(at('day', value)).toBe('2026-11-25')
    expect(at('hour', value)).toBe('2026-11-25T14')
    expect(at('hour', new Date(Date.UTC(2026, 10, 25, 14, 3)))).toBe('2026-11-25T14')
  })

  it('applies offsets and reads dates without an offset as UTC', () => {
    expect(at('day', '2026-11-25T23:30:00-02:00')).toBe('2026-11-26')
    expect(at('hour', '2026-11-25T23:30:00-02:00')).toBe('2026-11-26T01')
    expect(at('hour', '2026-01-01T07:59+0800')).toBe('2025-12-31T23')
    expect(at('year', '2026-01-01T07:59:59+08:00')).toBe('2025')
    expect(at('hour', '2026-11-25 14:03')).toBe('2026-11-25T14')
    expect(at('hour', '2026-11-25')).toBe('2026-11-25T00')
    expect(at('day', '2024-02-29')).toBe('2024-02-29')
    expect(at('year', '0000-01-01')).toBe('0000')
    expect(at('month', '2026-11-25T14:03:00.123456789z')).toBe('2026-11')
  })

  it.each([
    '2025-02-29',
    '2026-02-30',
    '2026-13-01',
    '2026-00-10',
    '2026-11-25T24:00',
    '2026-11-25T14:60',
    '2026-11-25T14:03:00+24:00',
    'March 7, 2026',
    '2026/11/25',
    '20261125',
    '',
    ' 2026-11-25',
  ])('rejects %j without quoting it', (value) => {
    expectOperatorFailed(() => at('day', value), value || undefined)
  })

  it('rejects invalid Dates, numbers and years past 9999', () => {
    expectOperatorFailed(() => at('day', new Date(Number.NaN)))
    expectOperatorFailed(() => at('day', new Date(Date.UTC(10000, 0, 1))))
    expectOperatorFailed(() => at('day', new Date(Date.UTC(-1, 0, 1))))
    expectOperatorFailed(() => at('day', 1764079380000 as never), 1764079380000)
    expectCode(() => generalize.date('week' as never), 'ERR_INVALID_ARGUMENT')
  })

  it('is typed Date | string -> string', () => {
    expect(generalize.date('month').name).toBe('generalize.date(month)')
    expectTypeOf(generalize.date('day')).toEqualTypeOf<Operator<Date | string, string>>()
  })
})

describe('generalize.geo', () => {
  it('floors numbers and points to the grid', () => {
    const two = bound(generalize.geo<number>({ decimals: 2 }))
    expect(two(30.2741)).toBe(30.27)
    expect(two(-30.2741)).toBe(-30.28)
    expect(two(0.29)).toBe(0.29)
    expect(two(1.005)).toBe(1)
    expect(two(180)).toBe(180)
    expect(Object.is(two(0.001), 0)).toBe(true)
    expect(Object.is(two(-0), 0)).toBe(true)
    expect(two(-0.0001)).toBe(-0.01)
    const zero = bound(generalize.geo<number>({ decimals: 0 }))
    expect(zero(30.9)).toBe(30)
    expect(zero(-0.5)).toBe(-1)
    const point = bound(generalize.geo({ decimals: 3 }))
    expect(point({ lat: 30.274_15, lng: 120.155_07 })).toEqual({ lat: 30.274, lng: 120.155 })
  })

  it('returns only lat and lng, whatever else the point carries', () => {
    const point = { lat: 30.2741, lng: 120.1551, accuracy: 5, address: '西湖区文三路 1 号' }
    const out = bound(generalize.geo({ decimals: 1 }))(point)
    expect(out).toStrictEqual({ lat: 30.2, lng: 120.1 })
  })

  it('rejects wrong shapes and out-of-range coordinates', () => {
    const point = bound(generalize.geo<number | LatLng>({ decimals: 2 }))
    expectOperatorFailed(() => point({ lat: 91, lng: 0 }))
    expectOperatorFailed(() => point({ lat: 0, lng: -180.5 }))
    expectOperatorFailed(() => point(181), 181)
    expectOperatorFailed(() => point(Number.NaN))
    expectOperatorFailed(() => point([30.2741, 120.1551] as never), 30.2741)
    expectOperatorFailed(() => point({ lat: '30.2741', lng: 120.1 } as never), '30.2741')
    expectOperatorFailed(() => point('30.2741' as never), '30.2741')
    expectOperatorFailed(() => point(null as never))
    for (const decimals of [-1, 9, 1.5])
      expectCode(() => generalize.geo({ decimals }), 'ERR_INVALID_ARGUMENT')
  })

  it('never moves a coordinate up, nor down by a full grid step', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.integer({ min: 0, max: 6 }),
        (value, decimals) => {
          const out = bound(generalize.geo<number>({ decimals }))(value)
          const step = 10 ** -decimals
          // Up only by the rounding error of a decimal grid line (0.29 is stored as 0.28999...).
          expect(out).toBeLessThanOrEqual(value + 8 * Number.EPSILON * Math.max(1, Math.abs(value)))
          expect(value - out).toBeLessThan(step * (1 + 1e-9))
        },
      ),
    )
  })

  it('is typed by its input', () => {
    expectTypeOf(generalize.geo({ decimals: 2 })).toEqualTypeOf<Operator<LatLng, LatLng>>()
    expectTypeOf(generalize.geo<number>({ decimals: 2 })).toEqualTypeOf<Operator<number, number>>()
    expect(generalize.geo({ decimals: 2 }).name).toBe('generalize.geo(decimals=2)')
  })
})

describe('generalize.geohash', () => {
  it.each([
    [57.64911, 10.40744, 11, 'u4pruydqqvj'],
    [42.6, -5.6, 5, 'ezs42'],
    [0, 0, 1, 's'],
    [-90, -180, 6, '000000'],
    [90, 180, 6, 'zzzzzz'],
  ])('(%d, %d) at precision %d -> %s', (lat, lng, precision, expected) => {
    expect(bound(generalize.geohash({ precision }))({ lat, lng })).toBe(expected)
  })

  it('gives prefixes at lower precision', () => {
    expect(bound(generalize.geohash({ precision: 6 }))({ lat: 57.64911, lng: 10.40744 })).toBe(
      'u4pruy',
    )
  })

  it('encodes a cell that contains the point', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -90, max: 90, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.integer({ min: 1, max: 12 }),
        (lat, lng, precision) => {
          const hash = bound(generalize.geohash({ precision }))({ lat, lng })
          expect(hash).toMatch(new RegExp(`^[0-9b-hjkmnp-z]{${precision}}$`))
          const cell = decodeGeohash(hash)
          expect(lat >= cell.lat[0] && lat <= cell.lat[1]).toBe(true)
          expect(lng >= cell.lng[0] && lng <= cell.lng[1]).toBe(true)
        },
      ),
    )
  })

  it('rejects wrong shapes and bad precision', () => {
    const transform = bound(generalize.geohash({ precision: 5 }))
    expectOperatorFailed(() => transform({ lat: 95, lng: 0 }))
    expectOperatorFailed(() => transform([57.64911, 10.40744] as never), 57.64911)
    for (const precision of [0, 13, 2.5])
      expectCode(() => generalize.geohash({ precision }), 'ERR_INVALID_ARGUMENT')
    expectTypeOf(generalize.geohash({ precision: 5 })).toEqualTypeOf<Operator<LatLng, string>>()
  })
})

/** Independent decoder: the bounding box of a geohash cell. */
function decodeGeohash(hash: string): { lat: [number, number]; lng: [number, number] } {
  const lat: [number, number] = [-90, 90]
  const lng: [number, number] = [-180, 180]
  let even = true
  for (const char of hash) {
    const bits = '0123456789bcdefghjkmnpqrstuvwxyz'.indexOf(char)
    for (let bit = 4; bit >= 0; bit--) {
      const range = even ? lng : lat
      const mid = (range[0] + range[1]) / 2
      if ((bits >> bit) & 1) range[0] = mid
      else range[1] = mid
      even = !even
    }
  }
  return { lat, lng }
}

describe('generalize.prefix', () => {
  it('keeps the first n code points', () => {
    expect(bound(generalize.prefix(3))('310115')).toBe('310')
    expect(bound(generalize.prefix(3))('31')).toBe('31')
    expect(bound(generalize.prefix(1))('😀😁')).toBe('😀')
    expect(bound(generalize.prefix(2))('上海市')).toBe('上海')
    expect(bound(generalize.prefix(2))('')).toBe('')
  })

  it('rejects non-strings and bad lengths', () => {
    expectOperatorFailed(() => bound(generalize.prefix(3))(310115 as never), 310115)
    expectCode(() => generalize.prefix(-1), 'ERR_INVALID_ARGUMENT')
    expect(generalize.prefix(3).name).toBe('generalize.prefix(3)')
    expectTypeOf(generalize.prefix(3)).toEqualTypeOf<Operator<string, string>>()
  })
})

describe('generalize.hierarchy', () => {
  const cities = { 杭州: '浙江', 宁波: '浙江', 南京: '江苏' }

  it('maps values to their parent and unmapped values to the fallback', () => {
    const transform = bound(generalize.hierarchy(cities))
    expect(transform('杭州')).toBe('浙江')
    expect(transform('南京')).toBe('江苏')
    expect(transform('上海')).toBe('*')
    expect(transform('')).toBe('*')
    expect(bound(generalize.hierarchy(cities, { fallback: '其他' }))('上海')).toBe('其他')
    expect(bound(generalize.hierarchy(new Map([['Berlin', 'DE']])))('Berlin')).toBe('DE')
  })

  it('never finds inherited properties', () => {
    const transform = bound(generalize.hierarchy(cities))
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty'])
      expect(transform(key)).toBe('*')
  })

  it('copies the map: later edits do not change the operator', () => {
    const map: Record<string, string> = { 杭州: '浙江' }
    const transform = bound(generalize.hierarchy(map))
    map.上海 = '上海'
    map.杭州 = 'changed'
    expect(transform('上海')).toBe('*')
    expect(transform('杭州')).toBe('浙江')
  })

  it('never returns the raw value of an unmapped input', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        fc.pre(!(value in cities))
        expect(bound(generalize.hierarchy(cities))(value)).toBe('*')
      }),
    )
  })

  it('rejects bad maps, fallbacks and values', () => {
    expectCode(() => generalize.hierarchy({}), 'ERR_INVALID_ARGUMENT')
    expectCode(() => generalize.hierarchy({ a: 1 } as never), 'ERR_INVALID_ARGUMENT')
    expectCode(() => generalize.hierarchy(null as never), 'ERR_INVALID_ARGUMENT')
    expectCode(() => generalize.hierarchy(new Map([[1, 'x']]) as never), 'ERR_INVALID_ARGUMENT')
    expectCode(
      () => generalize.hierarchy(cities, { fallback: null } as never),
      'ERR_INVALID_ARGUMENT',
    )
    expectOperatorFailed(() => bound(generalize.hierarchy(cities))(12345 as never), 12345)
    expect(generalize.hierarchy(cities).name).toBe('generalize.hierarchy(entries=3)')
    expectTypeOf(generalize.hierarchy(cities)).toEqualTypeOf<Operator<string, string>>()
  })
})
