import { invalidArgument } from '../lib/assert.js'
import type { Operator } from './operator.js'

/** A constant a field may be replaced with: a JSON scalar. */
export type ReplacementValue = string | number | boolean | null

/**
 * Replaces every value with `value`, whatever its type, so the field stays in the record while
 * saying nothing about it (e.g. `'REDACTED'`, `0`, `null`). `value` must be a JSON scalar:
 * a string, a finite number, a boolean or `null`.
 *
 * @throws DatagateError `ERR_INVALID_ARGUMENT` when `value` is not a JSON scalar.
 *
 * @example
 * ```ts
 * import { replace } from 'datagate/anonymize'
 *
 * const transform = replace('REDACTED').bind({ partner: 'rental-co', path: 'remarks' })
 * console.log(transform('customer called twice about the bill')) // REDACTED
 * ```
 */
export function replace<const T extends ReplacementValue>(value: T): Operator<unknown, T> {
  const isScalar =
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  if (!isScalar)
    invalidArgument('type', 'replace value', 'a string, a finite number, a boolean or null')
  const transform = (): T => value
  return Object.freeze({
    kind: 'replace',
    name: `replace(${value === null ? 'null' : typeof value})`,
    outputSchema: Object.freeze({ const: value }),
    bind: () => transform,
  })
}
