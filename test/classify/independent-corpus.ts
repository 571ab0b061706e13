// An independent labelled corpus for the PII detectors, written by a reviewer without reading
// ./corpus.ts, so that the two share no blind spot by construction. Check characters are computed
// here from the standards (GB 11643-1999 MOD 11-2, GB 32100-2015 MOD 31 over GB 11714-1997 MOD 11,
// ISO/IEC 7812 Luhn, ISO 3779 / 49 CFR 565 VIN check digit, ISBN-13 EAN check), never imported
// from src/. Identifiers sit in after-sales text as it is really written: repair-order notes in
// Chinese, CSV rows, JSON strings, log lines, URL query strings, full-width punctuation, line
// breaks, the identifier at the start or end of the string, two identifiers side by side. The
// look-alikes are the numbers an after-sales system is full of: order and waybill numbers,
// timestamps, ISBNs, IMEIs, MAC and EUI-64 ids, version strings, amounts, landlines, invoice
// numbers, GUIDs, member-card numbers, SNMP OIDs, asset names.
//
// Every sample lists the exact span of each identifier it holds; a look-alike sample holds none.

export type IndependentDetector =
  | 'resident_id'
  | 'social_credit_code'
  | 'vin'
  | 'passport'
  | 'mobile'
  | 'bank_card'
  | 'licence_plate'
  | 'email'
  | 'ipv4'
  | 'ipv6'

export interface IndependentLabel {
  readonly detector: IndependentDetector
  readonly start: number
  readonly end: number
}

export interface IndependentSample {
  readonly text: string
  readonly labels: readonly IndependentLabel[]
  /** `form:<detector>:<written form>:<context>` or `lookalike:<kind>:<context>`. */
  readonly group: string
  /**
   * Nothing in the text decides this sample: a look-alike that has an identifier's shape and no
   * word before it saying otherwise (a dotted quad `6.7.30.92` alone, in a CSV cell, or with
   * 版本 only after it), or two digit-grouped identifiers run together with one space. Its
   * misses and reports are counted apart and left out of `precision` and `recall`.
   */
  readonly inherent?: true
}

// --- seeded randomness (mulberry32) --------------------------------------------------------------

export interface Rng {
  next(): number
  int(min: number, max: number): number
  pick<T>(items: readonly T[]): T
  digits(n: number): string
  chance(p: number): boolean
}

export function rng(seed: number): Rng {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!,
    digits: (n: number) => Array.from({ length: n }, () => String(int(0, 9))).join(''),
    chance: (p: number) => next() < p,
  }
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0')

// --- check characters, from the standards --------------------------------------------------------

/** GB 11643-1999: weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11, 10 written X. */
export function gb11643Check(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (2 ** (17 - i) % 11)
  const c = (12 - (sum % 11)) % 11
  return c === 10 ? 'X' : String(c)
}

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'

/** GB 11714-1997 organisation code check: weights 3 7 9 10 5 8 4 2, C = 11 - sum mod 11. */
export function gb11714Check(first8: string): string {
  const weights = [3, 7, 9, 10, 5, 8, 4, 2]
  let sum = 0
  for (let i = 0; i < 8; i++) {
    const ch = first8[i]!
    const value = /[0-9]/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 55 // A = 10 ... Z = 35
    sum += value * weights[i]!
  }
  const c = 11 - (sum % 11)
  return c === 10 ? 'X' : c === 11 ? '0' : String(c)
}

/** GB 32100-2015: weights 3^i mod 31, check = 31 - sum mod 31 (31 written 0). */
export function gb32100Check(first17: string): string {
  let sum = 0
  let weight = 1
  for (let i = 0; i < 17; i++) {
    sum += USCC_ALPHABET.indexOf(first17[i]!) * weight
    weight = (weight * 3) % 31
  }
  const c = (31 - (sum % 31)) % 31
  return USCC_ALPHABET[c]!
}

/** ISO/IEC 7812-1 Luhn: the digit that makes the whole number pass. */
export function luhnDigit(body: string): string {
  let sum = 0
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i])
    if (i % 2 === 0) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return String((10 - (sum % 10)) % 10)
}

export function luhnValid(number: string): boolean {
  return luhnDigit(number.slice(0, -1)) === number.slice(-1)
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
const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]

/** ISO 3779 / 49 CFR 565.15: transliterate, weight, sum mod 11, 10 written X. */
export function vinCheck(vin: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const ch = vin[i]!
    sum += (/[0-9]/.test(ch) ? Number(ch) : VIN_VALUES[ch]!) * VIN_WEIGHTS[i]!
  }
  const c = sum % 11
  return c === 10 ? 'X' : String(c)
}

/** ISBN-13 (EAN-13): weights 1 3 1 3 ..., check = (10 - sum mod 10) mod 10. */
function isbnCheck(first12: string): string {
  let sum = 0
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3)
  return String((10 - (sum % 10)) % 10)
}

// --- valid identifiers ---------------------------------------------------------------------------

// Province-level division codes (GB/T 2260), plus 71/81/82 (Taiwan, Hong Kong, Macao residence
// permits, GB 11643 as used since 2018).
const PROVINCES = [
  '11',
  '12',
  '13',
  '14',
  '15',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '50',
  '51',
  '52',
  '53',
  '54',
  '61',
  '62',
  '63',
  '64',
  '65',
]

function residentId(r: Rng, now: Date): string {
  const province = r.chance(0.02) ? r.pick(['81', '82', '71']) : r.pick(PROVINCES)
  const area =
    province.startsWith('8') || province === '71'
      ? '0000'
      : pad(r.int(1, 15), 2) + pad(r.int(1, 30), 2)
  const year = r.int(1935, Math.min(2010, now.getUTCFullYear() - 1))
  const month = r.int(1, 12)
  const day = r.int(1, new Date(Date.UTC(year, month, 0)).getUTCDate())
  const body = `${province}${area}${year}${pad(month, 2)}${pad(day, 2)}${r.digits(3)}`
  return body + gb11643Check(body)
}

