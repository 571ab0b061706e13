/**
 * Field classification: every leaf of a dataset schema is public, desensitised or sensitive.
 *
 * Classes live in a zod v4 registry keyed by schema instance. Each `field.*` call clones the
 * schema first, so one schema object reused in two places can carry two different classes.
 *
 * @packageDocumentation
 */
import { z } from 'zod'
import { drop } from '../anonymize/drop.js'
import { keep } from '../anonymize/keep.js'
import type { Operator } from '../anonymize/operator.js'
import { DatagateError } from '../errors.js'
import { assertOneOf, invalidArgument } from '../lib/assert.js'
import { isZod3Schema, ZOD3_HINT } from '../lib/zod-version.js'
import {
  checkGuardrailTags,
  type ImportantDataKind,
  type PrecisionCap,
  type SensitivePIKind,
} from './guardrail-tags.js'
import type { FieldClass, FieldOptions, PiiKind } from './types.js'

/** What the registry holds for a classified schema. */
export interface FieldMeta {
  readonly class: FieldClass
  /** The operator applied on release: `keep()` for public, `drop()` for sensitive. */
  readonly operator: Operator
  readonly quasiIdentifier: boolean
  readonly pii: PiiKind | undefined
  readonly important?: ImportantDataKind
  readonly sensitivePI?: SensitivePIKind
  readonly maxPrecision?: PrecisionCap
}

/** The registry behind `field.*`. Read-only for users: classify through `field`. */
export const fieldRegistry: z.core.$ZodRegistry<FieldMeta> = z.registry<FieldMeta>()

declare const classifiedBrand: unique symbol

/**
 * A zod schema carrying its field class in its type: `Released` types use it to drop
 * sensitive fields and to give desensitised fields their operator's output type.
 * The brand exists only in the type system.
 */
export type Classified<S extends z.ZodType, C extends FieldClass, Out> = S & {
  readonly [classifiedBrand]: { readonly class: C; readonly released: Out }
}

const PII_KINDS: readonly PiiKind[] = [
  'name',
  'resident_id',
  'mobile',
  'phone',
  'email',
  'bank_card',
  'licence_plate',
  'vin',
  'passport',
  'social_credit_code',
  'ip_address',
  'address',
  'birth_date',
  'other',
]

function classify<S extends z.ZodType>(
  schema: S,
  fieldClass: FieldClass,
  operator: Operator,
  options: FieldOptions | undefined,
): S {
  if (!(schema instanceof z.ZodType)) {
    if (isZod3Schema(schema))
      invalidArgument(
        'type',
        `field.${fieldClass}`,
        `a zod 4 schema as first argument; ${ZOD3_HINT}`,
      )
    invalidArgument('type', `field.${fieldClass}`, 'a zod schema as first argument')
  }
  const pii = options?.pii
  if (pii !== undefined) assertOneOf(pii, `field.${fieldClass}: pii`, PII_KINDS)
  if (options !== undefined) checkGuardrailTags(options, `field.${fieldClass}`)
  const inner = strictestClassInside(schema)
  if (inner !== undefined && STRICTNESS[inner] > STRICTNESS[fieldClass]) {
    throw new DatagateError(
      'ERR_SCHEMA_INVALID',
      `field.${fieldClass}: the schema holds a field classified ${inner}; a class on the whole cannot be laxer than a class inside it (classify each leaf instead)`,
    )
  }
  const own = schema.clone() as S
  const meta: FieldMeta = {
    class: fieldClass,
    operator,
    quasiIdentifier: options?.quasiIdentifier === true,
    pii,
    ...(options?.important === undefined ? {} : { important: options.important }),
    ...(options?.sensitivePI === undefined ? {} : { sensitivePI: options.sensitivePI }),
    ...(options?.maxPrecision === undefined
      ? {}
      : { maxPrecision: Object.freeze({ ...options.maxPrecision }) }),
  }
  // zod's registry types rewrite metadata types (for `$output` markers); ours has none.
  fieldRegistry.add(own, meta as Parameters<typeof fieldRegistry.add>[1])
  return own
}

const STRICTNESS: Readonly<Record<FieldClass, number>> = {
  public: 0,
  desensitised: 1,
  sensitive: 2,
}

// The dataset walk stops at the first classified schema and applies its class to everything
// below, so a class inside would be silently overridden: `field.public(z.object({ name:
// field.sensitive(z.string()) }))` released the name as public, and so did reusing a sensitive
// schema as `field.public(Name.optional())`. Every schema reachable through the definition
// (wrappers, pipes, object shapes, elements, members, record and map values, lazy targets) is
// looked at.
function strictestClassInside(root: z.ZodType): FieldClass | undefined {
  let strictest: FieldClass | undefined
  const seen = new Set<unknown>()
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const schema = stack.pop()
    if (!(schema instanceof z.ZodType) || seen.has(schema)) continue
    seen.add(schema)
    const meta = fieldMeta(schema)
    if (meta && (strictest === undefined || STRICTNESS[meta.class] > STRICTNESS[strictest]))
      strictest = meta.class
    const def = schema._zod.def as { type: string; getter?: () => unknown }
    if (def.type === 'lazy' && typeof def.getter === 'function') {
      // A recursive definition may not be resolvable yet (a const still in its temporal dead
      // zone); then nothing inside can be judged now, and the lazy stays as the outer class says.
      try {
        stack.push(def.getter())
      } catch {
        // unresolvable for now
      }
    }
    for (const [key, value] of Object.entries(def)) {
      if (value instanceof z.ZodType) stack.push(value)
      else if (Array.isArray(value)) stack.push(...value)
      else if (key === 'shape' && typeof value === 'object' && value !== null)
        stack.push(...Object.values(value))
    }
  }
  return strictest
}

