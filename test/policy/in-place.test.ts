// A plan whose reader returns fresh objects holding only the released leaves transforms that
// parse output in place and releases it (src/policy/plan.ts, compileInPlace) instead of copying
// it into a second object. What it releases must be what a copying projection releases: the
// oracle here is written apart from plan.ts, straight from the rule (each granted leaf that the
// parse output holds, through its operator, null kept, undefined members left out; objects
// and arrays on the way rebuilt). Plans the reuse does not apply to (a condition on a leaf not
// released, an object under .default() or .readonly(), a transform) must copy, and never write
// into anything but zod's own output.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { mask } from '../../src/anonymize/mask.js'
import { pseudonymize } from '../../src/anonymize/pseudonymize.js'
import { type Dataset, defineDataset, readsFreshObjects } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import { loadPolicy } from '../../src/policy/load.js'
import { compilePlan } from '../../src/policy/plan.js'
import { PSEUDONYM_KEY, singleAgreement } from './arbitraries.js'

const Orders = defineDataset(
  'orders',
  z.object({
    id: field.public(z.string()),
    note: field.public(z.string().optional()),
    phone: field.desensitised(z.string(), mask.phone()).optional(),
    name: field.sensitive(z.string()),
    customer: z
      .object({
        id: field.desensitised(z.string(), pseudonymize({ prefix: 'c_' })),
        level: field.public(z.string().nullable()),
        secret: field.sensitive(z.string().optional()),
      })
      .nullable()
      .optional(),
    lines: z.array(
      z.object({
        sku: field.public(z.string()),
        qty: field.public(z.number().optional()),
        cost: field.public(z.number()),
      }),
    ),
    flag: field.public(z.boolean()),
  }),
  { version: '1' },
)

type Transform = (value: unknown) => unknown

/** The copying projection, from the rule: the oracle. */
function oracle(dataset: Dataset, granted: readonly string[], record: unknown): unknown {
  const leaves = granted.map((path) => {
    const leaf = dataset.field(path)
    if (!leaf) throw new Error(`no leaf ${path}`)
    const bound = leaf.operator.bind({ partner: 'partner-a', path, pseudonymKey: PSEUDONYM_KEY })
    return { segments: leaf.segments, transform: bound as Transform }
  })
  const project = (value: unknown, depth: number, under: typeof leaves): unknown => {
    const leaf = under.find((l) => l.segments.length === depth)
    if (leaf) return value === null || value === undefined ? value : leaf.transform(value)
    if (under.some((l) => l.segments[depth] === '[]')) {
      if (!Array.isArray(value)) return value === null ? null : undefined
      return value.map((item) => project(item, depth + 1, under))
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return value === null ? null : undefined
    const out: Record<string, unknown> = {}
    const keys = [...new Set(under.map((l) => l.segments[depth] as string))]
    for (const key of keys) {
      if (!Object.hasOwn(value, key)) continue
      const below = under.filter((l) => l.segments[depth] === key)
      const projected = project((value as Record<string, unknown>)[key], depth + 1, below)
      if (projected !== undefined) out[key] = projected
    }
    return out
  }
  return project(record, 0, leaves)
}

function planOf(dataset: Dataset, fields: readonly string[], where?: Record<string, unknown>) {
  const policy = loadPolicy(singleAgreement(dataset.name, fields, where ? { where } : {}), {
    datasets: [dataset],
  })
  const partner = policy.partner('partner-a')
  const agreement = partner?.agreements[0]
  if (!partner || !agreement) throw new Error('the policy lost its agreement')
  return compilePlan(partner, agreement, dataset, { pseudonymKey: PSEUDONYM_KEY })
}

const text = fc.string({ unit: 'grapheme', maxLength: 8 })
/** A member that is there, absent, or there as undefined. */
const maybe = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof(arb, fc.constant(undefined), fc.constant('absent' as const))

function withMembers(members: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(members)) if (value !== 'absent') out[key] = value
  return out
}

const row = fc
  .record({
    id: text,
    note: maybe(text),
    phone: maybe(fc.stringMatching(/^1[3-9][0-9]{9}$/)),
    name: text,
    customer: fc.oneof(
      fc.constant(null),
      fc.constant('absent' as const),
      fc.constant(undefined),
      fc
        .record({
          id: text.filter((t) => t !== ''),
          level: fc.option(text, { nil: null }),
          secret: maybe(text),
        })
        .map(withMembers),
    ),
    lines: fc.array(
      fc.record({ sku: text, qty: maybe(fc.integer()), cost: fc.integer() }).map(withMembers),
      { maxLength: 3 },
    ),
    flag: fc.boolean(),
  })
  .map(withMembers)

