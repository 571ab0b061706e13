// planRecordSchema against real releases: what gate.release emits validates (Ajv), for shapes a
// simple walk gets wrong (nullable and optional objects, arrays, aggregates), and operators or
// leaves that cannot be described give a permissive schema that says so.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { Operator } from '../../src/anonymize/operator.js'
import { memoryBudgetStore } from '../../src/export/budget.js'
import { createGate } from '../../src/export/gate.js'
import { defineDataset, field, generalize, loadPolicy, mask } from '../../src/index.js'
import { planRecordSchema } from '../../src/policy/contract-schema.js'
import { ajv } from '../ajv.js'

const reverse: Operator<string, string> = Object.freeze({
  kind: 'replace',
  name: 'reverse',
  bind: () => (value: string) => [...value].reverse().join(''),
})

const Visit = defineDataset(
  'visit',
  z.object({
    id: field.public(z.string()),
    seenAt: field.public(z.date()),
    code: field.desensitised(z.string(), reverse),
    owner: field.sensitive(z.string()),
    address: z
      .object({
        city: field.public(z.string()),
        zip: field.desensitised(z.string(), generalize.prefix(3)),
      })
      .nullable(),
    garage: z.object({ name: field.public(z.string()) }).optional(),
    tags: z.array(field.public(z.string())),
    parts: z.array(
      z.object({
        sku: field.public(z.string()),
        serial: field.desensitised(z.string(), mask.vin()),
      }),
    ),
    hours: field.public(z.number()),
  }),
  { version: '1' },
)
const grant = (id: string, fields: string[], extra: object = {}) => ({
  id,
  dataset: 'visit',
  purpose: id,
  fields,
  validFrom: '2026-01-01',
  validUntil: '2099-12-31',
  ...extra,
})
const policy = loadPolicy(
  {
    issuer: 'oem',
    partners: [
      {
        id: 'p',
        name: 'P',
        category: 'resource',
        standing: 'gold',
        core: true,
        agreements: [
          grant('records', [
            'id',
            'seenAt',
            'code',
            'address.city',
            'address.zip',
            'garage.name',
            'tags[]',
            'parts[].serial',
          ]),
          grant('stats', ['address.city', 'hours'], {
            k: 2,
            aggregate: {
              by: ['address.city'],
              measures: { n: { op: 'count' }, h: { op: 'avg', field: 'hours' } },
              totals: 'overall',
              once: true,
            },
          }),
        ],
      },
    ],
  },
  { datasets: [Visit] },
)
const gate = createGate({
  issuer: 'oem',
  datasets: [Visit],
  policy,
  audit: false,
  budget: memoryBudgetStore(),
})
const rows = Array.from({ length: 12 }, (_, i) => ({
  id: `V-${i}`,
  seenAt: new Date(Date.UTC(2026, 0, i + 1)),
  code: `code-${i}`,
  owner: 'Owner',
  address: i % 4 === 0 ? null : { city: i % 2 ? 'Kiel' : 'Ulm', zip: `2410${i}` },
  ...(i % 3 === 0 ? {} : { garage: { name: `G${i}` } }),
  tags: Array.from({ length: i % 3 }, (_, j) => `t${j}`),
  parts: Array.from({ length: i % 2 }, () => ({ sku: 'S', serial: 'LSVAU2180N2183294' })),
  hours: i,
}))

describe('planRecordSchema', () => {
  it('validates every released record, JSON round-tripped as a partner receives it', async () => {
    const plan = gate.plan({ partner: 'p', dataset: 'visit', purpose: 'records' })
    const schema = planRecordSchema(plan)
    const validate = ajv().compile(schema)
    const { records } = await gate.release(rows, {
      partner: 'p',
      dataset: 'visit',
      purpose: 'records',
    })
    for (const record of JSON.parse(JSON.stringify(records)))
      if (!validate(record)) throw new Error(JSON.stringify(validate.errors))
    expect(JSON.stringify(schema)).not.toMatch(/owner|sku|hours/)
    expect(
      validate({ id: 'V', tags: [], parts: [], address: null, code: 'x', seenAt: 'x', sku: 'S' }),
    ).toBe(false)
  })

  it('says so where it cannot describe: an operator without outputSchema, a Date leaf', () => {
    const schema = planRecordSchema(
      gate.plan({ partner: 'p', dataset: 'visit', purpose: 'records' }),
    )
    const properties = schema.properties as Record<string, { description?: string }>
    expect(properties.code).toEqual({
      description: 'any value: reverse does not describe its output',
    })
    expect(properties.seenAt?.description).toMatch(
      /^any value: zod cannot describe the output of seenAt/,
    )
    // An operator that does not describe its output may return nothing: code is not required.
    // A nullable object admits null.
    expect(schema.required).toEqual(['id', 'seenAt', 'address', 'tags', 'parts'])
    expect((properties.address as { anyOf?: unknown[] }).anyOf?.[1]).toEqual({ type: 'null' })
  })

  it('describes aggregate rows as the release emits them, totals included', async () => {
    const schema = planRecordSchema(gate.plan({ partner: 'p', dataset: 'visit', purpose: 'stats' }))
    const validate = ajv().compile(schema)
    const { records } = await gate.release(rows, {
      partner: 'p',
      dataset: 'visit',
      purpose: 'stats',
    })
    expect(records.length).toBeGreaterThan(1)
    for (const record of JSON.parse(JSON.stringify(records)))
      if (!validate(record)) throw new Error(JSON.stringify(validate.errors))
    expect(schema.required).toEqual(['n', 'h'])
    expect(validate({ n: 1.5, h: null })).toBe(false)
  })
})
