// A labelled corpus for measuring the PII detectors from outside: seeded, so every run measures
// the same texts, and written from the standards, not from src/ (check characters are computed
// here independently), so a bug in a detector's check cannot hide itself.
//
// Each sample is a short text with the spans of the identifiers it holds. Positives are valid
// identifiers in every written form the scanner promises (full-width, grouped, NBSP, en dash,
// zero-width spaces, country-code prefixes) inside CJK and English context, with and without a
// label. Negatives are the look-alikes that used to be reported: ISBN-13, random 16- and
// 19-digit numbers, order and waybill numbers (some forced to pass MOD 31), EUI-64 ids and MACs,
// version strings, image names, device serials with a wrong check digit, landlines and
// timestamps. Everything not labelled is a negative: any finding on it is a false positive.
import type { PiiKind } from '../../src/classify/types.js'

/** The detector a label belongs to (`ipv4`/`ipv6` both have the kind `ip_address`). */
export type CorpusDetector =
  | 'resident_id'
  | 'mobile'
  | 'social_credit_code'
  | 'bank_card'
  | 'licence_plate'
  | 'vin'
  | 'email'
  | 'ipv4'
  | 'ipv6'
  | 'passport'

export interface CorpusLabel {
  readonly detector: CorpusDetector
  readonly kind: PiiKind
  /** The written form, e.g. `mobile/86-spaced`. */
  readonly form: string
  readonly start: number
  readonly end: number
}

export interface CorpusSample {
  readonly text: string
  readonly labels: readonly CorpusLabel[]
  /** `positive/<form>` or `lookalike/<what>`. */
  readonly group: string
}

const KIND: Readonly<Record<CorpusDetector, PiiKind>> = {
  resident_id: 'resident_id',
  mobile: 'mobile',
  social_credit_code: 'social_credit_code',
  bank_card: 'bank_card',
  licence_plate: 'licence_plate',
  vin: 'vin',
  email: 'email',
  ipv4: 'ip_address',
  ipv6: 'ip_address',
  passport: 'passport',
}

// ---------------------------------------------------------------------------------------------
// Randomness: mulberry32, seeded.

export type Rng = () => number

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const int = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1))
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!
const digits = (rng: Rng, n: number) => {
  let out = ''
  for (let i = 0; i < n; i++) out += String(int(rng, 0, 9))
  return out
}
const chars = (rng: Rng, alphabet: string, n: number) => {
  let out = ''
  for (let i = 0; i < n; i++) out += alphabet[Math.floor(rng() * alphabet.length)]
  return out
}
const pad = (n: number, width: number) => String(n).padStart(width, '0')

// ---------------------------------------------------------------------------------------------
// Written forms.

/** ASCII to full-width (U+FF01-U+FF5E), as a CJK input method writes it. */
export const fullWidth = (text: string) =>
  text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))

/** Splits `text` into groups of the given sizes (the last group takes the rest). */
const groups = (text: string, sizes: readonly number[]) => {
  const out: string[] = []
  let at = 0
  for (const size of sizes) {
    if (at >= text.length) break
    out.push(text.slice(at, at + size))
    at += size
  }
  if (at < text.length) out.push(text.slice(at))
  return out
}

const NBSP = '\u00a0'
const ZWSP = '\u200b'
const EN_DASH = '\u2013'

