import {
  assertNumber,
  assertObject,
  assertOneOf,
  assertString,
  invalidArgument,
} from '../lib/assert.js'
import { firstCodePoints } from '../lib/codepoints.js'
import { encodeGeohash } from '../lib/geohash.js'
import { parseIsoDate, utcIsoPrefix } from '../lib/iso-date.js'
import { operatorFailed, operatorRejected } from '../lib/operator-error.js'
import { stringMatching } from '../lib/output-pattern.js'
import type { Operator, OutputSchema } from './operator.js'

/** A point as `{ lat, lng }` in decimal degrees (WGS 84). */
export interface LatLng {
  readonly lat: number
  readonly lng: number
}

/** The units {@link generalize}`.date` can keep. */
export type DateUnit = 'year' | 'month' | 'day' | 'hour'

/** Options of {@link generalize}`.hierarchy`. */
export interface HierarchyOptions {
  /** What an unmapped value becomes; default `'*'`. Never the raw value. */
  readonly fallback?: string | undefined
}

/** Generalisation operators. */
export interface Generalize {
  /** A number to the integer range of `width` it falls in: `37` -> `'30-39'`. */
  range(options: {
    readonly width: number
    readonly offset?: number | undefined
  }): Operator<number, string>
  /** A `Date` or ISO 8601 string to its UTC year, month, day or hour: `'2026-11'`. */
  date(unit: DateUnit): Operator<Date | string, string>
  /** A coordinate or `{ lat, lng }` floored to `decimals` decimal places. */
  geo<In extends number | LatLng = LatLng>(options: {
    readonly decimals: number
  }): Operator<In, In extends number ? number : LatLng>
  /** `{ lat, lng }` to its geohash cell of `precision` characters. */
  geohash(options: { readonly precision: number }): Operator<LatLng, string>
  /** The first `length` characters (code points) of a string, e.g. of a postcode. */
  prefix(length: number): Operator<string, string>
  /** A value to its parent in a hierarchy (city -> province); unmapped -> `fallback`. */
  hierarchy(
    map: Readonly<Record<string, string>> | ReadonlyMap<string, string>,
    options?: HierarchyOptions,
  ): Operator<string, string>
}

function operator<In, Out>(
  name: string,
  outputSchema: OutputSchema,
  transform: (path: string) => (value: In) => Out,
): Operator<In, Out> {
  const op: Operator<In, Out> = {
    kind: 'generalize',
    name,
    outputSchema,
    bind: ({ path }) => transform(path),
  }
  return Object.freeze(op)
}

/** The operator, declaring the finest location precision it leaves (what precision caps compare). */
function withPrecision<In, Out>(
  op: Operator<In, Out>,
  precision: NonNullable<Operator['precision']>,
): Operator<In, Out> {
  return Object.freeze({ ...op, precision: Object.freeze(precision) })
}

const INTEGER = '-?(?:0|[1-9][0-9]*)'
const MONTH = '-(?:0[1-9]|1[0-2])'
const DAY = '-(?:0[1-9]|[12][0-9]|3[01])'
const HOUR = 'T(?:[01][0-9]|2[0-3])'
/** What `generalize.date` returns, per unit: the UTC prefix of an ISO 8601 date-time. */
const DATE_OUTPUT: Readonly<Record<DateUnit, OutputSchema>> = {
  year: stringMatching('[0-9]{4}'),
  month: stringMatching(`[0-9]{4}${MONTH}`),
  day: stringMatching(`[0-9]{4}${MONTH}${DAY}`),
  hour: stringMatching(`[0-9]{4}${MONTH}${DAY}${HOUR}`),
}
const LATITUDE = Object.freeze({ type: 'number', minimum: -90, maximum: 90 })
const LONGITUDE = Object.freeze({ type: 'number', minimum: -180, maximum: 180 })
const GEO_OUTPUT: OutputSchema = Object.freeze({
  anyOf: [
    LONGITUDE,
    {
      type: 'object',
      properties: { lat: LATITUDE, lng: LONGITUDE },
      required: ['lat', 'lng'],
      additionalProperties: false,
    },
  ],
})

