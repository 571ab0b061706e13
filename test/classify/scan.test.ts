import { describe, expect, it } from 'vitest'
import {
  DETECTABLE_KINDS,
  type PiiFinding,
  type ScanFinding,
  scanRecord,
  scanText,
} from '../../src/classify/scan.js'
import type { PiiKind } from '../../src/classify/types.js'
import { isDatagateError } from '../../src/errors.js'

const now = () => new Date('2026-11-25T12:00:00Z')

function pii(findings: ScanFinding[]): PiiFinding[] {
  return findings.filter((f): f is PiiFinding => f.code.startsWith('pii_'))
}

/** The matched substrings, for assertions (the findings themselves never carry them). */
function matched(text: string, kinds?: PiiKind[]): string[] {
  const options = kinds === undefined ? { now } : { now, kinds }
  return pii(scanText(text, options)).map((f) => text.slice(f.start, f.end))
}

const SAMPLES: Record<string, { kind: PiiKind; value: string }> = {
  resident_id: { kind: 'resident_id', value: '11010519491231002X' },
  mobile: { kind: 'mobile', value: '13812345678' },
  mobile_grouped: { kind: 'mobile', value: '+86 138-1234-5678' },
  social_credit_code: { kind: 'social_credit_code', value: '91350100M000100Y43' },
  bank_card: { kind: 'bank_card', value: '6200 0000 0000 0005' },
  bank_card_plain: { kind: 'bank_card', value: '4111111111111111' },
  licence_plate: { kind: 'licence_plate', value: '京A·D1234' },
  licence_plate_nev: { kind: 'licence_plate', value: '粤BD12345' },
  vin: { kind: 'vin', value: '1M8GDM9AXKP042788' },
  vin_cn: { kind: 'vin', value: 'LSVAU2182N2183290' },
  vin_eu: { kind: 'vin', value: 'WDBRF61J01F123456' },
  email: { kind: 'email', value: 'li.lei@example.com.cn' },
  ipv4: { kind: 'ip_address', value: '203.0.113.7' },
  ipv6: { kind: 'ip_address', value: '2001:db8::8a2e:370:7334' },
  ipv4_mapped: { kind: 'ip_address', value: '::ffff:192.0.2.1' },
  passport: { kind: 'passport', value: 'EA1234567' },
}

const CONTEXTS: Array<(value: string) => string> = [
  (v) => v,
  (v) => `客户信息：${v}。`,
  (v) => `联系方式（${v}）请核对`,
  (v) => `Customer record: ${v}, please verify.`,
  (v) => `"${v}"`,
  (v) => `[${v}]\n`,
  (v) => `id=${v}&x=1`,
  (v) => `\t${v};`,
]

describe('scanText finds every detector in Chinese and English text', () => {
  for (const [name, { kind, value }] of Object.entries(SAMPLES)) {
    it(`${name} in context`, () => {
      for (const wrap of CONTEXTS) {
        const text = wrap(value)
        const found = pii(scanText(text, { now, path: 'note' }))
        expect(found, text).toHaveLength(1)
        const [finding] = found
        expect(finding!.kind).toBe(kind)
        expect(finding!.code).toBe(`pii_${kind}`)
        expect(finding!.path).toBe('note')
        expect(text.slice(finding!.start, finding!.end)).toBe(value)
      }
    })
  }

  it('finds several occurrences, in order, with offsets', () => {
    const text = '手机13812345678或13987654321，邮箱a@example.com与b@example.org'
    expect(matched(text)).toEqual(['13812345678', '13987654321', 'a@example.com', 'b@example.org'])
  })
})

