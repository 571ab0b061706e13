// The string logic of the mask presets (src/anonymize/mask.ts documents each output shape).
// Each function checks the shape it knows and masks a value without it whole, one `*` per code
// point: never the raw value back, never a guess at which part of an unknown shape is harmless.
// Patterns are compiled once here, not per value.
import { maskAll, maskCodePoints } from './codepoints.js'

const PHONE = /^\+?[0-9 ().-]+$/
const ID_CARD_18 = /^\d{17}[\dXx]$/
const ID_CARD_15 = /^\d{15}$/
const EMAIL_LOCAL = /^\S+$/u
// No whitespace and no `@`; the dot that must stand inside the domain is checked in code. The
// pattern `^[^\s@]+\.[^\s@]+$` said the same but backtracked quadratically: on a domain of many
// dots ending in a space it tried every dot as the split (20,000 characters took 0.75 s).
const EMAIL_DOMAIN = /^[^\s@]+$/u
const WHITESPACE_RUNS = /(\s+)/u
const PLATE = /^(\p{Script=Han}[A-Za-z][ ·•-]?)([A-Za-z0-9]{4,5}(?:[A-Za-z0-9]|\p{Script=Han}))$/u
const VIN = /^[A-HJ-NPR-Za-hj-npr-z0-9]{17}$/
const BANK_CARD = /^\d[\d -]*\d$/

/**
 * Masks digits in place, leaving separators where they are: digit number `i` (0-based) is kept
 * when `i < keepStart` or `i >= digitCount - keepEnd`. Walks UTF-16 units, not code points: a
 * digit is one unit, and every other unit (a surrogate half included) is copied as it stands,
 * so the output is the same as a walk over code points; the masked digits are one run between
 * two cuts, so the output is three slices rather than one concatenation per character.
 */
function maskDigits(value: string, digitCount: number, keepStart: number, keepEnd: number): string {
  const maskedEnd = digitCount - keepEnd
  if (maskedEnd <= keepStart) return value
  let digit = 0
  let from = -1
  let to = value.length
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code < 0x30 || code > 0x39) continue
    if (digit === keepStart) from = i
    digit++
    if (digit === maskedEnd) {
      to = i + 1
      break
    }
  }
  if (from < 0) return value
  let middle = ''
  for (let i = from; i < to; i++) {
    const code = value.charCodeAt(i)
    middle += code >= 0x30 && code <= 0x39 ? '*' : value[i]
  }
  return value.slice(0, from) + middle + value.slice(to)
}

/** The digits of `value`, in order (by UTF-16 unit: a digit is always one). */
function digitsOf(value: string): string {
  let start = -1
  let digits = ''
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    const isDigit = code >= 0x30 && code <= 0x39
    if (isDigit && start < 0) start = i
    else if (!isDigit && start >= 0) {
      digits += value.slice(start, i)
      start = -1
    }
  }
  return start >= 0 ? digits + value.slice(start) : digits
}

/**
 * A phone number masked in place; see `mask.phone` for the rules.
 *
 * @example
 * ```ts
 * import { maskPhone } from './mask-shapes.js'
 *
 * console.log(maskPhone('+86 138 1234 5678')) // +86 138 **** 5678
 * ```
 */
export function maskPhone(value: string): string {
  if (!PHONE.test(value)) return maskAll(value)
  const digits = digitsOf(value)
  const international = value.startsWith('+')
  // Digits of a +86 / 0086 / 86 country code are kept: they say nothing about the subscriber.
  let prefix = 0
  if (international && digits.startsWith('86')) prefix = 2
  else if (!international && digits.startsWith('0086')) prefix = 4
  else if (!international && digits.length === 13 && digits.startsWith('861')) prefix = 2
  const national = digits.slice(prefix)
  const n = national.length
  if (digits.length > 15 || n < 7) return maskAll(value)
  if ((prefix > 0 || !international) && n === 11 && national[0] === '1')
    return maskDigits(value, digits.length, prefix + 3, 4)
  if (!international && prefix === 0 && national[0] === '0' && n >= 10 && n <= 12) {
    // Landline: area code 010 and 02x have 3 digits, the others 4; at least 4 digits masked.
    const area = national[1] === '1' || national[1] === '2' ? 3 : 4
    return maskDigits(value, digits.length, area, Math.max(0, Math.min(4, n - area - 4)))
  }
  // Any other number: only the last 4 digits (fewer for short numbers) survive.
  return maskDigits(value, digits.length, prefix, Math.min(4, n - 4))
}

