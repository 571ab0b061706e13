// The one way an operator's transform reports a value it cannot handle. The message names the
// operator, the field path and the expected shape; it never quotes the value, only its type, so
// an error that reaches a log or a partner cannot leak what it was given.
import { DatagateError } from '../errors.js'
import { typeName } from './describe-type.js'

/**
 * Throws ERR_OPERATOR_FAILED for `operator` at `path`; quotes the type of `value`, never it.
 *
 * @example
 * ```ts
 * import { operatorFailed } from './operator-error.js'
 *
 * try {
 *   operatorFailed('mask.phone', 'customer.phone', 'a string', 13812345678)
 * } catch (error) {
 *   console.log((error as Error).message) // mask.phone at "customer.phone": expected a string, got number
 * }
 * ```
 */
export function operatorFailed(
  operator: string,
  path: string,
  expected: string,
  value: unknown,
): never {
  throw new DatagateError(
    'ERR_OPERATOR_FAILED',
    `${operator} at "${path}": expected ${expected}, got ${typeName(value)}`,
  )
}

/**
 * Same message shape, for a value of the right type with the wrong content (an invalid date).
 *
 * @example
 * ```ts
 * import { operatorRejected } from './operator-error.js'
 *
 * try {
 *   operatorRejected('generalize.date(day)', 'order.createdAt', 'invalid date')
 * } catch (error) {
 *   console.log((error as Error).message) // generalize.date(day) at "order.createdAt": invalid date
 * }
 * ```
 */
export function operatorRejected(operator: string, path: string, reason: string): never {
  throw new DatagateError('ERR_OPERATOR_FAILED', `${operator} at "${path}": ${reason}`)
}
