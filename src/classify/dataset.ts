/**
 * `defineDataset`: turns a classified zod object into a dataset descriptor with every leaf path,
 * its class and operator, and a stable schema hash.
 *
 * @packageDocumentation
 */

import { z } from 'zod'
import type { Operator } from '../anonymize/operator.js'
import { DatagateError, type Finding } from '../errors.js'
import { assertString, invalidArgument } from '../lib/assert.js'
import { canonicalJson } from '../lib/canonical-json.js'
import { isCaslWildcard } from '../lib/casl-wildcards.js'
import { textDigest } from '../lib/digest.js'
import { capFindings, MAX_ERROR_FINDINGS, summariseFindings } from '../lib/findings-cap.js'
import { isMissingKey } from '../lib/issue-hints.js'
import { issueFinding } from '../lib/zod-findings.js'
import { isZod3Schema, ZOD3_HINT } from '../lib/zod-version.js'
import { innerOf, unwrapped } from '../lib/zod-wrappers.js'
import { fieldMeta, type ReleasedOf } from './field.js'
import type { ImportantDataKind, PrecisionCap, SensitivePIKind } from './guardrail-tags.js'
import type { FieldClass, PiiKind } from './types.js'

/** One classified leaf of a dataset. */
export interface DatasetField {
  /** Dot path; array elements are marked `[]`: `vehicle.vin`, `services[].code`. */
  readonly path: string
  /** The path split into keys, with `'[]'` for "every element of the array". */
  readonly segments: readonly string[]
  readonly class: FieldClass
  /** Applied on release: `keep()` for public fields, `drop()` for sensitive ones. */
  readonly operator: Operator
  readonly quasiIdentifier: boolean
  readonly pii: PiiKind | undefined
  /** Important-data kind (`important` option), when tagged. */
  readonly important?: ImportantDataKind
  /** Sensitive-personal-information kind (`sensitivePI` option), when tagged. */
  readonly sensitivePI?: SensitivePIKind
  /** Maximum precision of a location field (`maxPrecision` option), when declared. */
  readonly maxPrecision?: PrecisionCap
  /** The zod type of the leaf (`string`, `number`, `object`, ...), for reports. */
  readonly type: string
}

/** A record validated against a dataset. */
export interface ParsedRecord<T> {
  /** The record as the schema outputs it; unknown keys removed. */
  readonly record: T
  /** How many keys the schema does not know were dropped (at any depth). */
  readonly unknownKeys: number
}

/** Options of {@link defineDataset}. */
export interface DatasetOptions {
  /** The schema version partners see in every export, e.g. `2026-11`. */
  readonly version: string
  /**
   * The leaf naming the data subject of each record (a customer id, a VIN): read to count
   * distinct people per partner and year (the cross-border thresholds), never released unless
   * granted. A string or number leaf outside any array. An agreement's own subject (its consent
   * block), where it has one, takes precedence; this is the default.
   */
  readonly subject?: string
}

/** Structure of the schema, kept to count unknown keys without parsing paths per record. */
type Shape =
  | { readonly kind: 'object'; readonly children: ReadonlyMap<string, Shape> }
  | { readonly kind: 'array'; readonly element: Shape }
  | { readonly kind: 'leaf' }

/**
 * A dataset descriptor: the classified schema plus everything derived from it once.
 *
 * @typeParam S - the zod object schema of one record.
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { type Dataset, defineDataset, field } from 'datagate/classify'
 *
 * const Contact: Dataset = defineDataset('contact', z.object({
 *   city: field.public(z.string()),
 *   name: field.sensitive(z.string()),
 *   tags: field.public(z.record(z.string(), z.string())),
 * }), { version: '1' })
 * // Sensitive fields may be left out; a data key in an error is written `*`.
 * console.log(Contact.parse({ city: 'Lyon', tags: {} }).record) // { city: 'Lyon', tags: {} }
 * try {
 *   Contact.parse({ city: 'Lyon', tags: { 'Zhang San': 1 } })
 * } catch (error) {
 *   console.log((error as { findings: { path: string }[] }).findings[0]?.path) // 'tags.*'
 * }
 * ```
 */
