// Deep freezing for loaded policies: a policy is checked once and hashed once, so an edit after
// loading (a `where` inverted in place) would change behaviour while `policyHash` stays the same.
// Iterative, with a visited set, so shared nodes and deep trees cost neither stack nor repeats.

/** Freezes `root` and every object reachable from it through own properties; returns `root`. */
export function deepFreeze<T>(root: T): T {
  const seen = new Set<object>()
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const value = stack.pop()
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) continue
    if (seen.has(value)) continue
    seen.add(value)
    // Typed arrays cannot be frozen while they hold elements; none belong in a policy.
    if (ArrayBuffer.isView(value)) continue
    Object.freeze(value)
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key)
      if (descriptor && 'value' in descriptor) stack.push(descriptor.value)
    }
  }
  return root
}
