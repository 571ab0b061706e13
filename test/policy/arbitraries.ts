// Shared datasets, policy builders and fast-check arbitraries of the adversarial policy tests
// (casl-traps, plan-vs-casl, no-leak). Nothing here decides what a test expects from the code
// under test: the oracles below are written from DESIGN.md, not from src/.
import fc from 'fast-check'
import { z } from 'zod'
import { generalize } from '../../src/anonymize/generalize.js'
import { mask } from '../../src/anonymize/mask.js'
import { pseudonymize } from '../../src/anonymize/pseudonymize.js'
import { type Dataset, type DatasetField, defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import type { PartnerCategory, Standing } from '../../src/policy/types.js'

export const ISSUER = 'oem-aftersales'
export const NOW = new Date('2026-06-01T00:00:00Z')
export const PSEUDONYM_KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 151 + 7) & 0xff)

/** The DESIGN.md customer dataset: a `vehicle` object with desensitised, sensitive and public leaves. */
export const Customer = defineDataset(
  'customer',
  z.object({
    customerId: field.desensitised(z.string(), pseudonymize({ prefix: 'cus_' })),
    name: field.sensitive(z.string()),
    phone: field.desensitised(z.string(), mask.phone()),
    city: field.public(z.string()),
    age: field.desensitised(z.number().int(), generalize.range({ width: 10 })),
    vehicle: z.object({
      vin: field.desensitised(z.string(), mask.vin()),
      plate: field.sensitive(z.string()),
      model: field.public(z.string()),
    }),
  }),
  { version: '2026-11' },
)

/** One agreement as written in a policy document. */
export interface AgreementInput {
  readonly id: string
  readonly dataset: string
  readonly purpose: string
  readonly fields: readonly string[]
  readonly where?: Readonly<Record<string, unknown>>
  readonly validFrom?: string
  readonly validUntil?: string
}

/** One partner as written in a policy document. */
export interface PartnerInput {
  readonly id: string
  readonly core: boolean
  readonly standing?: Standing
  readonly category?: PartnerCategory
  readonly maxRecordsPerRelease?: number
  readonly agreements: readonly AgreementInput[]
}

/** A policy document object (the input of `loadPolicy`). */
export function policyDocument(partners: readonly PartnerInput[]): Record<string, unknown> {
  return {
    issuer: ISSUER,
    partners: partners.map((p) => ({
      id: p.id,
      name: `Partner ${p.id}`,
      category: p.category ?? 'capability',
      standing: p.standing ?? 'gold',
      core: p.core,
      ...(p.maxRecordsPerRelease === undefined
        ? {}
        : { maxRecordsPerRelease: p.maxRecordsPerRelease }),
      agreements: p.agreements.map((a) => ({
        id: a.id,
        dataset: a.dataset,
        purpose: a.purpose,
        fields: [...a.fields],
        ...(a.where === undefined ? {} : { where: a.where }),
        validFrom: a.validFrom ?? '2026-01-01',
        validUntil: a.validUntil ?? '2026-12-31',
      })),
    })),
  }
}

/** A one-partner, one-agreement document. */
export function singleAgreement(
  dataset: string,
  fields: readonly string[],
  options: {
    readonly core?: boolean
    readonly where?: Readonly<Record<string, unknown>>
    readonly purpose?: string
  } = {},
): Record<string, unknown> {
  return policyDocument([
    {
      id: 'partner-a',
      core: options.core ?? true,
      agreements: [
        {
          id: 'agreement-a',
          dataset,
          purpose: options.purpose ?? 'purpose-a',
          fields,
          ...(options.where === undefined ? {} : { where: options.where }),
        },
      ],
    },
  ])
}

/** Whether a partner may receive a field (DESIGN.md: public always, desensitised for core only). */
export function receivable(f: DatasetField, core: boolean): boolean {
  return f.class === 'public' || (f.class === 'desensitised' && core)
}

/** Leaves under a wildcard grant (`*`, `a.*`, `a[].*`), by the path rules of DESIGN.md. */
export function leavesUnder(dataset: Dataset, wildcard: string): DatasetField[] {
  if (wildcard === '*') return [...dataset.fields]
  const prefix = wildcard.slice(0, -2)
  return dataset.fields.filter(
    (f) => f.path.startsWith(`${prefix}.`) || f.path.startsWith(`${prefix}[]`),
  )
}

