// When an agreement is in force: from the first millisecond of `validFrom` to the last of
// `validUntil`, both inclusive (load.ts turns a date-only `validUntil` into the end of its day).
// Abilities, plans and the access matrix ask "is it active now", the load-time checks "do two
// agreements overlap": both here, so the bounds are inclusive the same way everywhere.
import { parseIsoDate } from '../lib/iso-date.js'
import type { Agreement } from './types.js'

const DAY_MS = 86_400_000
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/

/** An agreement's period, epoch ms, both ends inclusive. */
export type ValidityPeriod = Pick<Agreement, 'validFrom' | 'validUntil'>

/** Whether `agreement` is in force at `time` (epoch ms). */
export function isActiveAt(agreement: ValidityPeriod, time: number): boolean {
  return agreement.validFrom <= time && time <= agreement.validUntil
}

/** Whether two periods share at least one millisecond. */
export function periodsOverlap(a: ValidityPeriod, b: ValidityPeriod): boolean {
  return a.validFrom <= b.validUntil && b.validFrom <= a.validUntil
}

/**
 * Epoch ms of a policy date: `YYYY-MM-DD` (the start, or with `endOfDay` the last millisecond,
 * of that UTC day) or an ISO date-time with `Z` or an offset. A day that does not exist
 * (`2026-02-30`) is refused, never rolled into the next month.
 */
export function parseValidityDate(value: string | Date, endOfDay: boolean): number | undefined {
  const time =
    value instanceof Date ? value.getTime() : parseIsoDate(value, { requireOffset: true })
  if (Number.isNaN(time)) return undefined
  return endOfDay && typeof value === 'string' && DATE_ONLY.test(value) ? time + DAY_MS - 1 : time
}
