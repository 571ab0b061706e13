/**
 * Mainland China ordinary passport numbers: `E` or `G` + 8 digits (G: passports issued before
 * 2012; E: electronic passports), or `E` + a letter (no I/O) + 7 digits (issued once the
 * all-digit E series ran out).
 *
 * Other countries' passport numbers and China's diplomatic, service and travel documents have
 * shapes too generic (a letter and 7-9 digits, or digits only) to detect in free text without
 * a flood of false positives; they are not detected. Uppercase only; the number must stand
 * alone, with no ASCII letter or digit on either side.
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

const STICKY = stickyCopy(DETECTOR_PATTERNS.passport)
const GLOBAL = globalCopy(DETECTOR_PATTERNS.passport)

/**
 * Whether `candidate` is, in full, a mainland China ordinary passport number.
 *
 * @example
 * ```ts
 * import { validatePassport } from 'datagate/classify'
 *
 * console.log(validatePassport('E12345678')) // true
 * console.log(validatePassport('EA1234567')) // true
 * console.log(validatePassport('X12345678')) // false
 * ```
 */
export function validatePassport(candidate: string): boolean {
  return fullMatch(STICKY, candidate)
}

/** The passport number detector. */
export const passportDetector: Detector = {
  name: 'passport',
  kind: 'passport',
  label: 'mainland China passport number',
  pattern: DETECTOR_PATTERNS.passport,
  find(text: string) {
    return collect(GLOBAL, text, (candidate, start) => {
      const end = start + candidate.length
      if (!isolated(text, start, end)) return afterRun(text, start)
      return { start, end }
    })
  },
}
