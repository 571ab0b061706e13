/**
 * Unified social credit codes of legal persons and other organisations (GB 32100-2015).
 *
 * 18 characters from `0-9 A-H J-N P-R T-U W-Y` (no I, O, S, V, Z): registration authority,
 * organisation category, a 6-digit administrative division code, a 9-character organisation
 * body, and a MOD 31 check character with weights 3^(i-1) mod 31. Uppercase only, as the
 * standard writes them.
 *
 * @packageDocumentation
 */
import { DETECTOR_PATTERNS } from './patterns.js'
import {
  afterRun,
  collect,
  type Detector,
  fullMatch,
  globalCopy,
  isolated,
  stickyCopy,
} from './shared.js'

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

/**
 * The GB 32100-2015 check character for the first 17 characters, or `undefined` when the input
 * is not 17 characters of the code alphabet.
 *
 * @example
 * ```ts
 * import { socialCreditCodeCheckChar } from 'datagate/classify'
 *
 * console.log(socialCreditCodeCheckChar('91350100M000100Y4')) // '3'
 * ```
 */
export function socialCreditCodeCheckChar(first17: string): string | undefined {
  if (typeof first17 !== 'string' || first17.length !== 17) return undefined
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const value = ALPHABET.indexOf(first17[i]!)
    if (value < 0) return undefined
    sum += value * WEIGHTS[i]!
  }
  return ALPHABET[(31 - (sum % 31)) % 31]
}

function check(code: string): boolean {
  return socialCreditCodeCheckChar(code.slice(0, 17)) === code[17]
}

const STICKY = stickyCopy(DETECTOR_PATTERNS.social_credit_code)
const GLOBAL = globalCopy(DETECTOR_PATTERNS.social_credit_code)

/**
 * Whether `candidate` is, in full, a unified social credit code with a correct check character
 * and a numeric division code in positions 3-8.
 *
 * @example
 * ```ts
 * import { validateSocialCreditCode } from 'datagate/classify'
 *
 * console.log(validateSocialCreditCode('91350100M000100Y43')) // true
 * console.log(validateSocialCreditCode('91350100M000100Y4Z')) // false: wrong check character
 * ```
 */
export function validateSocialCreditCode(candidate: string): boolean {
  return fullMatch(STICKY, candidate) && check(candidate)
}

/** The unified social credit code detector. */
export const socialCreditCodeDetector: Detector = {
  name: 'social_credit_code',
  kind: 'social_credit_code',
  label: 'unified social credit code',
  pattern: DETECTOR_PATTERNS.social_credit_code,
  find(text: string) {
    return collect(GLOBAL, text, (candidate, start) => {
      const end = start + candidate.length
      if (!isolated(text, start, end) || !check(candidate)) return afterRun(text, start)
      return { start, end }
    })
  },
}
