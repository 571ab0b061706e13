/**
 * Vehicle identification numbers (ISO 3779): 17 characters from `A-H J-N P R-Z 0-9`.
 *
 * The check digit at position 9 (weights 8,7,6,5,4,3,2,10,0,9,8,7,6,5,4,3,2, the North
 * American transliteration table, remainder 10 written `X`) is mandatory for North American
 * VINs, whose world manufacturer identifier opens with 1-5: there a wrong check digit means
 * "not a VIN". Elsewhere ISO 3779 does not require it (China's GB 16735 does, European makers
 * often do not), so a VIN of the right shape is reported either way:
 * - `valid`: position 9 holds the computed check digit;
 * - `invalid`: a North American VIN whose check digit is wrong (never reported by the scanner);
 * - `not_applicable`: a VIN from elsewhere whose position 9 is not the computed check digit.
 *
 * The scanner also requires at least one letter, so plain 17-digit numbers are not reported
 * (every assigned world manufacturer identifier holds a letter in practice). Uppercase only.
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
  type VinCheckDigit,
} from './shared.js'

export type { VinCheckDigit } from './shared.js'

const STICKY = stickyCopy(DETECTOR_PATTERNS.vin)
const GLOBAL = globalCopy(DETECTOR_PATTERNS.vin)
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
// Transliteration of A..Z (I, O, Q have no value; they never reach here).
const LETTER_VALUES = [1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 0, 7, 0, 9, 2, 3, 4, 5, 6, 7, 8, 9]

/**
 * The check digit a 17-character VIN should carry at position 9 (`0`-`9` or `X`), or
 * `undefined` when the input is not 17 characters of the VIN alphabet.
 *
 * @example
 * ```ts
 * import { vinCheckChar } from 'datagate/classify'
 *
 * console.log(vinCheckChar('1M8GDM9AXKP042788')) // 'X'
 * ```
 */
export function vinCheckChar(vin: string): string | undefined {
  if (!fullMatch(STICKY, vin)) return undefined
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const code = vin.charCodeAt(i)
    const value = code <= 57 ? code - 48 : LETTER_VALUES[code - 65]!
    sum += value * WEIGHTS[i]!
  }
  const remainder = sum % 11
  return remainder === 10 ? 'X' : String(remainder)
}

/**
 * What the check digit of a VIN says: `valid`, `invalid` (North American VIN, wrong check
 * digit) or `not_applicable` (VIN from elsewhere without a matching check digit). `undefined`
 * when `vin` does not have the VIN shape.
 *
 * @example
 * ```ts
 * import { vinCheckDigit } from 'datagate/classify'
 *
 * console.log(vinCheckDigit('1M8GDM9AXKP042788')) // 'valid'
 * console.log(vinCheckDigit('1XPTD40X0JD456115')) // 'invalid'
 * ```
 */
export function vinCheckDigit(vin: string): VinCheckDigit | undefined {
  const expected = vinCheckChar(vin)
  if (expected === undefined) return undefined
  if (vin[8] === expected) return 'valid'
  const northAmerican = vin[0]! >= '1' && vin[0]! <= '5'
  return northAmerican ? 'invalid' : 'not_applicable'
}

/**
 * Whether `candidate` is a VIN: the ISO 3779 shape, and for North American VINs (WMI opening
 * with 1-5) the right check digit.
 *
 * @example
 * ```ts
 * import { validateVin } from 'datagate/classify'
 *
 * console.log(validateVin('1M8GDM9AXKP042788')) // true
 * console.log(validateVin('1XPTD40X0JD456115')) // false: wrong check digit
 * console.log(validateVin('LSVAU2180N2183290')) // true: check digit optional outside North America
 * ```
 */
export function validateVin(candidate: string): boolean {
  const status = vinCheckDigit(candidate)
  return status !== undefined && status !== 'invalid'
}

function hasLetter(vin: string): boolean {
  for (let i = 0; i < vin.length; i++) if (vin.charCodeAt(i) >= 65) return true
  return false
}

/** The VIN detector. */
export const vinDetector: Detector = {
  name: 'vin',
  kind: 'vin',
  label: 'vehicle identification number',
  pattern: DETECTOR_PATTERNS.vin,
  find(text: string) {
    return collect(GLOBAL, text, (candidate, start) => {
      const end = start + candidate.length
      if (!isolated(text, start, end) || !hasLetter(candidate)) return afterRun(text, start)
      const checkDigit = vinCheckDigit(candidate)
      if (checkDigit === undefined || checkDigit === 'invalid') return afterRun(text, start)
      return { start, end, checkDigit }
    })
  },
}
