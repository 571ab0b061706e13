/**
 * Bank card numbers (ISO/IEC 7812): 13 to 19 digits with a Luhn check digit.
 *
 * Written contiguously, or in groups of four separated by one space or one hyphen (the same
 * throughout), the last group holding 1-4 digits. Other groupings (American Express 4-6-5) are
 * found only when written contiguously.
 *
 * To keep false positives down the scanner also requires a first digit of 2-6 or 9 (card
 * networks and Chinese domestic cards; this leaves out millisecond timestamps, which start
 * with 1) and rejects numbers made of one repeated digit.
 *
 * @packageDocumentation
 */
import { DETECTOR_PATTERNS } from './patterns.js'
import {
  afterRun,
  collect,
  continuesGrouping,
  type Detector,
  fullMatch,
  globalCopy,
  isolated,
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

/** The separator of a grouped candidate, `undefined` when contiguous, `null` when malformed. */
function separatorOf(candidate: string): string | undefined | null {
  const sep = candidate.includes(' ') ? ' ' : candidate.includes('-') ? '-' : undefined
  if (sep === undefined) return undefined
  const groups = candidate.split(sep)
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

function plausible(digits: string): boolean {
  const first = digits[0]!
  if (!'234569'.includes(first)) return false
  let same = true
  for (let i = 1; i < digits.length && same; i++) same = digits[i] === first
  return !same && luhnCheck(digits)
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
 * of four, passing the Luhn check, with a plausible first digit.
 *
 * @example
 * ```ts
 * import { validateBankCard } from 'datagate/classify'
 *
 * console.log(validateBankCard('4111 1111 1111 1111')) // true
 * console.log(validateBankCard('4111 1111 1111 1112')) // false: Luhn check fails
 * ```
 */
export function validateBankCard(candidate: string): boolean {
  return (
    fullMatch(STICKY, candidate) &&
    separatorOf(candidate) !== null &&
    plausible(digitsOf(candidate))
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
      if (!isolated(text, start, end)) return afterRun(text, start)
      const sep = separatorOf(candidate)
      if (sep === null) {
        // A contiguous card followed by a separator and a short number ("... 123"): the pattern
        // took the short number as a final group. Judge the contiguous head on its own.
        let headLength = 0
        while (candidate[headLength] !== ' ' && candidate[headLength] !== '-') headLength++
        if (headLength >= 13 && plausible(candidate.slice(0, headLength))) {
          return { start, end: start + headLength }
        }
        return afterRun(text, start)
      }
      if (sep !== undefined && continuesGrouping(text, start, end, sep)) {
        return afterRun(text, start)
      }
      if (!plausible(digitsOf(candidate))) return afterRun(text, start)
      return { start, end }
    })
  },
}
