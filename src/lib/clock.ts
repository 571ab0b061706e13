// The one clock option shape of the library: `now: () => Date`, as on the gate. A function, not a
// Date, so a long-lived object (gate, verifier, cache) reads the time when it decides, and tests and
// archive replays pass a fixed one. Read here so every option checks it the same way.
import { assertDate, assertFunction } from './assert.js'

/** The clock option: returns the current time. */
export type Clock = () => Date

const systemClock: Clock = () => new Date()

/** Validates a clock option (default: the system clock) and returns it. */
export function clockOption(now: unknown, what: string): Clock {
  if (now === undefined) return systemClock
  assertFunction(now, what)
  return now as Clock
}

/** Reads the time from a clock option (default: the system clock); a clock that returns no valid Date throws. */
export function readClock(now: unknown, what: string): Date {
  const date = clockOption(now, what)()
  assertDate(date, `${what}()`)
  return date
}
