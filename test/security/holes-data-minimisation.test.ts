// Threat to minimisation: rows had to carry sensitive fields just to satisfy the schema, so a
// backend SELECTed names and ID numbers that never leave. Sensitive leaves are optional at parse;
// present sensitive values are still validated and dropped.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { mask } from '../../src/anonymize/mask.js'
import { defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import { isDatagateError } from '../../src/errors.js'
import { orderGate, orderRow, request } from './helpers.js'

const Driver = defineDataset(
  'driver',
  z.strictObject({
    id: field.public(z.string()),
    name: field.sensitive(z.string()),
    idNumber: field.sensitive(z.string()).nullable(),
    phone: field.desensitised(z.string(), mask.phone()),
    licence: z.strictObject({
      number: field.sensitive(z.string()),
      photo: field.sensitive(z.string()),
    }),
    trips: z
      .array(z.object({ km: field.public(z.number()), passenger: field.sensitive(z.string()) }))
      .min(1),
  }),
  { version: '1' },
)

describe('data minimisation', () => {
  it('a row without any sensitive field parses; non-sensitive fields stay required', () => {
    const { record } = Driver.parse({ id: 'D-1', phone: '13812345678', trips: [{ km: 3 }] })
    expect(record).toEqual({ id: 'D-1', phone: '13812345678', trips: [{ km: 3 }] })
    for (const missing of ['id', 'phone', 'trips'])
      expect(() =>
        Driver.parse({
          ...{ id: 'D-1', phone: '13812345678', trips: [{ km: 3 }] },
          [missing]: undefined,
        }),
      ).toThrow(expect.objectContaining({ code: 'ERR_RECORD_INVALID' }))
  })

  it('present sensitive values are still validated, and checks on other schemas are kept', () => {
    const base = { id: 'D-1', phone: '13812345678', trips: [{ km: 3 }] }
    for (const bad of [{ name: 42 }, { licence: { number: 1 } }, { trips: [] }, { extra: 1 }]) {
      let caught: unknown
      try {
        Driver.parse({ ...base, ...bad })
      } catch (error) {
        caught = error
      }
      expect(isDatagateError(caught, 'ERR_RECORD_INVALID'), JSON.stringify(bad)).toBe(true)
    }
  })

  it('the gate releases rows that omit sensitive fields, and still drops present ones', async () => {
    const gate = await orderGate()
    const { name: _omitted, ...withoutName } = orderRow()
    const { records } = await gate.release([withoutName, orderRow({ name: 'Zhang San' })], request)
    expect(records).toHaveLength(2)
    expect(JSON.stringify(records)).not.toContain('Zhang')
    for (const record of records)
      expect(Object.keys(record).sort()).toEqual(['city', 'customerId', 'hours', 'orderId'])
  })
})
