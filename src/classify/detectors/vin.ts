/**
 * Vehicle identification numbers (ISO 3779): 17 characters from `A-H J-N P R-Z 0-9`.
 *
 * The check digit at position 9 (weights 8,7,6,5,4,3,2,10,0,9,8,7,6,5,4,3,2, the North
 * American transliteration table, remainder 10 written `X`) is mandatory for North American
 * VINs (49 CFR 565; world manufacturer identifier opening with 1-5) and for Chinese VINs
 * (GB 16735; WMI opening with L): there a wrong check digit means "not a VIN". ISO 3779 itself
 * does not require it, and European makers often do not compute it:
 * - `valid`: position 9 holds the computed check digit;
 * - `invalid`: a North American or Chinese VIN whose check digit is wrong (never reported by the
 *   scanner);
 * - `not_applicable`: a VIN from elsewhere whose position 9 is not the computed check digit.
 *
 * A 17-character device serial, part number or token has the VIN alphabet too, and carries the
 * right check digit by chance one time in eleven. So the scanner reports a `not_applicable`
 * candidate only when its WMI (the first three characters) is one of the European, Japanese or
 * Korean makers known to ship VINs without a computed check digit (`KNOWN_WMIS` below) and its
 * position 10 is a model-year code (not 0, U or Z). Any candidate whose nearest label names a
 * serial or part number (序列号, 串号, 设备号, 料号, SN, S/N, serial, part no.) rather than a
 * vehicle (车架号, 车辆识别代号, VIN, chassis) is not reported either: one serial in eleven
 * carries a right check digit by chance. It also requires at least one letter, so
 * plain 17-digit numbers are not reported. Uppercase only; the scanner folds full-width forms.
 *
 * @packageDocumentation
 */
import { DETECTOR_PATTERNS } from './patterns.js'
import {
  afterRun,
  collect,
  cueBefore,
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
 * What the check digit of a VIN says: `valid`, `invalid` (North American or Chinese VIN, wrong
 * check digit) or `not_applicable` (VIN from elsewhere without a matching check digit). `undefined`
 * when `vin` does not have the VIN shape.
 *
 * @example
 * ```ts
 * import { vinCheckDigit } from 'datagate/classify'
 *
 * console.log(vinCheckDigit('1M8GDM9AXKP042788')) // 'valid'
 * console.log(vinCheckDigit('1XPTD40X0JD456115')) // 'invalid'
 * console.log(vinCheckDigit('WDBRF61J01F123456')) // 'not_applicable'
 * ```
 */
export function vinCheckDigit(vin: string): VinCheckDigit | undefined {
  const expected = vinCheckChar(vin)
  if (expected === undefined) return undefined
  if (vin[8] === expected) return 'valid'
  const mandatory = (vin[0]! >= '1' && vin[0]! <= '5') || vin[0] === 'L'
  return mandatory ? 'invalid' : 'not_applicable'
}

// World manufacturer identifiers of makers whose VINs are seen without a computed check digit
// (ISO 3780 assignments as published by the makers and national registries).
const KNOWN_WMIS = new Set(
  // Germany
  (
    'WBA WBS WBY WMW WDB WDC WDD WDF W1K W1N W1V WAU WUA WVW WV1 WV2 WVG WP0 WP1 WME W0L WF0 WMA ' +
    // United Kingdom
    'SAJ SAL SAD SCA SCB SCC SCF SHH SJN SB1 ' +
    // France, Spain, Italy, Czechia, Sweden
    'VF1 VF3 VF7 VR1 VNK VSS ZFA ZAR ZFF ZHW ZAM ZLA TMB YV1 YV4 YS3 ' +
    // Japan, Korea
    'JTD JTE JTH JTN JHM JN1 JM1 JF1 JS3 JMB KMH KNA KND KPT'
  ).split(' '),
)

function knownWithoutCheckDigit(vin: string): boolean {
  const year = vin[9]!
  return KNOWN_WMIS.has(vin.slice(0, 3)) && year !== '0' && year !== 'U' && year !== 'Z'
}

/**
 * Whether `candidate` is a VIN: the ISO 3779 shape, and for North American and Chinese VINs (WMI
 * opening with 1-5 or L) the right check digit. Looser than the scanner, which also wants a
 * known maker for VINs without a check digit: a value in a VIN column is a VIN by intent.
 *
 * @example
 * ```ts
 * import { validateVin } from 'datagate/classify'
 *
 * console.log(validateVin('1M8GDM9AXKP042788')) // true
 * console.log(validateVin('1XPTD40X0JD456115')) // false: wrong check digit
 * console.log(validateVin('LSVAU2180N2183290')) // false: GB 16735 requires the check digit
 * console.log(validateVin('WDBRF61J01F123456')) // true: optional in Europe
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

const VIN_CUES = ['车架号', '车辆识别', '识别代号', 'vin', 'chassis', 'frame']
const SERIAL_CUES = [
  '序列号',
  '串号',
  '设备号',
  '料号',
  '零件号',
  '型号',
  'sn',
  's/n',
  'serial',
  'part',
]
const CUE_WINDOW = 12

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
      if (checkDigit === 'not_applicable' && !knownWithoutCheckDigit(candidate))
        return afterRun(text, start)
      if (cueBefore(text, start, CUE_WINDOW, VIN_CUES, SERIAL_CUES) === 'negative')
        return afterRun(text, start)
      return { start, end, checkDigit }
    })
  },
}
