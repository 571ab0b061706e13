/**
 * `keep()`: the value leaves unchanged.
 *
 * @packageDocumentation
 */
import type { Operator } from './operator.js'

const KEEP: Operator<unknown, unknown> = Object.freeze({
  kind: 'keep',
  name: 'keep',
  bind: () => (value: unknown) => value,
})

/**
 * Passes the value through unchanged: the operator of public fields, and an explicit choice
 * for a desensitised field whose value a core partner may see as is.
 *
 * @example
 * ```ts
 * import { keep } from 'datagate/anonymize'
 *
 * const transform = keep<string>().bind({ partner: 'rental-co', path: 'city' })
 * console.log(transform('Hangzhou')) // Hangzhou
 * ```
 */
export function keep<T = unknown>(): Operator<T, T> {
  return KEEP as Operator<T, T>
}
