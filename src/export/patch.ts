// JSON Patch (RFC 6902) deltas between released views, and an applier that is safe on patches
// from elsewhere. fast-json-patch 3.1.1 computes and applies the operations; around it we
// normalise inputs, shorten array diffs, and refuse what it lets through (see DESIGN.md, "Known
// traps"): prototype paths, inherited properties (`remove /toString` "succeeds"), array indexes
// such as `01` or `` (its `isInteger('')` is true), and in-place mutation of caller objects.
//
// fast-json-patch ships CommonJS as `main`; Node's ESM loader only sees its default export, so
// it is imported as a default (named imports fail at run time outside a bundler).

import jsonpatch, { type Operation } from 'fast-json-patch'
import { DatagateError } from '../errors.js'
import { assertNumber } from '../lib/assert.js'
import { canonicalJson } from '../lib/canonical-json.js'
import { jsonTextsDigest, textDigest } from '../lib/digest.js'
import { isForbiddenKey } from '../lib/forbidden-keys.js'
import { editScript } from '../lib/myers.js'

/**
 * One RFC 6902 operation as plain JSON. Assignable to fast-json-patch's `Operation`.
 *
 * @example
 * ```ts
 * import type { PatchOperation } from 'datagate/export'
 *
 * const op: PatchOperation = { op: 'replace', path: '/0/city', value: 'Lyon' }
 * console.log(op.path) // '/0/city'
 * ```
 */
export type PatchOperation =
  | { readonly op: 'add' | 'replace' | 'test'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string }
  | { readonly op: 'move' | 'copy'; readonly path: string; readonly from: string }

/**
 * Options of {@link applyPatchSafely}.
 *
 * @example
 * ```ts
 * import { applyPatchSafely, type ApplyPatchOptions } from 'datagate/export'
 *
 * const options: ApplyPatchOptions = { maxOps: 10, maxResultBytes: 1000 }
 * const copy = { op: 'copy', from: '/a', path: '/b' } as const
 * console.log(applyPatchSafely({ a: 'x' }, [copy], options)) // { a: 'x', b: 'x' }
 * try {
 *   applyPatchSafely({ a: 'x'.repeat(600) }, [copy], options)
 * } catch (error) {
 *   console.log((error as { code: string }).code) // 'ERR_PATCH_INVALID'
 * }
 * ```
 */
export interface ApplyPatchOptions {
  /** Most operations accepted in one patch; larger patches are refused before any work. */
  readonly maxOps?: number
  /**
   * Bound on the result, in estimated JSON bytes: the document plus everything the patch adds or
   * copies in. Removals give nothing back, so a copy/remove loop cannot run unbounded work.
   * Default {@link DEFAULT_MAX_PATCH_RESULT_BYTES}.
   */
  readonly maxResultBytes?: number
}

/**
 * Default bound on the estimated JSON size of a patch result in {@link applyPatchSafely}: 64 MiB.
 * `copy` doubles what it copies, so 40 operations in 1.7 KB would otherwise exhaust the heap.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_PATCH_RESULT_BYTES } from 'datagate/export'
 *
 * console.log(DEFAULT_MAX_PATCH_RESULT_BYTES) // 67108864
 * ```
 */
export const DEFAULT_MAX_PATCH_RESULT_BYTES = 64 * 1024 * 1024

/**
 * Default cap on the operations of one patch in {@link applyPatchSafely}.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_PATCH_OPS } from 'datagate/export'
 *
 * console.log(DEFAULT_MAX_PATCH_OPS) // 100000
 * ```
 */
export const DEFAULT_MAX_PATCH_OPS = 100_000

const OPS: ReadonlySet<string> = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test'])
// Each segment starts with '/', and '~' must be followed by 0 or 1 (RFC 6901). Linear: the
// inner class excludes '/', so the outer repetition has one way to match.
const JSON_POINTER = /^(?:\/(?:[^~/]|~[01])*)*$/
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/
const MISSING: unique symbol = Symbol('missing')

/**
 * Digest of a view (an array of released records, or any JSON value): SHA-256 of its canonical
 * JSON, so key order does not change it.
 *
 * @example
 * ```ts
 * import { viewDigest } from 'datagate/export'
 *
 * const a = viewDigest([{ city: 'Lyon', age: '30-39' }])
 * const b = viewDigest([{ age: '30-39', city: 'Lyon' }])
 * console.log(a === b, a.startsWith('sha256:')) // true true
 * ```
 */
export function viewDigest(records: unknown): string {
  return textDigest(canonicalJson(records))
}