// GB 32100-2015 annex A: registration authority and the organisation types it registers,
// weighted towards what an after-sales system sees (companies, individual businesses, dealers'
// associations, public institutions).
const USCC_KINDS = [
  '91',
  '91',
  '91',
  '91',
  '91',
  '91',
  '92',
  '92',
  '93',
  '12',
  '11',
  '52',
  '51',
  '31',
  '53',
  'N2',
  'Y1',
]
const ORG_LETTERS = 'ABCDEFGHJKLMNPQRTUWXY'

function socialCreditCode(r: Rng): string {
  const kind = r.pick(USCC_KINDS)
  const division = r.chance(0.05)
    ? '100000'
    : r.pick(PROVINCES) + pad(r.int(1, 15), 2) + pad(r.int(0, 30), 2)
  let org: string
  if (r.chance(0.6)) {
    // Codes issued since 2015 start with MA and carry letters of the USCC alphabet.
    org = `MA${Array.from({ length: 6 }, () => r.pick([...'0123456789', ...ORG_LETTERS])).join('')}`
  } else {
    org = r.digits(8)
  }
  org += gb11714Check(org)
  const body = kind + division + org
  return body + gb32100Check(body)
}

// Issuer identification numbers that are really issued, with the lengths their cards have.
const CARD_ISSUERS: readonly {
  readonly prefix: (r: Rng) => string
  readonly lengths: readonly number[]
}[] = [
  { prefix: () => '622202', lengths: [19] }, // ICBC debit
  { prefix: () => '621226', lengths: [19] }, // ICBC debit
  { prefix: () => '622848', lengths: [19] }, // ABC debit
  { prefix: () => '621700', lengths: [19] }, // CCB debit
  { prefix: () => '621483', lengths: [16] }, // CMB debit
  { prefix: () => '622588', lengths: [16] }, // CMB credit
  { prefix: () => '625', lengths: [16] }, // UnionPay credit
  { prefix: (r) => `4${r.digits(5)}`, lengths: [16] }, // Visa, any BIN
  { prefix: () => '620', lengths: [19] }, // UnionPay debit
  { prefix: () => '9558', lengths: [19] }, // ICBC legacy domestic BIN
  { prefix: () => '4', lengths: [16] }, // Visa
  { prefix: (r) => `5${r.int(1, 5)}`, lengths: [16] }, // Mastercard 51-55
  { prefix: () => '55', lengths: [16] }, // Mastercard 55
  { prefix: () => '2221', lengths: [16] }, // Mastercard 2-series
  { prefix: () => '2720', lengths: [16] }, // Mastercard 2-series
  { prefix: () => '3528', lengths: [16] }, // JCB
  { prefix: () => '3589', lengths: [16] }, // JCB
  { prefix: () => '6011', lengths: [16] }, // Discover
]

function bankCard(r: Rng, issuer = r.pick(CARD_ISSUERS)): string {
  const prefix = issuer.prefix(r)
  const length = r.pick(issuer.lengths)
  let body = prefix + r.digits(length - prefix.length - 1)
  // Avoid a body of one repeated digit (no issuer prints those).
  if (/^(\d)\1+$/.test(body)) body = `${prefix}1${body.slice(prefix.length + 1)}`
  return body + luhnDigit(body)
}

function amexCard(r: Rng): string {
  const body = r.pick(['34', '37']) + r.digits(12)
  return body + luhnDigit(body)
}

const VIN_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789'
const VIN_YEARS = 'ABCDEFGHJKLMNPRSTVWXY123456789'
// World manufacturer identifiers of cars sold and serviced in China, and a few imports.
const WMIS_CHECKED = [
  'LSV',
  'LFV',
  'LGB',
  'LVS',
  'LBV',
  'LSG',
  'LHG',
  'LRW',
  'LGX',
  'L6T',
  'LFP',
  'LVG',
  'LDC',
  'LZW',
  'LNB',
  'LB3',
  '1HG',
  '1FT',
  '2T1',
  '3VW',
  '5YJ',
  '5UX',
  'JHM',
  'WBA',
  'WDD',
  'WVW',
  'SAL',
  'KMH',
]
// European makers that leave position 9 as part of the VDS (ISO 3779 does not require a check
// digit outside North America and China).
const WMIS_UNCHECKED = ['WDB', 'WBA', 'WVW', 'VF1', 'ZFA', 'YV1']

function vinChars(r: Rng, n: number): string {
  return Array.from({ length: n }, () => r.pick([...VIN_CHARS])).join('')
}

function vin(r: Rng, checked = true): string {
  const wmi = checked ? r.pick(WMIS_CHECKED) : r.pick(WMIS_UNCHECKED)
  const vds = vinChars(r, 5)
  const year = r.pick([...VIN_YEARS])
  const plant = r.pick([...VIN_CHARS])
  const serial = r.digits(6)
  const draft = `${wmi}${vds}0${year}${plant}${serial}`
  if (checked) return draft.slice(0, 8) + vinCheck(draft) + draft.slice(9)
  // A ninth character that is not the check digit.
  const check = vinCheck(draft)
  const other = r.pick([...'0123456789X'].filter((c) => c !== check))
  return draft.slice(0, 8) + other + draft.slice(9)
}

const MOBILE_BLOCKS = [
  '130',
  '131',
  '132',
  '133',
  '134',
  '135',
  '136',
  '137',
  '138',
  '139',
  '145',
  '147',
  '149',
  '150',
  '151',
  '152',
  '153',
  '155',
  '156',
  '157',
  '158',
  '159',
  '162',
  '165',
  '166',
  '167',
  '170',
  '171',
  '172',
  '173',
  '175',
  '176',
  '177',
  '178',
  '180',
  '181',
  '182',
  '183',
  '184',
  '185',
  '186',
  '187',
  '188',
  '189',
  '190',
  '191',
  '192',
  '193',
  '195',
  '196',
  '197',
  '198',
  '199',
]

