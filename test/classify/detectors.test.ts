import { describe, expect, it } from 'vitest'
import { luhnCheck, validateBankCard } from '../../src/classify/detectors/bank-card.js'
import { validateEmail } from '../../src/classify/detectors/email.js'
import { validateIpv4, validateIpv6 } from '../../src/classify/detectors/ip.js'
import { validateLicencePlate } from '../../src/classify/detectors/licence-plate.js'
import { validateMobile } from '../../src/classify/detectors/mobile.js'
import { validatePassport } from '../../src/classify/detectors/passport.js'
import {
  residentIdCheckChar,
  validateResidentId,
} from '../../src/classify/detectors/resident-id.js'
import {
  socialCreditCodeCheckChar,
  validateSocialCreditCode,
} from '../../src/classify/detectors/social-credit-code.js'
import { validateVin, vinCheckChar, vinCheckDigit } from '../../src/classify/detectors/vin.js'
import { isDatagateError } from '../../src/errors.js'
import gb11643 from '../vectors/gb11643.json' with { type: 'json' }
import luhn from '../vectors/luhn.json' with { type: 'json' }
import uscc from '../vectors/uscc.json' with { type: 'json' }
import vins from '../vectors/vin.json' with { type: 'json' }

const now = () => new Date('2026-11-25T12:00:00Z')

// Independent reference computations, written from the standards rather than from src/.
function refGb11643(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (2 ** (17 - i) % 11)
  return '10X98765432'.charAt(sum % 11)
}

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
function refUsccSum(first17: string): number {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(first17.charAt(i)) * (3 ** i % 31)
  return sum
}
function refUscc(first17: string): string {
  const value = 31 - (refUsccSum(first17) % 31)
  return USCC_ALPHABET.charAt(value === 31 ? 0 : value)
}

function refLuhn(digits: string): boolean {
  const sum = [...digits]
    .reverse()
    .map(Number)
    .reduce((acc, d, i) => acc + (i % 2 === 1 ? (d * 2) % 9 || (d === 0 ? 0 : 9) : d), 0)
  return sum % 10 === 0
}

const VIN_VALUES: Record<string, number> = {
  A: 1,
  B: 2,
  C: 3,
  D: 4,
  E: 5,
  F: 6,
  G: 7,
  H: 8,
  J: 1,
  K: 2,
  L: 3,
  M: 4,
  N: 5,
  P: 7,
  R: 9,
  S: 2,
  T: 3,
  U: 4,
  V: 5,
  W: 6,
  X: 7,
  Y: 8,
  Z: 9,
}
function refVin(vin: string): string {
  const weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const c = vin.charAt(i)
    sum += (c >= '0' && c <= '9' ? Number(c) : (VIN_VALUES[c] ?? Number.NaN)) * weights[i]!
  }
  const r = sum % 11
  return r === 10 ? 'X' : String(r)
}

/** Deterministic pseudo-random strings over an alphabet. */
function* samples(alphabet: string, length: number, count: number): Generator<string> {
  let state = 42
  for (let i = 0; i < count; i++) {
    let out = ''
    for (let j = 0; j < length; j++) {
      state = (state * 1103515245 + 12345) & 0x7fffffff
      out += alphabet.charAt(state % alphabet.length)
    }
    yield out
  }
}

describe('check characters agree with the reference computations on every residue', () => {
  it('GB 11643 MOD 11-2 (all 11 check characters seen)', () => {
    const seen = new Set<string>()
    for (const first17 of samples('0123456789', 17, 2000)) {
      const expected = refGb11643(first17)
      seen.add(expected)
      expect(residentIdCheckChar(first17), first17).toBe(expected)
    }
    expect(seen.size).toBe(11)
  })

  it('GB 32100 MOD 31 (all 31 check characters seen)', () => {
    const seen = new Set<string>()
    for (const first17 of samples(USCC_ALPHABET, 17, 5000)) {
      const expected = refUscc(first17)
      seen.add(expected)
      expect(socialCreditCodeCheckChar(first17), first17).toBe(expected)
    }
    expect(seen.size).toBe(31)
  })

  it('ISO 3779 check digit (all 11 values seen)', () => {
    const seen = new Set<string>()
    for (const vin of samples('0123456789ABCDEFGHJKLMNPRSTUVWXYZ', 17, 2000)) {
      const expected = refVin(vin)
      seen.add(expected)
      expect(vinCheckChar(vin), vin).toBe(expected)
    }
    expect(seen.size).toBe(11)
  })

  it('Luhn', () => {
    for (const digits of samples('0123456789', 16, 2000)) {
      expect(luhnCheck(digits), digits).toBe(refLuhn(digits))
    }
  })
})