export interface Dataset<S extends z.ZodObject = z.ZodObject> {
  readonly name: string
  readonly version: string
  readonly schema: S
  /** Every classified leaf, in schema order. */
  readonly fields: readonly DatasetField[]
  /** The data subject's leaf path (the `subject` option), when declared. */
  readonly subject?: string
  /** `sha256:<hex>` over name, version and every leaf's path, class, operator and type. */
  readonly schemaHash: string
  /** The leaf at `path`, or `undefined`. */
  field(path: string): DatasetField | undefined
  /**
   * Validates one record. Unknown keys are dropped and counted, never passed through. Sensitive
   * fields may be missing (they never leave); present ones are validated like any other.
   * Throws `ERR_RECORD_INVALID` with one finding per problem (at most 100, then a
   * `more_findings` count), naming schema paths, never values nor keys found in the data (`*`).
   */
  parse(record: unknown): ParsedRecord<z.output<S>>
}

const SUBJECT_TYPES = new Set(['string', 'number', 'int', 'bigint'])
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/

interface WalkState {
  readonly fields: DatasetField[]
  readonly findings: Finding[]
}

function walk(schema: z.ZodType, segments: string[], state: WalkState): Shape {
  const path = formatPath(segments)
  const meta = fieldMeta(schema)
  if (meta) {
    if (meta.class === 'desensitised' && meta.operator.kind === 'keep') {
      state.findings.push({
        code: 'desensitised_without_transform',
        path,
        message: `${path} is desensitised but its operator keeps the raw value; use mask, pseudonymize, generalize, noise, replace or truncate`,
      })
    }
    state.fields.push({
      path,
      segments: Object.freeze([...segments]),
      class: meta.class,
      operator: meta.operator,
      quasiIdentifier: meta.quasiIdentifier,
      pii: meta.pii,
      ...(meta.important === undefined ? {} : { important: meta.important }),
      ...(meta.sensitivePI === undefined ? {} : { sensitivePI: meta.sensitivePI }),
      ...(meta.maxPrecision === undefined ? {} : { maxPrecision: meta.maxPrecision }),
      type: leafType(schema),
    })
    return { kind: 'leaf' }
  }
  const inner = innerOf(schema)
  if (inner) return walk(inner, segments, state)
  const def = schema._zod.def as { type: string }
  if (schema instanceof z.ZodObject) {
    if ((schema._zod.def.checks?.length ?? 0) > 0) {
      state.findings.push({
        code: 'object_refinement',
        path: path || '(root)',
        message: `${path || 'the root object'} has an object-level refinement (.refine, .superRefine or .check); releases validate only the leaves they read and would skip it: refine the leaves instead`,
      })
    }
    const catchall = schema._zod.def.catchall
    if (catchall && catchall._zod.def.type !== 'never') {
      state.findings.push({
        code: 'loose_object',
        path: path || '(root)',
        message: `${path || 'the root object'} forwards unknown keys (passthrough, looseObject or catchall); released records must use z.object or z.strictObject`,
      })
    }
    const children = new Map<string, Shape>()
    for (const [key, child] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      if (key === '' || /[.[\]]/.test(key) || key === '__proto__') {
        state.findings.push({
          code: 'invalid_key',
          path: formatPath([...segments, key]),
          message: `key ${JSON.stringify(key)} cannot be addressed by a field path (empty, '.', '[', ']' or __proto__)`,
        })
        continue
      }
      children.set(key, walk(child, [...segments, key], state))
    }
    return { kind: 'object', children }
  }
  if (schema instanceof z.ZodArray) {
    return { kind: 'array', element: walk(schema.element as z.ZodType, [...segments, '[]'], state) }
  }
  state.findings.push({
    code: 'unclassified_field',
    path: path || '(root)',
    message: `${path || 'the root'} (${def.type}) has no class: wrap it in field.public(), field.desensitised() or field.sensitive()`,
  })
  return { kind: 'leaf' }
}

function leafType(schema: z.ZodType): string {
  let current: z.ZodType | undefined = schema
  while (current) {
    const inner = innerOf(current)
    if (!inner) return current._zod.def.type
    current = inner
  }
  return 'unknown'
}