/**
 * A released view prepared for diffing: each record's canonical JSON, computed once, serves as
 * its key in the edit script, as its normalised form (parsed back only for records that
 * changed), and as its part of the view digest: the canonical JSON of an array is its
 * members' canonical JSON joined, so `digest` equals {@link viewDigest} of the records.
 */
export interface PreparedView {
  readonly keys: readonly string[]
  /** {@link viewDigest} of the view. */
  readonly digest: string
}

/** Prepares a view (an array of records) for {@link diffPreparedViews}. */
export function prepareView(records: readonly unknown[]): PreparedView {
  const keys = new Array<string>(records.length)
  for (let i = 0; i < records.length; i++) {
    const record = records[i]
    keys[i] = record === undefined ? 'null' : canonicalJson(record)
  }
  return viewOfKeys(keys)
}

/** The prepared view of records given as their canonical JSON (`plan.canonicalKey`). */
export function viewOfKeys(keys: readonly string[]): PreparedView {
  return { keys, digest: jsonTextsDigest(keys) }
}

/** {@link diffViews} of two prepared views, without serialising any record again. */
export function diffPreparedViews(previous: PreparedView, next: PreparedView): PatchOperation[] {
  return checkedOperations(diffKeyed(previous.keys, next.keys))
}

/**
 * RFC 6902 operations that turn `previous` into `next`, as plain JSON objects.
 *
 * Meant for two released views (arrays of released records), never raw data. Records are matched
 * with a shortest edit script (Myers), so adding or removing a record anywhere costs one
 * operation instead of rewriting every record after it; a changed record is diffed field by
 * field. Past 2,000 record edits the diff falls back to positions. Values are normalised
 * as JSON first (a `Date` becomes its ISO string, `undefined` members vanish); a value that is
 * not JSON throws `ERR_INVALID_ARGUMENT`. A view holding a key named `__proto__`,
 * `constructor` or `prototype` on a changed path throws `ERR_PATCH_UNSAFE`, since
 * {@link applyPatchSafely} would refuse the patch anyway.
 *
 * @example
 * ```ts
 * import { diffViews } from 'datagate/export'
 *
 * const ops = diffViews(
 *   [{ id: 'a', city: 'Lyon' }, { id: 'b', city: 'Graz' }],
 *   [{ id: 'a', city: 'Nice' }, { id: 'b', city: 'Graz' }],
 * )
 * console.log(ops) // [{ op: 'replace', path: '/0/city', value: 'Nice' }]
 * ```
 */
export function diffViews(previous: unknown, next: unknown): PatchOperation[] {
  const before = asJson(previous)
  const after = asJson(next)
  const raw =
    Array.isArray(before) && Array.isArray(after)
      ? diffKeyed(before.map(canonicalJson), after.map(canonicalJson))
      : diffValues(before, after)
  return checkedOperations(raw)
}

function checkedOperations(raw: readonly Operation[]): PatchOperation[] {
  const ops = raw.map(toPlainOperation)
  ops.forEach((op, index) => {
    assertSafePointer(op.path, index, 'path')
  })
  return ops
}

/**
 * Applies an RFC 6902 patch to a deep clone of `document` and returns the new document.
 *
 * Every operation is checked before anything is applied: a path or `from` with a segment
 * `__proto__`, `constructor` or `prototype` (after `~1`/`~0` unescaping), or a value holding a
 * `__proto__` key, throws `ERR_PATCH_UNSAFE`; any other malformed operation, an unresolvable
 * path, a failed `test`, a value nested deeper than 1000 levels, more than `maxOps` operations,
 * or a result larger than `maxResultBytes`
 * (estimated JSON size, counting everything `add`, `replace` and `copy` bring in) throws
 * `ERR_PATCH_INVALID`. Neither
 * `document` nor `ops` is ever mutated, and on failure nothing partial is returned. Error
 * messages name the operation index and kind, never values.
 *
 * @example
 * ```ts
 * import { applyPatchSafely } from 'datagate/export'
 *
 * const current = [{ id: 'a', city: 'Lyon' }]
 * const next = applyPatchSafely(current, [{ op: 'add', path: '/-', value: { id: 'b', city: 'Graz' } }])
 * console.log(next)    // [{ id: 'a', city: 'Lyon' }, { id: 'b', city: 'Graz' }]
 * console.log(current) // [{ id: 'a', city: 'Lyon' }] (unchanged)
 * ```
 */
