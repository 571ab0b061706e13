// Hints for zod issues a newcomer meets first: a key the schema does not know (with the known
// key it is probably a typo of) and a key that is missing (zod says `expected string`, or
// `Invalid input` for a union, where the person needs to read "required"). zod reports neither
// the keys an object allows nor whether a value was absent, so both are read here: the keys from
// the schema along the issue's path, the absence from the input tree.
import type { z } from 'zod'
import { closestName } from './suggest.js'

interface Def {
  readonly type: string
  readonly shape?: Record<string, z.ZodType>
  readonly element?: z.ZodType
  readonly innerType?: z.ZodType
  readonly in?: z.ZodType
  readonly options?: readonly z.ZodType[]
  readonly valueType?: z.ZodType
}

const defOf = (schema: z.ZodType): Def => schema._zod.def as unknown as Def

/** Through optional, nullable, default, readonly, pipe: the schema that holds the structure. */
function unwrap(schema: z.ZodType): z.ZodType[] {
  const def = defOf(schema)
  if (def.innerType) return unwrap(def.innerType)
  if (def.type === 'pipe' && def.in) return unwrap(def.in)
  if (def.type === 'union' && def.options) return def.options.flatMap(unwrap)
  return [schema]
}

/** Every schema that can sit at `path` under `root` (several under a union). */
function schemasAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType[] {
  let current = unwrap(root)
  for (const part of path) {
    const next: z.ZodType[] = []
    for (const schema of current) {
      const def = defOf(schema)
      if (def.type === 'object' && def.shape && typeof part === 'string') {
        const child = Object.hasOwn(def.shape, part) ? def.shape[part] : undefined
        if (child) next.push(...unwrap(child))
      } else if (def.type === 'array' && def.element && typeof part === 'number') {
        next.push(...unwrap(def.element))
      } else if (def.type === 'record' && def.valueType) {
        next.push(...unwrap(def.valueType))
      }
    }
    current = next
  }
  return current
}

/** The keys an object schema at `path` declares (the union of them under a union). */
export function declaredKeysAt(root: z.ZodType, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>()
  for (const schema of schemasAt(root, path)) {
    const def = defOf(schema)
    if (def.type === 'object' && def.shape) for (const key of Object.keys(def.shape)) keys.add(key)
  }
  return [...keys]
}

/**
 * Whether the issue is about a key absent from its object in `input`: the parent at the path is
 * a plain object that does not hold the last key as its own property.
 */
export function isMissingKey(issue: z.core.$ZodIssue, input: unknown): boolean {
  if (issue.code !== 'invalid_type' && issue.code !== 'invalid_union') return false
  const key = issue.path.at(-1)
  if (typeof key !== 'string') return false
  let parent: unknown = input
  for (const part of issue.path.slice(0, -1)) {
    if (typeof parent !== 'object' || parent === null) return false
    if (!Object.hasOwn(parent, part)) return false
    parent = (parent as Record<PropertyKey, unknown>)[part]
  }
  return typeof parent === 'object' && parent !== null && !Array.isArray(parent)
    ? !Object.hasOwn(parent, key)
    : false
}

/**
 * For an `unrecognized_keys` issue, one message per unknown key: `unknown key`, with the
 * declared key it is closest to when one is close (`unknown key, did you mean validUntil?`).
 * Keys already present in the input are not suggested: a typo is of a key not yet written.
 */
export function unknownKeyHints(
  issue: z.core.$ZodIssue & { readonly code: 'unrecognized_keys' },
  root: z.ZodType,
  input: unknown,
): { readonly key: string; readonly message: string }[] {
  let object: unknown = input
  for (const part of issue.path)
    object =
      typeof object === 'object' && object !== null
        ? (object as Record<PropertyKey, unknown>)[part]
        : undefined
  const present = (key: string) =>
    typeof object === 'object' && object !== null && Object.hasOwn(object, key)
  const declared = declaredKeysAt(root, issue.path).filter((key) => !present(key))
  return issue.keys.map((key) => {
    const near = closestName(key, declared)
    return {
      key,
      message: near === undefined ? 'unknown key' : `unknown key, did you mean ${near}?`,
    }
  })
}