/** Formats segments as a field path: `['items', '[]', 'code']` -> `items[].code`. */
export function formatPath(segments: readonly string[]): string {
  let out = ''
  for (const segment of segments) {
    if (segment === '[]') out += '[]'
    else out += out === '' ? segment : `.${segment}`
  }
  return out
}

function countUnknown(value: unknown, shape: Shape): number {
  if (shape.kind === 'leaf' || typeof value !== 'object' || value === null) return 0
  if (shape.kind === 'array') {
    if (!Array.isArray(value)) return 0
    let count = 0
    for (const element of value) count += countUnknown(element, shape.element)
    return count
  }
  if (Array.isArray(value)) return 0
  let count = 0
  for (const key of Object.keys(value)) {
    const child = shape.children.get(key)
    if (child === undefined) count++
    else count += countUnknown((value as Record<string, unknown>)[key], child)
  }
  return count
}

/**
 * A zod issue path as a field path, naming only keys and positions the schema declares, read
 * from the schema itself (below a classified leaf too): an object key the schema holds, an index
 * into a declared array or tuple. Anything else was found in the data (a `z.record` or `z.map`
 * key, numeric ones included, which are not positions) and is written `*`.
 */
function safeIssuePath(parts: readonly PropertyKey[], root: z.ZodType): string {
  let out = ''
  let schema: z.ZodType | undefined = root
  for (const part of parts) {
    const here = schema === undefined ? undefined : unwrapped(schema)
    const def = here?._zod.def as
      | { type: string; element?: z.ZodType; items?: z.ZodType[]; rest?: z.ZodType | null }
      | undefined
    if (typeof part === 'number' && (def?.type === 'array' || def?.type === 'tuple')) {
      out += `[${part}]`
      schema = def.type === 'array' ? def.element : (def.items?.[part] ?? def.rest ?? undefined)
      continue
    }
    const shape = here instanceof z.ZodObject ? (here.shape as Record<string, z.ZodType>) : {}
    if (typeof part === 'string' && Object.hasOwn(shape, part)) {
      out += out === '' ? part : `.${part}`
      schema = shape[part]
      continue
    }
    out += out === '' ? '*' : '.*'
    schema =
      here instanceof z.ZodRecord || here instanceof z.ZodMap
        ? (here._zod.def.valueType as z.ZodType)
        : undefined
  }
  return out
}

// Reading the record again could run a getter or Proxy trap that throws: then the field is not
// called missing, and the finding keeps zod's wording.
function missingField(issue: z.core.$ZodIssue, record: unknown): boolean {
  try {
    return isMissingKey(issue, record)
  } catch {
    return false
  }
}

function issueFindings(
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
  record: unknown,
): Finding[] {
  // zod's own messages are not used: a custom refinement message could quote the input, and
  // zod's paths hold record keys, which are data.
  const findings: Finding[] = []
  for (const issue of issues.slice(0, MAX_ERROR_FINDINGS + 1)) {
    const path = safeIssuePath(issue.path, schema)
    const expected =
      'expected' in issue && typeof issue.expected === 'string'
        ? ` (expected ${issue.expected})`
        : ''
    // A declared field absent from the record reads `required`, not `invalid type`.
    const message = missingField(issue, record)
      ? 'required'
      : `${issue.code.replaceAll('_', ' ')}${expected}`
    findings.push(issueFinding(issue, path || '(root)', `${path || 'record'}: ${message}`))
  }
  return findings
}

/**
 * The schema `parse` runs: the declared one with every sensitive leaf (and every object or array
 * holding only sensitive leaves) optional. Sensitive values never leave, so a backend need not
 * SELECT names and ID numbers to satisfy the schema; present ones are still validated and dropped.
 */
