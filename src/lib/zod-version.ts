// Telling a zod 3 schema apart, so that passing one says "zod 4 needed" rather than "not a zod
// schema": zod 3 keeps its definition in `_def` and has no `_zod` (where zod 4 keeps its internals).

/** The zod range datagate is built and tested against (package.json). */
export const SUPPORTED_ZOD = 'zod ^4.6.7'

/** What to say about a zod 3 schema, after what was expected. */
export const ZOD3_HINT = `datagate needs zod 4 (${SUPPORTED_ZOD}); got a zod 3 schema (upgrade with npm install zod@4)`

/** Whether `value` looks like a zod 3 schema. */
export function isZod3Schema(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  return (
    '_def' in value &&
    !('_zod' in value) &&
    typeof (value as { safeParse?: unknown }).safeParse === 'function'
  )
}
