// What a release plan validates of a row (compileReader): the leaves it reads, with their own
// schemas and parse output, and nothing else.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { mask } from '../../src/anonymize/mask.js'
import { compileReader, defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import { thrown } from '../errors.js'

const Order = defineDataset(
  'order',
  z.strictObject({
    id: field.public(z.string().trim()),
    hours: field.public(z.number().default(1)),
    phone: field.desensitised(z.string(), mask.phone()),
    name: field.sensitive(z.string()),
    meta: field.public(z.object({ source: z.string() })),
    vehicle: z
      .object({ model: field.public(z.string()), plate: field.sensitive(z.string()) })
      .optional(),
    items: z
      .array(z.object({ code: field.public(z.string()), note: field.sensitive(z.string()) }))
      .min(1)
      .optional(),
  }),
  { version: '1' },
)

describe('compileReader', () => {
  it('returns the parse output of the leaves it reads: transforms, defaults, no unknown nested keys', () => {
    const read = compileReader(Order, ['id', 'hours', 'meta', 'vehicle.model'])
    const { record, unknownKeys } = read({
      id: '  R-1 ',
      meta: { source: 'dms', extra: 'x' },
      vehicle: { model: 'ET5', plate: 'secret', more: 1 },
      phone: 'not read',
      added: 'a new column',
    })
    expect(record).toEqual({
      id: 'R-1',
      hours: 1,
      meta: { source: 'dms' },
      vehicle: { model: 'ET5' },
    })
    expect(unknownKeys).toBe(1)
  })

  it('never touches leaves it does not read, sensitive ones included', () => {
    const read = compileReader(Order, ['id'])
    let touched = 0
    const row: Record<string, unknown> = { id: 'R-1', hours: 'not a number' }
    Object.defineProperty(row, 'name', {
      enumerable: true,
      get() {
        touched++
        return 'Zhang San'
      },
    })
    expect(read(row).record).toEqual({ id: 'R-1' })
    expect(touched).toBe(0)
  })

  it('validates what it reads, arrays with their own checks, and names schema paths', () => {
    const read = compileReader(Order, ['id', 'items[].code'])
    expect(read({ id: 'R-1', items: [{ code: 'A' }] }).record).toEqual({
      id: 'R-1',
      items: [{ code: 'A' }],
    })
    const bad = thrown(() => read({ id: 'R-1', items: [{ code: 7 }] }))
    expect(bad.code).toBe('ERR_RECORD_INVALID')
    expect(bad.findings.map((f) => f.path)).toEqual(['items[0].code'])
    const empty = thrown(() => read({ id: 'R-1', items: [] }))
    expect(empty.findings.map((f) => f.path)).toEqual(['items'])
    expect(thrown(() => read({})).findings.map((f) => f.path)).toEqual(['id'])
  })

  it('refuses rows that are not plain objects', () => {
    const read = compileReader(Order, ['id'])
    class Row {
      id = 'R-1'
    }
    for (const row of [null, 'R-1', ['R-1'], new Row(), new Date(0)])
      expect(thrown(() => read(row)).code).toBe('ERR_RECORD_INVALID')
    expect(read(Object.assign(Object.create(null), { id: 'R-1' })).record).toEqual({ id: 'R-1' })
  })

  it('turns a throwing getter or Proxy trap on a read leaf into `unreadable`, without its message', () => {
    const read = compileReader(Order, ['id'])
    const row = new Proxy(
      { id: 'R-1' },
      {
        ownKeys: () => {
          throw new Error('CANARY')
        },
      },
    )
    const error = thrown(() => read(row))
    expect(error.findings.map((f) => f.code)).toEqual(['unreadable'])
    expect(JSON.stringify([error.message, error.findings, String(error.cause)])).not.toContain(
      'CANARY',
    )
  })

  it('counts unknown top-level keys again when the key order changes', () => {
    const read = compileReader(Order, ['id'])
    expect(read({ id: 'a', x: 1 }).unknownKeys).toBe(1)
    expect(read({ id: 'a', x: 1 }).unknownKeys).toBe(1)
    expect(read({ x: 1, id: 'a', y: 2 }).unknownKeys).toBe(2)
    expect(read({ id: 'a' }).unknownKeys).toBe(0)
  })
})

describe('defineDataset and object-level refinements', () => {
  it('refuses .refine on an object, which a release reading single leaves would skip', () => {
    const error = thrown(() =>
      defineDataset(
        'refined',
        z.object({
          a: field.public(z.number()),
          nested: z.object({ b: field.public(z.number()) }).refine((v) => v.b > 0),
        }),
        { version: '1' },
      ),
    )
    expect(error.code).toBe('ERR_SCHEMA_INVALID')
    expect(error.findings.map((f) => [f.code, f.path])).toEqual([['object_refinement', 'nested']])
  })
})