function withOptionalSensitive(schema: z.ZodType): { schema: z.ZodType; sensitiveOnly: boolean } {
  const meta = fieldMeta(schema)
  if (meta) return { schema, sensitiveOnly: meta.class === 'sensitive' }
  const inner = innerOf(schema)
  if (inner) {
    const relaxed = withOptionalSensitive(inner)
    if (relaxed.schema === inner) return { schema, sensitiveOnly: relaxed.sensitiveOnly }
    const def = schema._zod.def as { type: string }
    const member = def.type === 'pipe' ? 'in' : 'innerType'
    return {
      schema: schema.clone({
        ...schema._zod.def,
        [member]: relaxed.schema,
      } as typeof schema._zod.def),
      sensitiveOnly: relaxed.sensitiveOnly,
    }
  }
  if (schema instanceof z.ZodObject) {
    const shape = schema.shape as Record<string, z.ZodType>
    const changed: Record<string, z.ZodType> = {}
    let sensitiveOnly = Object.keys(shape).length > 0
    for (const [key, child] of Object.entries(shape)) {
      const relaxed = withOptionalSensitive(child)
      sensitiveOnly &&= relaxed.sensitiveOnly
      if (relaxed.sensitiveOnly) changed[key] = relaxed.schema.optional()
      else if (relaxed.schema !== child) changed[key] = relaxed.schema
    }
    if (Object.keys(changed).length === 0) return { schema, sensitiveOnly }
    return { schema: schema.safeExtend(changed), sensitiveOnly }
  }
  if (schema instanceof z.ZodArray) {
    const element = schema.element as z.ZodType
    const relaxed = withOptionalSensitive(element)
    return {
      schema:
        relaxed.schema === element
          ? schema
          : schema.clone({ ...schema._zod.def, element: relaxed.schema } as typeof schema._zod.def),
      sensitiveOnly: relaxed.sensitiveOnly,
    }
  }
  return { schema, sensitiveOnly: false }
}

/**
 * The schema a plan validates a row with: the declared one restricted to the leaves the plan
 * reads (`tree`), every object kept with its wrappers (optional, nullable, defaults) and every
 * array with its own checks. Objects become stripping `z.object`s: a strict object would count
 * the unread keys as unrecognised. A sensitive leaf that is read (a condition on it) is optional,
 * as in `parse`.
 */
function readSchema(schema: z.ZodType, tree: ReadTree): z.ZodType {
  const meta = fieldMeta(schema)
  if (meta) return meta.class === 'sensitive' ? schema.optional() : schema
  const inner = innerOf(schema)
  if (inner) {
    const def = schema._zod.def as { type: string }
    const member = def.type === 'pipe' ? 'in' : 'innerType'
    return schema.clone({
      ...schema._zod.def,
      [member]: readSchema(inner, tree),
    } as typeof schema._zod.def)
  }
  if (schema instanceof z.ZodObject) {
    const shape = schema.shape as Record<string, z.ZodType>
    const picked: Record<string, z.ZodType> = {}
    for (const [key, child] of tree) {
      const declared = Object.hasOwn(shape, key) ? shape[key] : undefined
      if (declared !== undefined) picked[key] = readSchema(declared, child)
    }
    return z.object(picked)
  }
  if (schema instanceof z.ZodArray) {
    const element = tree.get('[]')
    if (element === undefined) return schema
    return schema.clone({
      ...schema._zod.def,
      element: readSchema(schema.element as z.ZodType, element),
    } as typeof schema._zod.def)
  }
  return schema
}

/** Leaf paths as a tree of segments; a leaf is an empty map. */
type ReadTree = Map<string, ReadTree>

function readTree(fields: readonly DatasetField[]): ReadTree {
  const root: ReadTree = new Map()
  for (const f of fields) {
    let node = root
    for (const segment of f.segments) {
      let next = node.get(segment)
      if (next === undefined) {
        next = new Map()
        node.set(segment, next)
      }
      node = next
    }
  }
  return root
}

interface DatasetInternals {
  readonly schema: z.ZodObject
  readonly shape: Shape
}

const internals = new WeakMap<Dataset, DatasetInternals>()

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function unreadable(name: string): DatagateError {
  // A getter or Proxy trap in the record threw. Its message is not kept, not even as the
  // cause: it was written by whoever built the record and may quote anything.
  return recordInvalid(
    name,
    [{ code: 'unreadable', path: '(root)', message: 'record: a property could not be read' }],
    1,
  )
}

