import fc from 'fast-check'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { mask } from '../../src/anonymize/mask.js'
import type { Operator } from '../../src/anonymize/operator.js'
import { bound, expectCode, expectOperatorFailed } from './helpers.js'

const presets = {
  phone: mask.phone,
  idCard: mask.idCard,
  email: mask.email,
  name: mask.name,
  plate: mask.plate,
  vin: mask.vin,
  bankCard: mask.bankCard,
} as const

describe('mask (generic)', () => {
  it('keeps keepStart and keepEnd code points and masks the rest', () => {
    const transform = bound(mask({ keepStart: 2, keepEnd: 1, char: '#' }))
    expect(transform('AB-1234-Z')).toBe('AB######Z')
    expect(transform('ABCD')).toBe('AB#D')
    expect(bound(mask())('secret')).toBe('******')
    expect(bound(mask({ keepEnd: 4 }))('6222021234567890')).toBe('************7890')
  })

  it('counts code points: CJK and emoji are one character each', () => {
    const transform = bound(mask({ keepStart: 1, keepEnd: 1 }))
    expect(transform('😀😁😂🤣')).toBe('😀**🤣')
    expect(transform('𠮷野家牛丼')).toBe('𠮷***丼')
    expect(bound(mask({ char: '●' }))('a😀')).toBe('●●')
  })

  it('masks a value too short to keep both ends whole', () => {
    const transform = bound(mask({ keepStart: 3, keepEnd: 4 }))
    expect(transform('1234567')).toBe('*******')
    expect(transform('12345678')).toBe('123*5678')
    expect(transform('ab')).toBe('**')
    expect(transform('')).toBe('')
    const strict = bound(mask({ keepStart: 1, keepEnd: 1, minMasked: 3 }))
    expect(strict('abcd')).toBe('****')
    expect(strict('abcde')).toBe('a***e')
  })

  it('rejects bad options', () => {
    expectCode(() => mask({ keepStart: -1 }), 'ERR_INVALID_ARGUMENT')
    expectCode(() => mask({ keepEnd: 1.5 }), 'ERR_INVALID_ARGUMENT')
    expectCode(() => mask({ minMasked: 0 }), 'ERR_INVALID_ARGUMENT')
    expectCode(() => mask({ char: '' }), 'ERR_INVALID_ARGUMENT')
    expectCode(() => mask({ char: '**' }), 'ERR_INVALID_ARGUMENT')
    expectCode(() => mask('3' as never), 'ERR_INVALID_ARGUMENT')
  })

  it('is a mask operator with a descriptive name and string types', () => {
    const operator = mask({ keepStart: 3, keepEnd: 4 })
    expect(operator.kind).toBe('mask')
    expect(operator.name).toBe('mask(keepStart=3,keepEnd=4)')
    expectTypeOf(operator).toEqualTypeOf<Operator<string, string>>()
    expectTypeOf(mask.phone()).toEqualTypeOf<Operator<string, string>>()
  })
})