function mobile(r: Rng): string {
  return r.pick(MOBILE_BLOCKS) + r.digits(8)
}

const PLATE_PROVINCES = [...'京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼']
const PLATE_LETTERS = [...'ABCDEFGHJKLMNPQRSTUVWXYZ']
const PLATE_CHARS = [...'0123456789', ...'ABCDEFGHJKLMNPQRSTUVWXYZ']

function plate(r: Rng, kind: 'ordinary' | 'nev_small' | 'nev_large' | 'trailer'): [string, string] {
  const head = r.pick(PLATE_PROVINCES) + r.pick(PLATE_LETTERS.slice(0, 14))
  switch (kind) {
    case 'ordinary': {
      // At most two letters in the serial (GA 36-2018), the rest digits.
      const chars = [...r.digits(5)]
      for (let i = 0; i < r.int(0, 2); i++) chars[r.int(0, 4)] = r.pick(PLATE_LETTERS)
      return [head, chars.join('')]
    }
    case 'nev_small':
      return [head, r.pick(['D', 'F']) + r.pick(PLATE_CHARS) + r.digits(4)]
    case 'nev_large':
      return [head, r.digits(5) + r.pick(['D', 'F'])]
    case 'trailer':
      return [head, `${r.digits(4)}挂`]
  }
}

const GIVEN = [
  'wei',
  'fang',
  'na',
  'min',
  'jing',
  'lei',
  'qiang',
  'yang',
  'jun',
  'yan',
  'tao',
  'ming',
]
const FAMILY = [
  'zhang',
  'wang',
  'li',
  'zhao',
  'liu',
  'chen',
  'yang',
  'huang',
  'zhou',
  'wu',
  'xu',
  'sun',
]
const DOMAINS = [
  '163.com',
  'qq.com',
  '126.com',
  'sina.com',
  'foxmail.com',
  'gmail.com',
  'outlook.com',
  'aliyun.com',
  'example.com.cn',
  'dealer-hz.cn',
  'mail.saic-vw.com',
  'sh.chinamobile.com',
  'xn--fiqs8s.xn--fiqz9s',
  'yeah.net',
]

function email(r: Rng): string {
  const family = r.pick(FAMILY)
  const given = r.pick(GIVEN)
  const local = r.pick([
    `${family}.${given}`,
    `${given}_${family}${r.int(1, 99)}`,
    `${r.digits(r.int(6, 10)).replace(/^0/, '1')}`,
    `${family}${given}+crm`,
    `${given[0]}.${family}-${r.int(1970, 2005)}`,
    `Service.${family.toUpperCase()}`,
  ])
  return `${local}@${r.pick(DOMAINS)}`
}

function ipv4(r: Rng): string {
  return r.pick([
    () => `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
    () => `192.168.${r.int(0, 255)}.${r.int(1, 254)}`,
    () => `172.${r.int(16, 31)}.${r.int(0, 255)}.${r.int(1, 254)}`,
    () =>
      `${r.pick([36, 58, 101, 112, 114, 117, 120, 183, 222, 223])}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
    () => `${r.int(1, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(0, 255)}`,
  ])()
}

const hex4 = (r: Rng): string => r.int(0, 0xffff).toString(16)

function ipv6(r: Rng): string {
  return r.pick([
    () => `240e:${hex4(r)}:${hex4(r)}:${hex4(r)}::${hex4(r)}`,
    () => `2408:${hex4(r)}:${hex4(r)}:${hex4(r)}:${hex4(r)}:${hex4(r)}:${hex4(r)}:${hex4(r)}`,
    () => `2409:8a1e:${hex4(r)}::${r.int(1, 255)}`,
    () => `2001:db8::${hex4(r)}`,
    () => `2001:0db8:85a3:0000:0000:8a2e:${pad(r.int(0, 9999), 4)}:7334`,
    () => `fe80::${hex4(r)}:${hex4(r)}:fe${r.int(0, 255).toString(16)}:${hex4(r)}`,
    () => `fd00:${hex4(r)}::${r.int(1, 99)}`,
    () => `::ffff:192.168.${r.int(0, 255)}.${r.int(1, 254)}`,
    () => `2400:DA00:${hex4(r).toUpperCase()}::${r.int(1, 9)}`,
    () => '::1',
  ])()
}

function passport(r: Rng): string {
  return r.pick([
    () => `E${r.digits(8)}`,
    () => `G${r.digits(8)}`,
    () => `E${r.pick([...'ABCDEFGHJKLMNPQRSTUVWXYZ'])}${r.digits(7)}`,
  ])()
}

// --- written forms ------------------------------------------------------------------------------

const FULL_WIDTH = (s: string): string =>
  [...s]
    .map((c) =>
      /[0-9A-Za-z+@.()-]/.test(c) ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c,
    )
    .join('')
const NBSP = '\u00a0'
const ZWSP = '\u200b'
const EN_DASH = '\u2013'
const IDEO_SPACE = '\u3000'

function groups(s: string, sizes: readonly number[], sep: string): string {
  const out: string[] = []
  let at = 0
  for (const size of sizes) {
    out.push(s.slice(at, at + size))
    at += size
  }
  if (at < s.length) out.push(s.slice(at))
  return out.filter((g) => g !== '').join(sep)
}

type Form = readonly [name: string, write: (r: Rng, now: Date) => string]