function range(options: { readonly width: number; readonly offset?: number | undefined }) {
  assertObject(options, 'generalize.range options')
  const { width, offset = 0 } = options
  assertNumber(width, 'generalize.range width', { integer: true, min: 1 })
  assertNumber(offset, 'generalize.range offset', { integer: true })
  const name = `generalize.range(width=${width},offset=${offset})`
  // Bounds within the safe integers stay below 1e21, so both print as plain integers; a huge
  // width or offset could print in exponent form, and only `string` is promised then.
  const plain = width <= Number.MAX_SAFE_INTEGER && Math.abs(offset) <= Number.MAX_SAFE_INTEGER
  const output = plain ? stringMatching(`${INTEGER}-${INTEGER}`) : { type: 'string' }
  return operator<number, string>(name, output, (path) => (value) => {
    if (typeof value !== 'number' || Number.isNaN(value))
      operatorFailed(name, path, 'a number', value)
    if (!(Math.abs(value) <= Number.MAX_SAFE_INTEGER))
      operatorRejected(name, path, 'number outside the safe integer range')
    // `+ 0` turns -0 into 0 so a small negative offset never prints as "-0".
    let low = Math.floor((value - offset) / width) * width + offset + 0
    // `value - offset` can round across a boundary (-5e-324 - 1 is -1); low is an exact integer.
    if (low > value) low -= width
    else if (low + width <= value) low += width
    return `${low}-${low + width - 1}`
  })
}

const DATE_LENGTH: Readonly<Record<DateUnit, number>> = { year: 4, month: 7, day: 10, hour: 13 }

function date(unit: DateUnit) {
  assertOneOf(unit, 'generalize.date unit', ['year', 'month', 'day', 'hour'] as const)
  const name = `generalize.date(${unit})`
  const length = DATE_LENGTH[unit]
  return operator<Date | string, string>(name, DATE_OUTPUT[unit], (path) => (value) => {
    if (typeof value === 'string') {
      // The usual UTC shapes, read from the text; the rest goes the general way below.
      const prefix = utcIsoPrefix(value, length)
      if (prefix !== undefined) return prefix
    }
    let time: number
    if (value instanceof Date) time = value.getTime()
    else if (typeof value === 'string') time = parseIsoDate(value)
    else operatorFailed(name, path, 'a Date or an ISO 8601 string', value)
    // toISOString only covers years 0-9999 in the YYYY form; outside it the prefix is wrong.
    if (!(time >= -62_167_219_200_000 && time < 253_402_300_800_000))
      operatorRejected(name, path, 'invalid date or a year outside 0000-9999')
    return new Date(time).toISOString().slice(0, length)
  })
}

function checkPoint(name: string, path: string, value: unknown): asserts value is LatLng {
  if (typeof value !== 'object' || value === null)
    operatorFailed(name, path, 'an object { lat, lng }', value)
  const { lat, lng } = value as { lat?: unknown; lng?: unknown }
  if (typeof lat !== 'number' || typeof lng !== 'number')
    operatorFailed(name, path, 'an object { lat, lng } of numbers', value)
  if (!(Math.abs(lat) <= 90 && Math.abs(lng) <= 180))
    operatorRejected(name, path, 'latitude outside [-90, 90] or longitude outside [-180, 180]')
}

/** Relative rounding error of `x * factor`: half an ulp each for x, the factor and the product. */
const SNAP_ULPS = 4 * Number.EPSILON

/**
 * `x` floored to `decimals` places. Decimal fractions are inexact in binary (0.29 * 100 is
 * 28.999999999999996), so a product within rounding error of a grid line counts as on it.
 */
function floorTo(x: number, factor: number): number {
  const scaled = x * factor
  const nearest = Math.round(scaled)
  const snapped =
    Math.abs(scaled - nearest) <= Math.abs(scaled) * SNAP_ULPS ? nearest : Math.floor(scaled)
  return snapped / factor + 0
}

function geo<In extends number | LatLng = LatLng>(options: { readonly decimals: number }) {
  assertObject(options, 'generalize.geo options')
  const { decimals } = options
  assertNumber(decimals, 'generalize.geo decimals', { integer: true, min: 0, max: 8 })
  const factor = 10 ** decimals
  const name = `generalize.geo(decimals=${decimals})`
  type Out = In extends number ? number : LatLng
  const op = operator<In, Out>(name, GEO_OUTPUT, (path) => (value) => {
    if (typeof value === 'number') {
      if (!(Math.abs(value) <= 180)) operatorRejected(name, path, 'coordinate outside [-180, 180]')
      return floorTo(value, factor) as Out
    }
    checkPoint(name, path, value)
    // A new object with only lat and lng: other properties (accuracy, address) do not leave.
    const point: LatLng = { lat: floorTo(value.lat, factor), lng: floorTo(value.lng, factor) }
    return point as Out
  })
  return withPrecision(op, { decimals })
}