describe('mask presets', () => {
  it.each([
    ['13812345678', '138****5678'],
    ['+86 138 1234 5678', '+86 138 **** 5678'],
    ['+8613812345678', '+86138****5678'],
    ['008613812345678', '0086138****5678'],
    ['8613812345678', '86138****5678'],
    ['138-1234-5678', '138-****-5678'],
    ['010-12345678', '010-****5678'],
    ['(021) 8765 4321', '(021) **** 4321'],
    ['0755-87654321', '0755-****4321'],
    ['0755-1234567', '0755-****567'],
    ['87654321', '****4321'],
    ['+44 20 7946 0958', '+** ** **** 0958'],
    ['+1 555 123 4567', '+* *** *** 4567'],
    ['12345', '*****'],
    ['1381234567890123', '****************'],
    ['call me', '*******'],
    ['138 1234 5678 ext 9', '*******************'],
    ['１３８１２３４５６７８', '***********'],
    ['', ''],
  ])('phone %j -> %j', (input, expected) => {
    expect(bound(mask.phone())(input)).toBe(expected)
  })

  it.each([
    ['11010519491231002X', '110105********002X'],
    ['11010519491231002x', '110105********002x'],
    ['440524188001010014', '440524********0014'],
    ['110105491231002', '110105******002'],
    ['1101051949123100', '****************'],
    ['11010519491231002Y', '******************'],
    ['', ''],
  ])('idCard %j -> %j', (input, expected) => {
    expect(bound(mask.idCard())(input)).toBe(expected)
  })

  it.each([
    ['zhang.san@example.com', 'z***@example.com'],
    ['z@example.com', '***@example.com'],
    ['ab@mail.example.cn', 'a***@mail.example.cn'],
    ['张三@例子.中国', '张***@例子.中国'],
    ['😀x@example.com', '😀***@example.com'],
    ['"a@b"@example.com', '"***@example.com'],
    ['zhang.san', '*********'],
    ['@example.com', '************'],
    ['zhang@localhost', '***************'],
    ['zhang san@example.com', '*********************'],
    ['', ''],
  ])('email %j -> %j', (input, expected) => {
    expect(bound(mask.email())(input)).toBe(expected)
  })

  it.each([
    ['张三', '张*'],
    ['欧阳娜娜', '欧***'],
    ['张', '*'],
    ['迪丽热巴·迪力木拉提', '迪*********'],
    ['John Smith', 'J*** S****'],
    ['María  José', 'M****  J***'],
    ['J Smith', '* S****'],
    ['𠮷田太郎', '𠮷***'],
    ['  ', '**'],
    ['', ''],
  ])('name %j -> %j', (input, expected) => {
    expect(bound(mask.name())(input)).toBe(expected)
  })

  it.each([
    ['京A12345', '京A***45'],
    ['沪AD12345', '沪A****45'],
    ['粤B1234学', '粤B***4学'],
    ['京A·12345', '京A·***45'],
    ['京a12345', '京a***45'],
    ['京A1234', '******'],
    ['A12345', '******'],
    ['京A123456789', '***********'],
    ['', ''],
  ])('plate %j -> %j', (input, expected) => {
    expect(bound(mask.plate())(input)).toBe(expected)
  })

  it.each([
    ['LSVAU2180N2183294', 'LSVAU218*********'],
    ['1HGCM82633A004352', '1HGCM826*********'],
    ['lsvau2180n2183294', 'lsvau218*********'],
    ['LSVAU2180N218329', '****************'],
    ['LSVAU2180N218329O', '*****************'],
    ['', ''],
  ])('vin %j -> %j', (input, expected) => {
    expect(bound(mask.vin())(input)).toBe(expected)
  })

  it.each([
    ['6222021234567890123', '622202*********0123'],
    ['6222 0212 3456 7890 123', '6222 02** **** ***0 123'],
    ['4111111111111111', '411111******1111'],
    ['4111-1111-1111-1111', '4111-11**-****-1111'],
    ['378282246310005', '37828******0005'],
    ['123456789012', '12******9012'],
    ['12345678901', '***********'],
    ['41111111111111111111', '********************'],
    ['4111 1111 1111 111x', '*******************'],
    ['', ''],
  ])('bankCard %j -> %j', (input, expected) => {
    expect(bound(mask.bankCard())(input)).toBe(expected)
  })

  it.each(Object.entries(presets))('%s rejects non-strings without quoting them', (_, preset) => {
    const transform = bound(preset())
    expectOperatorFailed(() => transform(13812345678 as never), 13812345678)
    expectOperatorFailed(() => transform({ phone: '13812345678' } as never), '13812345678')
    expectOperatorFailed(() => transform(null as never))
  })

  it.each(Object.entries(presets))('%s is named mask.%s', (key, preset) => {
    expect(preset().name).toBe(`mask.${key}`)
    expect(preset().kind).toBe('mask')
  })

  it('exposes the presets on a frozen mask function', () => {
    expect(Object.isFrozen(mask)).toBe(true)
    expect(Object.keys(mask).sort()).toEqual(Object.keys(presets).sort())
  })
})

describe('mask properties', () => {
  it('every preset masks at least one character of any non-empty value without *', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).filter((s) => !s.includes('*')),
        (value) => {
          for (const preset of Object.values(presets)) expect(bound(preset())(value)).toContain('*')
        },
      ),
    )
  })

  it('phone keeps exactly the first 3 and last 4 digits of any Chinese mobile', () => {
    const mobile = fc
      .array(fc.integer({ min: 0, max: 9 }), { minLength: 10, maxLength: 10 })
      .map((digits) => `1${digits.join('')}`)
    fc.assert(
      fc.property(mobile, (value) => {
        expect(bound(mask.phone())(value)).toBe(`${value.slice(0, 3)}****${value.slice(7)}`)
      }),
    )
  })

  it('bankCard never shows more than 6 leading and 4 trailing digits, and masks at least 6', () => {
    const card = fc
      .array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 19 })
      .map((digits) => digits.join(''))
    fc.assert(
      fc.property(card, (value) => {
        const out = bound(mask.bankCard())(value)
        expect(out).toHaveLength(value.length)
        expect(out.slice(-4)).toBe(value.slice(-4))
        const shown = out.replaceAll('*', '').length
        expect(shown).toBeLessThanOrEqual(10)
        expect(value.length - shown).toBeGreaterThanOrEqual(6)
      }),
    )
  })

  it('the generic mask keeps the code point count and both ends', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 30 }),
        fc.nat(5),
        fc.nat(5),
        (value, keepStart, keepEnd) => {
          const out = bound(mask({ keepStart, keepEnd }))(value)
          const chars = Array.from(value)
          const outChars = Array.from(out)
          expect(outChars).toHaveLength(chars.length)
          if (chars.length > keepStart + keepEnd) {
            expect(outChars.slice(0, keepStart)).toEqual(chars.slice(0, keepStart))
            expect(outChars.slice(chars.length - keepEnd)).toEqual(
              chars.slice(chars.length - keepEnd),
            )
            expect(outChars.slice(keepStart, chars.length - keepEnd).every((c) => c === '*')).toBe(
              true,
            )
          } else expect(out).toBe('*'.repeat(chars.length))
        },
      ),
    )
  })
})
