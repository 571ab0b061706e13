// The keys that reach an object's prototype when assigned or looked up: refused in policies,
// patch paths, field paths, group keys and measure names alike. One list, so the places that
// check it cannot drift.

/** `__proto__`, `constructor`, `prototype`, in that order (messages list them so). */
export const FORBIDDEN_KEY_NAMES = ['__proto__', 'constructor', 'prototype'] as const

/** One of {@link FORBIDDEN_KEY_NAMES}. */
export type ForbiddenKey = (typeof FORBIDDEN_KEY_NAMES)[number]

/** The set of {@link FORBIDDEN_KEY_NAMES}. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set<string>(FORBIDDEN_KEY_NAMES)

/** Whether `key` is one of {@link FORBIDDEN_KEY_NAMES}. */
export function isForbiddenKey(key: string): key is ForbiddenKey {
  return FORBIDDEN_KEYS.has(key)
}