/** The oracle of a field grant: the explicit leaves a declared field list gives a partner. */
export function expectedGrant(
  dataset: Dataset,
  declared: readonly string[],
  core: boolean,
): string[] {
  const granted = new Set<string>()
  for (const entry of declared) {
    if (entry === '*' || entry.endsWith('.*')) {
      for (const f of leavesUnder(dataset, entry)) if (receivable(f, core)) granted.add(f.path)
    } else granted.add(entry)
  }
  return dataset.fields.map((f) => f.path).filter((p) => granted.has(p))
}

/**
 * Walks a released record: `leaves` holds the paths of scalar values (arrays as `[]`),
 * `nulls` the paths holding `null`, `containers` the paths of objects and arrays.
 */
export function releasedPaths(record: unknown): {
  readonly leaves: Set<string>
  readonly nulls: Set<string>
  readonly containers: Set<string>
} {
  const leaves = new Set<string>()
  const nulls = new Set<string>()
  const containers = new Set<string>()
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      containers.add(path)
      for (const element of value) walk(element, `${path}[]`)
    } else if (typeof value === 'object' && value !== null) {
      if (path !== '') containers.add(path)
      for (const key of Object.keys(value))
        walk((value as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`)
    } else if (value === null) nulls.add(path)
    else leaves.add(path)
  }
  walk(record, '')
  return { leaves, nulls, containers }
}

/** Whether `path` is a strict ancestor of some granted leaf. */
export function isAncestorOf(path: string, granted: readonly string[]): boolean {
  return granted.some((g) => g.startsWith(`${path}.`) || g.startsWith(`${path}[]`))
}

/** fast-check: a non-empty subset of `items`, in their order. */
export function nonEmptySubset<T>(items: readonly T[]): fc.Arbitrary<T[]> {
  return fc
    .array(fc.boolean(), { minLength: items.length, maxLength: items.length })
    .filter((flags) => flags.some(Boolean))
    .map((flags) => items.filter((_, i) => flags[i]))
}

/** A dataset with optional and nullable leaves, nested and array fields, for plan-vs-CASL checks. */
export const Sparse = defineDataset(
  'sparse',
  z.object({
    id: field.public(z.string()),
    city: field.public(z.string()).nullable().optional(),
    score: field.public(z.number()).optional(),
    active: field.public(z.boolean()).nullable(),
    tier: field.public(z.enum(['a', 'b', 'c'])).optional(),
    age: field
      .desensitised(z.number().int(), generalize.range({ width: 10 }))
      .nullable()
      .optional(),
    phone: field.desensitised(z.string(), mask.phone()).optional(),
    name: field.sensitive(z.string()),
    vehicle: z
      .object({
        model: field.public(z.string()).nullable().optional(),
        year: field.public(z.number().int()).optional(),
        vin: field.desensitised(z.string(), mask.vin()).nullable(),
        plate: field.sensitive(z.string()).optional(),
      })
      .nullable()
      .optional(),
    tags: z.array(field.public(z.string())),
    services: z
      .array(z.object({ code: field.public(z.string()), note: field.sensitive(z.string()) }))
      .optional(),
  }),
  { version: '1' },
)

type Kind = 'string' | 'number' | 'int' | 'boolean' | 'enum'

/** A single-valued leaf of {@link Sparse} that a `where` may name. */
export interface Slot {
  readonly path: string
  readonly kind: Kind
  readonly optional: boolean
  readonly nullable: boolean
}

/** Leaves of {@link Sparse} outside arrays, with how a record may hold them. */
export const SPARSE_SLOTS: readonly Slot[] = [
  { path: 'id', kind: 'string', optional: false, nullable: false },
  { path: 'city', kind: 'string', optional: true, nullable: true },
  { path: 'score', kind: 'number', optional: true, nullable: false },
  { path: 'active', kind: 'boolean', optional: false, nullable: true },
  { path: 'tier', kind: 'enum', optional: true, nullable: false },
  { path: 'age', kind: 'int', optional: true, nullable: true },
  { path: 'phone', kind: 'string', optional: true, nullable: false },
  { path: 'vehicle.model', kind: 'string', optional: true, nullable: true },
  { path: 'vehicle.year', kind: 'int', optional: true, nullable: false },
  { path: 'vehicle.vin', kind: 'string', optional: false, nullable: true },
]

const POOLS: Readonly<Record<Kind, readonly (string | number | boolean)[]>> = {
  string: ['', 'a', 'ab', 'b'],
  number: [-1.5, 0, 1, 2.5, 10],
  int: [-1, 0, 1, 10],
  boolean: [true, false],
  enum: ['a', 'b', 'c'],
}

/** A type-correct value of a slot (never null). */
export function slotValue(kind: Kind): fc.Arbitrary<string | number | boolean> {
  return fc.constantFrom(...POOLS[kind])
}

/** A type-correct comparison value of a slot, including `null` (and, for enums, a value outside it). */
export function slotOperand(kind: Kind): fc.Arbitrary<string | number | boolean | null> {
  const extra = kind === 'enum' ? ['d'] : []
  return fc.constantFrom<string | number | boolean | null>(...POOLS[kind], ...extra, null)
}

const ORDERING = ['$gt', '$gte', '$lt', '$lte'] as const
const EQUALITY = ['$eq', '$ne', '$in', '$nin', '$exists'] as const

/** A field condition over a slot: a plain value, or 0-3 allowed operators with type-correct operands. */
export function conditionArb(slot: Slot): fc.Arbitrary<unknown> {
  const ops: readonly string[] = slot.kind === 'boolean' ? EQUALITY : [...EQUALITY, ...ORDERING]
  const operand = (op: string): fc.Arbitrary<unknown> => {
    if (op === '$exists') return fc.boolean()
    if (op === '$in' || op === '$nin') return fc.array(slotOperand(slot.kind), { maxLength: 3 })
    if ((ORDERING as readonly string[]).includes(op)) return slotValue(slot.kind)
    return slotOperand(slot.kind)
  }
  const operators = fc
    .subarray([...ops], { maxLength: 3 })
    .chain((chosen) =>
      fc
        .tuple(...chosen.map(operand))
        .map((values) => Object.fromEntries(chosen.map((op, i) => [op, values[i]]))),
    )
  return fc.oneof(slotOperand(slot.kind), operators)
}

/** A `where` over the slots a partner may select rows by. */
export function whereArb(
  slots: readonly Slot[],
): fc.Arbitrary<Record<string, unknown> | undefined> {
  return fc.option(
    fc
      .subarray([...slots], { minLength: 1, maxLength: 3 })
      .chain((chosen) =>
        fc
          .tuple(...chosen.map(conditionArb))
          .map((conds) => Object.fromEntries(chosen.map((s, i) => [s.path, conds[i]]))),
      ),
    { nil: undefined },
  )
}

/** A value slot of a record: absent (when optional), null (when nullable) or a value. */
function member(
  value: fc.Arbitrary<unknown>,
  optional: boolean,
  nullable: boolean,
): fc.Arbitrary<{ readonly present: boolean; readonly value: unknown }> {
  const choices: fc.Arbitrary<{ present: boolean; value: unknown }>[] = [
    value.map((v) => ({ present: true, value: v })),
  ]
  if (optional) choices.push(fc.constant({ present: false, value: undefined }))
  if (nullable) choices.push(fc.constant({ present: true, value: null }))
  return fc.oneof(...choices)
}

function assemble(
  entries: readonly (readonly [string, { readonly present: boolean; readonly value: unknown }])[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, slot] of entries) if (slot.present) out[key] = slot.value
  return out
}

const slotOf = (path: string): Slot => {
  const slot = SPARSE_SLOTS.find((s) => s.path === path)
  if (!slot) throw new Error(`no slot ${path}`)
  return slot
}
const memberOf = (path: string) => {
  const s = slotOf(path)
  return member(slotValue(s.kind), s.optional, s.nullable)
}

/** A valid {@link Sparse} row with missing optionals, nulls and nested/array parts. */
export const sparseRowArb: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    id: memberOf('id'),
    city: memberOf('city'),
    score: memberOf('score'),
    active: memberOf('active'),
    tier: memberOf('tier'),
    age: memberOf('age'),
    phone: memberOf('phone'),
    name: member(fc.constant('Zhang San'), false, false),
    vehicle: member(
      fc
        .record({
          model: memberOf('vehicle.model'),
          year: memberOf('vehicle.year'),
          vin: memberOf('vehicle.vin'),
          plate: member(fc.constant('京A12345'), true, false),
        })
        .map((v) => assemble(Object.entries(v))),
      true,
      true,
    ),
    tags: member(fc.array(slotValue('string'), { maxLength: 2 }), false, false),
    services: member(
      fc.array(fc.record({ code: slotValue('string'), note: fc.constant('secret note') }), {
        maxLength: 2,
      }),
      true,
      false,
    ),
  })
  .map((r) => assemble(Object.entries(r)))

export { rejected, thrown } from '../errors.js'