const RESIDENT_FORMS: readonly Form[] = [
  ['plain', (r, now) => residentId(r, now)],
  [
    'lowercase_x',
    (r, now) => {
      let id = residentId(r, now)
      while (!id.endsWith('X')) id = residentId(r, now)
      return id.toLowerCase()
    },
  ],
  ['full_width', (r, now) => FULL_WIDTH(residentId(r, now))],
  ['spaces_6_8_4', (r, now) => groups(residentId(r, now), [6, 8], ' ')],
  ['hyphens_6_8_4', (r, now) => groups(residentId(r, now), [6, 8], '-')],
  ['spaces_4s', (r, now) => groups(residentId(r, now), [4, 4, 4, 4], ' ')],
  ['nbsp_6_8_4', (r, now) => groups(residentId(r, now), [6, 8], NBSP)],
  ['ideographic_space', (r, now) => groups(residentId(r, now), [6, 8], IDEO_SPACE)],
  [
    'zero_width',
    (r, now) => {
      const id = residentId(r, now)
      const at = r.int(1, 16)
      return id.slice(0, at) + ZWSP + id.slice(at)
    },
  ],
  ['en_dash', (r, now) => groups(residentId(r, now), [6, 8], EN_DASH)],
  ['full_width_spaces', (r, now) => FULL_WIDTH(groups(residentId(r, now), [6, 8], IDEO_SPACE))],
]

const MOBILE_FORMS: readonly Form[] = [
  ['plain', (r) => mobile(r)],
  ['spaces_3_4_4', (r) => groups(mobile(r), [3, 4], ' ')],
  ['hyphens_3_4_4', (r) => groups(mobile(r), [3, 4], '-')],
  ['dots', (r) => groups(mobile(r), [3, 4], '.')],
  ['plus86', (r) => `+86${mobile(r)}`],
  ['plus86_space', (r) => `+86 ${mobile(r)}`],
  ['86_spaces', (r) => `86 ${groups(mobile(r), [3, 4], ' ')}`],
  ['86_glued', (r) => `86${mobile(r)}`],
  ['0086', (r) => `0086${mobile(r)}`],
  [
    'plus86_parens',
    (r) => {
      const m = mobile(r)
      return `+86 (${m.slice(0, 3)}) ${m.slice(3, 7)}-${m.slice(7)}`
    },
  ],
  ['parens_plus86', (r) => `(+86)${mobile(r)}`],
  ['full_width', (r) => FULL_WIDTH(mobile(r))],
  ['full_width_plus86', (r) => `＋８６ ${FULL_WIDTH(mobile(r))}`],
  ['nbsp', (r) => groups(mobile(r), [3, 4], NBSP)],
  ['en_dash', (r) => groups(mobile(r), [3, 4], EN_DASH)],
  [
    'zero_width',
    (r) => {
      const m = mobile(r)
      return `${m.slice(0, 3)}${ZWSP}${m.slice(3, 7)}${ZWSP}${m.slice(7)}`
    },
  ],
]

const CARD_FORMS: readonly Form[] = [
  ['plain', (r) => bankCard(r)],
  ['spaces_4s', (r) => groups(bankCard(r), [4, 4, 4, 4], ' ')],
  ['hyphens_4s', (r) => groups(bankCard(r), [4, 4, 4, 4], '-')],
  ['full_width', (r) => FULL_WIDTH(bankCard(r))],
  ['nbsp_4s', (r) => groups(bankCard(r), [4, 4, 4, 4], NBSP)],
  ['amex_plain', (r) => amexCard(r)],
  ['amex_4_6_5', (r) => groups(amexCard(r), [4, 6], ' ')],
]

const USCC_FORMS: readonly Form[] = [
  ['plain', (r) => socialCreditCode(r)],
  ['full_width', (r) => FULL_WIDTH(socialCreditCode(r))],
]

const VIN_FORMS: readonly Form[] = [
  ['checked', (r) => vin(r, true)],
  ['european_unchecked', (r) => vin(r, false)],
  ['full_width', (r) => FULL_WIDTH(vin(r, true))],
]

const PLATE_FORMS: readonly Form[] = [
  ['ordinary', (r) => plate(r, 'ordinary').join('')],
  ['ordinary_dot', (r) => plate(r, 'ordinary').join('·')],
  ['ordinary_space', (r) => plate(r, 'ordinary').join(' ')],
  ['nev_small', (r) => plate(r, 'nev_small').join('')],
  ['nev_large', (r) => plate(r, 'nev_large').join('')],
  ['nev_dot', (r) => plate(r, r.pick(['nev_small', 'nev_large'] as const)).join('·')],
  ['trailer', (r) => plate(r, 'trailer').join('')],
]

const EMAIL_FORMS: readonly Form[] = [
  ['plain', (r) => email(r)],
  ['full_width_at', (r) => email(r).replace('@', '＠')],
]
const IPV4_FORMS: readonly Form[] = [['plain', (r) => ipv4(r)]]
const IPV6_FORMS: readonly Form[] = [
  ['plain', (r) => ipv6(r)],
  ['uppercase', (r) => ipv6(r).toUpperCase()],
]
const PASSPORT_FORMS: readonly Form[] = [['plain', (r) => passport(r)]]

const FORMS: Readonly<Record<IndependentDetector, readonly Form[]>> = {
  resident_id: RESIDENT_FORMS,
  social_credit_code: USCC_FORMS,
  vin: VIN_FORMS,
  passport: PASSPORT_FORMS,
  mobile: MOBILE_FORMS,
  bank_card: CARD_FORMS,
  licence_plate: PLATE_FORMS,
  email: EMAIL_FORMS,
  ipv4: IPV4_FORMS,
  ipv6: IPV6_FORMS,
}