const released = [
  'id',
  'note',
  'phone',
  'customer.id',
  'customer.level',
  'lines[].sku',
  'lines[].qty',
  'flag',
]

describe('in-place projection', () => {
  it('applies to a plan whose reader returns only released leaves', () => {
    expect(readsFreshObjects(Orders, released)).toBe(true)
  })

  it('releases what the copying projection releases: keys, order, undefined left out', () => {
    fc.assert(
      fc.property(row, (input) => {
        const plan = planOf(Orders, released, { flag: { $eq: true } })
        const expected = oracle(Orders, released, plan.read(input).record)
        const record = plan.read(input).record
        const out = plan.project(record)
        expect(out).toStrictEqual(expected)
        expect(JSON.stringify(out)).toBe(JSON.stringify(expected))
        expect(out).toBe(record)
        // Nothing of the input row was written to.
        expect(input).toStrictEqual(structuredClone(input))
      }),
      { numRuns: 400 },
    )
  })

  it('leaves members that are always there alone, and still drops an optional one given as undefined', () => {
    // Only kept leaves: `id`, `flag` and `lines[].cost` are never undefined (not visited at all),
    // `customer` is optional (deleted when given as undefined), `lines[].qty` optional.
    const kept = ['id', 'customer.level', 'lines[].cost', 'lines[].qty', 'flag']
    fc.assert(
      fc.property(row, (input) => {
        const plan = planOf(Orders, kept)
        const expected = oracle(Orders, kept, plan.read(input).record)
        const out = plan.project(plan.read(input).record)
        expect(out).toStrictEqual(expected)
        expect(Object.keys(out)).toEqual(Object.keys(expected as object))
      }),
      { numRuns: 300 },
    )
  })

  it('deletes an optional object of always-there leaves given as undefined', () => {
    const Shipments = defineDataset(
      'shipments',
      z.object({
        id: field.public(z.string()),
        dock: z.object({ code: field.public(z.string()) }).optional(),
        crate: z.object({ code: field.public(z.string()) }).nullable(),
      }),
      { version: '1' },
    )
    const fields = ['id', 'dock.code', 'crate.code']
    const plan = planOf(Shipments, fields)
    for (const input of [
      { id: 's', dock: undefined, crate: null },
      { id: 's', crate: { code: 'c' } },
      { id: 's', dock: { code: 'd' }, crate: { code: 'c' } },
    ]) {
      const out = plan.project(plan.read(input).record)
      expect(out).toStrictEqual(oracle(Shipments, fields, plan.read(input).record))
      expect('dock' in out).toBe(input.dock !== undefined)
    }
  })

  it('copies when a condition reads a leaf that is not released, which stays out', () => {
    const fields = ['id', 'customer.id']
    const plan = planOf(Orders, fields, { flag: { $eq: true } })
    const input = {
      id: 'o-1',
      name: 'n',
      customer: { id: 'C-1', level: null },
      lines: [],
      flag: true,
    }
    const record = plan.read(input).record
    const out = plan.project(record)
    expect(out).not.toBe(record)
    expect(out).toStrictEqual(oracle(Orders, fields, plan.read(input).record))
    expect(Object.keys(out)).toEqual(['id', 'customer'])
  })

  it('does not apply under .default(), .readonly(), .catch() or a transform', () => {
    const leaf = () => ({ a: field.public(z.string()), b: field.sensitive(z.string()) })
    const shared = { a: 'kept', b: 'never released' }
    const cases = {
      default: z.object(leaf()).default(shared),
      readonly: z.object(leaf()).readonly(),
      catch: z.object(leaf()).catch(shared),
      transform: z.object(leaf()).transform((o) => o),
    }
    for (const [name, inner] of Object.entries(cases)) {
      const dataset = defineDataset(
        `wrapped_${name}`,
        z.object({ id: field.public(z.string()), inner }),
        {
          version: '1',
        },
      )
      expect(readsFreshObjects(dataset, ['id', 'inner.a']), name).toBe(false)
      const plan = planOf(dataset, ['id', 'inner.a'])
      const input =
        name === 'default' || name === 'catch'
          ? { id: 'x' }
          : { id: 'x', inner: { a: 'A', b: 'B' } }
      const out = plan.project(plan.read(input).record)
      expect(out, name).toStrictEqual(oracle(dataset, ['id', 'inner.a'], plan.read(input).record))
      expect(JSON.stringify(out), name).not.toContain('B')
      expect(JSON.stringify(out), name).not.toContain('never released')
    }
    // The default object zod hands out as it is was not written to.
    expect(shared).toStrictEqual({ a: 'kept', b: 'never released' })
  })
})