describe('resident identity number (GB 11643-1999)', () => {
  it('names its source', () => expect(gb11643.source).toMatch(/GB 11643-1999/))

  it.each(gb11643.valid)('accepts $id', (vector) => {
    expect(refGb11643(vector.id.slice(0, 17))).toBe(vector.id.charAt(17))
    expect(residentIdCheckChar(vector.id.slice(0, 17))).toBe(vector.id.charAt(17))
    expect(validateResidentId(vector.id, { now, ...vector.options })).toBe(true)
  })

  it.each(gb11643.invalid)('rejects $id ($reason)', ({ id }) => {
    expect(validateResidentId(id, { now })).toBe(false)
  })

  it('recomputes the check characters of the derived invalid vectors independently', () => {
    for (const { id, reason } of gb11643.invalid) {
      if (id.length !== 18 || reason.startsWith('wrong')) continue
      expect(refGb11643(id.slice(0, 17)), id).toBe(id.charAt(17))
    }
    expect(refGb11643('11010519491231002')).not.toBe('1')
  })

  it('accepts one space or hyphen between digits, and no other separator', () => {
    for (const id of ['110105 19491231 002X', '1101-0519-4912-3100-2X', '110105-19491231 002x'])
      expect(validateResidentId(id, { now }), id).toBe(true)
    for (const id of ['110105  19491231002X', '110105.19491231.002X', ' 11010519491231002X'])
      expect(validateResidentId(id, { now }), id).toBe(false)
  })

  it('accepts 29 February of a leap year and a lowercase x', () => {
    expect(validateResidentId(gb11643.validLeapDay.id, { now })).toBe(true)
    expect(validateResidentId('11010519491231002x', { now })).toBe(true)
  })

  it('judges "future" against the injected now', () => {
    const bornToday = `110105202611250019`
    const first17 = bornToday.slice(0, 17)
    const id = first17 + refGb11643(first17)
    expect(validateResidentId(id, { now })).toBe(true)
    expect(validateResidentId(id, { now: () => new Date('2026-11-24T23:59:59Z') })).toBe(false)
  })

  it('accepts the 15-digit legacy form only when asked', () => {
    expect(validateResidentId('110105491231002', { now })).toBe(false)
    expect(validateResidentId('110105491231002', { now, legacy: true })).toBe(true)
    expect(validateResidentId('110105490230002', { now, legacy: true })).toBe(false)
  })

  it('rejects an invalid now with ERR_INVALID_ARGUMENT', () => {
    expect(() =>
      validateResidentId('11010519491231002X', { now: () => new Date(Number.NaN) }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    try {
      validateResidentId('11010519491231002X', { now: 'today' as unknown as () => Date })
    } catch (error) {
      expect(isDatagateError(error, 'ERR_INVALID_ARGUMENT')).toBe(true)
    }
  })
})

describe('unified social credit code (GB 32100-2015)', () => {
  it('names its source honestly', () => {
    expect(uscc.source).toMatch(/GB 32100-2015/)
    for (const vector of uscc.valid) expect(vector.source.length).toBeGreaterThan(10)
  })

  it('reproduces the worked example: weighted sum 1640, check character 3', () => {
    const example = uscc.valid[0]!
    expect(refUsccSum(example.code.slice(0, 17))).toBe(example.weightedSum)
    expect(refUscc(example.code.slice(0, 17))).toBe('3')
  })

  it.each(uscc.valid)('accepts $code (check character recomputed independently)', ({ code }) => {
    expect(refUscc(code.slice(0, 17))).toBe(code.charAt(17))
    expect(socialCreditCodeCheckChar(code.slice(0, 17))).toBe(code.charAt(17))
    expect(validateSocialCreditCode(code)).toBe(true)
  })

  it('recomputes the GB 11714 organisation-code check of every valid vector independently', () => {
    const weights = [3, 7, 9, 10, 5, 8, 4, 2]
    for (const { code } of uscc.valid) {
      const body = code.slice(8, 16)
      const sum = [...body].reduce(
        (acc, c, i) => acc + (/[0-9]/.test(c) ? Number(c) : c.charCodeAt(0) - 55) * weights[i]!,
        0,
      )
      const check = 11 - (sum % 11)
      expect(code.charAt(16), code).toBe(check === 10 ? 'X' : check === 11 ? '0' : String(check))
    }
  })

  it.each(uscc.invalid)('rejects $code ($reason)', ({ code }) => {
    expect(validateSocialCreditCode(code)).toBe(false)
  })
})

describe('bank cards and the Luhn check', () => {
  it('names its source', () => expect(luhn.source).toMatch(/Luhn/))

  it.each(luhn.luhnValid)('Luhn accepts %s', (digits) => {
    expect(refLuhn(digits)).toBe(true)
    expect(luhnCheck(digits)).toBe(true)
  })

  it.each(luhn.luhnInvalid)('Luhn rejects %s', (digits) => {
    expect(refLuhn(digits)).toBe(false)
    expect(luhnCheck(digits)).toBe(false)
  })

  it.each(luhn.cards)('accepts the $brand test card $number', ({ number }) => {
    expect(refLuhn(number)).toBe(true)
    expect(validateBankCard(number)).toBe(true)
  })

  it.each(luhn.notCards)('rejects $number ($reason)', ({ number }) => {
    expect(validateBankCard(number)).toBe(false)
  })

  it('accepts groups of four with one consistent separator', () => {
    expect(validateBankCard('4111 1111 1111 1111')).toBe(true)
    expect(validateBankCard('4111-1111-1111-1111')).toBe(true)
    expect(validateBankCard('6205 5000 0000 0000 004')).toBe(true)
    expect(validateBankCard('4111 1111-1111 1111')).toBe(false)
    expect(validateBankCard('41111 111 1111 1111')).toBe(false)
    expect(validateBankCard('4111  1111 1111 1111')).toBe(false)
  })

  it('asks for a known issuer prefix and a length that issuer uses', () => {
    const withLuhn = (payload: string) => {
      for (let d = 0; d < 10; d++) if (refLuhn(payload + d)) return payload + d
      throw new Error('unreachable')
    }
    expect(validateBankCard(withLuhn('978711121382'))).toBe(false) // ISBN-13 prefix
    expect(validateBankCard(withLuhn('91110108722656333'))).toBe(false) // 18 digits under 9
    expect(validateBankCard(withLuhn('123456789012345'))).toBe(false) // no network issues 1
    expect(validateBankCard(withLuhn('411111111111111'))).toBe(true) // Visa, 16
    expect(validateBankCard(withLuhn('41111111111111'))).toBe(false) // Visa issues no 15
    expect(validateBankCard(withLuhn('37828224631000'))).toBe(true) // Amex, 15
    expect(validateBankCard(withLuhn('378282246310001'))).toBe(false) // Amex issues no 16
    expect(validateBankCard(withLuhn('622202100112345678'))).toBe(true) // UnionPay, 19
    expect(validateBankCard(withLuhn('955880010012345678'))).toBe(true) // ICBC domestic, 19
  })

  it('rejects non-digits and short input in luhnCheck', () => {
    expect(luhnCheck('7992739871a')).toBe(false)
    expect(luhnCheck('0')).toBe(false)
  })
})

describe('VIN (ISO 3779)', () => {
  it('names its source', () => expect(vins.source).toMatch(/ISO 3779/))

  it.each(vins.vins)('$vin: check digit $checkDigit', ({ vin, checkDigit, validate }) => {
    expect(vinCheckChar(vin)).toBe(refVin(vin))
    expect(vinCheckDigit(vin)).toBe(checkDigit)
    expect(validateVin(vin)).toBe(validate)
  })

  it('recomputes the brief vectors independently', () => {
    expect(refVin('1M8GDM9AXKP042788')).toBe('X')
    expect(refVin('1XPTD40X0JD456115')).not.toBe('0')
  })

  it.each(vins.notVins)('rejects $vin ($reason)', ({ vin }) => {
    expect(validateVin(vin)).toBe(false)
    expect(vinCheckDigit(vin)).toBeUndefined()
  })
})

describe('mobile numbers', () => {
  it.each([
    '13812345678',
    '19912345678',
    '+8613812345678',
    '+86 13812345678',
    '008613812345678',
    '138 1234 5678',
    '138-1234-5678',
    '+86-138-1234-5678',
    '86 138 1234 5678',
    '8613812345678',
    '+86 (138) 1234-5678',
    '(+86) 138 1234 5678',
    '(138) 1234-5678',
    '138.1234.5678',
  ])('accepts %s', (number) => expect(validateMobile(number)).toBe(true))

  it.each([
    '12812345678',
    '1381234567',
    '138123456789',
    '138 12 345678',
    '+8713812345678',
    '',
    '(138 1234 5678',
    '138..1234.5678',
    '87 138 1234 5678',
  ])('rejects %s', (number) => expect(validateMobile(number)).toBe(false))
})

describe('licence plates', () => {
  it.each([
    '京A12345',
    '京A·12345',
    '沪B 8G3K2',
    '粤BD12345',
    '粤B12345D',
    '苏E·F1234',
    '浙A1234学',
  ])('accepts %s', (plate) => expect(validateLicencePlate(plate)).toBe(true))

  it.each(['京I12345', '京O12345', '京A1234', '京A123456', '京AX12345', '港A12345', '京a12345'])(
    'rejects %s',
    (plate) => expect(validateLicencePlate(plate)).toBe(false),
  )
})

describe('email, IP addresses, passports', () => {
  it.each(['li.lei@example.com', 'a+tag@sub.example.com.cn', 'x_y%z@xn--fiqs8s.xn--fiqs8s'])(
    'email accepts %s',
    (email) => expect(validateEmail(email)).toBe(true),
  )
  it.each([
    'li..lei@example.com',
    '.lei@example.com',
    'lei.@example.com',
    'lei@localhost',
    'lei@-example.com',
    'lei@example.c',
    'lei@exam_ple.com',
    'logo@3x.webp',
    'icon@2x.png',
    'banner@1.5x.jpg',
    '@example.com',
    `${'a'.repeat(65)}@example.com`,
  ])('email rejects %s', (email) => expect(validateEmail(email)).toBe(false))

  it.each(['0.0.0.0', '192.168.1.20', '255.255.255.255', '8.8.8.8'])('IPv4 accepts %s', (ip) =>
    expect(validateIpv4(ip)).toBe(true),
  )
  it.each(['256.1.1.1', '192.168.01.20', '1.2.3', '1.2.3.4.5', '1..2.3'])('IPv4 rejects %s', (ip) =>
    expect(validateIpv4(ip)).toBe(false),
  )

  it.each([
    '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
    '2001:db8:85a3::8a2e:370:7334',
    '::1',
    'fe80::',
    '::ffff:1.2.3.4',
    '64:ff9b::192.0.2.33',
    '1:2:3:4:5:6:7:8', // syntax only: the scanner also asks for an allocated range
    '1:2:3:4:5:6:1.2.3.4',
  ])('IPv6 accepts %s', (ip) => expect(validateIpv6(ip)).toBe(true))
  it.each([
    '1::2::3',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '12345::1',
    '::ffff:1.2.3.256',
    '::1.2.3.4:1',
    ':::1',
    '1:2:3:4:5:6:7::8',
    'g::1',
  ])('IPv6 rejects %s', (ip) => expect(validateIpv6(ip)).toBe(false))

  it.each(['E12345678', 'G12345678', 'EA1234567'])('passport accepts %s', (p) =>
    expect(validatePassport(p)).toBe(true),
  )
  it.each(['E1234567', 'E123456789', 'EI1234567', 'X12345678', 'e12345678'])(
    'passport rejects %s',
    (p) => expect(validatePassport(p)).toBe(false),
  )
})

describe('validators', () => {
  it('return false for non-strings instead of throwing', () => {
    const validators = [
      validateMobile,
      validateSocialCreditCode,
      validateBankCard,
      validateLicencePlate,
      validateVin,
      validateEmail,
      validateIpv4,
      validateIpv6,
      validatePassport,
    ]
    for (const validate of validators) expect(validate(12345 as unknown as string)).toBe(false)
    expect(validateResidentId(null as unknown as string, { now })).toBe(false)
  })
})