/** Wrappers whose output, when neither undefined nor null, is their inner schema's own output. */
const PASS_THROUGH = new Set(['optional', 'nullable', 'nonoptional'])
/** Leaf types whose parse output is a value of that type, never undefined. */
const DEFINITE = new Set(['string', 'number', 'boolean', 'bigint', 'date', 'enum'])

/** One node of what a reader returns, as {@link freshReadNodes} describes it. */
export interface ReadNode {
  /** The member is never undefined where its parent holds one (null is possible). */
  readonly definite: boolean
  /** The members read below it: object keys, or `[]` for an array's elements. */
  readonly children: ReadonlyMap<string, ReadNode>
}

const NO_CHILDREN: ReadonlyMap<string, ReadNode> = new Map()

function freshNodes(schema: z.ZodType, tree: ReadTree): ReadNode | undefined {
  // A leaf's value is replaced in its parent, never written into.
  if (fieldMeta(schema))
    return { definite: DEFINITE.has(schema._zod.def.type), children: NO_CHILDREN }
  const def = schema._zod.def as { type: string; innerType?: z.ZodType }
  if (PASS_THROUGH.has(def.type) && def.innerType) {
    const inner = freshNodes(def.innerType, tree)
    if (inner === undefined) return undefined
    return def.type === 'optional' ? { definite: false, children: inner.children } : inner
  }
  if (schema instanceof z.ZodObject) {
    const shape = schema.shape as Record<string, z.ZodType>
    const children = new Map<string, ReadNode>()
    for (const [key, child] of tree) {
      const declared = Object.hasOwn(shape, key) ? shape[key] : undefined
      if (declared === undefined) continue
      const node = freshNodes(declared, child)
      if (node === undefined) return undefined
      children.set(key, node)
    }
    return { definite: true, children }
  }
  if (schema instanceof z.ZodArray) {
    const element = tree.get('[]')
    const node = element && freshNodes(schema.element as z.ZodType, element)
    return node && { definite: true, children: new Map([['[]', node]]) }
  }
  return undefined
}

/**
 * What {@link compileReader}'s reader of `paths` returns, node by node, when every object and
 * array in it is one zod made for that parse, with no members but the leaves read; otherwise
 * `undefined`. That holds when each object or array on the way to a read leaf is a plain
 * `z.object` or `z.array`, at most under `.optional()`, `.nullable()` or `.nonoptional()`: not
 * under `.default()` or `.catch()` (their value is returned as given, the same object every
 * time, with every key it holds), `.readonly()` (frozen), a pipe or a transform (which may
 * return anything). A release plan may then reuse that output as the released record instead of
 * copying it (src/policy/plan.ts), and leave alone the members that are always there.
 */
export function freshReadNodes(dataset: Dataset, paths: readonly string[]): ReadNode | undefined {
  const own = internals.get(dataset)
  if (own === undefined) return undefined
  const leaves: DatasetField[] = []
  for (const path of paths) {
    const leaf = dataset.field(path)
    if (leaf !== undefined && !leaves.includes(leaf)) leaves.push(leaf)
  }
  return freshNodes(own.schema, readTree(leaves))
}

/** Whether {@link freshReadNodes} describes the reader of `paths`: its output may be reused. */
export function readsFreshObjects(dataset: Dataset, paths: readonly string[]): boolean {
  return freshReadNodes(dataset, paths) !== undefined
}

/**
 * Compiles what a release plan reads of a row: validates only the leaves at `paths` (released
 * leaves and condition fields) with their own zod schemas, and returns their parse output, so
 * transforms and defaults apply and object-typed leaves carry no unknown nested keys. Leaves
 * that are not read, sensitive ones above all, are never touched. A row that is not a plain
 * object, or whose reads throw, is `ERR_RECORD_INVALID`; findings are as `parse` gives them.
 * `unknownKeys` counts the row's own top-level keys the schema does not declare (the signal
 * that a new column appeared upstream); rows sharing one key order are counted once.
 */
