// Every operator's outputSchema against the operator's real outputs: generated inputs go through
// the transform and each output must validate with Ajv (an independent JSON Schema validator).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  generalize,
  mask,
  noise,
  pseudonymize,
  replace,
  truncate,
} from '../../src/anonymize/index.js'
import type { Operator } from '../../src/anonymize/operator.js'
import { ajv } from '../ajv.js'

const context = {
  partner: 'rental-co',
  path: 'field',
  pseudonymKey: crypto.getRandomValues(new Uint8Array(32)),
}
const validator = ajv()

function outputsMatch<In>(operator: Operator<In, unknown>, inputs: fc.Arbitrary<In>, runs = 300) {
  expect(operator.outputSchema).toBeDefined()
  const validate = validator.compile(operator.outputSchema as object)
  const transform = operator.bind(context)
  fc.assert(
    fc.property(inputs, (value) => {
      const out = transform(value)
      if (!validate(out))
        throw new Error(
          `${operator.name}: ${JSON.stringify(out)} fails ${JSON.stringify(validate.errors)}`,
        )
    }),
    { numRuns: runs },
  )
}

const digits = (min: number, max: number) =>
  fc
    .array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max })
    .map((d) => d.join(''))
const phoneLike = fc.oneof(
  digits(0, 20),
  digits(11, 11).map((d) => `1${d.slice(1)}`),
  digits(9, 11).map((d) => `0${d}`),
  fc
    .tuple(
      fc.constantFrom('+86 ', '0086', '+1 ', '+', ''),
      digits(5, 13),
      fc.constantFrom('', '-', ' ', '.', '('),
    )
    .map(([a, b, sep]) => `${a}${b.slice(0, 3)}${sep}${b.slice(3)}`),
  fc.string(),
)
const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
)

describe('mask outputs match their schemas', () => {
  it('mask.phone', () => outputsMatch(mask.phone(), phoneLike, 1000))
  it('mask.idCard', () =>
    outputsMatch(
      mask.idCard(),
      fc.oneof(
        digits(15, 15),
        fc.tuple(digits(17, 17), fc.constantFrom('X', 'x', '7')).map(([a, b]) => a + b),
        anyText,
      ),
    ))
  it('mask.email', () =>
    outputsMatch(
      mask.email(),
      fc.oneof(
        fc.emailAddress(),
        fc.tuple(anyText, anyText, anyText).map(([a, b, c]) => `${a}@${b}.${c}`),
        anyText,
      ),
      1000,
    ))
  it('mask.name', () =>
    outputsMatch(
      mask.name(),
      fc.oneof(
        anyText,
        fc.array(anyText).map((parts) => parts.join(' ')),
      ),
      1000,
    ))
  it('mask.plate', () =>
    outputsMatch(
      mask.plate(),
      fc.oneof(
        fc
          .tuple(
            fc.constantFrom('京', '沪', '浙'),
            fc.constantFrom('A', 'b'),
            fc.constantFrom('', ' ', '·', '-'),
            fc.stringMatching(/^[A-Za-z0-9]{4,5}$/),
            fc.constantFrom('1', 'Z', '学', '警'),
          )
          .map((parts) => parts.join('')),
        anyText,
      ),
    ))
  it('mask.vin', () =>
    outputsMatch(mask.vin(), fc.oneof(fc.stringMatching(/^[A-HJ-NPR-Z0-9]{17}$/), anyText)))
  it('mask.bankCard', () =>
    outputsMatch(
      mask.bankCard(),
      fc.oneof(
        digits(10, 21),
        fc.array(digits(1, 6), { minLength: 2, maxLength: 6 }).map((groups) => groups.join(' ')),
        fc.array(digits(1, 6), { minLength: 2, maxLength: 6 }).map((groups) => groups.join('-')),
        anyText,
      ),
      1000,
    ))
  it('the generic mask, over its options', () =>
    fc.assert(
      fc.property(
        fc.nat(5),
        fc.nat(5),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('*', '#', '.', '\\', '$', '😀', '-', ']'),
        fc.array(anyText, { minLength: 1, maxLength: 20 }),
        (keepStart, keepEnd, minMasked, char, values) => {
          const operator = mask({ keepStart, keepEnd, minMasked, char })
          const validate = validator.compile(operator.outputSchema as object)
          const transform = operator.bind(context)
          for (const value of values) expect(validate(transform(value))).toBe(true)
        },
      ),
      { numRuns: 200 },
    ))
})

