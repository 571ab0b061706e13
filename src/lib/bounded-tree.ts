// A bounded, iterative copy of an untrusted JSON-like graph (a policy document given as an object,
// or parsed from YAML whose anchors share nodes). It runs before any other step, so nothing after
// it (zod, the policy hash, the condition checks) ever walks a graph it has not bounded:
// - every key is checked at every depth: `__proto__`, `constructor`, `prototype` are refused;
// - a cycle is refused; a node shared by several parents is legitimate (YAML anchors) and is
//   copied, and counted, once per path, so the copy is a tree no larger than `maxNodes`;
// - the walk is an explicit stack, so depth costs heap, not call stack; documents deeper than
//   `maxDepth` are refused (not skipped: later recursive steps such as canonical JSON would
//   overflow on them).
import type { Finding } from '../errors.js'
import { isForbiddenKey } from './forbidden-keys.js'

/** Limits of {@link boundedTreeCopy}. */
export interface TreeLimits {
  /** Most nodes (objects, arrays and scalars, each path counted once) before the walk gives up. */
  readonly maxNodes: number
  /** Deepest nesting accepted. */
  readonly maxDepth: number
  /** Most findings reported; the walk stops once this many are collected. */
  readonly maxFindings: number
}

interface Frame {
  readonly value: unknown
  readonly path: string
  readonly depth: number
  readonly parent: Record<string, unknown> | unknown[] | undefined
  readonly key: string | number
}

const EXIT: unique symbol = Symbol('exit')

function tooLarge(maxNodes: number): Finding {
  return {
    code: 'too_large',
    path: '(document)',
    message: `the policy expands to more than ${maxNodes} nodes (shared references count once per path)`,
  }
}

function at(path: string): string {
  return path === '' ? '(document)' : path
}

/**
 * Copies `root` into fresh plain objects, arrays and scalars (a `Date` becomes its ISO text), or returns findings
 * (`forbidden_key`, `cyclic_reference`, `too_large`, `too_deep`) and no copy.
 */
export function boundedTreeCopy(
  root: unknown,
  limits: TreeLimits,
): { readonly tree: unknown; readonly findings: readonly Finding[] } {
  const findings: Finding[] = []
  const onPath = new Set<object>()
  const stack: (Frame | { readonly [EXIT]: object })[] = [
    { value: root, path: '', depth: 0, parent: undefined, key: '' },
  ]
  let result: unknown
  // Counted when queued, not when visited, so the queue itself never holds more than maxNodes.
  let nodes = 1
  const put = (frame: Frame, copy: unknown) => {
    if (frame.parent === undefined) result = copy
    else if (Array.isArray(frame.parent)) frame.parent[frame.key as number] = copy
    else frame.parent[frame.key as string] = copy
  }
  while (stack.length > 0 && findings.length < limits.maxFindings) {
    const frame = stack.pop() as Frame | { readonly [EXIT]: object }
    if (EXIT in frame) {
      onPath.delete(frame[EXIT])
      continue
    }
    const { value, path, depth } = frame
    if (typeof value !== 'object' || value === null) {
      put(frame, value)
      continue
    }
    if (value instanceof Date) {
      // As its ISO text (what canonical JSON hashes anyway): a frozen Date still has setTime.
      const time = value.getTime()
      put(frame, Number.isNaN(time) ? 'Invalid Date' : value.toISOString())
      continue
    }
    if (depth >= limits.maxDepth) {
      findings.push({
        code: 'too_deep',
        path: at(path),
        message: `the policy nests deeper than ${limits.maxDepth} levels`,
      })
      break
    }
    if (onPath.has(value)) {
      findings.push({
        code: 'cyclic_reference',
        path: at(path),
        message: 'an object here contains itself',
      })
      continue
    }
    const isArray = Array.isArray(value)
    const proto = Object.getPrototypeOf(value)
    if (!isArray && proto !== Object.prototype && proto !== null) {
      findings.push({
        code: 'forbidden_key',
        path: at(path),
        message: 'an object here has a foreign prototype (a __proto__ key?)',
      })
      continue
    }
    // Children are counted before they are queued: a sparse array (`new Array(2 ** 32 - 1)`)
    // costs its caller a few bytes but would queue four billion frames. The length is read once.
    const keys = isArray ? undefined : Object.keys(value)
    const width = keys === undefined ? (value as unknown[]).length : keys.length
    nodes += width
    if (nodes > limits.maxNodes) {
      findings.push(tooLarge(limits.maxNodes))
      break
    }
    const copy: Record<string, unknown> | unknown[] = isArray ? [] : {}
    put(frame, copy)
    onPath.add(value)
    stack.push({ [EXIT]: value })
    if (isArray) {
      for (let i = width - 1; i >= 0; i--)
        stack.push({
          value: (value as unknown[])[i],
          path: `${path}[${i}]`,
          depth: depth + 1,
          parent: copy,
          key: i,
        })
      continue
    }
    for (let i = width - 1; i >= 0; i--) {
      const key = (keys as string[])[i] as string
      const here = path ? `${path}.${key}` : key
      if (isForbiddenKey(key)) {
        findings.push({
          code: 'forbidden_key',
          path: here,
          message: `the key ${key} is not allowed in a policy`,
        })
        continue
      }
      stack.push({
        value: (value as Record<string, unknown>)[key],
        path: here,
        depth: depth + 1,
        parent: copy,
        key,
      })
    }
  }
  return findings.length > 0 ? { tree: undefined, findings } : { tree: result, findings }
}
