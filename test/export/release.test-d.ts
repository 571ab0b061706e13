import { expectTypeOf, test } from 'vitest'
import { z } from 'zod'
import { mask } from '../../src/anonymize/mask.js'
import { defineDataset, type Released } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import type { Gate } from '../../src/export/gate.js'

const Customer = defineDataset(
  'customer',
  z.object({
    name: field.sensitive(z.string()),
    phone: field.desensitised(z.string(), mask.phone()),
    city: field.public(z.string()),
  }),
  { version: '1' },
)

declare const gate: Gate
const request = { partner: 'rental-co', dataset: 'customer', purpose: 'courtesy-car' }

test('gate.release<D> types its records as Released<D>', async () => {
  const { records } = await gate.release<typeof Customer>([], request)
  expectTypeOf(records).toEqualTypeOf<Released<typeof Customer>[]>()
  expectTypeOf<keyof (typeof records)[number]>().toEqualTypeOf<'phone' | 'city'>()
})

test('gate.release without a dataset type gives plain records', async () => {
  const { records } = await gate.release([], request)
  expectTypeOf(records).toEqualTypeOf<Record<string, unknown>[]>()
})
