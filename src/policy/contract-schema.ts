/**
 * The JSON Schema (draft 2020-12) of one record a release plan emits: built from the plan's own
 * fields and the dataset schema it reads, so it says what a release delivers, no more. Public
 * leaves are described by zod's `z.toJSONSchema` of their schema (what `keep` passes on);
 * desensitised leaves by their operator's `outputSchema` (what the operator returns, not what
 * it reads). Objects list only the granted keys, with `additionalProperties: false`.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import type { Operator, OutputSchema } from '../anonymize/operator.js'
import type { DatasetField } from '../classify/dataset.js'
import { fieldMeta } from '../classify/field.js'
import type { ReleasePlan } from './plan.js'

/** A JSON Schema object as this module writes it. */
export type JsonSchema = { readonly [keyword: string]: unknown }

const NULL: JsonSchema = { type: 'null' }
/** Wrappers whose output is the inner schema's, plus `null` or `undefined` at most. */
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional'])
/** Wrappers whose output the inner schema does not bound (a `catch` value, a pipe's output). */
const OPAQUE = new Set(['catch', 'pipe'])

interface Node {
  readonly children: Map<string, Node>
  field?: DatasetField
}

function trieOf(fields: readonly DatasetField[]): Node {
  const root: Node = { children: new Map() }
  for (const f of fields) {
    let node = root
    for (const segment of f.segments) {
      let next = node.children.get(segment)
      if (next === undefined) {
        next = { children: new Map() }
        node.children.set(segment, next)
      }
      node = next
    }
    node.field = f
  }
  return root
}

function orNull(schema: JsonSchema, nullable: boolean): JsonSchema {
  return nullable ? { anyOf: [schema, NULL] } : schema
}

function permissive(why: string): JsonSchema {
  return { description: `any value: ${why}` }
}

/**
 * Whether `schema`'s output may be `null`: a `nullable` wrapper, a null type, or anything whose
 * output the schema does not bound (a pipe, a catch, a union, unknown): said `true` when unsure,
 * so a released `null` always validates.
 */
function mayBeNull(schema: z.ZodType): boolean {
  const def = schema._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType }
  if (def.type === 'nullable' || def.type === 'null' || OPAQUE.has(def.type)) return true
  if (WRAPPERS.has(def.type) && def.innerType) return mayBeNull(def.innerType)
  return ['any', 'unknown', 'union', 'custom', 'lazy', 'transform'].includes(def.type)
}

/** A public leaf: what zod says its output is, or `{}` when zod cannot say it. */
function publicLeaf(schema: z.ZodType, path: string): JsonSchema {
  let out: Record<string, unknown>
  try {
    out = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io: 'output',
      unrepresentable: 'throw',
      cycles: 'throw',
      reused: 'inline',
    }) as Record<string, unknown>
  } catch {
    return permissive(`zod cannot describe the output of ${path} as JSON Schema`)
  }
  // Embedded in a larger document, a reference would point at the wrong root.
  if (JSON.stringify(out).includes('"$ref"'))
    return permissive(`the schema of ${path} refers to itself`)
  const { $schema: _ignored, ...rest } = out
  return rest
}

/** A desensitised leaf: its operator's output, or `{}` when the operator does not describe it. */
function operatorLeaf(operator: Operator): JsonSchema {
  const output: OutputSchema | undefined = operator.outputSchema
  const description = `desensitised: ${operator.name}`
  if (output === undefined || typeof output !== 'object' || output === null)
    return permissive(`${operator.name} does not describe its output`)
  return { ...structuredClone(output), description }
}

/**
 * The schema of what `declared` releases under `node`; `undefined` when nothing ever appears
 * (a leaf whose operator drops it). `inArray`: an absent element is written `null` by JSON.
 */
function describe(declared: z.ZodType, node: Node, inArray: boolean): JsonSchema | undefined {
  let nullable = false
  let schema = declared
  for (;;) {
    if (fieldMeta(schema) !== undefined) {
      if (node.field === undefined) return undefined
      const operator = node.field.operator
      if (operator.kind === 'drop') return inArray ? NULL : undefined
      if (operator.kind === 'keep')
        return orNull(
          publicLeaf(declared, node.field.path),
          inArray && declared._zod.optout === 'optional',
        )
      return orNull(operatorLeaf(operator), nullable || mayBeNull(schema))
    }
    const def = schema._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType }
    if (def.type === 'nullable' || OPAQUE.has(def.type)) nullable = true
    if (def.type === 'optional' && inArray) nullable = true
    const inner =
      def.type === 'pipe'
        ? def.in
        : WRAPPERS.has(def.type) || def.type === 'catch'
          ? def.innerType
          : undefined
    if (inner === undefined) break
    schema = inner
  }
  if (schema instanceof z.ZodArray) {
    const element = node.children.get('[]')
    if (element === undefined) return undefined
    const items = describe(schema.element as z.ZodType, element, true) ?? NULL
    return orNull({ type: 'array', items }, nullable)
  }
  if (schema instanceof z.ZodObject) return orNull(objectSchema(schema, node), nullable)
  return undefined
}