function isOperator(value: unknown): value is Operator {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as Partial<Operator>
  return (
    typeof candidate.kind === 'string' &&
    typeof candidate.name === 'string' &&
    typeof candidate.bind === 'function'
  )
}

/**
 * Classifies dataset fields. Wrap every leaf of a dataset schema in one of these;
 * {@link defineDataset} refuses a schema with an unclassified leaf.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { defineDataset, field } from 'datagate/classify'
 * import { mask } from 'datagate/anonymize'
 *
 * const Outlet = defineDataset('outlet', z.object({
 *   outletId: field.public(z.string()),
 *   managerName: field.sensitive(z.string(), { pii: 'name' }),
 *   managerPhone: field.desensitised(z.string(), mask.phone(), { pii: 'mobile' }),
 * }), { version: '2026-11' })
 * console.log(Outlet.fields.map((f) => `${f.path}:${f.class}`).join(' '))
 * ```
 */
export const field = {
  /** Released as is to any partner with an agreement that names it. */
  public<S extends z.ZodType>(
    schema: S,
    options?: FieldOptions,
  ): Classified<S, 'public', z.output<S>> {
    return classify(schema, 'public', keep(), options) as Classified<S, 'public', z.output<S>>
  },

  /**
   * Released only to core partners, and only through `operator` (mask, pseudonymize,
   * generalize, noise, replace, truncate). `keep()` is refused when the dataset is defined.
   */
  desensitised<S extends z.ZodType, Out>(
    schema: S,
    operator: Operator<z.output<S>, Out>,
    options?: FieldOptions,
  ): Classified<S, 'desensitised', Out> {
    if (!isOperator(operator)) {
      throw new DatagateError(
        'ERR_SCHEMA_INVALID',
        'field.desensitised: an operator is required (mask, pseudonymize, generalize, ...)',
      )
    }
    return classify(schema, 'desensitised', operator as Operator, options) as Classified<
      S,
      'desensitised',
      Out
    >
  },

  /** Never leaves: no policy can grant it, every release drops it. */
  sensitive<S extends z.ZodType>(
    schema: S,
    options?: FieldOptions,
  ): Classified<S, 'sensitive', never> {
    return classify(schema, 'sensitive', drop(), options) as Classified<S, 'sensitive', never>
  },
} as const

/**
 * The class and operator of a schema, or `undefined` when it is not classified.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { field, fieldMeta } from 'datagate/classify'
 * import { mask } from 'datagate/anonymize'
 *
 * const phone = field.desensitised(z.string(), mask.phone())
 * console.log(fieldMeta(phone)?.class, fieldMeta(phone)?.operator.name, fieldMeta(z.string())) // 'desensitised' 'mask.phone' undefined
 * ```
 */
export function fieldMeta(schema: z.ZodType): FieldMeta | undefined {
  return fieldRegistry.get(schema) as FieldMeta | undefined
}

// `never` stays `never`: an optional sensitive field must vanish, not become `undefined`.
type WithNever<T, Extra> = [T] extends [never] ? never : T | Extra

type BrandOf<S> = S extends { readonly [classifiedBrand]: infer B } ? B : undefined

/**
 * The type a schema node has once released: sensitive fields vanish, desensitised fields take
 * their operator's output type, public fields keep theirs; every key is optional because an
 * agreement may grant only some fields.
 */
export type ReleasedOf<S> =
  BrandOf<S> extends { readonly class: 'sensitive' }
    ? never
    : BrandOf<S> extends { readonly released: infer R }
      ? R
      : S extends z.ZodOptional<infer I extends z.ZodType>
        ? WithNever<ReleasedOf<I>, undefined>
        : S extends z.ZodNullable<infer I extends z.ZodType>
          ? WithNever<ReleasedOf<I>, null>
          : S extends z.ZodDefault<infer I extends z.ZodType>
            ? ReleasedOf<I>
            : S extends z.ZodReadonly<infer I extends z.ZodType>
              ? ReleasedOf<I>
              : S extends z.ZodObject<infer Shape>
                ? ReleasedShape<Shape>
                : S extends z.ZodArray<infer E extends z.ZodType>
                  ? ReleasedOf<E>[]
                  : never

/** {@link ReleasedOf} over the keys of an object shape. */
export type ReleasedShape<Shape> = {
  -readonly [K in keyof Shape as [ReleasedOf<Shape[K]>] extends [never] ? never : K]?: ReleasedOf<
    Shape[K]
  >
}