describe('scanText does not report what only looks like PII', () => {
  it.each([
    ['mobile inside a longer digit run', '813812345678'],
    ['mobile followed by a digit', '138123456789'],
    ['mobile after another country code', '+4413812345678'],
    ['mobile after a plus sign', '+13812345678'],
    ['mobile continuing a grouped number', '138 1234 5678 9'],
    ['mobile glued to letters', 'ORD13812345678'],
    ['resident id with wrong check character', '110105194912310021'],
    ['resident id with impossible date', '110105194902300020'],
    ['resident id inside a longer run', '911010519491231002X'],
    ['resident id followed by a letter', '11010519491231002XY'],
    ['legacy 15-digit id by default', '110105491231002'],
    ['social credit code with wrong check', '91350100M000100Y44'],
    ['social credit code inside a longer token', 'A91350100M000100Y43'],
    ['card failing Luhn', '4111 1111 1111 1112'],
    ['card inside a longer digit run', '94111111111111111'],
    ['card continuing a grouped number', '4111 1111 1111 1111 1111 1'],
    ['millisecond timestamp', '1732538400000'],
    ['repeated digit', '0000 0000 0000 0000'],
    ['North American VIN with a wrong check digit', '1XPTD40X0JD456115'],
    ['17 digits (VIN shape without a letter)', '12345678901234567'],
    ['VIN followed by a letter', '1M8GDM9AXKP042788A'],
    ['plate with I', '京I12345'],
    ['plate followed by a digit', '京A123456'],
    ['email without a dot in the domain', 'root@localhost'],
    ['email local part over 64', `${'a'.repeat(65)}@example.com`],
    ['IPv4 with octet over 255', '256.1.1.1'],
    ['IPv4 with a leading zero', '192.168.01.1'],
    ['version string', 'v1.2.3.4'],
    ['dotted run', '1.2.3.4.5'],
    ['time of day', '12:30:45'],
    ['MAC address', '00:1A:2B:3C:4D:5E'],
    ['C++ scope', 'std::vector Abc::Def'],
    ['unspecified IPv6', 'bind to :: now'],
    ['passport inside a word', 'XE12345678'],
    ['lowercase passport', 'e12345678'],
  ])('%s', (_label, text) => {
    expect(matched(text)).toEqual([])
  })

  it('reports the legacy 15-digit form when asked', () => {
    const found = pii(scanText('旧证号110105491231002。', { now, legacyResidentId: true }))
    expect(found.map((f) => f.kind)).toEqual(['resident_id'])
  })

  it('judges birth dates against the injected now', () => {
    expect(matched('110105202611250016', ['resident_id'])).toEqual(['110105202611250016'])
    const earlier = new Date('2026-11-24T00:00:00Z')
    expect(pii(scanText('110105202611250016', { now: () => earlier }))).toEqual([])
  })
})