export function applyPatchSafely(
  document: unknown,
  ops: unknown,
  options: ApplyPatchOptions = {},
): unknown {
  const maxOps = options.maxOps ?? DEFAULT_MAX_PATCH_OPS
  assertNumber(maxOps, 'applyPatchSafely: maxOps', { integer: true, min: 0 })
  const maxBytes = options.maxResultBytes ?? DEFAULT_MAX_PATCH_RESULT_BYTES
  assertNumber(maxBytes, 'applyPatchSafely: maxResultBytes', { integer: true, min: 0 })
  if (!Array.isArray(ops)) throw invalid('the patch is not an array of operations')
  if (ops.length > maxOps)
    throw invalid(`the patch has ${ops.length} operations, more than the limit of ${maxOps}`)
  // Unsafe paths are looked for in every operation first, so an unsafe patch is reported as
  // unsafe even when an earlier operation is also malformed.
  ops.forEach(assertSafeOperation)
  const checked = ops.map(checkOperation)
  const staticError = jsonpatch.validate(checked as Operation[])
  if (staticError) throw invalid(`operation ${staticError.index ?? '?'}: ${staticError.name}`)

  let clone: unknown
  let patch: Operation[]
  try {
    clone = structuredClone(document)
    // Values are cloned too: fast-json-patch inserts them by reference, and a later operation
    // would otherwise write through into the caller's patch.
    patch = structuredClone(checked) as Operation[]
  } catch {
    // No cause: structuredClone's message quotes what it could not clone (a function's source).
    throw new DatagateError('ERR_INVALID_ARGUMENT', 'applyPatchSafely: document is not JSON')
  }
  // fast-json-patch passes its validator index 0 for every operation, so the index is looked up;
  // a Map, since indexOf per operation made 80k operations take seconds (quadratic).
  const indexOf = new Map(patch.map((operation, index) => [operation, index]))
  let budget = maxBytes - jsonSizeWithin(clone, maxBytes)
  if (budget < 0) throw tooLarge(maxBytes)
  const guard = (operation: Operation, _index: number, current: unknown, fragment: string) => {
    const index = indexOf.get(operation) ?? -1
    checkTarget(current, operation as PatchOperation, index)
    // What the operation brings in, measured before fast-json-patch clones it: at most the
    // remaining budget is walked, so the work stays bounded however large the value.
    const added =
      operation.op === 'copy'
        ? locate(current, segmentsOf(operation.from))
        : operation.op === 'add' || operation.op === 'replace'
          ? operation.value
          : MISSING
    if (added !== MISSING) {
      budget -= jsonSizeWithin(added, budget)
      if (budget < 0) throw tooLarge(maxBytes)
    }
    // Against the document, fast-json-patch's validator deep-clones the whole document for
    // every move/copy (quadratic on long patches); checkTarget already resolved `from`.
    if (operation.op === 'move' || operation.op === 'copy') jsonpatch.validator(operation, index)
    else jsonpatch.validator(operation, index, current, fragment)
  }
  try {
    return jsonpatch.applyPatch(clone, patch, guard, /* mutate the clone */ true, true).newDocument
  } catch (error) {
    if (error instanceof DatagateError) throw error
    if (error instanceof jsonpatch.JsonPatchError)
      throw invalid(`operation ${error.index ?? '?'}: ${error.name}`)
    // fast-json-patch's own prototype ban; our checks run first, so this is a second line.
    if (error instanceof TypeError && error.message.includes('__proto__'))
      throw unsafe('the patch modifies a prototype')
    throw error
  }
}

function tooLarge(maxBytes: number): DatagateError {
  return invalid(`the patched document would exceed ${maxBytes} bytes (maxResultBytes)`)
}

/**
 * Estimated JSON size of `value` in bytes (UTF-16 units of strings and keys plus punctuation),
 * walked iteratively and abandoned once it passes `limit`: returns a number above `limit` then.
 * Shared or cyclic references count once per path, as JSON would write them.
 */
function jsonSizeWithin(value: unknown, limit: number): number {
  let size = 0
  const stack: unknown[] = [value]
  while (stack.length > 0 && size <= limit) {
    const node = stack.pop()
    if (typeof node === 'string') size += node.length + 2
    else if (Array.isArray(node)) {
      size += 2 + node.length
      for (const item of node) stack.push(item)
    } else if (isContainer(node)) {
      size += 2
      for (const [key, item] of Object.entries(node)) {
        size += key.length + 4
        stack.push(item)
      }
    } else size += 8
  }
  return size
}

function asJson(value: unknown): unknown {
  return JSON.parse(canonicalJson(value))
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null
}

function diffValues(before: unknown, after: unknown): Operation[] {
  if (isContainer(before) && isContainer(after) && Array.isArray(before) === Array.isArray(after))
    return jsonpatch.compare(before, after)
  // compare() yields nothing for changed scalars at the root and one `replace ''` per key for
  // an array turned object; a single root replace says the same correctly.
  return jsonpatch._areEquals(before, after) ? [] : [{ op: 'replace', path: '', value: after }]
}

