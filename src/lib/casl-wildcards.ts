// CASL reads the action `manage` as "every action" and the subject `all` as "every subject"
// (DESIGN.md, "Known traps"): an agreement whose purpose is `manage` would grant every purpose.
// Neither may name a purpose or a dataset, in any letter case, so no reader mistakes one for the other.

/** Names CASL treats as wildcards. */
export const CASL_WILDCARDS: readonly string[] = ['manage', 'all']

/** Whether `name` is (in any letter case) a CASL wildcard. */
export function isCaslWildcard(name: string): boolean {
  return CASL_WILDCARDS.includes(name.toLowerCase())
}
