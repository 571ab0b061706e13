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