const LABELS: Readonly<Record<IndependentDetector, readonly string[]>> = {
  resident_id: ['身份证号', '身份证', '证件号码', '公民身份号码', '车主身份证', 'ID card'],
  social_credit_code: ['统一社会信用代码', '信用代码', '税号', '纳税人识别号', 'USCC'],
  vin: ['车架号', 'VIN', '车辆识别代号', '车架号码', 'VIN码'],
  passport: ['护照号', '护照号码', '护照', 'passport no.'],
  mobile: ['手机', '电话', '联系电话', '手机号', '车主电话', 'tel', 'mobile'],
  bank_card: ['卡号', '银行卡号', '退款账户', '信用卡', '银行卡', 'card no.'],
  licence_plate: ['车牌', '车牌号', '车号', 'plate'],
  email: ['邮箱', 'email', '电子邮件', '联系邮箱', 'E-mail'],
  ipv4: ['IP', '来源IP', 'client_ip', '登录IP', 'remote'],
  ipv6: ['IP', '来源IP', 'client_ip', 'IPv6', 'remote'],
}

const QUERY_KEYS: Readonly<Record<IndependentDetector, string>> = {
  resident_id: 'idcard',
  social_credit_code: 'uscc',
  vin: 'vin',
  passport: 'passport',
  mobile: 'phone',
  bank_card: 'card_no',
  licence_plate: 'plate',
  email: 'email',
  ipv4: 'ip',
  ipv6: 'ip',
}

// --- contexts -----------------------------------------------------------------------------------

type Part = string | { readonly value: string; readonly detector: IndependentDetector | null }

function compose(parts: readonly Part[], group: string): IndependentSample {
  let text = ''
  const labels: IndependentLabel[] = []
  for (const part of parts) {
    if (typeof part === 'string') {
      text += part
    } else {
      if (part.detector !== null) {
        labels.push({
          detector: part.detector,
          start: text.length,
          end: text.length + part.value.length,
        })
      }
      text += part.value
    }
  }
  return { text, labels, group }
}

const STAMP = (r: Rng): string =>
  `2026-${pad(r.int(1, 12), 2)}-${pad(r.int(1, 28), 2)}T${pad(r.int(0, 23), 2)}:${pad(r.int(0, 59), 2)}:${pad(r.int(0, 59), 2)}.${pad(r.int(0, 999), 3)}Z`
const ORDER = (r: Rng): string =>
  `RO${2026}${pad(r.int(1, 12), 2)}${pad(r.int(1, 28), 2)}${r.digits(4)}`

type Context = readonly [name: string, build: (r: Rng, id: Part, label: string) => Part[]]

// `label` is '' for an unlabelled sample; contexts that need a key use their own.
// Contexts that put `label` before the value, where a reader (and a detector) looks for it.
const LABEL_BEFORE = new Set([
  'repair_note',
  'repair_note_space',
  'csv_quoted',
  'json_string',
  'log_line',
  'string_end',
  'line_breaks',
  'full_width_parens',
])
const CONTEXTS: readonly Context[] = [
  [
    'repair_note',
    (r, id, label) => [
      `维修工单${ORDER(r)}备注：客户${label === '' ? '' : `${label}：`}`,
      id,
      `，车辆进店做${r.pick(['首保', '二保', '更换刹车片', '空调检修'])}，已电话确认。`,
    ],
  ],
  [
    'repair_note_space',
    (_r, id, label) => [`接车登记 ${label}${label === '' ? '' : ' '}`, id, ' 客户要求下午取车'],
  ],
  ['csv_cell', (r, id) => [`${ORDER(r)},张**,`, id, `,"更换机油滤芯",${r.int(100, 999)}.00`]],
  [
    'csv_quoted',
    (r, id, label) => [
      `"${ORDER(r)}","${label}${label === '' ? '' : r.pick([':', '：', label.charCodeAt(label.length - 1) > 0x7f ? '' : ' '])}`,
      id,
      `","${r.pick(['杭州', '上海', '成都'])}"`,
    ],
  ],
  [
    'json_string',
    (_r, id, label) => [
      `{"remark":"${label}${label === '' ? '' : '：'}`,
      id,
      '（已核实）","status":"closed"}',
    ],
  ],
  ['json_value', (_r, id) => ['{"customer":{"contact":"', id, '"},"source":"app"}']],
  [
    'log_line',
    (r, id, label) => [
      `${STAMP(r)} INFO svc=after-sales msg="callback ${label === '' ? 'value' : label}=`,
      id,
      `" trace=${r.digits(8)}`,
    ],
  ],
  [
    'url_query',
    (_r, id, _label) => ['GET https://crm.example.com/api/customer/search?q=', id, '&page=1 200'],
  ],
  ['string_start', (_r, id, label) => [id, label === '' ? '' : ` 是客户留下的${label}`]],
  ['string_end', (_r, id, label) => [`客户${label === '' ? '联系方式' : label}见下：`, id]],
  [
    'line_breaks',
    (_r, id, label) => [`备注：\r\n${label}${label === '' ? '' : '：'}\n`, id, '\n请勿外传'],
  ],
  [
    'full_width_parens',
    (_r, id, label) => [`客户信息（${label}${label === '' ? '' : '：'}`, id, '），请回访。'],
  ],
  ['alone', (_r, id) => [id]],
  [
    'html_cell',
    (_r, id, label) => [`<tr><th>${label === '' ? '信息' : label}</th><td>`, id, '</td></tr>'],
  ],
  ['markdown_cell', (_r, id, label) => [`| ${label === '' ? '—' : label} | `, id, ' | 已核实 |']],
]

// Two identifiers side by side, each labelled.
function adjacent(r: Rng, now: Date): IndependentSample {
  const kinds = Object.keys(FORMS) as IndependentDetector[]
  const a = r.pick(kinds)
  const b = r.pick(kinds)
  const va = r.pick(FORMS[a])[1](r, now)
  const vb = r.pick(FORMS[b])[1](r, now)
  const sep = r.pick(['，', '、', '/', '; ', ' ', '｜', '\n', '；'])
  const sample = compose(
    [
      `${r.pick(LABELS[a])}/${r.pick(LABELS[b])}：`,
      { value: va, detector: a },
      sep,
      { value: vb, detector: b },
      '。',
    ],
    `form:adjacent:${a}+${b}:list`,
  )
  // One space between a value ending in a digit and one opening with a digit (`151 8354 6448
  // 6252 1451 3002 5823`, `129.38.119.181 5520 7358 2915 3379`): the text cannot say where one
  // grouped number ends and the next begins, and the detectors refuse a group that continues
  // another rather than guess.
  const digitAt = (value: string, at: number) => /[0-9０-９]/.test(value.at(at) ?? '')
  return sep === ' ' && digitAt(va, -1) && digitAt(vb, 0)
    ? { ...sample, group: `${sample.group}_run_together`, inherent: true as const }
    : sample
}

