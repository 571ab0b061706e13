// When an agreement is in force: from the first millisecond of `validFrom` to the last of
// `validUntil`, both inclusive (load.ts turns a date-only `validUntil` into the end of its day).
// Abilities, plans and the access matrix ask "is it active now", the load-time checks "do two
// agreements overlap": both here, so the bounds are inclusive the same way everywhere.
import type { Agreement } from './types.js'

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
