/**
 * Bank card numbers (ISO/IEC 7812): 13 to 19 digits with a Luhn check digit.
 *
 * Written contiguously, or in groups of four separated by one space or one hyphen (the same
 * throughout), the last group holding 1-4 digits, or, for numbers opening with 3, in the 4-6-5
 * and 4-6-4 groups that American Express and Diners Club print on their cards (the issuer table
 * then still decides: only 34/37 have 15 digits, only Diners 36 has 14).
 *
 * A Luhn check lets one random number in ten through, so it is not evidence enough. A number is a
 * card when it passes Luhn, is not one repeated digit, and
 * - its issuer identification number (IIN, the leading digits) belongs to a card network and its
 *   length is one that network issues (see `ISSUERS` below: Visa 4 with 13, 16 or 19 digits;
 *   Mastercard 51-55 and 2221-2720 with 16; UnionPay 62 and 81 with 16-19; American Express
 *   34/37 with 15; Discover, JCB, Diners, Mir, Maestro and the legacy domestic BINs of Chinese
 *   banks), unless the nearest context word before it names a look-alike (订单号, 运单号, 流水号,
 *   ISBN, IMEI, order no., tracking ...); or
 * - it has 16 to 19 digits, no known IIN, and the nearest context word before it names a card
 *   (卡号, 银行卡, 信用卡, card no. ...): banks issue BINs faster than any table is updated.
 * This leaves out ISBN-13 (978/979 is no IIN), 18-digit social credit codes and resident IDs
 * (no network issues 18-digit cards under those prefixes, and the scanner prefers those
 * detectors on the same span), millisecond timestamps (prefix 1) and date-led order numbers
 * (20xx is below Mastercard's 2221). About 2.8 % of random uncued 16-digit numbers still pass
 * (against 9.5 % with "Luhn and a first digit 2-6 or 9"): those are indistinguishable from cards.
 *
 * @packageDocumentation
 */
import { DETECTOR_PATTERNS } from './patterns.js'
import {
  afterRun,
  collect,
  continuesGrouping,
  cueBefore,
  type Detector,
  fullMatch,
  globalCopy,
  isAlnumCode,
  stickyCopy,
} from './shared.js'

/**
 * Whether a string of digits passes the Luhn (mod 10) check. Any length of at least 2.
 *
 * @example
 * ```ts
 * import { luhnCheck } from 'datagate/classify'
 *
 * console.log(luhnCheck('79927398713')) // true
 * console.log(luhnCheck('79927398710')) // false
 * ```
 */
export function luhnCheck(digits: string): boolean {
  if (typeof digits !== 'string' || digits.length < 2) return false
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return false
    if (double) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
    double = !double
  }
  return sum % 10 === 0
}

/**
 * Whether `groups` are the 4-6-5 (American Express, 15 digits) or 4-6-4 (Diners Club, 14 digits)
 * grouping those networks print; both open with 3. Missing them lost every Amex number written
 * as on the card.
 */
function printedByAmexOrDiners(candidate: string, groups: readonly string[]): boolean {
  if (candidate[0] !== '3' || groups.length !== 3) return false
  if (groups[0]!.length !== 4 || groups[1]!.length !== 6) return false
  const tail = groups[2]!.length
  if (tail !== 4 && tail !== 5) return false
  for (const group of groups) {
    for (let j = 0; j < group.length; j++) {
      const code = group.charCodeAt(j)
      if (code < 48 || code > 57) return false
    }
  }
  return true
}

/** The separator of a grouped candidate, `undefined` when contiguous, `null` when malformed. */
function separatorOf(candidate: string): string | undefined | null {
  const sep = candidate.includes(' ') ? ' ' : candidate.includes('-') ? '-' : undefined
  if (sep === undefined) return undefined
  const groups = candidate.split(sep)
  if (printedByAmexOrDiners(candidate, groups)) return sep
  const last = groups.length - 1
  for (let i = 0; i <= last; i++) {
    const group = groups[i]!
    if (i < last ? group.length !== 4 : group.length === 0 || group.length > 4) return null
    for (let j = 0; j < group.length; j++) {
      const code = group.charCodeAt(j)
      if (code < 48 || code > 57) return null
    }
  }
  return sep
}