export function compileReader(
  dataset: Dataset,
  paths: readonly string[],
): (row: unknown) => ParsedRecord<Record<string, unknown>> {
  const own = internals.get(dataset)
  if (own === undefined)
    invalidArgument('type', 'compileReader: dataset', 'a dataset of defineDataset')
  const leaves: DatasetField[] = []
  for (const path of paths) {
    const leaf = dataset.field(path)
    if (leaf !== undefined && !leaves.includes(leaf)) leaves.push(leaf)
  }
  const schema = readSchema(own.schema, readTree(leaves))
  const shape = own.shape
  const topLevel = shape.kind === 'object' ? shape.children : new Map<string, Shape>()
  const name = dataset.name
  // Rows from one source share one key order: the keys of the last row that was counted are
  // kept, and a row with the same keys in the same order has the same count. `for...in` walks
  // the keys without building an array per row (an inherited enumerable key, which only a
  // polluted prototype has, counts as unknown).
  let lastKeys: string[] = []
  let lastUnknown = 0
  const countTopLevel = (row: Record<string, unknown>): number => {
    let i = 0
    let same = true
    for (const key in row) {
      if (key !== lastKeys[i]) {
        same = false
        break
      }
      i++
    }
    if (same && i === lastKeys.length) return lastUnknown
    const keys: string[] = []
    let unknown = 0
    for (const key in row) {
      keys.push(key)
      if (!topLevel.has(key)) unknown++
    }
    lastKeys = keys
    lastUnknown = unknown
    return unknown
  }
  return (row) => {
    let result: ReturnType<typeof schema.safeParse>
    let unknownKeys: number
    try {
      if (!isPlainObject(row))
        throw recordInvalid(
          name,
          [
            {
              code: 'invalid_type',
              path: '(root)',
              message: 'record: invalid type (expected a plain object)',
            },
          ],
          1,
        )
      unknownKeys = countTopLevel(row)
      result = schema.safeParse(row)
    } catch (error) {
      if (error instanceof DatagateError) throw error
      throw unreadable(name)
    }
    if (!result.success)
      throw recordInvalid(
        name,
        issueFindings(result.error.issues, schema, row),
        result.error.issues.length,
      )
    return { record: result.data as Record<string, unknown>, unknownKeys }
  }
}

function recordInvalid(name: string, findings: readonly Finding[], total: number): DatagateError {
  return new DatagateError(
    'ERR_RECORD_INVALID',
    `dataset ${name}: record does not match the schema: ${summariseFindings(findings, total)}`,
    { findings: capFindings(findings, MAX_ERROR_FINDINGS, total) },
  )
}

/**
 * Defines a dataset from a zod object whose every leaf is classified with `field.*`.
 *
 * Throws `ERR_SCHEMA_INVALID` listing every problem at once: unclassified leaves (by path),
 * desensitised fields that keep raw values, loose objects that would forward unknown keys.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { defineDataset, field } from 'datagate/classify'
 * import { generalize, pseudonymize } from 'datagate/anonymize'
 *
 * const Customer = defineDataset('customer', z.object({
 *   customerId: field.desensitised(z.string(), pseudonymize()),
 *   name: field.sensitive(z.string(), { pii: 'name' }),
 *   city: field.public(z.string(), { quasiIdentifier: true }),
 *   age: field.desensitised(z.number().int(), generalize.range({ width: 10 })),
 *   vehicle: z.object({ model: field.public(z.string()) }),
 * }), { version: '2026-11' })
 *
 * const { record, unknownKeys } = Customer.parse({
 *   customerId: 'C-1', name: 'Zhang San', city: 'Hangzhou', age: 34,
 *   vehicle: { model: 'ET5' }, note: 'not in the schema',
 * })
 * console.log(Customer.fields.length, unknownKeys, 'note' in record) // 5 1 false
 * ```
 */