describe('overlapping findings', () => {
  it('reports a resident id that also passes the Luhn check once, as a resident id', () => {
    // Find an 18-digit id of Gansu (region 62, also UnionPay's IIN, which issues 18-digit
    // cards) whose digits also pass Luhn.
    let id = ''
    for (let seq = 100; seq < 1000 && id === ''; seq++) {
      const first17 = `62010219800101${seq}`
      const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
      const sum = [...first17].reduce((acc, d, i) => acc + Number(d) * weights[i]!, 0)
      const check = '10X98765432'.charAt(sum % 11)
      if (check === 'X') continue
      const candidate = first17 + check
      const luhnSum = [...candidate]
        .reverse()
        .map(Number)
        .reduce((acc, d, i) => acc + (i % 2 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0)
      if (luhnSum % 10 === 0) id = candidate
    }
    expect(id).toHaveLength(18)
    expect(pii(scanText(id, { now, kinds: ['bank_card'] })).map((f) => f.kind)).toEqual([
      'bank_card',
    ])
    expect(pii(scanText(id, { now })).map((f) => f.kind)).toEqual(['resident_id'])
  })

  it('reports ::ffff:1.2.3.4 once, as one IPv6 address', () => {
    const found = pii(scanText('peer ::ffff:1.2.3.4 connected', { now }))
    expect(found).toHaveLength(1)
    expect(found[0]!.message).toMatch(/IPv6/)
  })

  it('adds the VIN check-digit status', () => {
    const findings = pii(scanText('VIN 1M8GDM9AXKP042788 / WDBRF61J01F123456', { now }))
    expect(findings.map((f) => f.checkDigit)).toEqual(['valid', 'not_applicable'])
    expect(pii(scanText('13812345678', { now }))[0]).not.toHaveProperty('checkDigit')
  })
})

describe('scanText options', () => {
  it('filters by kind', () => {
    const text = '13812345678 li@example.com'
    expect(pii(scanText(text, { now, kinds: ['email'] })).map((f) => f.kind)).toEqual(['email'])
  })

  it('rejects kinds it cannot detect, and other bad arguments, with ERR_INVALID_ARGUMENT', () => {
    const bad: Array<() => unknown> = [
      () => scanText('x', { kinds: ['name'] }),
      () => scanText('x', { kinds: 'mobile' as unknown as PiiKind[] }),
      () => scanText('x', { maxLength: 0 }),
      () => scanText('x', { maxLength: 1.5 }),
      () => scanText('x', { now: () => new Date('nope') }),
      () => scanText(42 as unknown as string),
      () => scanText('x', { legacyResidentId: 'yes' as unknown as boolean }),
    ]
    for (const call of bad) {
      let caught: unknown
      try {
        call()
      } catch (error) {
        caught = error
      }
      expect(isDatagateError(caught, 'ERR_INVALID_ARGUMENT'), String(call)).toBe(true)
    }
    expect(DETECTABLE_KINDS).not.toContain('name')
  })

  it('scans only maxLength characters and says so with scan_truncated', () => {
    const text = `13812345678 ${'x'.repeat(100)} 13987654321`
    const findings = scanText(text, { now, maxLength: 50, path: 'memo' })
    expect(findings.map((f) => f.code)).toEqual(['pii_mobile', 'scan_truncated'])
    const truncated = findings[1]!
    expect(truncated.path).toBe('memo')
    expect(truncated.message).toContain('50')
    expect(truncated.message).toContain(String(text.length))
    expect(scanText(text, { now }).filter((f) => f.code === 'pii_mobile')).toHaveLength(2)
  })

  it('caps at 1,000,000 characters by default', () => {
    const text = `${' '.repeat(1_000_000)}13812345678`
    expect(scanText(text, { now }).map((f) => f.code)).toEqual(['scan_truncated'])
  })
})

describe('scanRecord', () => {
  const record = {
    customerId: 'c-1',
    name: '李雷',
    vehicle: { vin: '1M8GDM9AXKP042788', model: 'Model Y', plate: '沪A·D1234' },
    orders: [
      { id: 1, phone: '13000000000x' },
      { id: 2, note: 'none' },
      { id: 3, phone: 13812345678, contact: { email: 'li@example.com' } },
    ],
    'a.b': ['203.0.113.7'],
    ids: { card: 6200000000000005n },
  }

  it('reports paths like vehicle.vin and orders[2].phone', () => {
    const found = scanRecord(record, { now }).map((f) => `${f.code} ${f.path}`)
    expect(found).toEqual([
      'pii_vin vehicle.vin',
      'pii_licence_plate vehicle.plate',
      'pii_mobile orders[2].phone',
      'pii_email orders[2].contact.email',
      'pii_ip_address ["a.b"][0]',
      'pii_bank_card ids.card',
    ])
  })

  it('prefixes paths with options.path', () => {
    const found = scanRecord({ phone: '13812345678' }, { now, path: 'rows[4]' })
    expect(found.map((f) => f.path)).toEqual(['rows[4].phone'])
  })

  it('scans a top-level string or number', () => {
    expect(scanRecord('13812345678', { now }).map((f) => f.path)).toEqual([''])
    expect(scanRecord(13812345678, { now }).map((f) => f.code)).toEqual(['pii_mobile'])
  })

  it('scans an own __proto__ key (JSON.parse) without touching any prototype', () => {
    const parsed: unknown = JSON.parse('{"__proto__": {"phone": "13812345678"}, "x": 1}')
    const found = scanRecord(parsed, { now })
    expect(found.map((f) => f.path)).toEqual(['__proto__.phone'])
    expect(({} as Record<string, unknown>).phone).toBeUndefined()
    const plain = { phone: 'none' }
    expect(scanRecord(plain, { now })).toEqual([]) // inherited properties are not walked
  })

  it('never calls getters', () => {
    let called = false
    const tricky = {
      get phone() {
        called = true
        return '13812345678'
      },
    }
    expect(scanRecord(tricky, { now })).toEqual([])
    expect(called).toBe(false)
  })

  it('does not hang on cycles, and still reports shared objects at each path', () => {
    const shared = { phone: '13812345678' }
    const cyclic: Record<string, unknown> = { a: shared, b: shared }
    cyclic.self = cyclic
    ;(shared as Record<string, unknown>).back = cyclic
    const list: unknown[] = []
    list.push(list, { email: 'li@example.com' })
    expect(scanRecord(cyclic, { now }).map((f) => f.path)).toEqual(['a.phone', 'b.phone'])
    expect(scanRecord(list, { now }).map((f) => f.path)).toEqual(['[1].email'])
  })

  it('caps depth with scan_depth_exceeded', () => {
    let deep: Record<string, unknown> = { phone: '13812345678' }
    for (let i = 0; i < 100; i++) deep = { next: deep }
    const found = scanRecord(deep, { now })
    expect(found.map((f) => f.code)).toEqual(['scan_depth_exceeded'])
    expect(found[0]!.path.split('.')).toHaveLength(64)
    expect(scanRecord(deep, { now, maxDepth: 200 }).map((f) => f.code)).toEqual(['pii_mobile'])
  })

  it('caps total work with scan_budget_exceeded', () => {
    const rows = Array.from({ length: 1000 }, () => ({ phone: '13812345678' }))
    const byNodes = scanRecord(rows, { now, maxNodes: 101 })
    expect(byNodes.filter((f) => f.code === 'pii_mobile')).toHaveLength(50)
    expect(byNodes.at(-1)!.code).toBe('scan_budget_exceeded')
    const byLength = scanRecord(rows, { now, maxTotalLength: 110 })
    expect(byLength.filter((f) => f.code === 'pii_mobile')).toHaveLength(10)
    expect(byLength.at(-1)).toMatchObject({ code: 'scan_budget_exceeded', path: '[10].phone' })
    const sparse: unknown[] = []
    sparse.length = 2 ** 32 - 1
    expect(scanRecord(sparse, { now }).map((f) => f.code)).toEqual(['scan_budget_exceeded'])
  })

  it('truncates each long string at maxLength', () => {
    const found = scanRecord({ memo: `13812345678${' '.repeat(100)}` }, { now, maxLength: 20 })
    expect(found.map((f) => `${f.code} ${f.path}`)).toEqual([
      'pii_mobile memo',
      'scan_truncated memo',
    ])
  })
})

describe('messages never quote the matched value', () => {
  it('holds for every sample in every context, in text and in records', () => {
    for (const { value } of Object.values(SAMPLES)) {
      for (const wrap of CONTEXTS) {
        const text = wrap(value)
        const findings = [
          ...scanText(text, { now, path: 'note' }),
          ...scanRecord({ note: text, nested: [{ text }] }, { now }),
        ]
        expect(findings.length).toBeGreaterThan(0)
        const digits = value.replace(/[^0-9A-Za-z]/g, '')
        for (const finding of findings) {
          expect(finding.message).not.toContain(value)
          expect(finding.message.replace(/[^0-9A-Za-z]/g, '')).not.toContain(digits)
          expect(JSON.stringify(finding)).not.toContain(value)
        }
      }
    }
  })

  it('names the kind and where', () => {
    const [finding] = scanRecord({ orders: [{}, {}, { phone: '13812345678' }] }, { now })
    expect(finding!.message).toBe(
      'Mainland China mobile number at offset 0 (11 characters) in orders[2].phone.',
    )
    expect(scanText('x 13812345678', { now })[0]!.message).toMatch(/offset 2 .* in the text\.$/)
  })
})
