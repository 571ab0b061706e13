// The keys that reach an object's prototype when assigned or looked up: refused in policies,
// patch paths and measure names alike. One list, so the places that check it cannot drift.

/** `__proto__`, `constructor`, `prototype`. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
])

/** Whether `key` is one of {@link FORBIDDEN_KEYS}. */
export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key)
}
