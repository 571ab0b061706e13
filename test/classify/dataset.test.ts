import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { generalize } from '../../src/anonymize/generalize.js'
import { keep } from '../../src/anonymize/keep.js'
import { mask } from '../../src/anonymize/mask.js'
import { pseudonymize } from '../../src/anonymize/pseudonymize.js'
import { defineDataset } from '../../src/classify/dataset.js'
import { field, fieldMeta } from '../../src/classify/field.js'
import { thrown } from '../errors.js'

function customer() {
  return defineDataset(
    'customer',
    z.object({
      customerId: field.desensitised(z.string(), pseudonymize()),
      name: field.sensitive(z.string(), { pii: 'name' }),
      phone: field.desensitised(z.string(), mask.phone()),
      city: field.public(z.string(), { quasiIdentifier: true }),
      age: field.desensitised(z.number().int(), generalize.range({ width: 10 })),
      nickname: field.public(z.string()).optional(),
      vehicle: z.object({
        vin: field.desensitised(z.string(), mask.vin()),
        model: field.public(z.string()),
      }),
      services: z.array(
        z.object({ code: field.public(z.string()), note: field.sensitive(z.string()) }),
      ),
      tags: z.array(field.public(z.string())),
    }),
    { version: '2026-11' },
  )
}

describe('defineDataset', () => {
  it('lists every leaf with its class, operator and tags, in schema order', () => {
    const ds = customer()
    expect(ds.fields.map((f) => [f.path, f.class, f.operator.name])).toEqual([
      ['customerId', 'desensitised', expect.stringMatching(/^pseudonymize/)],
      ['name', 'sensitive', 'drop'],
      ['phone', 'desensitised', 'mask.phone'],
      ['city', 'public', 'keep'],
      ['age', 'desensitised', expect.stringMatching(/^generalize\.range/)],
      ['nickname', 'public', 'keep'],
      ['vehicle.vin', 'desensitised', 'mask.vin'],
      ['vehicle.model', 'public', 'keep'],
      ['services[].code', 'public', 'keep'],
      ['services[].note', 'sensitive', 'drop'],
      ['tags[]', 'public', 'keep'],
    ])
    expect(ds.field('city')?.quasiIdentifier).toBe(true)
    expect(ds.field('name')?.pii).toBe('name')
    expect(ds.field('services[].code')?.segments).toEqual(['services', '[]', 'code'])
    expect(ds.field('nickname')?.type).toBe('string')
  })

  it('has a stable schema hash that changes with a class, an operator or the version', () => {
    const a = customer()
    const b = customer()
    expect(a.schemaHash).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(b.schemaHash).toBe(a.schemaHash)
    const shape = { city: field.public(z.string()) }
    const one = defineDataset('d', z.object(shape), { version: '1' })
    const two = defineDataset('d', z.object(shape), { version: '2' })
    const three = defineDataset('d', z.object({ city: field.sensitive(z.string()) }), {
      version: '1',
    })
    const four = defineDataset(
      'd',
      z.object({ city: field.desensitised(z.string(), mask.name()) }),
      { version: '1' },
    )
    expect(new Set([one.schemaHash, two.schemaHash, three.schemaHash, four.schemaHash]).size).toBe(
      4,
    )
  })

  it('refuses every unclassified leaf at once, naming each path', () => {
    const error = thrown(() =>
      defineDataset(
        'bad',
        z.object({
          ok: field.public(z.string()),
          loose: z.string(),
          nested: z.object({ deeper: z.number() }),
          list: z.array(z.object({ item: z.boolean() })),
          either: z.union([z.string(), z.number()]),
        }),
        { version: '1' },
      ),
    )
    expect(error.code).toBe('ERR_SCHEMA_INVALID')
    expect(error.findings.map((f) => [f.code, f.path])).toEqual([
      ['unclassified_field', 'loose'],
      ['unclassified_field', 'nested.deeper'],
      ['unclassified_field', 'list[].item'],
      ['unclassified_field', 'either'],
    ])
  })

  it('refuses a desensitised field that keeps the raw value, and one without an operator', () => {
    const error = thrown(() =>
      defineDataset('d', z.object({ phone: field.desensitised(z.string(), keep()) }), {
        version: '1',
      }),
    )
    expect(error.findings[0]).toMatchObject({
      code: 'desensitised_without_transform',
      path: 'phone',
    })
    const missing = thrown(() =>
      field.desensitised(z.string(), undefined as unknown as ReturnType<typeof keep>),
    )
    expect(missing.code).toBe('ERR_SCHEMA_INVALID')
  })

  it('refuses loose objects that would forward unknown keys', () => {
    const error = thrown(() =>
      defineDataset('d', z.looseObject({ a: field.public(z.string()) }), { version: '1' }),
    )
    expect(error.findings[0]).toMatchObject({ code: 'loose_object', path: '(root)' })
    const nested = thrown(() =>
      defineDataset(
        'd',
        z.object({ inner: z.object({ a: field.public(z.string()) }).catchall(z.string()) }),
        { version: '1' },
      ),
    )
    expect(nested.findings[0]).toMatchObject({ code: 'loose_object', path: 'inner' })
  })

  it('refuses keys that a field path cannot address', () => {
    const error = thrown(() =>
      defineDataset('d', z.object({ 'a.b': field.public(z.string()) }), { version: '1' }),
    )
    expect(error.findings[0]).toMatchObject({ code: 'invalid_key' })
  })

  it('checks its arguments', () => {
    expect(thrown(() => defineDataset('', z.object({}), { version: '1' })).code).toBe(
      'ERR_INVALID_ARGUMENT',
    )
    expect(thrown(() => defineDataset('has space', z.object({}), { version: '1' })).code).toBe(
      'ERR_INVALID_ARGUMENT',
    )
    expect(
      thrown(() => defineDataset('d', z.string() as unknown as z.ZodObject, { version: '1' })).code,
    ).toBe('ERR_SCHEMA_INVALID')
    expect(thrown(() => defineDataset('d', z.object({}), {} as { version: string })).code).toBe(
      'ERR_INVALID_ARGUMENT',
    )
  })

  it('classifies a clone, so one schema object can carry two classes', () => {
    const shared = z.string()
    const a = field.public(shared)
    const b = field.sensitive(shared)
    expect(fieldMeta(a)?.class).toBe('public')
    expect(fieldMeta(b)?.class).toBe('sensitive')
    expect(fieldMeta(shared)).toBeUndefined()
  })
})