// A plate glued to CJK on both sides, as dictation leaves it.
function plateInProse(r: Rng): IndependentSample {
  const value = r.pick(PLATE_FORMS)[1](r, new Date())
  return compose(
    ['客户', { value, detector: 'licence_plate' }, '车主来电说刹车异响'],
    'form:licence_plate:glued_cjk:prose',
  )
}

function urlQuery(
  r: Rng,
  detector: IndependentDetector,
  value: string,
  form: string,
): IndependentSample {
  const key = QUERY_KEYS[detector]
  return compose(
    [
      `https://dms.example.cn/ro/list?dealer=H0${r.digits(3)}&${key}=`,
      { value, detector },
      `&ts=${r.digits(10)}`,
    ],
    `form:${detector}:${form}:url_param`,
  )
}

// Where a kind has a place of its own in links and logs.
function special(r: Rng, now: Date): IndependentSample {
  return r.pick([
    () =>
      compose(
        [
          'GET /api/v2/vehicles/',
          { value: vin(r), detector: 'vin' },
          '/repair-orders?page=2 200 12ms',
        ],
        'form:vin:checked:url_path',
      ),
    () =>
      compose(
        [
          '<a href="mailto:',
          { value: email(r), detector: 'email' },
          '?subject=保养预约">联系我们</a>',
        ],
        'form:email:plain:mailto',
      ),
    () => {
      const m = mobile(r)
      return compose(
        [
          '<a href="tel:',
          { value: `+86${m}`, detector: 'mobile' },
          `">${m.slice(0, 3)}****${m.slice(7)}</a>`,
        ],
        'form:mobile:plus86:tel_link',
      )
    },
    () =>
      compose(
        [
          `${STAMP(r)} WARN connect to `,
          { value: ipv4(r), detector: 'ipv4' },
          `:${r.int(1024, 65535)} failed: ETIMEDOUT`,
        ],
        'form:ipv4:plain:with_port',
      ),
    () =>
      compose(
        [
          'curl -s http://[',
          { value: ipv6(r).replace(/^::1$/, '2001:db8::1'), detector: 'ipv6' },
          `]:${r.int(1024, 65535)}/health`,
        ],
        'form:ipv6:plain:url_bracket',
      ),
    () =>
      compose(
        [
          'nginx: ',
          { value: ipv4(r), detector: 'ipv4' },
          ` - - [01/Dec/2026:08:35:12 +0800] "GET /ro HTTP/1.1" 200 512`,
        ],
        'form:ipv4:plain:access_log',
      ),
    () =>
      compose(
        ['身份证号码', { value: residentId(r, now), detector: 'resident_id' }, '，户籍地址见附件'],
        'form:resident_id:plain:glued_cjk',
      ),
    () =>
      compose(
        ['客户', { value: mobile(r), detector: 'mobile' }, '来电询问保养价格'],
        'form:mobile:plain:glued_cjk',
      ),
  ])()
}

// --- look-alikes ---------------------------------------------------------------------------------

// `needsLabel`: only the label before it tells this look-alike from an identifier.
type LookAlike = readonly [
  name: string,
  build: (r: Rng) => [label: string, value: string],
  needsLabel?: true,
]

