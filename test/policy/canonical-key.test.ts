// plan.canonicalKey writes a delta's record keys with JSON.stringify over a projection compiled
// with sorted keys. It must give exactly canonicalJson(plan.project(record)) for every record,
// also where the native path does not apply (values that are objects, arrays or Dates, field
// names that are array indices) and where the generic path takes over. The oracle is
// canonicalJson itself, on the records the plan's ordinary projection releases.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { generalize } from '../../src/anonymize/generalize.js'
import { mask } from '../../src/anonymize/mask.js'
import { pseudonymize } from '../../src/anonymize/pseudonymize.js'
import { type Dataset, defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import { canonicalJson } from '../../src/lib/canonical-json.js'
import { loadPolicy } from '../../src/policy/load.js'
import { compilePlan } from '../../src/policy/plan.js'
import { PSEUDONYM_KEY, singleAgreement } from './arbitraries.js'

const Mixed = defineDataset(
  'mixed',
  z.object({
    zeta: field.public(z.string()),
    alpha: field.public(z.number()),
    Beta: field.public(z.boolean().optional()),
    é: field.public(z.string().nullable()),
    phone: field.desensitised(z.string(), mask.phone()),
    id: field.desensitised(z.string(), pseudonymize({ prefix: 'p_' })),
    age: field.desensitised(z.number().int(), generalize.range({ width: 10 })),
    seen: field.public(z.date()),
    tags: field.public(z.array(z.string())),
    meta: field.public(z.object({ b: z.string(), a: z.number() })),
    nested: z.object({
      y: field.public(z.string()),
      x: field.public(z.number().optional()),
      inner: z.object({ b: field.public(z.string()), a: field.public(z.string()) }),
    }),
    items: z.array(z.object({ qty: field.public(z.number()), name: field.public(z.string()) })),
  }),
  { version: '1' },
)

const Indexed = defineDataset(
  'indexed',
  z.object({
    '10': field.public(z.string()),
    '9': field.public(z.string()),
    name: field.public(z.string()),
  }),
  { version: '1' },
)

function planOf(dataset: Dataset, fields: readonly string[]) {
  const policy = loadPolicy(singleAgreement(dataset.name, fields), { datasets: [dataset] })
  const partner = policy.partner('partner-a')
  const agreement = partner?.agreements[0]
  if (!partner || !agreement) throw new Error('the policy lost its agreement')
  return compilePlan(partner, agreement, dataset, { pseudonymKey: PSEUDONYM_KEY })
}

const text = fc.string({ unit: 'grapheme', maxLength: 12 })
const mixedRow = fc.record(
  {
    zeta: text,
    alpha: fc.double({ noNaN: true, noDefaultInfinity: true }),
    Beta: fc.boolean(),
    é: fc.option(text, { nil: null }),
    phone: fc.stringMatching(/^1[3-9][0-9]{9}$/),
    id: text,
    age: fc.integer({ min: 0, max: 120 }),
    seen: fc.date({ noInvalidDate: true }),
    tags: fc.array(text, { maxLength: 3 }),
    meta: fc.record({ b: text, a: fc.integer() }),
    nested: fc.record(
      {
        y: text,
        x: fc.integer(),
        inner: fc.record({ b: text, a: text }),
      },
      { requiredKeys: ['y', 'inner'] },
    ),
    items: fc.array(fc.record({ qty: fc.integer(), name: text }), { maxLength: 3 }),
  },
  {
    requiredKeys: [
      'zeta',
      'alpha',
      'é',
      'phone',
      'id',
      'age',
      'seen',
      'tags',
      'meta',
      'nested',
      'items',
    ],
  },
)

function expectCanonical(dataset: Dataset, fields: readonly string[], row: unknown): void {
  const plan = planOf(dataset, fields)
  const { record } = plan.read(row)
  expect(plan.canonicalKey(record)).toBe(canonicalJson(plan.project(record)))
}

describe('plan.canonicalKey', () => {
  const plain = ['zeta', 'alpha', 'Beta', 'é', 'phone', 'id', 'age', 'nested.y', 'nested.x']
  const all = Mixed.fields.map((f) => f.path)

  it('equals canonicalJson of the released record, on leaves of plain values (native path)', () => {
    fc.assert(
      fc.property(mixedRow, (row) => expectCanonical(Mixed, plain, row)),
      { numRuns: 300 },
    )
  })

  it('equals canonicalJson with Dates, arrays, objects made by a leaf schema, arrays of objects', () => {
    fc.assert(
      fc.property(mixedRow, (row) => expectCanonical(Mixed, all, row)),
      { numRuns: 300 },
    )
  })

  it('sorts nested keys as canonicalJson does', () => {
    const plan = planOf(Mixed, ['nested.inner.b', 'nested.inner.a', 'zeta', 'alpha'])
    const { record } = plan.read({
      zeta: 'z',
      alpha: 1,
      é: null,
      phone: '13812345678',
      id: 'i',
      age: 3,
      seen: new Date(0),
      tags: [],
      nested: { y: 'y', inner: { b: 'B', a: 'A' } },
      items: [],
    })
    expect(plan.canonicalKey(record)).toBe(
      '{"alpha":1,"nested":{"inner":{"a":"A","b":"B"}},"zeta":"z"}',
    )
  })

  it('equals canonicalJson where field names are array indices', () => {
    fc.assert(
      fc.property(fc.record({ '10': text, '9': text, name: text }), (row) =>
        expectCanonical(Indexed, ['10', '9', 'name'], row),
      ),
      { numRuns: 100 },
    )
  })
})
