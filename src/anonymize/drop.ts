/**
 * `drop()`: the field does not leave. The default operator of sensitive fields.
 *
 * @packageDocumentation
 */
import type { Operator } from './operator.js'

const DROP: Operator<unknown, undefined> = Object.freeze({
  kind: 'drop',
  name: 'drop',
  bind: () => () => undefined,
})

/**
 * Removes the field: the transform returns `undefined` and the release plan omits the field
 * from released records, so not even its presence leaves.
 *
 * @example
 * ```ts
 * import { drop } from 'datagate/anonymize'
 *
 * const transform = drop().bind({ partner: 'rental-co', path: 'name' })
 * console.log(transform('张三')) // undefined
 * ```
 */
export function drop(): Operator<unknown, undefined> {
  return DROP
}