const LOOK_ALIKES: readonly LookAlike[] = [
  [
    'order_number',
    (r) => [
      r.pick(['订单号', '订单编号', '', 'order']),
      `2026${pad(r.int(1, 12), 2)}${pad(r.int(1, 28), 2)}${r.digits(r.int(8, 12))}`,
    ],
  ],
  ['order_prefixed', (r) => [r.pick(['订单', '']), `SO${2026}${r.digits(12)}`]],
  ['waybill_sf', (r) => [r.pick(['顺丰单号', '快递单号', '']), `SF${r.digits(13)}`]],
  [
    'waybill_numeric',
    (r) => [
      r.pick(['运单号', '快递单号', '中通', '韵达', '']),
      r.pick(['73', '75', '78', '43', '46', '31', '98']) + r.digits(r.int(10, 13)),
    ],
  ],
  ['waybill_jd', (r) => [r.pick(['京东物流', '']), `JD${r.digits(13)}`]],
  [
    'waybill_ems',
    (r) => [r.pick(['EMS', '挂号信', '']), `E${r.pick([...'ACLMRV'])}${r.digits(9)}CN`],
  ],
  [
    'timestamp_17',
    (r) => [
      r.pick(['时间戳', '']),
      `2026${pad(r.int(1, 12), 2)}${pad(r.int(1, 28), 2)}${pad(r.int(0, 23), 2)}${pad(r.int(0, 59), 2)}${pad(r.int(0, 59), 2)}${pad(r.int(0, 999), 3)}`,
    ],
  ],
  ['unix_ms', (r) => [r.pick(['ts', '']), `17${r.digits(11)}`]],
  [
    'isbn13',
    (r) => {
      const body = `978${r.pick(['7', '1', '0'])}${r.digits(8)}`
      const isbn = body + isbnCheck(body)
      return [
        r.pick(['ISBN', '书号', '']),
        r.chance(0.5)
          ? isbn
          : `${isbn.slice(0, 3)}-${isbn[3]}-${isbn.slice(4, 7)}-${isbn.slice(7, 12)}-${isbn[12]}`,
      ]
    },
  ],
  [
    'imei',
    (r) => {
      const body = r.pick(['35', '86', '01', '99']) + r.digits(12)
      return [r.pick(['IMEI', '设备IMEI', '']), body + luhnDigit(body)]
    },
  ],
  [
    'mac',
    (r) => {
      const bytes = Array.from({ length: 6 }, () => r.int(0, 255).toString(16).padStart(2, '0'))
      return [r.pick(['MAC', '']), bytes.join(r.pick([':', '-'])).toUpperCase()]
    },
  ],
  [
    'eui64',
    (r) => {
      const b = Array.from({ length: 6 }, () =>
        r.int(0, 255).toString(16).padStart(2, '0').toUpperCase(),
      )
      return [
        r.pick(['EUI-64', '设备ID', '']),
        [b[0], b[1], b[2], 'FF', 'FE', b[3], b[4], b[5]].join(':'),
      ]
    },
  ],
  [
    'version',
    (r) => [
      r.pick(['App版本', '固件版本', 'version', 'build', 'ver', '系统版本', 'OTA升级至', '']),
      `${r.int(1, 12)}.${r.int(0, 30)}.${r.int(0, 99)}.${r.int(0, 999)}`,
    ],
    true,
  ],
  ['version_v', (r) => ['', `v${r.int(1, 12)}.${r.int(0, 30)}.${r.int(0, 99)}.${r.int(0, 999)}`]],
  ['snmp_oid', (r) => [r.pick(['OID', '']), `1.3.6.1.4.1.${r.int(2000, 40000)}.${r.int(1, 9)}`]],
  [
    'amount',
    (r) => [
      r.pick(['金额', '实收', '']),
      r.pick([
        `¥${r.int(1, 99)},${r.digits(3)}.${r.digits(2)}`,
        `${r.int(1000000, 99999999)}.${r.digits(2)}元`,
        `RMB ${r.int(1, 999)},${r.digits(3)},${r.digits(3)}.00`,
      ]),
    ],
  ],
  [
    'landline',
    (r) => [
      r.pick(['座机', '门店电话', '服务热线', '']),
      r.pick([
        `0571-8${r.digits(7)}`,
        `010-6${r.digits(7)}`,
        `(0755)2${r.digits(7)}`,
        `400-${r.digits(3)}-${r.digits(4)}`,
        `0571 8888 ${r.digits(4)}`,
        `021-5${r.digits(7)}-${r.digits(3)}`,
      ]),
    ],
  ],
  [
    'invoice',
    (r) => [
      r.pick(['发票代码', '发票号码', '数电票号码']),
      r.pick([
        `0${r.digits(11)}`,
        r.digits(8),
        `26${r.pick(['33', '31', '44'])}2000000${r.digits(9)}`,
      ]),
    ],
  ],
  [
    'guid',
    (r) => {
      const h = (n: number) => Array.from({ length: n }, () => r.int(0, 15).toString(16)).join('')
      const g = `${h(8)}-${h(4)}-${h(4)}-${h(4)}-${h(12)}`
      return [r.pick(['requestId', 'traceId', '']), r.chance(0.5) ? g : g.toUpperCase()]
    },
  ],
  [
    'device_serial',
    (r) => {
      // A 17-character serial whose ninth character is not the ISO 3779 check digit.
      let s = ''
      do s = r.pick(['LS', 'L1', 'F4', 'SN']) + vinChars(r, 15)
      while (vinCheck(s) === s[8])
      return [r.pick(['序列号', '设备号', 'S/N', 'SN']), s]
    },
  ],
  [
    'member_card',
    (r) => [r.pick(['会员卡号', '积分卡', '加油卡号']), r.pick(['88', '10', '90']) + r.digits(14)],
  ],
  [
    'short_numbers',
    (r) => [
      r.pick(['客服', '热线']),
      r.pick(['95588', '10086', '12345', '400-820-8820', '021-12345']),
    ],
  ],
  [
    'eleven_digits',
    (r) => [r.pick(['工号', '编号', '']), r.pick(['10', '11', '12']) + r.digits(9)],
  ],
  ['log_time', (r) => ['', STAMP(r).replace('T', ' ').replace('Z', '')]],
  [
    'asset_name',
    (r) => [
      '',
      `${r.pick(['logo', 'icon', 'banner', 'btn_back'])}@${r.int(2, 3)}x.${r.pick(['png', 'webp', 'jpg', 'svg'])}`,
    ],
  ],
  [
    'npm_spec',
    (r) => [
      '',
      `${r.pick(['lodash', 'vue', 'react', 'axios'])}@${r.int(1, 9)}.${r.int(0, 20)}.${r.int(0, 9)}`,
    ],
  ],
  [
    'payment_trade_no',
    (r) => [
      r.pick(['支付宝交易号', '微信支付单号', '交易单号', '']),
      r.pick([
        `2026${pad(r.int(1, 12), 2)}${pad(r.int(1, 28), 2)}2200${r.digits(16)}`,
        `42000${r.digits(5)}2026${pad(r.int(1, 12), 2)}${pad(r.int(1, 28), 2)}${r.digits(10)}`,
      ]),
    ],
  ],
  [
    'mentions_and_specs',
    (r) => [
      '',
      r.pick([
        `@${r.pick(['张三', '售后小王', 'admin'])}`,
        'user@localhost',
        '@types/node',
        `support@${r.pick(['internal', 'dms'])}`,
      ]),
    ],
  ],
  [
    'colon_groups',
    (r) => [
      '',
      r.pick([
        `${r.int(1, 9)}:${r.int(1, 9)}`,
        '16:9',
        'std::vector<int>',
        `${pad(r.int(0, 23), 2)}:${pad(r.int(0, 59), 2)}`,
        `Foo::bar${r.int(1, 9)}`,
      ]),
    ],
  ],
  ['error_code', (r) => [r.pick(['错误码', 'err', 'code']), `E${r.digits(4)}`]],
  [
    'part_number',
    (r) => [
      r.pick(['配件号', '零件号', 'part']),
      `${r.digits(2)}${r.pick([...'ABCDEFGHJK'])}${r.digits(3)}${r.pick([...'ABCDEFGHJK'])}${r.digits(3)}`,
    ],
  ],
]