/** One IIN range: numbers whose leading digits lie in [from, to] (same length), and their lengths. */
interface Issuer {
  readonly from: string
  readonly to: string
  readonly min: number
  readonly max: number
  /** Lengths in [min, max] this issuer uses, when not all of them. */
  readonly only?: readonly number[]
}

const issuer = (from: string, to: string, min: number, max = min, only?: number[]): Issuer =>
  only === undefined ? { from, to, min, max } : { from, to, min, max, only }

// IIN ranges as the networks publish them (ISO/IEC 7812 register extracts, network BIN guides).
const ISSUERS: readonly Issuer[] = [
  issuer('4', '4', 13, 19, [13, 16, 19]), // Visa
  issuer('51', '55', 16), // Mastercard
  issuer('2221', '2720', 16), // Mastercard 2-series
  issuer('34', '34', 15), // American Express
  issuer('37', '37', 15),
  issuer('62', '62', 16, 19), // UnionPay (and Discover's 622126-622925 share)
  issuer('81', '81', 16, 19), // UnionPay 8-series
  issuer('6011', '6011', 16, 19), // Discover
  issuer('644', '649', 16, 19),
  issuer('65', '65', 16, 19),
  issuer('3528', '3589', 16, 19), // JCB
  issuer('36', '36', 14, 16, [14, 16]), // Diners Club International
  issuer('300', '305', 16, 19),
  issuer('3095', '3095', 16, 19),
  issuer('38', '39', 16, 19),
  issuer('2200', '2204', 16, 19), // Mir
  issuer('5018', '5018', 13, 19), // Maestro
  issuer('5020', '5020', 13, 19),
  issuer('5038', '5038', 13, 19),
  issuer('5893', '5893', 13, 19),
  issuer('6304', '6304', 13, 19),
  issuer('6759', '6759', 13, 19),
  issuer('6761', '6763', 13, 19),
  issuer('9558', '9558', 19), // ICBC domestic (pre-UnionPay BIN)
  issuer('95595', '95599', 19), // Agricultural Bank of China domestic
  issuer('601382', '601382', 16, 19), // Bank of China Great Wall
  issuer('603367', '603367', 16, 19), // city commercial banks
  issuer('603445', '603445', 16, 19),
  issuer('603506', '603506', 16, 19),
  issuer('603601', '603602', 16, 19),
  issuer('603694', '603694', 16, 19),
  issuer('603708', '603708', 16, 19),
  issuer('690755', '690755', 16, 19), // China Merchants Bank (legacy)
]

/** Whether a network issues cards of this length under this number's leading digits. */
function knownIssuer(digits: string): boolean {
  for (const range of ISSUERS) {
    if (digits.length < range.min || digits.length > range.max) continue
    if (range.only !== undefined && !range.only.includes(digits.length)) continue
    const prefix = digits.slice(0, range.from.length)
    if (prefix >= range.from && prefix <= range.to) return true
  }
  return false
}

/** Labels of card numbers, lowercase. */
const CARD_CUES = [
  '卡号',
  '银行卡',
  '信用卡',
  '借记卡',
  '储蓄卡',
  '银联',
  '账户卡',
  'card',
  'visa',
  'mastercard',
]
/** Labels of numbers that pass Luhn or share card lengths but are something else, lowercase. */
const LOOKALIKE_CUES = [
  '订单',
  '单号',
  '运单',
  '快递',
  '物流',
  '流水',
  '交易号',
  '编号',
  '序列号',
  '序号',
  '条码',
  '发票',
  '工单',
  '合同',
  '批次',
  '书号',
  'isbn',
  'issn',
  'ean-13',
  'ean13',
  '条形码',
  'imei',
  'meid',
  'iccid',
  'order',
  'tracking',
  'waybill',
  'serial',
  'invoice',
  'sku',
  // Member, points, fuel, stored-value and gift cards: their numbers are Luhn-valid as often as
  // any, and 会员卡号 ends in the card label 卡号 (the longer word wins, see `cueBefore`).
  '会员卡',
  '会员卡号',
  '积分卡',
  '积分卡号',
  '加油卡',
  '加油卡号',
  '储值卡',
  '储值卡号',
  '礼品卡',
  '礼品卡号',
  '购物卡',
  '购物卡号',
  '会员号',
  // Couriers, named before their waybill numbers: Yunda and EMS waybills have 13 digits, and
  // one in ten of those opening with 4 passes Luhn as a 13-digit Visa number.
  '顺丰',
  '韵达',
  '中通',
  '圆通',
  '申通',
  '极兔',
  '德邦',
  '百世',
  'ems', // not 邮政 alone: 邮政储蓄银行 issues cards
]

