import { invalidArgument } from './assert.js'
import { describeType } from './describe-type.js'
import { isForbiddenKey } from './forbidden-keys.js'

/** A value that may form part of a group key. */
export type ScalarValue = string | number | boolean | null

/** A validated dot path into nested record objects. */
export interface CompiledPath {
  readonly path: string
  readonly segments: readonly string[]
}

const MAX_PATH_LENGTH = 256

/** Validates a dot path (`vehicle.model`); `what` names the option, e.g. `by[0]`. */
export function compilePath(path: unknown, what: string): CompiledPath {
  if (typeof path !== 'string') invalidArgument('type', `${what}`, `a field path string`)
  if (path.length === 0 || path.length > MAX_PATH_LENGTH)
    invalidArgument('range', `${what}`, `a field path of 1 to ${MAX_PATH_LENGTH} characters`)
  const segments = path.split('.')
  for (const segment of segments) {
    if (segment.length === 0)
      invalidArgument('range', `${what}`, `a field path without empty segments`)
    if (isForbiddenKey(segment))
      invalidArgument(
        'range',
        `${what}`,
        `a field path without __proto__, constructor or prototype segments`,
      )
  }
  return { path, segments }
}

/** Compiles a non-empty list of distinct paths; `what` names the option, e.g. `by`. */
export function compilePaths(paths: unknown, what: string): readonly CompiledPath[] {
  if (!Array.isArray(paths)) invalidArgument('type', `${what}`, `an array of field paths`)
  if (paths.length === 0) invalidArgument('range', `${what}`, `at least one field path`)
  const compiled = paths.map((path: unknown, index) => compilePath(path, `${what}[${index}]`))
  const seen = new Set<string>()
  for (const [index, { path }] of compiled.entries()) {
    if (seen.has(path)) invalidArgument('range', `${what}[${index}]`, `distinct field paths`)
    seen.add(path)
  }
  return compiled
}

/** Reads own properties along `segments`; a missing step gives `undefined`. */
export function readPath(record: unknown, segments: readonly string[]): unknown {
  let current: unknown = record
  for (const segment of segments) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment))
      return undefined
    current = (current as Record<string, unknown>)[segment]
  }
  return current
}

/**
 * Reads a group-key value: a string, finite number, boolean or null; an absent field counts as
 * null. Anything else throws, naming the record index and path, never the value.
 */
export function readScalar(record: unknown, path: CompiledPath, index: number): ScalarValue {
  const value = readPath(record, path.segments)
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      if (Number.isFinite(value)) return value === 0 ? 0 : value
      return invalidArgument('range', `records[${index}].${path.path}`, `a finite number`)
    case 'undefined':
      return null
    default:
      if (value === null) return null
      return invalidArgument(
        'type',
        `records[${index}].${path.path}`,
        `a string, number, boolean or null, got ${describeType(value)}`,
      )
  }
}

/** The collision-free key of a value tuple. */
export function encodeKey(values: readonly ScalarValue[]): string {
  return JSON.stringify(values)
}

function typeRank(value: ScalarValue): number {
  if (value === null) return 0
  if (typeof value === 'boolean') return 1
  return typeof value === 'number' ? 2 : 3
}

/** Total order on scalars: null < false < true < numbers < strings (by UTF-16 code units). */
export function compareScalars(a: ScalarValue, b: ScalarValue): number {
  const rankA = typeRank(a)
  const rankB = typeRank(b)
  if (rankA !== rankB) return rankA - rankB
  if (a === b || a === null || b === null) return 0
  return a < b ? -1 : 1
}

/** Lexicographic order on tuples, shorter first on a common prefix. */
export function compareTuples(a: readonly ScalarValue[], b: readonly ScalarValue[]): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const order = compareScalars(a[i] ?? null, b[i] ?? null)
    if (order !== 0) return order
  }
  return a.length - b.length
}