describe('Dataset.parse', () => {
  const valid = {
    customerId: 'C-1',
    name: 'Zhang San',
    phone: '13812345678',
    city: 'Hangzhou',
    age: 34,
    vehicle: { vin: '1M8GDM9AXKP042788', model: 'ET5' },
    services: [{ code: 'BAT', note: 'private' }],
    tags: ['a'],
  }

  it('drops and counts unknown keys at any depth, never passing them through', () => {
    const ds = customer()
    const { record, unknownKeys } = ds.parse({
      ...valid,
      secret: 'x',
      vehicle: { ...valid.vehicle, owner: 'y' },
      services: [
        { code: 'BAT', note: 'n', extra: 1 },
        { code: 'TYRE', note: 'n', extra: 2 },
      ],
    })
    expect(unknownKeys).toBe(4)
    expect(record).not.toHaveProperty('secret')
    expect(record.vehicle).not.toHaveProperty('owner')
    expect(record.services[0]).not.toHaveProperty('extra')
  })

  it('counts a JSON __proto__ key as unknown and does not let it through', () => {
    const ds = customer()
    const input = JSON.parse(`{"__proto__":{"polluted":true},${JSON.stringify(valid).slice(1)}`)
    const { record, unknownKeys } = ds.parse(input)
    expect(unknownKeys).toBe(1)
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('names the paths of invalid values without quoting them', () => {
    const ds = customer()
    const error = thrown(() =>
      ds.parse({ ...valid, age: 'SECRET-AGE-VALUE', vehicle: { vin: 12345678, model: 'ET5' } }),
    )
    expect(error.code).toBe('ERR_RECORD_INVALID')
    expect(error.findings.map((f) => f.path)).toEqual(['age', 'vehicle.vin'])
    expect(error.message).not.toContain('SECRET-AGE-VALUE')
    expect(error.message).not.toContain('12345678')
    expect(JSON.stringify(error.findings)).not.toContain('SECRET')
  })

  it('does not quote values even when a refinement message would', () => {
    const ds = defineDataset(
      'r',
      z.object({
        code: field.public(
          z
            .string()
            .refine((v) => v.startsWith('A'), { error: (issue) => `bad ${String(issue.input)}` }),
        ),
      }),
      { version: '1' },
    )
    const error = thrown(() => ds.parse({ code: 'LEAKED-CODE' }))
    expect(error.message).not.toContain('LEAKED-CODE')
    expect(error.findings[0]?.path).toBe('code')
  })

  it('refuses input that is not an object', () => {
    const ds = customer()
    for (const input of [null, 42, 'text', [valid]]) {
      expect(thrown(() => ds.parse(input)).code).toBe('ERR_RECORD_INVALID')
    }
  })
})
