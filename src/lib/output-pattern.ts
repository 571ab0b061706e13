// Helpers for the output schemas operators describe (`Operator.outputSchema`): JSON Schema
// patterns are ECMA-262 regular expressions run in Unicode mode, where only syntax characters
// may be escaped (`\-` or `\@` is a syntax error under the `u` flag).

const SYNTAX = /[\\^$.*+?()[\]{}|/]/g

/**
 * `text` as a pattern matching exactly itself, in Unicode mode.
 *
 * @example
 * ```ts
 * import { literalPattern } from './output-pattern.js'
 *
 * console.log(literalPattern('cus_1.*')) // cus_1\.\*
 * ```
 */
export function literalPattern(text: string): string {
  return text.replace(SYNTAX, '\\$&')
}

/**
 * A string schema whose values match `pattern` whole (anchored here once, so callers write the
 * body only).
 *
 * @example
 * ```ts
 * import { stringMatching } from './output-pattern.js'
 *
 * console.log(stringMatching('\\d{4}')) // { type: 'string', pattern: '^(?:\\d{4})$' }
 * ```
 */
export function stringMatching(pattern: string): {
  readonly type: 'string'
  readonly pattern: string
} {
  return Object.freeze({ type: 'string', pattern: `^(?:${pattern})$` })
}
