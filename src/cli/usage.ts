// Usage errors: bad flags, missing or unreadable input. They exit 2. Commands throw
// DatagateError('ERR_INVALID_ARGUMENT') so the CLI and the library share one error class: any
// DatagateError reaching the bin is about the input (exit 2); anything else is a bug (exit 3).
import { DatagateError } from '../errors.js'

/** Throws a usage error (exit 2). */
export function usageError(message: string): never {
  throw new DatagateError('ERR_INVALID_ARGUMENT', message)
}

/** Whether `error` is a usage error or another DatagateError about the input. */
export function isInputError(error: unknown): error is DatagateError {
  return error instanceof DatagateError
}

/** Parses `--at`-style dates: `YYYY-MM-DD` (00:00 UTC) or an ISO date-time with a zone. */
export function parseDateOption(value: string | undefined, what: string): Date | undefined {
  if (value === undefined) return undefined
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value)
  const zoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
  const time = dateOnly || zoned ? Date.parse(dateOnly ? `${value}T00:00:00Z` : value) : Number.NaN
  // Date.parse rolls 2026-02-30 over to 2026-03-02: the calendar day must exist as written.
  const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number]
  const day = new Date(Date.UTC(y, m - 1, d))
  const real = day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d
  if (Number.isNaN(time) || !real)
    usageError(
      `${what}: expected YYYY-MM-DD or an ISO date-time with a zone, got ${JSON.stringify(value)}`,
    )
  return new Date(time)
}