/** How many characters before a number its label may stand (`卡号：` with spaces, `card no. `). */
const CUE_WINDOW = 12

function oneDigit(digits: string): boolean {
  for (let i = 1; i < digits.length; i++) if (digits[i] !== digits[0]) return false
  return true
}

/** The card rule above; `cue` is the nearest context word before the number, if any. */
function plausible(digits: string, cue: 'positive' | 'negative' | undefined): boolean {
  if (oneDigit(digits) || !luhnCheck(digits)) return false
  if (knownIssuer(digits)) return cue !== 'negative'
  return cue === 'positive' && digits.length >= 16
}

function digitsOf(candidate: string): string {
  let out = ''
  for (const char of candidate) if (char !== ' ' && char !== '-') out += char
  return out
}

const STICKY = stickyCopy(DETECTOR_PATTERNS.bank_card)
const GLOBAL = globalCopy(DETECTOR_PATTERNS.bank_card)

/**
 * Whether `candidate` is, in full, a bank card number: 13-19 digits, contiguous or in groups
 * of four, passing the Luhn check, with a known issuer prefix and a length that issuer uses.
 *
 * @example
 * ```ts
 * import { validateBankCard } from 'datagate/classify'
 *
 * console.log(validateBankCard('4111 1111 1111 1111')) // true
 * console.log(validateBankCard('4111 1111 1111 1112')) // false: Luhn check fails
 * console.log(validateBankCard('9787111213827')) // false: an ISBN-13 (978 is no card IIN)
 * ```
 */
export function validateBankCard(candidate: string): boolean {
  return (
    fullMatch(STICKY, candidate) &&
    separatorOf(candidate) !== null &&
    plausible(digitsOf(candidate), undefined)
  )
}

/** The bank card number detector. */
export const bankCardDetector: Detector = {
  name: 'bank_card',
  kind: 'bank_card',
  label: 'bank card number',
  pattern: DETECTOR_PATTERNS.bank_card,
  find(text: string) {
    return collect(GLOBAL, text, (candidate, start) => {
      const end = start + candidate.length
      if (isAlnumCode(text.charCodeAt(start - 1))) return afterRun(text, start)
      const sep = separatorOf(candidate)
      if (sep === null || isAlnumCode(text.charCodeAt(end))) {
        // A card followed by a separator and another number ("... 123", or the first digits of
        // the next value, `3528-2038-0305-4532 9133...`): the pattern took those digits as a
        // final group. Judge the head before that group on its own, contiguous or grouped.
        const headLength = Math.max(candidate.lastIndexOf(' '), candidate.lastIndexOf('-'))
        if (headLength < 0) return afterRun(text, start)
        const head = candidate.slice(0, headLength)
        const headSep = separatorOf(head)
        if (headSep === null) return afterRun(text, start)
        if (headSep !== undefined && continuesGrouping(text, start, start + headLength, headSep)) {
          return afterRun(text, start)
        }
        const cue = cueBefore(text, start, CUE_WINDOW, CARD_CUES, LOOKALIKE_CUES)
        const headDigits = digitsOf(head)
        if (headDigits.length >= 13 && plausible(headDigits, cue)) {
          return { start, end: start + headLength }
        }
        return afterRun(text, start)
      }
      if (sep !== undefined && continuesGrouping(text, start, end, sep)) {
        return afterRun(text, start)
      }
      const cue = cueBefore(text, start, CUE_WINDOW, CARD_CUES, LOOKALIKE_CUES)
      if (!plausible(digitsOf(candidate), cue)) return afterRun(text, start)
      return { start, end }
    })
  },
}
