// Argument checks with one message shape, after noble-hashes' `abytes`/`anumber`:
// a wrong type is reported as ERR_INVALID_ARGUMENT with `cause` a TypeError, a wrong value
// with `cause` a RangeError, so callers can switch on `code` and still see which kind it was.
import { DatagateError } from '../errors.js'

/**
 * Throws ERR_INVALID_ARGUMENT in the one message shape, `${what}: expected ${expected}`, with a
 * TypeError (`kind` 'type') or RangeError (`kind` 'range') as cause: for checks no helper below covers.
 */
export function invalidArgument(kind: 'type' | 'range', what: string, expected: string): never {
  throw argumentError(kind, what, expected)
}

/** The error {@link invalidArgument} throws, for a caller that rejects a promise with it. */
export function argumentError(
  kind: 'type' | 'range',
  what: string,
  expected: string,
): DatagateError {
  const message = `${what}: expected ${expected}`
  const cause = kind === 'type' ? new TypeError(message) : new RangeError(message)
  return new DatagateError('ERR_INVALID_ARGUMENT', message, { cause })
}

/** Asserts a string, optionally non-empty and at most `maxLength` long. */
export function assertString(
  value: unknown,
  what: string,
  opts: { nonEmpty?: boolean; maxLength?: number } = {},
): asserts value is string {
  if (typeof value !== 'string') invalidArgument('type', what, 'a string')
  if (opts.nonEmpty && value.length === 0) invalidArgument('range', what, 'a non-empty string')
  if (opts.maxLength !== undefined && value.length > opts.maxLength)
    invalidArgument('range', what, `at most ${opts.maxLength} characters`)
}

/** Asserts a finite number, optionally an integer within [min, max]. */
export function assertNumber(
  value: unknown,
  what: string,
  opts: { integer?: boolean; min?: number; max?: number; exclusiveMin?: number } = {},
): asserts value is number {
  if (typeof value !== 'number' || Number.isNaN(value)) invalidArgument('type', what, 'a number')
  if (!Number.isFinite(value)) invalidArgument('range', what, 'a finite number')
  if (opts.integer && !Number.isSafeInteger(value)) invalidArgument('range', what, 'a safe integer')
  if (opts.min !== undefined && value < opts.min)
    invalidArgument('range', what, `a number >= ${opts.min}`)
  if (opts.max !== undefined && value > opts.max)
    invalidArgument('range', what, `a number <= ${opts.max}`)
  if (opts.exclusiveMin !== undefined && value <= opts.exclusiveMin)
    invalidArgument('range', what, `a number > ${opts.exclusiveMin}`)
}

/** Asserts a Uint8Array, optionally of at least `minLength` bytes. */
export function assertBytes(
  value: unknown,
  what: string,
  opts: { minLength?: number } = {},
): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) invalidArgument('type', what, 'a Uint8Array')
  if (opts.minLength !== undefined && value.length < opts.minLength)
    invalidArgument('range', what, `at least ${opts.minLength} bytes`)
}

/** Asserts a plain object (not null, not an array). */
export function assertObject(
  value: unknown,
  what: string,
): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    invalidArgument('type', what, 'an object')
}

/** Asserts a function. */
export function assertFunction(
  value: unknown,
  what: string,
): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') invalidArgument('type', what, 'a function')
}

/** Asserts one of a fixed set of strings. */
export function assertOneOf<T extends string>(
  value: unknown,
  what: string,
  allowed: readonly T[],
): asserts value is T {
  if (typeof value !== 'string') invalidArgument('type', what, `one of ${allowed.join(', ')}`)
  if (!(allowed as readonly string[]).includes(value))
    invalidArgument('range', what, `one of ${allowed.join(', ')}`)
}

/** Asserts a valid `Date` (an `Invalid Date` is a wrong value). */
export function assertDate(value: unknown, what: string): asserts value is Date {
  if (!(value instanceof Date)) invalidArgument('type', what, 'a Date')
  if (Number.isNaN(value.getTime())) invalidArgument('range', what, 'a valid Date')
}

/** Asserts an array, optionally non-empty. */
export function assertArray(
  value: unknown,
  what: string,
  opts: { nonEmpty?: boolean } = {},
): asserts value is unknown[] {
  if (!Array.isArray(value))
    invalidArgument('type', what, opts.nonEmpty ? 'a non-empty array' : 'an array')
  if (opts.nonEmpty && value.length === 0) invalidArgument('range', what, 'a non-empty array')
}

/** Asserts a boolean. */
export function assertBoolean(value: unknown, what: string): asserts value is boolean {
  if (typeof value !== 'boolean') invalidArgument('type', what, 'a boolean')
}

/** Asserts an object (not null, arrays allowed): a record of a dataset, an event. */
export function assertRecord(value: unknown, what: string): asserts value is object {
  if (typeof value !== 'object' || value === null) invalidArgument('type', what, 'an object')
}