function objectSchema(schema: z.ZodObject, node: Node): JsonSchema {
  const shape = schema.shape as Record<string, z.ZodType>
  const properties: Record<string, JsonSchema> = {}
  const required: string[] = []
  for (const [key, child] of node.children) {
    const declared = Object.hasOwn(shape, key) ? shape[key] : undefined
    if (declared === undefined) continue
    const described = describe(declared, child, false)
    if (described === undefined) continue
    properties[key] = described
    // As zod decides `required` for output: the parse output always holds the key, and every
    // operator but drop (left out above) returns a value for a value.
    if (declared._zod.optout === undefined && describesAlways(child)) required.push(key)
  }
  return {
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  }
}

/** An operator that does not describe its output may also return nothing: never required. */
function describesAlways(node: Node): boolean {
  const f = node.field
  return f === undefined || f.operator.kind === 'keep' || f.operator.outputSchema !== undefined
}

/** The schema of each granted leaf's released value, by path (for aggregate group keys). */
function leafSchemas(plan: ReleasePlan): Map<string, JsonSchema> {
  const out = new Map<string, JsonSchema>()
  for (const f of plan.dataset.fields) {
    if (!plan.fields.some((p) => p.path === f.path)) continue
    const described = describe(plan.dataset.schema, trieOf([f]), false) as JsonSchema | undefined
    let at: unknown = described
    for (const segment of f.segments) {
      const props = at as { properties?: Record<string, unknown>; anyOf?: unknown[] } | undefined
      const object = props?.properties ? props : (props?.anyOf?.[0] as typeof props)
      at = object?.properties?.[segment]
    }
    if (at !== undefined) out.set(f.path, at as JsonSchema)
  }
  return out
}

function aggregateSchema(plan: ReleasePlan): JsonSchema {
  const spec = plan.agreement.aggregate
  if (spec === undefined) return permissive('an aggregate agreement without its specification')
  const leaves = leafSchemas(plan)
  const properties: Record<string, JsonSchema> = {}
  for (const path of spec.by)
    properties[path] = { anyOf: [leaves.get(path) ?? permissive(`group value of ${path}`), NULL] }
  for (const [name, measure] of Object.entries(spec.measures))
    properties[name] =
      measure.op === 'count'
        ? { type: 'integer', description: 'count' }
        : { type: ['number', 'null'], description: `${measure.op} of ${measure.field}` }
  // Subtotal and total rows lack some or all group keys; every row has every measure.
  const totals = spec.totals ?? 'none'
  const required = [...(totals === 'none' ? spec.by : []), ...Object.keys(spec.measures)]
  return {
    type: 'object',
    properties,
    required: [...new Set(required)],
    additionalProperties: false,
  }
}

/**
 * The JSON Schema of one record `plan` releases: for a records plan, the released shape (only
 * the granted leaves, nested paths as nested objects, `additionalProperties: false`); for an
 * aggregate plan, one group row (group values by path, then the measures).
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { createGate, defineDataset, field, generalize, loadPolicy } from 'datagate'
 * import { planRecordSchema } from './contract-schema.js'
 *
 * const Person = defineDataset('person', z.object({ city: field.public(z.string()),
 *   age: field.desensitised(z.number(), generalize.range({ width: 10 })), name: field.sensitive(z.string()) }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'p', name: 'P', category: 'resource', standing: 'gold',
 *   core: true, agreements: [{ id: 'a', dataset: 'person', purpose: 'stats', fields: ['city', 'age'],
 *   validFrom: '2026-01-01', validUntil: '2099-12-31' }] }] }, { datasets: [Person] })
 * const gate = createGate({ issuer: 'oem', datasets: [Person], policy, audit: false })
 * const schema = planRecordSchema(gate.plan({ partner: 'p', dataset: 'person', purpose: 'stats' }))
 * console.log(Object.keys(schema.properties as object)) // [ 'city', 'age' ]
 * ```
 */
export function planRecordSchema(plan: ReleasePlan): JsonSchema {
  if (plan.kind === 'aggregate') return aggregateSchema(plan)
  const granted = new Set(plan.fields.map((f) => f.path))
  const fields = plan.dataset.fields.filter((f) => granted.has(f.path))
  return objectSchema(plan.dataset.schema, trieOf(fields))
}