/**
 * A resident ID with its birth date masked; see `mask.idCard`.
 *
 * @example
 * ```ts
 * import { maskIdCard } from './mask-shapes.js'
 *
 * console.log(maskIdCard('11010519491231002X')) // 110105********002X
 * ```
 */
export function maskIdCard(value: string): string {
  if (ID_CARD_18.test(value)) return maskCodePoints(Array.from(value), 6, 4, '*')
  if (ID_CARD_15.test(value)) return maskCodePoints(Array.from(value), 6, 3, '*')
  return maskAll(value)
}

/**
 * An e-mail address with its local part reduced to one character and `***`; see `mask.email`.
 *
 * @example
 * ```ts
 * import { maskEmail } from './mask-shapes.js'
 *
 * console.log(maskEmail('zhang.san@example.com')) // z***@example.com
 * ```
 */
export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@')
  const local = value.slice(0, Math.max(0, at))
  const domain = value.slice(at + 1)
  const dotted = domain.slice(1, -1).includes('.')
  if (at < 1 || !EMAIL_LOCAL.test(local) || !EMAIL_DOMAIN.test(domain) || !dotted)
    return maskAll(value)
  // A one-character local part is not kept: it would be the whole of it.
  const chars = Array.from(local)
  return `${chars.length > 1 ? chars[0] : ''}***@${domain}`
}

/**
 * A name with all but the first character of each part masked; see `mask.name`.
 *
 * @example
 * ```ts
 * import { maskName } from './mask-shapes.js'
 *
 * console.log(maskName('John Smith')) // J*** S****
 * ```
 */
export function maskName(value: string): string {
  let out = ''
  for (const part of value.split(WHITESPACE_RUNS)) {
    if (part === '' || WHITESPACE_RUNS.test(part)) out += part
    else {
      const chars = Array.from(part)
      out += chars.length < 2 ? '*' : chars[0] + '*'.repeat(chars.length - 1)
    }
  }
  return out === value ? maskAll(value) : out
}

/**
 * A Chinese licence plate with all but province, letter and last 2 masked; see `mask.plate`.
 *
 * @example
 * ```ts
 * import { maskPlate } from './mask-shapes.js'
 *
 * console.log(maskPlate('京A12345')) // 京A***45
 * ```
 */
export function maskPlate(value: string): string {
  const match = PLATE.exec(value)
  if (match === null) return maskAll(value)
  const [, head = '', rest = ''] = match
  return head + maskCodePoints(Array.from(rest), 0, 2, '*')
}

/**
 * A VIN with its vehicle identifier section (positions 9-17) masked; see `mask.vin`.
 *
 * @example
 * ```ts
 * import { maskVin } from './mask-shapes.js'
 *
 * console.log(maskVin('LSVAU2180N2183294')) // LSVAU218*********
 * ```
 */
export function maskVin(value: string): string {
  return VIN.test(value) ? `${value.slice(0, 8)}*********` : maskAll(value)
}

/**
 * A card number with at most the first 6 and the last 4 digits shown; see `mask.bankCard`.
 *
 * @example
 * ```ts
 * import { maskBankCard } from './mask-shapes.js'
 *
 * console.log(maskBankCard('6222021234567890123')) // 622202*********0123
 * ```
 */
export function maskBankCard(value: string): string {
  if (!BANK_CARD.test(value)) return maskAll(value)
  const digits = digitsOf(value).length
  if (digits < 12 || digits > 19) return maskAll(value)
  return maskDigits(value, digits, Math.min(6, digits - 10), 4)
}
