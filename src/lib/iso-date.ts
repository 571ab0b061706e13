// Strict ISO 8601 / RFC 3339 parsing for the date operators. `Date.parse` is not used: it accepts
// engine-specific formats ("March 7, 2026") and reads a date-time without an offset in the
// runtime's local zone, so the same record would generalise differently on different servers.
// It also rolls impossible days over (`2026-02-30T10:00:00Z` is 2026-03-02), which silently
// widened policy agreements: policies and operators both use this one parser.

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})?)?$/

/** Options of {@link parseIsoDate}. */
export interface IsoDateOptions {
  /** A date-time must carry `Z` or an offset (a date alone stays accepted). Default false. */
  readonly requireOffset?: boolean
}

/**
 * Milliseconds since the epoch of an ISO 8601 date or date-time, or `NaN` when `text` is not one
 * or names a day or time that does not exist. A date-time without an offset is read as UTC,
 * unless `requireOffset` refuses it. Accepts `YYYY-MM-DD`, then optionally `T` or a space,
 * `hh:mm`, `:ss`, a fraction (to the millisecond) and `Z` or `±hh:mm` / `±hhmm`.
 *
 * @example
 * ```ts
 * import { parseIsoDate } from './iso-date.js'
 *
 * console.log(new Date(parseIsoDate('2026-11-25T14:03:00+08:00')).toISOString())
 * // 2026-11-25T06:03:00.000Z
 * ```
 */
export function parseIsoDate(text: string, options: IsoDateOptions = {}): number {
  const match = ISO_DATE.exec(text)
  if (match === null) return Number.NaN
  const [, y, mo, d, h, mi = '0', s = '0', fraction = '', zone] = match
  if (options.requireOffset === true && h !== undefined && zone === undefined) return Number.NaN
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h ?? '0')
  const minute = Number(mi)
  const second = Number(s)
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59)
    return Number.NaN
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  // A day past the month's end rolls over into the next month: reject it instead.
  if (date.getUTCDate() !== day) return Number.NaN
  date.setUTCHours(hour, minute, second, Number(fraction.slice(0, 3).padEnd(3, '0')))
  return date.getTime() - offsetMinutes(zone) * 60_000
}

function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0
  const sign = zone[0] === '-' ? -1 : 1
  const digits = zone.slice(1).replace(':', '')
  const hours = Number(digits.slice(0, 2))
  const minutes = Number(digits.slice(2, 4))
  if (hours > 23 || minutes > 59) return Number.NaN
  return sign * (hours * 60 + minutes)
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function digitsAt(text: string, start: number, count: number): number {
  let value = 0
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - 0x30
    if (digit < 0 || digit > 9) return -1
    value = value * 10 + digit
  }
  return value
}

/**
 * The first `length` characters of `new Date(parseIsoDate(text)).toISOString()` (10 or fewer:
 * a date; 13: `YYYY-MM-DDTHH`) for the common exact shapes `YYYY-MM-DD`,
 * `YYYY-MM-DD[T ]hh:mm:ss[Z]` and `YYYY-MM-DD[T ]hh:mm:ss.sss[Z]`, read straight from the text:
 * in UTC (`Z`, `z` or no offset) these fields are the instant's own, and a fraction is cut, never
 * rounded, so it cannot carry into the next second. `undefined` for any other text, and for a day
 * or time that does not exist: the caller then takes the general path (the generalisation
 * operators; test/lib/iso-date.test.ts checks the two agree).
 */
export function utcIsoPrefix(text: string, length: number): string | undefined {
  const size = text.length
  if (size !== 10 && size !== 19 && size !== 20 && size !== 23 && size !== 24) return undefined
  if (text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d) return undefined
  const year = digitsAt(text, 0, 4)
  const month = digitsAt(text, 5, 2)
  const day = digitsAt(text, 8, 2)
  if (year < 0 || month < 1 || month > 12 || day < 1) return undefined
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  if (day > (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number))) return undefined
  let hour = 0
  if (size > 10) {
    const separator = text.charCodeAt(10)
    if (separator !== 0x54 && separator !== 0x20) return undefined // T or space
    if (text.charCodeAt(13) !== 0x3a || text.charCodeAt(16) !== 0x3a) return undefined // :
    hour = digitsAt(text, 11, 2)
    const minute = digitsAt(text, 14, 2)
    const second = digitsAt(text, 17, 2)
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
      return undefined
    let end = 19
    if (size === 23 || size === 24) {
      if (text.charCodeAt(19) !== 0x2e || digitsAt(text, 20, 3) < 0) return undefined // .
      end = 23
    }
    if (size === end + 1) {
      const zone = text.charCodeAt(end)
      if (zone !== 0x5a && zone !== 0x7a) return undefined // Z or z
    } else if (size !== end) return undefined
  }
  if (length <= 10) return text.slice(0, length)
  if (length === 13) return `${text.slice(0, 10)}T${hour < 10 ? '0' : ''}${hour}`
  return undefined
}