export interface IndependentCorpusOptions {
  readonly seed: number
  /** Samples per written form and context group. */
  readonly perForm?: number
  /** Samples per look-alike kind. */
  readonly perLookAlike?: number
  readonly now: Date
}

export function buildIndependentCorpus(options: IndependentCorpusOptions): IndependentSample[] {
  const { seed, perForm = 60, perLookAlike = 80, now } = options
  const r = rng(seed)
  const samples: IndependentSample[] = []
  for (const detector of Object.keys(FORMS) as IndependentDetector[]) {
    for (const [formName, write] of FORMS[detector]) {
      for (let i = 0; i < perForm; i++) {
        const value = write(r, now)
        const labelled = r.chance(2 / 3)
        const label = labelled ? r.pick(LABELS[detector]) : ''
        const [contextName, build] = r.pick(CONTEXTS)
        samples.push(
          compose(
            build(r, { value, detector }, label),
            `form:${detector}:${formName}:${contextName}`,
          ),
        )
      }
      for (let i = 0; i < Math.ceil(perForm / 6); i++)
        samples.push(urlQuery(r, detector, write(r, now), formName))
    }
  }
  for (let i = 0; i < perForm * 3; i++) samples.push(adjacent(r, now))
  for (let i = 0; i < perForm; i++) samples.push(plateInProse(r))
  for (let i = 0; i < perForm * 4; i++) samples.push(special(r, now))
  for (const [kind, build, needsLabel] of LOOK_ALIKES) {
    for (let i = 0; i < perLookAlike; i++) {
      const [label, value] = build(r)
      const [contextName, context] = r.pick(CONTEXTS)
      const sample = compose(
        context(r, { value, detector: null }, label),
        `lookalike:${kind}:${contextName}`,
      )
      const unlabelled = label === '' || !LABEL_BEFORE.has(contextName)
      samples.push(
        needsLabel === true && unlabelled
          ? { ...sample, group: `lookalike:${kind}_unlabelled:${contextName}`, inherent: true }
          : sample,
      )
    }
  }
  return samples
}

// --- scoring ------------------------------------------------------------------------------------

export interface Found {
  readonly kind: string
  readonly start: number
  readonly end: number
}

export interface DetectorScore {
  labels: number
  truePositives: number
  falsePositives: number
  /** On samples marked `inherent`: counted here, left out of `precision` and `recall`. */
  inherentFalsePositives: number
  inherentLabels: number
  inherentMissed: number
  precision: number
  recall: number
  /** Groups of the identifiers missed and the look-alikes reported, with counts. */
  missed: Record<string, number>
  spurious: Record<string, number>
}

const KIND_OF: Readonly<Record<IndependentDetector, string>> = {
  resident_id: 'resident_id',
  social_credit_code: 'social_credit_code',
  vin: 'vin',
  passport: 'passport',
  mobile: 'mobile',
  bank_card: 'bank_card',
  licence_plate: 'licence_plate',
  email: 'email',
  ipv4: 'ip_address',
  ipv6: 'ip_address',
}

export const INDEPENDENT_DETECTORS = Object.keys(KIND_OF) as IndependentDetector[]

/** The detector a finding came from: IP findings are split by the shape of what they cover. */
function detectorOf(text: string, found: Found): IndependentDetector | undefined {
  if (found.kind === 'ip_address')
    return text.slice(found.start, found.end).includes(':') ? 'ipv6' : 'ipv4'
  return INDEPENDENT_DETECTORS.find((d) => KIND_OF[d] === found.kind)
}

/** A found span counts only when kind and both offsets equal the label's. */
export function score(
  corpus: readonly IndependentSample[],
  scan: (text: string) => readonly Found[],
): Record<IndependentDetector, DetectorScore> {
  const scores = Object.fromEntries(
    INDEPENDENT_DETECTORS.map((d) => [
      d,
      {
        labels: 0,
        truePositives: 0,
        falsePositives: 0,
        inherentFalsePositives: 0,
        inherentLabels: 0,
        inherentMissed: 0,
        precision: 1,
        recall: 1,
        missed: {},
        spurious: {},
      },
    ]),
  ) as Record<IndependentDetector, DetectorScore>
  const bump = (record: Record<string, number>, key: string) => {
    record[key] = (record[key] ?? 0) + 1
  }
  for (const sample of corpus) {
    const found = scan(sample.text)
    for (const label of sample.labels) {
      const s = scores[label.detector]
      const hit = found.some(
        (f) => f.kind === KIND_OF[label.detector] && f.start === label.start && f.end === label.end,
      )
      if (sample.inherent === true) {
        s.inherentLabels++
        if (!hit) s.inherentMissed++
        continue
      }
      s.labels++
      if (hit) s.truePositives++
      else bump(s.missed, sample.group)
    }
    for (const f of found) {
      const matches = sample.labels.some(
        (l) => KIND_OF[l.detector] === f.kind && l.start === f.start && l.end === f.end,
      )
      if (matches) continue
      const detector = detectorOf(sample.text, f)
      if (detector === undefined) continue
      if (sample.inherent === true) scores[detector].inherentFalsePositives++
      else scores[detector].falsePositives++
      bump(scores[detector].spurious, sample.group)
    }
  }
  for (const s of Object.values(scores)) {
    const reported = s.truePositives + s.falsePositives
    s.precision = reported === 0 ? 1 : s.truePositives / reported
    s.recall = s.labels === 0 ? 1 : s.truePositives / s.labels
  }
  return scores
}