// Edits beyond which record-level matching gives way to a positional diff (memory stays
// O(edits^2) at most: about 2,000 edits is 16 MB of trace in the worst case).
const MAX_RECORD_EDITS = 2000

/**
 * The operations between two arrays given as their members' canonical JSON. Records are parsed
 * back from it (normalised, keys sorted) only where they changed.
 */
function diffKeyed(beforeKeys: readonly string[], afterKeys: readonly string[]): Operation[] {
  const parse = (key: string | undefined): unknown => JSON.parse(key as string)
  // The edit script compares members many times over; numbering the keys first makes each
  // comparison one of integers (a string's hash is computed once and kept by the engine).
  const ids = new Map<string, number>()
  const idOf = (key: string): number => {
    let id = ids.get(key)
    if (id === undefined) {
      id = ids.size
      ids.set(key, id)
    }
    return id
  }
  const script = editScript(beforeKeys.map(idOf), afterKeys.map(idOf), MAX_RECORD_EDITS)
  if (!script) return jsonpatch.compare(beforeKeys.map(parse), afterKeys.map(parse))
  const ops: Operation[] = []
  let position = 0
  let deleted: number[] = []
  let inserted: number[] = []
  const flush = () => {
    // A run of removals and insertions between equal records: pair them as in-place changes
    // (diffed field by field), then remove or add what is left over.
    const paired = Math.min(deleted.length, inserted.length)
    for (let i = 0; i < paired; i++) {
      const from = parse(beforeKeys[deleted[i] as number])
      const to = parse(afterKeys[inserted[i] as number])
      for (const op of diffValues(from, to))
        ops.push({ ...op, path: `/${position}${op.path}` } as Operation)
      position++
    }
    for (let i = paired; i < deleted.length; i++) ops.push({ op: 'remove', path: `/${position}` })
    for (let i = paired; i < inserted.length; i++)
      ops.push({
        op: 'add',
        path: `/${position++}`,
        value: parse(afterKeys[inserted[i] as number]),
      })
    deleted = []
    inserted = []
  }
  for (const step of script) {
    if (step.kind === 'delete') deleted.push(step.from)
    else if (step.kind === 'insert') inserted.push(step.to)
    else {
      flush()
      position++
    }
  }
  flush()
  return ops
}

function toPlainOperation(op: Operation): PatchOperation {
  switch (op.op) {
    case 'add':
    case 'replace':
    case 'test':
      return { op: op.op, path: op.path, value: op.value }
    case 'remove':
      return { op: op.op, path: op.path }
    case 'move':
    case 'copy':
      return { op: op.op, path: op.path, from: op.from }
    default:
      throw new DatagateError('ERR_PATCH_INVALID', `diffViews: unexpected operation ${op.op}`)
  }
}

function invalid(message: string): DatagateError {
  return new DatagateError('ERR_PATCH_INVALID', `invalid JSON Patch: ${message}`)
}

function unsafe(message: string): DatagateError {
  return new DatagateError('ERR_PATCH_UNSAFE', `unsafe JSON Patch: ${message}`)
}

function segmentsOf(pointer: string): string[] {
  if (pointer === '') return []
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
}

function assertSafePointer(pointer: unknown, index: number, member: 'path' | 'from'): void {
  if (typeof pointer !== 'string') return
  for (const segment of segmentsOf(pointer))
    if (isForbiddenKey(segment))
      throw unsafe(`operation ${index}: \`${member}\` has a segment "${segment}"`)
}

// Deepest nesting a patch value may have. Released records nest a few levels; far deeper values
// (20 000 levels are 40 KB of brackets) overflowed the call stack of the recursive steps after
// the checks (fast-json-patch's clone and compare) with a raw RangeError instead of our error.
const MAX_VALUE_DEPTH = 1000

// Walked iteratively; stops at the first problem: an own `__proto__` key, or nesting too deep.
function valueProblem(value: unknown): 'prototype' | 'depth' | undefined {
  const stack: [unknown, number][] = [[value, 0]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number]
    if (!isContainer(node)) continue
    if (depth >= MAX_VALUE_DEPTH) return 'depth'
    if (!Array.isArray(node) && Object.hasOwn(node, '__proto__')) return 'prototype'
    for (const item of Array.isArray(node) ? node : Object.values(node))
      stack.push([item, depth + 1])
  }
  return undefined
}

