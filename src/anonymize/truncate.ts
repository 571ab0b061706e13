/**
 * `truncate(n)`: the first `n` characters of a string.
 *
 * @packageDocumentation
 */
import { assertNumber } from '../lib/assert.js'
import { firstCodePoints } from '../lib/codepoints.js'
import { operatorFailed } from '../lib/operator-error.js'
import type { Operator } from './operator.js'

/**
 * Keeps the first `length` characters of a string, counted in Unicode code points, so a CJK
 * character or an emoji is never split into half a surrogate pair. Shorter strings pass whole.
 *
 * @param length - How many code points to keep; a non-negative safe integer.
 * @throws DatagateError `ERR_INVALID_ARGUMENT` when `length` is not a non-negative integer;
 *   the transform throws `ERR_OPERATOR_FAILED` for a value that is not a string.
 *
 * @example
 * ```ts
 * import { truncate } from 'datagate/anonymize'
 *
 * const transform = truncate(4).bind({ partner: 'rental-co', path: 'address.street' })
 * console.log(transform('浙江省杭州市西湖区')) // 浙江省杭
 * ```
 */
export function truncate(length: number): Operator<string, string> {
  assertNumber(length, 'truncate length', { integer: true, min: 0 })
  const name = `truncate(${length})`
  const operator: Operator<string, string> = {
    kind: 'truncate',
    name,
    // JSON Schema counts lengths in code points, as truncate does.
    outputSchema: Object.freeze({ type: 'string', maxLength: length }),
    bind:
      ({ path }) =>
      (value) => {
        if (typeof value !== 'string') operatorFailed(name, path, 'a string', value)
        return firstCodePoints(value, length)
      },
  }
  return Object.freeze(operator)
}
