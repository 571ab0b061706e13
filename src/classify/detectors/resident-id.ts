/**
 * Mainland China resident identity numbers (GB 11643-1999).
 *
 * 18 characters: a 6-digit region code, the birth date YYYYMMDD, a 3-digit sequence and a
 * MOD 11-2 check character (0-9 or X). A number is accepted when the check character is right,
 * the region code opens with a province code that exists (11-15, 21-23, 31-37, 41-46, 50-54,
 * 61-65, 71, 81-83; stricter than "first digit 1-8"), and the birth date is a calendar date
 * between `minBirthYear` (default 1900) and `now`.
 *
 * Written forms: contiguous, or with one space or hyphen between any two digits (`110105 19491231
 * 002X`, `1101-0519-4912-3100-2X`). The scanner matches a folded copy of the text (full-width
 * digits and `Ｘ`, NBSP, en dashes and zero-width spaces; see `src/lib/normalize-text.ts`), so
 * those forms are found too, with offsets into the original. Separators are safe to allow here:
 * the check character, the province list and the birth date together let about one random
 * 18-digit run in 70,000 through, wherever the spaces fall.
 *
 * The 15-digit legacy form (YYMMDD, read as 19YY, no check digit) is off by default: without
 * a check digit one random 15-digit number in about two hundred would pass, and first-generation
 * cards stopped being valid in 2013. Turn it on with `legacy: true` (or `legacyResidentId` when
 * scanning).
 *
 * @packageDocumentation
 */
import { assertNumber } from '../../lib/assert.js'
import { readClock } from '../../lib/clock.js'
import { DETECTOR_PATTERNS } from './patterns.js'
import {
  afterRun,
  collect,
  type DetectContext,
  type Detector,
  fullMatch,
  globalCopy,
  isCalendarDate,
  isolated,
  stickyCopy,
  withoutSeparators,
} from './shared.js'

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK_CHARS = '10X98765432'
const PROVINCES = new Set([
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
  '71',
  '81',
  '82',
  '83',
])

/** Options of {@link validateResidentId}. */
export interface ResidentIdOptions {
  /** The clock: birth dates after its day (UTC) are rejected. Default: the system clock. */
  readonly now?: () => Date
  /** Birth years before this are rejected. Default 1900. */
  readonly minBirthYear?: number
  /** Also accept the 15-digit legacy form. Default false. */
  readonly legacy?: boolean
}

/**
 * The GB 11643-1999 MOD 11-2 check character for the first 17 digits, or `undefined` when the
 * input is not 17 digits.
 *
 * @example
 * ```ts
 * import { residentIdCheckChar } from 'datagate/classify'
 *
 * console.log(residentIdCheckChar('11010519491231002')) // 'X'
 * ```
 */
export function residentIdCheckChar(first17: string): string | undefined {
  if (typeof first17 !== 'string' || first17.length !== 17) return undefined
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const digit = first17.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return undefined
    sum += digit * WEIGHTS[i]!
  }
  return CHECK_CHARS[sum % 11]
}

function plausible(
  id: string,
  dateAt: number,
  century: string,
  now: Date,
  minBirthYear: number,
): boolean {
  if (!PROVINCES.has(id.slice(0, 2))) return false
  const dateLength = century === '' ? 8 : 6
  const date = century + id.slice(dateAt, dateAt + dateLength)
  const year = Number(date.slice(0, 4))
  const month = Number(date.slice(4, 6))
  const day = Number(date.slice(6, 8))
  if (year < minBirthYear || !isCalendarDate(year, month, day)) return false
  const today = now.getUTCFullYear() * 10000 + (now.getUTCMonth() + 1) * 100 + now.getUTCDate()
  return year * 10000 + month * 100 + day <= today
}

function check(candidate: string, now: Date, minBirthYear: number, legacy: boolean): boolean {
  const id = withoutSeparators(candidate, ' -')
  if (id.length === 18) {
    const checkChar = id[17]!.toUpperCase()
    return (
      residentIdCheckChar(id.slice(0, 17)) === checkChar && plausible(id, 6, '', now, minBirthYear)
    )
  }
  return legacy && id.length === 15 && plausible(id, 6, '19', now, minBirthYear)
}

const STICKY = stickyCopy(DETECTOR_PATTERNS.resident_id)

/**
 * Whether `candidate` is, in full, a valid resident identity number: check character, province
 * code and a plausible birth date. A lowercase `x` is accepted as the check character, and one
 * space or hyphen between any two digits.
 *
 * @example
 * ```ts
 * import { validateResidentId } from 'datagate/classify'
 *
 * console.log(validateResidentId('11010519491231002X')) // true
 * console.log(validateResidentId('110105194912310021')) // false: wrong check character
 * console.log(validateResidentId('110105 19491231 002X')) // true: grouped
 * console.log(validateResidentId('110105491231002', { legacy: true })) // true: 15-digit form
 * ```
 */
export function validateResidentId(candidate: string, options: ResidentIdOptions = {}): boolean {
  const now = readClock(options.now, 'options.now')
  const minBirthYear = options.minBirthYear ?? 1900
  assertNumber(minBirthYear, 'options.minBirthYear', { integer: true })
  if (!fullMatch(STICKY, candidate)) return false
  return check(candidate, now, minBirthYear, options.legacy === true)
}

const GLOBAL = globalCopy(DETECTOR_PATTERNS.resident_id)

/** The resident identity number detector. */
export const residentIdDetector: Detector = {
  name: 'resident_id',
  kind: 'resident_id',
  label: 'mainland China resident identity number',
  pattern: DETECTOR_PATTERNS.resident_id,
  find(text: string, context: DetectContext) {
    return collect(GLOBAL, text, (candidate, start) => {
      const end = start + candidate.length
      if (!isolated(text, start, end)) return afterRun(text, start)
      if (!check(candidate, context.now, 1900, context.legacyResidentId))
        return afterRun(text, start)
      return { start, end }
    })
  },
}