/** Inserts 1-3 zero-width spaces at random inner positions. */
const withZeroWidth = (rng: Rng, text: string) => {
  let out = text
  const count = int(rng, 1, 3)
  for (let i = 0; i < count; i++) {
    const at = int(rng, 1, out.length - 1)
    out = out.slice(0, at) + ZWSP + out.slice(at)
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Valid identifiers, with check characters computed from the standards.

const PROVINCES = [
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
  53, 54, 61, 62, 63, 64, 65,
]

/** GB 11643-1999 MOD 11-2: weights 2^(17-i) mod 11, check characters 1 0 X 9 8 7 6 5 4 3 2. */
export function gb11643Check(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (2 ** (17 - i) % 11)
  return '10X98765432'[sum % 11]!
}

export function residentId(rng: Rng): string {
  const year = int(rng, 1935, 2012)
  const month = int(rng, 1, 12)
  const day = int(rng, 1, new Date(Date.UTC(year, month, 0)).getUTCDate())
  const first17 = `${pick(rng, PROVINCES)}${pad(int(rng, 1, 99), 2)}${pad(int(rng, 1, 99), 2)}${year}${pad(month, 2)}${pad(day, 2)}${digits(rng, 3)}`
  return first17 + gb11643Check(first17)
}

export function mobile(rng: Rng): string {
  return `1${int(rng, 3, 9)}${digits(rng, 9)}`
}

/** ISO/IEC 7812 Luhn check digit for a payload. */
export function luhnDigit(payload: string): string {
  let sum = 0
  for (let i = 0; i < payload.length; i++) {
    let d = Number(payload[payload.length - 1 - i])
    if (i % 2 === 0) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return String((10 - (sum % 10)) % 10)
}

const CARD_NETWORKS: ReadonlyArray<{ prefix: (rng: Rng) => string; lengths: number[] }> = [
  { prefix: () => '4', lengths: [16, 16, 16, 13, 19] }, // Visa
  { prefix: (rng) => String(int(rng, 51, 55)), lengths: [16] }, // Mastercard
  { prefix: (rng) => String(int(rng, 2221, 2720)), lengths: [16] }, // Mastercard 2-series
  { prefix: (rng) => `62${int(rng, 0, 9)}`, lengths: [16, 19, 19, 17, 18] }, // UnionPay
  { prefix: (rng) => pick(rng, ['34', '37']), lengths: [15] }, // American Express
  { prefix: (rng) => String(int(rng, 3528, 3589)), lengths: [16] }, // JCB
  { prefix: () => '6011', lengths: [16] }, // Discover
  { prefix: () => '9558', lengths: [19] }, // ICBC domestic
]

export function bankCard(rng: Rng): string {
  const network = pick(rng, CARD_NETWORKS)
  const length = pick(rng, network.lengths)
  const prefix = network.prefix(rng)
  const payload = prefix + digits(rng, length - prefix.length - 1)
  return payload + luhnDigit(payload)
}

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'

/** GB 32100-2015: C18 = 31 - (sum of value * 3^(i-1) mod 31), 31 written 0. */
export function gb32100Check(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(first17[i]!) * (3 ** i % 31)
  return USCC_ALPHABET[(31 - (sum % 31)) % 31]!
}

/** GB 11714-1997: C9 = 11 - (sum of value * w mod 11), 10 written X, 11 written 0. */
export function gb11714Check(body: string): string {
  const weights = [3, 7, 9, 10, 5, 8, 4, 2]
  let sum = 0
  for (let i = 0; i < 8; i++) {
    const c = body[i]!
    sum += (c >= '0' && c <= '9' ? Number(c) : c.charCodeAt(0) - 55) * weights[i]!
  }
  const check = 11 - (sum % 11)
  return check === 10 ? 'X' : check === 11 ? '0' : String(check)
}

const AUTHORITY_TYPES = ['91', '91', '91', '92', '93', '11', '12', '51', '52', '53', '31', 'Y1']

export function socialCreditCode(rng: Rng, digitsOnly = false): string {
  const head = pick(rng, digitsOnly ? AUTHORITY_TYPES.filter((a) => a !== 'Y1') : AUTHORITY_TYPES)
  const division = `${pick(rng, PROVINCES)}${pad(int(rng, 1, 99), 2)}${pad(int(rng, 0, 99), 2)}`
  let body = ''
  let check = 'X'
  // An all-digit code needs an organisation check that is a digit too.
  do {
    body = digitsOnly ? digits(rng, 8) : chars(rng, USCC_ALPHABET, 8)
    check = gb11714Check(body)
  } while (digitsOnly && check === 'X')
  const first17 = head + division + body + check
  const last = gb32100Check(first17)
  if (digitsOnly && !/[0-9]/.test(last)) return socialCreditCode(rng, true)
  return first17 + last
}

const PLATE_PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼'
const PLATE_LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ'

export function licencePlate(rng: Rng): string {
  const head = pick(rng, [...PLATE_PROVINCES]) + pick(rng, [...PLATE_LETTERS])
  if (rng() < 0.3) return `${head}${pick(rng, ['D', 'F'])}${digits(rng, 5)}`
  return head + chars(rng, `${PLATE_LETTERS}0123456789`, 2) + digits(rng, 3)
}

const VIN_ALPHABET = '0123456789ABCDEFGHJKLMNPRSTUVWXYZ'
const VIN_VALUES = '012345678912345678.12345.7.923456789'

/** ISO 3779 / 49 CFR 565 check digit: transliteration, weights, remainder 10 written X. */
export function vinCheck(vin: string): string {
  const weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const c = vin[i]!
    const value = c <= '9' ? Number(c) : Number(VIN_VALUES[c.charCodeAt(0) - 65 + 10])
    sum += value * weights[i]!
  }
  const r = sum % 11
  return r === 10 ? 'X' : String(r)
}

const VIN_WMIS = [
  'LSV',
  'LFV',
  'LGW',
  'LHG',
  'LVS',
  'LBV',
  'LE4',
  '1G1',
  '1HG',
  '2T1',
  '3VW',
  '5YJ',
]
const VIN_WMIS_NO_CHECK = ['WDD', 'WBA', 'WVW', 'VF1', 'ZFA', 'YV1', 'SAL', 'TMB']
const MODEL_YEARS = 'ABCDEFGHJKLMNPRSTVWXY123456789'

function vinBody(rng: Rng, wmi: string): string {
  return `${wmi}${chars(rng, VIN_ALPHABET, 5)}0${pick(rng, [...MODEL_YEARS])}${chars(rng, VIN_ALPHABET, 1)}${digits(rng, 6)}`
}

export function vin(rng: Rng): string {
  const draft = vinBody(rng, pick(rng, VIN_WMIS))
  return `${draft.slice(0, 8)}${vinCheck(draft)}${draft.slice(9)}`
}

/** A European VIN whose maker leaves position 9 without the computed check digit. */
export function vinWithoutCheck(rng: Rng): string {
  const draft = vinBody(rng, pick(rng, VIN_WMIS_NO_CHECK))
  const right = vinCheck(draft)
  const wrong = right === '0' ? '1' : '0'
  return `${draft.slice(0, 8)}${wrong}${draft.slice(9)}`
}

const NAMES = ['li.lei', 'hanmeimei', 'zhang_san', 'wang.wu88', 'chen+crm', 'zhao.liu-2024', 'ops']
const DOMAINS = [
  'example.com',
  'qq.com',
  '163.com',
  'example.com.cn',
  'corp.example.cn',
  'mail.xn--fiqs8s',
]

export function email(rng: Rng): string {
  return `${pick(rng, NAMES)}${rng() < 0.5 ? int(rng, 1, 999) : ''}@${pick(rng, DOMAINS)}`
}

export function ipv4(rng: Rng): string {
  return `${int(rng, 1, 223)}.${int(rng, 0, 255)}.${int(rng, 0, 255)}.${int(rng, 1, 254)}`
}

const hex = (rng: Rng, max = 0xffff) => int(rng, 0, max).toString(16)

export function ipv6(rng: Rng): string {
  switch (int(rng, 0, 4)) {
    case 0:
      return `2001:db8:${hex(rng)}:${hex(rng)}::${hex(rng)}`
    case 1:
      return `fe80::${hex(rng)}:${hex(rng)}:${hex(rng)}:${hex(rng)}`
    case 2:
      return `240e:${hex(rng)}:${hex(rng)}:${hex(rng)}:${hex(rng)}:${hex(rng)}:${hex(rng)}:${hex(rng)}`
    case 3:
      return `::ffff:${ipv4(rng)}`
    default:
      return `fd${pad(int(rng, 0, 99), 2)}:${hex(rng)}::${int(rng, 1, 9)}`
  }
}

export function passport(rng: Rng): string {
  const r = rng()
  if (r < 0.4) return `E${digits(rng, 8)}`
  if (r < 0.7) return `E${pick(rng, [...'ABCDEFGHJKLMNPQRSTUVWXYZ'])}${digits(rng, 7)}`
  return `G${digits(rng, 8)}`
}

// ---------------------------------------------------------------------------------------------
// Contexts.

const LABELS: Readonly<Record<CorpusDetector, readonly string[]>> = {
  resident_id: ['身份证号', '证件号码：', '身份证 ', 'ID No. '],
  mobile: ['手机', '电话：', '联系电话 ', 'Tel: '],
  social_credit_code: ['统一社会信用代码：', '信用代码 ', 'USCC '],
  bank_card: ['卡号：', '银行卡号 ', '退款至银行卡', 'Card No. '],
  licence_plate: ['车牌', '车牌号：', '号牌 '],
  vin: ['车架号：', 'VIN ', '车辆识别代号 '],
  email: ['邮箱', '邮箱：', 'Email: '],
  ipv4: ['登录IP ', 'IP地址：', 'from ', '客户端 '],
  ipv6: ['IPv6地址：', '来源 ', 'peer '],
  passport: ['护照号码', '护照：', 'Passport '],
}

/** Wraps a value (already in its written form) with text before and after. */
const CONTEXTS: ReadonlyArray<(label: string) => [string, string]> = [
  (label) => [`${label}`, ''],
  (label) => [`客户${label}`, '，请核实。'],
  (label) => [`经核对，${label}`, '无误'],
  (label) => [`备注（${label}`, '）'],
  (label) => [`Customer record: ${label}`, ', please verify.'],
  (label) => [`${label}`, '\n下一行'],
]

/** Contexts without any label: the value stands alone among CJK text. */
const BARE: ReadonlyArray<[string, string]> = [
  ['', ''],
  ['张三，', '，已登记'],
  ['（', '）'],
  ['备注：', '。'],
  ['"', '"'],
  ['\t', ';'],
]

function sample(
  rng: Rng,
  detector: CorpusDetector,
  form: string,
  value: string,
  labelled: boolean,
): CorpusSample {
  const [before, after] = labelled
    ? pick(rng, CONTEXTS)(pick(rng, LABELS[detector]))
    : pick(rng, BARE)
  const text = before + value + after
  return {
    text,
    group: `positive/${form}`,
    labels: [
      {
        detector,
        kind: KIND[detector],
        form,
        start: before.length,
        end: before.length + value.length,
      },
    ],
  }
}

const negative = (group: string, text: string): CorpusSample => ({
  text,
  labels: [],
  group: `lookalike/${group}`,
})

// ---------------------------------------------------------------------------------------------
// Positive forms.

type Form = readonly [form: string, detector: CorpusDetector, make: (rng: Rng) => string]

const mobileGrouped = (n: string, sep: string) => groups(n, [3, 4, 4]).join(sep)

export const POSITIVE_FORMS: readonly Form[] = [
  ['resident_id/plain', 'resident_id', residentId],
  ['resident_id/full-width', 'resident_id', (rng) => fullWidth(residentId(rng))],
  [
    'resident_id/spaces-6-8-4',
    'resident_id',
    (rng) => groups(residentId(rng), [6, 8, 4]).join(' '),
  ],
  [
    'resident_id/spaces-4s',
    'resident_id',
    (rng) => groups(residentId(rng), [4, 4, 4, 4]).join(' '),
  ],
  ['resident_id/hyphens', 'resident_id', (rng) => groups(residentId(rng), [6, 8, 4]).join('-')],
  ['resident_id/nbsp', 'resident_id', (rng) => groups(residentId(rng), [6, 8, 4]).join(NBSP)],
  ['resident_id/zero-width', 'resident_id', (rng) => withZeroWidth(rng, residentId(rng))],
  [
    'resident_id/full-width-spaced',
    'resident_id',
    (rng) => fullWidth(groups(residentId(rng), [6, 8, 4]).join(' ')),
  ],
  ['resident_id/lowercase-x', 'resident_id', (rng) => residentId(rng).toLowerCase()],
  ['mobile/plain', 'mobile', mobile],
  ['mobile/spaces', 'mobile', (rng) => mobileGrouped(mobile(rng), ' ')],
  ['mobile/hyphens', 'mobile', (rng) => mobileGrouped(mobile(rng), '-')],
  ['mobile/+86', 'mobile', (rng) => `+86${mobile(rng)}`],
  ['mobile/+86-spaced', 'mobile', (rng) => `+86 ${mobileGrouped(mobile(rng), ' ')}`],
  ['mobile/0086', 'mobile', (rng) => `0086${mobile(rng)}`],
  ['mobile/86-spaced', 'mobile', (rng) => `86 ${mobileGrouped(mobile(rng), ' ')}`],
  ['mobile/86-contiguous', 'mobile', (rng) => `86${mobile(rng)}`],
  [
    'mobile/parentheses',
    'mobile',
    (rng) => {
      const [a, b, c] = groups(mobile(rng), [3, 4, 4])
      return `+86 (${a}) ${b}-${c}`
    },
  ],
  ['mobile/dots', 'mobile', (rng) => mobileGrouped(mobile(rng), '.')],
  ['mobile/full-width', 'mobile', (rng) => fullWidth(mobile(rng))],
  ['mobile/full-width-+86', 'mobile', (rng) => fullWidth(`+86 ${mobileGrouped(mobile(rng), ' ')}`)],
  ['mobile/nbsp', 'mobile', (rng) => mobileGrouped(mobile(rng), NBSP)],
  ['mobile/en-dash', 'mobile', (rng) => mobileGrouped(mobile(rng), EN_DASH)],
  ['social_credit_code/plain', 'social_credit_code', (rng) => socialCreditCode(rng)],
  ['social_credit_code/digits-only', 'social_credit_code', (rng) => socialCreditCode(rng, true)],
  [
    'social_credit_code/full-width',
    'social_credit_code',
    (rng) => fullWidth(socialCreditCode(rng)),
  ],
  ['bank_card/plain', 'bank_card', bankCard],
  ['bank_card/spaces', 'bank_card', (rng) => groups(bankCard(rng), [4, 4, 4, 4]).join(' ')],
  ['bank_card/hyphens', 'bank_card', (rng) => groups(bankCard(rng), [4, 4, 4, 4]).join('-')],
  ['bank_card/full-width', 'bank_card', (rng) => fullWidth(bankCard(rng))],
  ['bank_card/nbsp', 'bank_card', (rng) => groups(bankCard(rng), [4, 4, 4, 4]).join(NBSP)],
  ['licence_plate/plain', 'licence_plate', licencePlate],
  ['licence_plate/dot', 'licence_plate', (rng) => licencePlate(rng).replace(/^(..)/, '$1·')],
  ['vin/plain', 'vin', vin],
  ['vin/full-width', 'vin', (rng) => fullWidth(vin(rng))],
  ['vin/no-check-digit', 'vin', vinWithoutCheck],
  ['email/plain', 'email', email],
  ['email/full-width-at', 'email', (rng) => email(rng).replace('@', '＠')],
  ['ipv4/plain', 'ipv4', ipv4],
  ['ipv4/full-width', 'ipv4', (rng) => fullWidth(ipv4(rng))],
  ['ipv6/plain', 'ipv6', ipv6],
  ['passport/plain', 'passport', passport],
  ['passport/full-width', 'passport', (rng) => fullWidth(passport(rng))],
]

// ---------------------------------------------------------------------------------------------
// Look-alikes.

export function isbn13(rng: Rng): string {
  const payload = `${pick(rng, ['978', '979'])}${digits(rng, 9)}`
  let sum = 0
  for (let i = 0; i < 12; i++) sum += Number(payload[i]) * (i % 2 === 0 ? 1 : 3)
  return payload + String((10 - (sum % 10)) % 10)
}

export function eui64(rng: Rng): string {
  const byte = () => int(rng, 0, 255).toString(16).padStart(2, '0')
  const upper = rng() < 0.5
  const id = [byte(), byte(), byte(), 'ff', 'fe', byte(), byte(), byte()].join(':')
  return upper ? id.toUpperCase() : id
}

function mac(rng: Rng): string {
  return Array.from({ length: 6 }, () => int(rng, 0, 255).toString(16).padStart(2, '0'))
    .join(':')
    .toUpperCase()
}

export function version(rng: Rng): string {
  return `${int(rng, 1, 20)}.${int(rng, 0, 30)}.${int(rng, 0, 99)}.${int(rng, 0, 250)}`
}

/** 18 characters of the code alphabet whose last one is forced to pass MOD 31. */
export function mod31OrderNumber(rng: Rng): string {
  const first17 = chars(rng, USCC_ALPHABET.slice(0, 10), 4) + chars(rng, USCC_ALPHABET, 13)
  return first17 + gb32100Check(first17)
}

export function deviceSerial(rng: Rng): string {
  for (;;) {
    const draft = chars(rng, VIN_ALPHABET, 17)
    if (!/[A-Z]/.test(draft)) continue
    const right = vinCheck(draft)
    if (draft[8] !== right) return draft
  }
}

const ORDER_LABELS = ['订单号', '订单号：', '流水号 ', '交易号：', '编号', 'Order No. ']
const WAYBILL_LABELS = ['运单号', '快递单号：', '物流单号 ', 'Tracking ']
const VERSION_LABELS = [
  '版本 ',
  'APP版本号：',
  '升级到 ',
  '固件 ',
  'firmware ',
  'version ',
  'Build ',
]
const SERIAL_LABELS = ['序列号', 'SN: ', '设备序列号：', 'S/N ']

type LookAlike = readonly [group: string, make: (rng: Rng) => string]

const wrapped = (rng: Rng, labels: readonly string[], value: string, bareShare = 0.25) => {
  if (rng() < bareShare) {
    const [before, after] = pick(rng, BARE)
    return before + value + after
  }
  const [before, after] = pick(rng, CONTEXTS)(pick(rng, labels))
  return before + value + after
}

export const LOOKALIKES: readonly LookAlike[] = [
  ['isbn-13', (rng) => wrapped(rng, ['ISBN ', '书号：', 'ISBN：'], isbn13(rng), 0.5)],
  ['random-16-digits', (rng) => wrapped(rng, ORDER_LABELS, digits(rng, 1) + digits(rng, 15))],
  [
    'random-19-digits',
    (rng) => wrapped(rng, ORDER_LABELS, String(int(rng, 1, 9)) + digits(rng, 18)),
  ],
  [
    'date-order-number',
    (rng) =>
      wrapped(
        rng,
        ORDER_LABELS,
        `2026${pad(int(rng, 1, 12), 2)}${pad(int(rng, 1, 28), 2)}${digits(rng, 10)}`,
      ),
  ],
  ['order-number-mod31', (rng) => wrapped(rng, ORDER_LABELS, mod31OrderNumber(rng))],
  ['waybill-mod31', (rng) => wrapped(rng, WAYBILL_LABELS, mod31OrderNumber(rng))],
  ['waybill-sf', (rng) => wrapped(rng, WAYBILL_LABELS, `SF${digits(rng, 13)}`)],
  ['waybill-digits', (rng) => wrapped(rng, WAYBILL_LABELS, `7${digits(rng, 14)}`)],
  [
    'imei',
    (rng) => {
      const payload = `86${digits(rng, 12)}`
      return wrapped(rng, ['IMEI ', 'IMEI：'], payload + luhnDigit(payload), 0.3)
    },
  ],
  ['eui-64', (rng) => wrapped(rng, ['设备ID ', 'EUI-64: ', 'device '], eui64(rng), 0.5)],
  ['mac', (rng) => wrapped(rng, ['MAC ', 'MAC地址：'], mac(rng), 0.5)],
  [
    'small-colon-groups',
    (rng) =>
      wrapped(
        rng,
        ['参数 ', 'ratio '],
        Array.from({ length: 8 }, () => int(rng, 1, 9)).join(':'),
        0.5,
      ),
  ],
  ['version-string', (rng) => wrapped(rng, VERSION_LABELS, version(rng), 0)],
  ['version-suffix', (rng) => `当前 ${version(rng)} 版本`],
  [
    'image-name',
    (rng) => {
      const name = `${pick(rng, ['logo', 'icon_home', 'banner', 'avatar-small', 'btn.back'])}@${pick(rng, ['2x', '3x', '1.5x'])}.${pick(rng, ['png', 'webp', 'jpg', 'gif', 'svg'])}`
      return pick(rng, [`图片 ${name} 加载失败`, `src="img/${name}"`, name, `资源：${name}。`])
    },
  ],
  ['device-serial', (rng) => wrapped(rng, SERIAL_LABELS, deviceSerial(rng), 0.4)],
  [
    'landline',
    (rng) => wrapped(rng, ['座机 ', '电话：'], `0${int(rng, 10, 999)}-${digits(rng, 8)}`, 0.3),
  ],
  [
    'eleven-digits-1[0-2]',
    (rng) => wrapped(rng, ORDER_LABELS, `1${int(rng, 0, 2)}${digits(rng, 9)}`),
  ],
  ['ms-timestamp', (rng) => wrapped(rng, ['时间戳 ', 'ts='], `17${digits(rng, 11)}`, 0.5)],
  [
    'resident-id-wrong-check',
    (rng) => {
      const id = residentId(rng)
      const wrong = id[17] === '0' ? '1' : '0'
      return wrapped(rng, ORDER_LABELS, id.slice(0, 17) + wrong)
    },
  ],
  [
    'random-18-digits',
    (rng) => wrapped(rng, ORDER_LABELS, String(int(rng, 1, 9)) + digits(rng, 17)),
  ],
  ['short-passport', (rng) => wrapped(rng, ORDER_LABELS, `E${digits(rng, 7)}`)],
]

/** Options of {@link buildCorpus}. */
export interface CorpusOptions {
  readonly seed?: number
  /** Samples per positive written form. */
  readonly perForm?: number
  /** Samples per look-alike group. */
  readonly perLookalike?: number
}

/** The whole corpus: every positive form and every look-alike, in a fixed order. */
export function buildCorpus(options: CorpusOptions = {}): CorpusSample[] {
  const { seed = 20261125, perForm = 80, perLookalike = 120 } = options
  const rng = mulberry32(seed)
  const out: CorpusSample[] = []
  for (const [form, detector, make] of POSITIVE_FORMS) {
    for (let i = 0; i < perForm; i++) out.push(sample(rng, detector, form, make(rng), i % 3 !== 0))
  }
  for (let i = 0; i < perForm * 2; i++) out.push(mixed(rng))
  for (const [group, make] of LOOKALIKES) {
    for (let i = 0; i < perLookalike; i++) out.push(negative(group, make(rng)))
  }
  return out
}

/** One line holding a resident ID, a mobile and a card, each in a random written form. */
function mixed(rng: Rng): CorpusSample {
  const formsOf = (detector: CorpusDetector) => POSITIVE_FORMS.filter((f) => f[1] === detector)
  const parts: Array<[string, CorpusDetector, string, string]> = [
    ['客户', 'resident_id', '身份证', ''],
    ['，', 'mobile', '手机', ''],
    ['，', 'bank_card', '卡号', '。'],
  ].map(([before, detector, label, after]) => {
    const [form, , make] = pick(rng, formsOf(detector as CorpusDetector))
    return [`${before}${label}`, detector as CorpusDetector, `${form}`, `${make(rng)}${after}`]
  })
  let text = ''
  const labels: CorpusLabel[] = []
  for (const [before, detector, form, valueAndAfter] of parts) {
    text += before
    const after = valueAndAfter.endsWith('。') ? '。' : ''
    const value = after === '' ? valueAndAfter : valueAndAfter.slice(0, -1)
    labels.push({
      detector,
      kind: KIND[detector],
      form,
      start: text.length,
      end: text.length + value.length,
    })
    text += value + after
  }
  return { text, labels, group: 'positive/mixed' }
}

// ---------------------------------------------------------------------------------------------
// Scoring.

/** What a scanner reports: kind and offsets into the sample's text. */
export interface Reported {
  readonly kind: PiiKind
  readonly start: number
  readonly end: number
}

export interface Score {
  tp: number
  fp: number
  fn: number
  readonly precision: number
  readonly recall: number
}

export interface Evaluation {
  readonly samples: number
  readonly labels: number
  readonly byDetector: Readonly<Record<CorpusDetector, Score>>
  readonly overall: Score
  /** Recall by written form. */
  readonly byForm: Readonly<Record<string, Score>>
  /** False positives by look-alike group (and `positive/*` for findings beside a label). */
  readonly falsePositivesByGroup: Readonly<Record<string, number>>
  /** Labels found with exactly the labelled span. */
  readonly exactSpans: number
}

function score(): Score {
  return {
    tp: 0,
    fp: 0,
    fn: 0,
    get precision() {
      return this.tp + this.fp === 0 ? 1 : this.tp / (this.tp + this.fp)
    },
    get recall() {
      return this.tp + this.fn === 0 ? 1 : this.tp / (this.tp + this.fn)
    },
  }
}

/**
 * Scores a scanner on the corpus. A finding matches a label of the same kind whose span it
 * overlaps; each label and each finding matches at most once. A false positive of kind
 * `ip_address` is counted against `ipv6` when its text holds a colon, else `ipv4`.
 */
export function evaluate(
  corpus: readonly CorpusSample[],
  scan: (text: string) => readonly Reported[],
): Evaluation {
  const detectors = Object.keys(KIND) as CorpusDetector[]
  const byDetector = Object.fromEntries(detectors.map((d) => [d, score()])) as Record<
    CorpusDetector,
    Score
  >
  const byForm: Record<string, Score> = {}
  const falsePositivesByGroup: Record<string, number> = {}
  const overall = score()
  let labels = 0
  let exactSpans = 0
  for (const { text, labels: expected, group } of corpus) {
    const found = [...scan(text)]
    const used = new Set<number>()
    for (const label of expected) {
      labels++
      const at = found.findIndex(
        (f, i) =>
          !used.has(i) && f.kind === label.kind && f.start < label.end && label.start < f.end,
      )
      byForm[label.form] ??= score()
      const form = byForm[label.form]!
      if (at >= 0) {
        used.add(at)
        byDetector[label.detector].tp++
        overall.tp++
        form.tp++
        if (found[at]!.start === label.start && found[at]!.end === label.end) exactSpans++
      } else {
        byDetector[label.detector].fn++
        overall.fn++
        form.fn++
      }
    }
    found.forEach((f, i) => {
      if (used.has(i)) return
      const detector: CorpusDetector =
        f.kind === 'ip_address'
          ? text.slice(f.start, f.end).includes(':')
            ? 'ipv6'
            : 'ipv4'
          : (f.kind as CorpusDetector)
      if (detector in byDetector) byDetector[detector].fp++
      overall.fp++
      falsePositivesByGroup[group] = (falsePositivesByGroup[group] ?? 0) + 1
    })
  }
  return {
    samples: corpus.length,
    labels,
    byDetector,
    overall,
    byForm,
    falsePositivesByGroup,
    exactSpans,
  }
}

/** A random 16-digit number (first digit 1-9), for false-positive rates. */
export function digits16(rng: Rng): string {
  return String(int(rng, 1, 9)) + digits(rng, 15)
}
