/**
 * Mainland China licence plates (GA 36).
 *
 * A province abbreviation (京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼),
 * an issuing-authority letter A-Z without I and O, an optional separator (`·`, `•`, space or
 * hyphen), then either
 * - 5 ordinary serial characters (letters without I/O, and digits; the last may be one of
 *   挂学警港澳), or
 * - 6 new-energy serial characters: small vehicles `D`/`F` + a letter or digit + 4 digits
 *   (京AD12345), large vehicles 5 digits + `D`/`F` (京A12345D).
 *
 * Uppercase only. The plate must not be followed by an ASCII letter or digit.
 *
 * @packageDocumentation
 */
import { DETECTOR_PATTERNS } from './patterns.js'
import {
  collect,
  type Detector,
  fullMatch,
  globalCopy,
  isAlnumCode,
  isDigitCode,
  stickyCopy,
} from './shared.js'

function allDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!isDigitCode(text.charCodeAt(i))) return false
  return true
}

/** Whether the serial after the authority letter (and separator) is well formed. */
function validSerial(serial: string): boolean {
  if (serial.length === 5) return true // shape fully checked by the pattern
  if (serial.length !== 6) return false
  const first = serial[0]!
  const last = serial[5]!
  const small = (first === 'D' || first === 'F') && allDigits(serial.slice(2))
  const large = (last === 'D' || last === 'F') && allDigits(serial.slice(0, 5))
  return small || large
}

function serialOf(plate: string): string {
  const third = plate[2]
  return third === '·' || third === '•' || third === ' ' || third === '-'
    ? plate.slice(3)
    : plate.slice(2)
}

const STICKY = stickyCopy(DETECTOR_PATTERNS.licence_plate)
const GLOBAL = globalCopy(DETECTOR_PATTERNS.licence_plate)

/**
 * Whether `candidate` is, in full, a mainland China licence plate.
 *
 * @example
 * ```ts
 * import { validateLicencePlate } from 'datagate/classify'
 *
 * console.log(validateLicencePlate('京A·12345')) // true
 * console.log(validateLicencePlate('粤BD12345')) // true: new-energy
 * console.log(validateLicencePlate('京I12345')) // false: I is not used
 * ```
 */
export function validateLicencePlate(candidate: string): boolean {
  return fullMatch(STICKY, candidate) && validSerial(serialOf(candidate))
}

/** The licence plate detector. */
export const licencePlateDetector: Detector = {
  name: 'licence_plate',
  kind: 'licence_plate',
  label: 'mainland China licence plate',
  pattern: DETECTOR_PATTERNS.licence_plate,
  find(text: string) {
    return collect(GLOBAL, text, (candidate, start) => {
      const end = start + candidate.length
      if (isAlnumCode(text.charCodeAt(end)) || !validSerial(serialOf(candidate))) {
        return start + 1
      }
      return { start, end }
    })
  },
}