function assertSafeOperation(raw: unknown, index: number): void {
  if (!isContainer(raw) || Array.isArray(raw)) return
  const candidate = raw as { path?: unknown; from?: unknown; value?: unknown }
  assertSafePointer(candidate.path, index, 'path')
  assertSafePointer(candidate.from, index, 'from')
  if (valueProblem(candidate.value) === 'prototype')
    throw unsafe(`operation ${index}: \`value\` holds a "__proto__" key`)
}

// Returns a fresh operation holding only the members RFC 6902 defines for its kind (others
// are ignored, as the RFC asks), after checking their types and pointer syntax.
function checkOperation(raw: unknown, index: number): PatchOperation {
  if (!isContainer(raw) || Array.isArray(raw)) throw invalid(`operation ${index} is not an object`)
  const { op, path, from, value } = raw as Record<string, unknown>
  if (typeof op !== 'string' || !OPS.has(op))
    throw invalid(`operation ${index}: \`op\` is not one of ${[...OPS].join(', ')}`)
  if (typeof path !== 'string' || !JSON_POINTER.test(path))
    throw invalid(`operation ${index} (${op}): \`path\` is not a JSON Pointer`)
  switch (op) {
    case 'add':
    case 'replace':
    case 'test':
      if (!Object.hasOwn(raw, 'value') || value === undefined)
        throw invalid(`operation ${index} (${op}): \`value\` is missing`)
      if (valueProblem(value) === 'depth')
        throw invalid(
          `operation ${index} (${op}): \`value\` nests deeper than ${MAX_VALUE_DEPTH} levels`,
        )
      return { op, path, value }
    case 'move':
    case 'copy':
      if (typeof from !== 'string' || !JSON_POINTER.test(from))
        throw invalid(`operation ${index} (${op}): \`from\` is not a JSON Pointer`)
      if (op === 'move' && path.startsWith(`${from}/`))
        throw invalid(`operation ${index} (move): \`from\` is a proper prefix of \`path\``)
      return { op, path, from }
    default:
      return { op: 'remove', path }
  }
}

interface Removal {
  readonly parent: readonly string[]
  readonly key: string
}

// Walks own properties only (never inherited ones such as `toString`) and canonical array
// indexes only. With `removal`, resolves as if that member had been removed first, which is
// how RFC 6902 defines the target of `move`.
function locate(root: unknown, segments: readonly string[], removal?: Removal): unknown {
  let node = root
  let onRemovalBranch = removal !== undefined
  for (let depth = 0; depth < segments.length; depth++) {
    const segment = segments[depth]!
    const inRemovalParent = onRemovalBranch && depth === removal!.parent.length
    if (Array.isArray(node)) {
      if (!ARRAY_INDEX.test(segment)) return MISSING
      let position = Number(segment)
      if (inRemovalParent && position >= Number(removal!.key)) position++
      if (position >= node.length) return MISSING
      node = node[position]
    } else if (isContainer(node)) {
      if (inRemovalParent && segment === removal!.key) return MISSING
      if (!Object.hasOwn(node, segment)) return MISSING
      node = (node as Record<string, unknown>)[segment]
    } else {
      return MISSING
    }
    onRemovalBranch =
      onRemovalBranch && depth < removal!.parent.length && removal!.parent[depth] === segment
  }
  return node
}

function checkTarget(document: unknown, op: PatchOperation, index: number): void {
  const target = segmentsOf(op.path)
  if (op.op === 'remove' || op.op === 'replace' || op.op === 'test') {
    if (locate(document, target) === MISSING)
      throw invalid(`operation ${index} (${op.op}): \`path\` does not exist`)
    return
  }
  let removal: Removal | undefined
  if (op.op === 'move' || op.op === 'copy') {
    const source = segmentsOf(op.from)
    if (locate(document, source) === MISSING)
      throw invalid(`operation ${index} (${op.op}): \`from\` does not exist`)
    if (op.op === 'move' && source.length > 0 && op.from !== op.path)
      removal = { parent: source.slice(0, -1), key: source.at(-1)! }
  }
  if (target.length === 0) return
  const parent = locate(document, target.slice(0, -1), removal)
  const key = target.at(-1)!
  if (Array.isArray(parent)) {
    const removedHere =
      removal !== undefined &&
      removal.parent.length === target.length - 1 &&
      removal.parent.every((segment, i) => segment === target[i])
    const length = parent.length - (removedHere ? 1 : 0)
    if (key === '-') return
    if (!ARRAY_INDEX.test(key) || Number(key) > length)
      throw invalid(`operation ${index} (${op.op}): \`path\` is not an index of the array`)
  } else if (parent === MISSING || !isContainer(parent)) {
    throw invalid(`operation ${index} (${op.op}): the parent of \`path\` does not exist`)
  }
}
