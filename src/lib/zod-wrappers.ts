// zod 4's wrapper schemas, one home for the set every walk over a dataset's schema steps through.
import type { z } from 'zod'

/** Wrapper types whose `def.innerType` is the schema they wrap. */
export const ZOD_WRAPPERS: ReadonlySet<string> = new Set([
  'optional',
  'nullable',
  'default',
  'prefault',
  'readonly',
  'catch',
  'nonoptional',
])

/** The schema a wrapper (or a pipe's input side) wraps, or `undefined` for any other schema. */
export function innerOf(schema: z.ZodType): z.ZodType | undefined {
  const def = schema._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType }
  if (ZOD_WRAPPERS.has(def.type)) return def.innerType
  if (def.type === 'pipe') return def.in
  return undefined
}

/** `schema` with every wrapper and pipe around it stepped through. */
export function unwrapped(schema: z.ZodType): z.ZodType {
  let current = schema
  for (let inner = innerOf(current); inner !== undefined; inner = innerOf(current)) current = inner
  return current
}
