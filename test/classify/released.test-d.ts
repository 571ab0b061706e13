import { expectTypeOf, test } from 'vitest'
import { z } from 'zod'
import { generalize } from '../../src/anonymize/generalize.js'
import { mask } from '../../src/anonymize/mask.js'
import { pseudonymize } from '../../src/anonymize/pseudonymize.js'
import { defineDataset, type Released } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'

const Customer = defineDataset(
  'customer',
  z.object({
    customerId: field.desensitised(z.string(), pseudonymize()),
    name: field.sensitive(z.string()),
    idNumber: field.sensitive(z.string()).optional(),
    phone: field.desensitised(z.string(), mask.phone()),
    city: field.public(z.string()),
    age: field.desensitised(z.number().int(), generalize.range({ width: 10 })),
    vehicle: z.object({
      vin: field.desensitised(z.string(), mask.vin()),
      owner: field.sensitive(z.string()),
      model: field.public(z.enum(['ET5', 'ET7'])),
    }),
    services: z.array(
      z.object({ price: field.public(z.number()), note: field.sensitive(z.string()) }),
    ),
  }),
  { version: '1' },
)

type Row = Released<typeof Customer>

test('sensitive fields vanish from released record types', () => {
  expectTypeOf<keyof Row>().toEqualTypeOf<
    'customerId' | 'phone' | 'city' | 'age' | 'vehicle' | 'services'
  >()
  expectTypeOf<keyof NonNullable<Row['vehicle']>>().toEqualTypeOf<'vin' | 'model'>()
  expectTypeOf<keyof NonNullable<Row['services']>[number]>().toEqualTypeOf<'price'>()
})

test('desensitised fields take their operator output type, public fields keep theirs', () => {
  expectTypeOf<Row['phone']>().toEqualTypeOf<string | undefined>()
  expectTypeOf<Row['age']>().toEqualTypeOf<string | undefined>()
  expectTypeOf<Row['city']>().toEqualTypeOf<string | undefined>()
  expectTypeOf<NonNullable<Row['vehicle']>['model']>().toEqualTypeOf<'ET5' | 'ET7' | undefined>()
  expectTypeOf<NonNullable<Row['services']>[number]['price']>().toEqualTypeOf<number | undefined>()
})
