// Names the type of a value for an error message without quoting the value: messages that reach
// a log or a partner say what kind of thing was given, never what it was.

/**
 * `typeof`, but telling `null`, arrays and Dates apart from objects.
 *
 * @example
 * ```ts
 * import { typeName } from './describe-type.js'
 *
 * console.log(typeName(null), typeName([1]), typeName('x')) // null array string
 * ```
 */
export function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (value instanceof Date) return 'Date'
  return typeof value
}

/**
 * {@link typeName} with its article, for "expected ..., got an array".
 *
 * @example
 * ```ts
 * import { describeType } from './describe-type.js'
 *
 * console.log(describeType(null), describeType([1]), describeType({})) // null an array an object
 * ```
 */
export function describeType(value: unknown): string {
  const name = typeName(value)
  if (name === 'null' || name === 'undefined') return name
  return /^[aeiou]/i.test(name) ? `an ${name}` : `a ${name}`
}