export function defineDataset<S extends z.ZodObject>(
  name: string,
  schema: S,
  options: DatasetOptions,
): Dataset<S> {
  assertString(name, 'defineDataset: name', { nonEmpty: true })
  if (!NAME_PATTERN.test(name))
    invalidArgument(
      'range',
      'defineDataset: name',
      'a letter, then only letters, digits, _ and - (at most 64)',
    )
  if (isCaslWildcard(name))
    invalidArgument(
      'range',
      'defineDataset: name',
      'neither "all" nor "manage" (CASL wildcards: a rule on them covers every dataset)',
    )
  if (!(schema instanceof z.ZodObject)) {
    throw new DatagateError(
      'ERR_SCHEMA_INVALID',
      `dataset ${name}: the schema must be a z.object${isZod3Schema(schema) ? `; ${ZOD3_HINT}` : ''}`,
    )
  }
  assertString(options?.version, 'defineDataset: options.version', {
    nonEmpty: true,
    maxLength: 64,
  })

  const state: WalkState = { fields: [], findings: [] }
  const shape = walk(schema, [], state)
  if (options.subject !== undefined) {
    assertString(options.subject, 'defineDataset: options.subject', { nonEmpty: true })
    const leaf = state.fields.find((f) => f.path === options.subject)
    if (leaf === undefined || leaf.segments.includes('[]') || !SUBJECT_TYPES.has(leaf.type))
      state.findings.push({
        code: 'invalid_subject',
        path: options.subject,
        message: `subject ${options.subject} must be a string or number leaf of the dataset outside any array`,
      })
  }
  if (state.findings.length > 0) {
    throw new DatagateError(
      'ERR_SCHEMA_INVALID',
      `dataset ${name}: ${state.findings.length} problem(s): ${state.findings.map((f) => f.message).join('; ')}`,
      { findings: state.findings },
    )
  }
  const parseSchema = withOptionalSensitive(schema).schema
  const fields = Object.freeze(state.fields.map((f) => Object.freeze(f)))
  const byPath = new Map(fields.map((f) => [f.path, f]))
  const schemaHash = textDigest(
    canonicalJson({
      name,
      version: options.version,
      ...(options.subject === undefined ? {} : { subject: options.subject }),
      fields: fields.map((f) => ({
        path: f.path,
        class: f.class,
        operator: f.operator.name,
        type: f.type,
        quasiIdentifier: f.quasiIdentifier,
        pii: f.pii ?? null,
        // Only when tagged, so datasets without guardrail tags keep the hash they had.
        ...(f.important === undefined ? {} : { important: f.important }),
        ...(f.sensitivePI === undefined ? {} : { sensitivePI: f.sensitivePI }),
        ...(f.maxPrecision === undefined ? {} : { maxPrecision: f.maxPrecision }),
      })),
    }),
  )

  const dataset: Dataset<S> = Object.freeze({
    name,
    version: options.version,
    ...(options.subject === undefined ? {} : { subject: options.subject }),
    schema,
    fields,
    schemaHash,
    field: (path: string) => byPath.get(path),
    parse(record: unknown): ParsedRecord<z.output<S>> {
      let result: ReturnType<typeof parseSchema.safeParse>
      let unknownKeys = 0
      try {
        result = parseSchema.safeParse(record)
        if (result.success) unknownKeys = countUnknown(record, shape)
      } catch {
        // A getter or Proxy trap in the record threw. Its message is not kept, not even as the
        // cause: it was written by whoever built the record and may quote anything.
        throw recordInvalid(
          name,
          [{ code: 'unreadable', path: '(root)', message: 'record: a property could not be read' }],
          1,
        )
      }
      if (!result.success)
        throw recordInvalid(
          name,
          issueFindings(result.error.issues, schema, record),
          result.error.issues.length,
        )
      return { record: result.data as z.output<S>, unknownKeys }
    },
  })
  internals.set(dataset, { schema, shape })
  return dataset
}

/**
 * The type of one released record of a dataset: sensitive fields removed, desensitised fields
 * typed as their operator's output, every field optional.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { defineDataset, field, type Released } from 'datagate/classify'
 * import { mask } from 'datagate/anonymize'
 *
 * const Driver = defineDataset('driver', z.object({
 *   name: field.sensitive(z.string()),
 *   phone: field.desensitised(z.string(), mask.phone()),
 * }), { version: '1' })
 * const released: Released<typeof Driver> = { phone: '138****5678' }
 * console.log(released)
 * ```
 */
export type Released<D extends Dataset> = ReleasedOf<D['schema']>