describe('pseudonymize, generalize, truncate, replace and noise outputs match their schemas', () => {
  it('pseudonymize, over prefix and length', () =>
    fc.assert(
      fc.property(
        fc.string({ maxLength: 32 }),
        fc.integer({ min: 16, max: 32 }),
        fc.array(fc.oneof(fc.string(), fc.integer()), { minLength: 1, maxLength: 10 }),
        (prefix, length, values) => {
          const operator = pseudonymize({ prefix, length })
          const validate = validator.compile(operator.outputSchema as object)
          const transform = operator.bind(context)
          for (const value of values) expect(validate(transform(value))).toBe(true)
        },
      ),
      { numRuns: 200 },
    ))
  it('generalize.range, over width and offset', () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: -1000, max: 1000 }),
        fc.array(fc.oneof(fc.integer(), fc.double({ noNaN: true, min: -1e15, max: 1e15 })), {
          minLength: 1,
        }),
        (width, offset, values) => {
          const operator = generalize.range({ width, offset })
          const validate = validator.compile(operator.outputSchema as object)
          const transform = operator.bind(context)
          for (const value of values) expect(validate(transform(value))).toBe(true)
        },
      ),
      { numRuns: 200 },
    ))
  it('the range schema rejects what is not a range', () => {
    const validate = validator.compile(generalize.range({ width: 10 }).outputSchema as object)
    expect([
      validate('30-39'),
      validate('-10--1'),
      validate(37),
      validate('30 - 39'),
      validate('03-09'),
    ]).toEqual([true, true, false, false, false])
  })
  for (const unit of ['year', 'month', 'day', 'hour'] as const)
    it(`generalize.date(${unit})`, () =>
      outputsMatch(
        generalize.date(unit),
        fc.oneof(
          fc.date({
            min: new Date('0000-01-01T00:00:00Z'),
            max: new Date('9999-12-31T23:59:59Z'),
            noInvalidDate: true,
          }),
          fc
            .date({
              min: new Date('1900-01-01T00:00:00Z'),
              max: new Date('2100-01-01T00:00:00Z'),
              noInvalidDate: true,
            })
            .chain((d) =>
              fc.constantFrom(
                d.toISOString(),
                d.toISOString().slice(0, 10),
                d.toISOString().replace('Z', '+08:00'),
                d.toISOString().slice(0, 19).replace('T', ' '),
              ),
            ),
        ),
      ))
  const point = fc.record({
    lat: fc.double({ min: -90, max: 90, noNaN: true }),
    lng: fc.double({ min: -180, max: 180, noNaN: true }),
  })
  it('generalize.geo, for numbers and points', () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8 }),
        fc.array(fc.oneof(point, fc.double({ min: -180, max: 180, noNaN: true }))),
        (decimals, values) => {
          const operator = generalize.geo<number | { lat: number; lng: number }>({ decimals })
          const validate = validator.compile(operator.outputSchema as object)
          const transform = operator.bind(context)
          for (const value of values) expect(validate(transform(value))).toBe(true)
        },
      ),
      { numRuns: 200 },
    ))
  it('generalize.geohash', () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), point, (precision, value) => {
        const operator = generalize.geohash({ precision })
        expect(
          validator.validate(operator.outputSchema as object, operator.bind(context)(value)),
        ).toBe(true)
      }),
    ))
  it('generalize.prefix and truncate count code points as JSON Schema does', () =>
    fc.assert(
      fc.property(fc.nat(10), anyText, (length, value) => {
        for (const operator of [generalize.prefix(length), truncate(length)])
          expect(
            validator.validate(operator.outputSchema as object, operator.bind(context)(value)),
          ).toBe(true)
      }),
      { numRuns: 500 },
    ))
  it('generalize.hierarchy gives a parent or the fallback', () =>
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.string(), { minKeys: 1 }),
        fc.string(),
        fc.string(),
        (map, fallback, value) => {
          const operator = generalize.hierarchy(map, { fallback })
          const transform = operator.bind(context)
          const validate = validator.compile(operator.outputSchema as object)
          for (const input of [value, ...Object.keys(map)])
            expect(validate(transform(input))).toBe(true)
          expect(validate(`${fallback}x`)).toBe(Object.values(map).includes(`${fallback}x`))
        },
      ),
    ))
  it('replace and noise.laplace', () => {
    for (const value of ['REDACTED', 0, true, null] as const) {
      const operator = replace(value)
      expect(validator.validate(operator.outputSchema as object, operator.bind(context)('x'))).toBe(
        true,
      )
      expect(validator.validate(operator.outputSchema as object, 'other')).toBe(false)
    }
    outputsMatch(
      noise.laplace({ epsilon: 0.5, sensitivity: 3 }),
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    )
    outputsMatch(
      noise.laplace({ epsilon: 1, sensitivity: 1, granularity: 0.01 }),
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    )
  })
})
