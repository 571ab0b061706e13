/**
 * The contract every anonymisation operator follows.
 *
 * An operator is data plus a `bind` step: `bind` runs once per (partner, field) when a release
 * plan is compiled (deriving keys, compiling patterns) and returns the per-value transform that
 * runs for every record. Operators know no partners beyond the id they are bound to, and no
 * policy.
 *
 * @packageDocumentation
 */

/** The families of operators; reports and the access matrix group by it. */
export type OperatorKind =
  | 'drop'
  | 'keep'
  | 'replace'
  | 'truncate'
  | 'mask'
  | 'pseudonymize'
  | 'generalize'
  | 'noise'

import type { RandomSource } from '../lib/random.js'

export type { RandomSource }

/**
 * A JSON Schema (draft 2020-12) fragment: plain data, no functions. Patterns are ECMA-262
 * regular expressions in Unicode mode (`u`), as JSON Schema validators such as Ajv run them.
 *
 * @example
 * ```ts
 * import type { OutputSchema } from 'datagate/anonymize'
 *
 * const range: OutputSchema = { type: 'string', pattern: '^-?\\d+--?\\d+$' }
 * console.log(range.type) // 'string'
 * ```
 */
export type OutputSchema = { readonly [keyword: string]: unknown }

/** What an operator is bound to when a release plan is compiled. */
export interface OperatorContext {
  /** The partner the values go to; pseudonyms are keyed per partner. */
  readonly partner: string
  /** The field path being transformed, for error messages (never the value). */
  readonly path: string
  /** Pseudonym master key, at least 32 bytes; required by `pseudonymize`. */
  readonly pseudonymKey?: Uint8Array | undefined
  /** Random source for noise; defaults to `crypto.getRandomValues`. Inject it in tests. */
  readonly random?: RandomSource | undefined
}

/**
 * An anonymisation operator from `In` values to `Out` values.
 *
 * The release plan never calls the transform with `null` or `undefined`: `null` stays `null`
 * and an absent field stays absent. A value of the wrong type makes the transform throw a
 * `DatagateError` with code `ERR_OPERATOR_FAILED` that names the path, never the value.
 *
 * @example
 * ```ts
 * import { mask } from 'datagate/anonymize'
 *
 * const phone = mask.phone()
 * const transform = phone.bind({ partner: 'rental-co', path: 'phone' })
 * console.log(phone.name, transform('13812345678')) // mask.phone 138****5678
 * ```
 */
export interface Operator<In = unknown, Out = unknown> {
  /** The operator family. */
  readonly kind: OperatorKind
  /** Stable description for reports, e.g. `mask.phone` or `generalize.range(width=10)`. */
  readonly name: string
  /**
   * The epsilon one transformed value spends (`noise` operators): the gate charges it to the
   * partner's budget on every record release of the field.
   */
  readonly epsilon?: number
  /**
   * A JSON Schema of every value the transform can return for an input it accepts (not of the
   * input): e.g. `generalize.range` gives strings like `'30-39'`. Absent when the operator
   * cannot say; a contract then describes the field as any value (`{}`) and says why.
   */
  readonly outputSchema?: OutputSchema
  /**
   * The finest location precision the transform leaves (`generalize.geohash` and
   * `generalize.geo`): what a location field's precision cap is compared with when a policy loads.
   */
  readonly precision?: { readonly geohash: number } | { readonly decimals: number }
  /** Prepares the operator for one partner and field; returns the per-value transform. */
  bind(context: OperatorContext): (value: In) => Out
}