function geohash(options: { readonly precision: number }) {
  assertObject(options, 'generalize.geohash options')
  const { precision } = options
  assertNumber(precision, 'generalize.geohash precision', { integer: true, min: 1, max: 12 })
  const name = `generalize.geohash(precision=${precision})`
  const output = stringMatching(`[0-9b-hjkmnp-z]{${precision}}`)
  const op = operator<LatLng, string>(name, output, (path) => (value) => {
    checkPoint(name, path, value)
    return encodeGeohash(value.lat, value.lng, precision)
  })
  return withPrecision(op, { geohash: precision })
}

function prefix(length: number) {
  assertNumber(length, 'generalize.prefix length', { integer: true, min: 0 })
  const name = `generalize.prefix(${length})`
  const output = { type: 'string', maxLength: length }
  return operator<string, string>(name, output, (path) => (value) => {
    if (typeof value !== 'string') operatorFailed(name, path, 'a string', value)
    return firstCodePoints(value, length)
  })
}

function hierarchy(
  map: Readonly<Record<string, string>> | ReadonlyMap<string, string>,
  options: HierarchyOptions = {},
) {
  assertObject(options, 'generalize.hierarchy options')
  const { fallback = '*' } = options
  assertString(fallback, 'generalize.hierarchy fallback')
  // Copied into a Map of own entries: a value such as "constructor" or "__proto__" must not
  // find an inherited property, and later edits to the caller's map do not change the plan.
  if (!(map instanceof Map)) assertObject(map, 'generalize.hierarchy map')
  const entries = map instanceof Map ? [...map] : Object.entries(map as Record<string, unknown>)
  const parents = new Map<string, string>()
  for (const [key, parent] of entries) {
    assertString(key, 'generalize.hierarchy map key')
    assertString(parent, `generalize.hierarchy map value`)
    parents.set(key, parent)
  }
  if (parents.size === 0) invalidArgument('range', 'generalize.hierarchy map', 'at least one entry')
  const name = `generalize.hierarchy(entries=${parents.size})`
  const output = { type: 'string', enum: [...new Set([...parents.values(), fallback])] }
  return operator<string, string>(name, output, (path) => (value) => {
    if (typeof value !== 'string') operatorFailed(name, path, 'a string', value)
    return parents.get(value) ?? fallback
  })
}

/**
 * Generalisation operators: each replaces a value with the coarser bucket it falls into, so
 * several people share each released value.
 *
 * - `generalize.range({ width, offset = 0 })`: a number to the integer range `low-high` of
 *   `width` values starting at a multiple of `width` plus `offset`. Fractions fall in the range
 *   of their floor: `37.9` -> `'30-39'`; negatives likewise: `-3` -> `'-10--1'`.
 * - `generalize.date(unit)`: a `Date` or an ISO 8601 string (`YYYY-MM-DD`, optionally a time and
 *   `Z` or `±hh:mm`; no offset means UTC) to its UTC `'2026'`, `'2026-11'`, `'2026-11-25'` or
 *   `'2026-11-25T14'`. Any other string, or an invalid `Date`, fails.
 * - `generalize.geo({ decimals })`: a coordinate, or `{ lat, lng }`, floored (toward -∞, onto the
 *   grid corner) to `decimals` places (0-8); `{ lat, lng }` comes back with only those keys.
 * - `generalize.geohash({ precision })`: `{ lat, lng }` to its geohash of 1-12 characters.
 * - `generalize.prefix(length)`: the first `length` code points of a string (`'310115'` -> `'310'`).
 * - `generalize.hierarchy(map, { fallback = '*' })`: a value to its entry in `map` (a plain
 *   object or a `Map`); a value not in it becomes `fallback`, never itself.
 *
 * @example
 * ```ts
 * import { generalize } from 'datagate/anonymize'
 *
 * const context = { partner: 'maps-co', path: 'customer' }
 * console.log(generalize.range({ width: 10 }).bind(context)(37))                    // '30-39'
 * console.log(generalize.date('month').bind(context)('2026-11-25T14:03:00Z'))       // '2026-11'
 * console.log(generalize.geo({ decimals: 2 }).bind(context)({ lat: 30.2741, lng: 120.1551 })) // { lat: 30.27, lng: 120.15 }
 * console.log(generalize.geohash({ precision: 5 }).bind(context)({ lat: 42.6, lng: -5.6 })) // 'ezs42'
 * console.log(generalize.prefix(3).bind(context)('310115'))                          // '310'
 * const province = generalize.hierarchy({ 杭州: '浙江', 宁波: '浙江' }).bind(context)
 * console.log(province('杭州'), province('上海'))                                      // '浙江' '*'
 * ```
 */
export const generalize: Generalize = Object.freeze({
  range,
  date,
  geo,
  geohash,
  prefix,
  hierarchy,
})
