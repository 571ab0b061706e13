/**
 * Mainland China mobile numbers: `1[3-9]x xxxx xxxx`.
 *
 * Written forms:
 * - contiguous (`13812345678`) or in the 3-4-4 grouping with one space, dot or hyphen between
 *   groups, mixed or not (`138 1234 5678`, `138.1234.5678`, `138-1234 5678`);
 * - the first group in parentheses (`(138) 1234-5678`);
 * - with a country code `+86`, `0086`, `86` or `(+86)`, followed by one space or hyphen or by
 *   nothing (`+86 138 1234 5678`, `86 138 1234 5678`, `8613812345678`).
 * The scanner matches a folded copy of the text, so full-width digits, NBSP and en dash
 * separators are found as well (see `src/lib/normalize-text.ts`).
 *
 * A number inside a longer run of letters or digits is not reported, nor one preceded by `+`
 * without the 86 country code (that is another country's number), nor a grouped number that
 * continues with one of its separators and another digit (`138 1234 5678 9`, `1.138.1234.5678`).
 * The second digit 3-9 is the whole check: mobile numbers carry no check digit, and the MIIT
 * allocates new 1[3-9]x blocks every few years, so a list of today's blocks would miss
 * tomorrow's numbers.
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
  isDigitCode,
  isolated,
  stickyCopy,
} from './shared.js'

const STICKY = stickyCopy(DETECTOR_PATTERNS.mobile)
const GLOBAL = globalCopy(DETECTOR_PATTERNS.mobile)
const SEPARATORS = ' .-'

/** Whether the number continues past `[start, end)` with a separator it uses and another digit. */
function continues(text: string, candidate: string, start: number, end: number): boolean {
  const before = text[start - 1]
  const after = text[end]
  const joins = (sep: string | undefined) =>
    sep !== undefined && SEPARATORS.includes(sep) && candidate.includes(sep)
  return (
    (joins(before) && isDigitCode(text.charCodeAt(start - 2))) ||
    (joins(after) && isDigitCode(text.charCodeAt(end + 1)))
  )
}

/**
 * Whether `candidate` is, in full, a mainland China mobile number in one of the written forms
 * above (ASCII; the scanner also folds full-width and Unicode separators).
 *
 * @example
 * ```ts
 * import { validateMobile } from 'datagate/classify'
 *
 * console.log(validateMobile('+86 138-1234-5678')) // true
 * console.log(validateMobile('+86 (138) 1234-5678')) // true
 * console.log(validateMobile('138.1234.5678')) // true
 * console.log(validateMobile('12812345678')) // false: no such mobile prefix
 * ```
 */
export function validateMobile(candidate: string): boolean {
  return fullMatch(STICKY, candidate)
}

/** The mobile number detector. */
export const mobileDetector: Detector = {
  name: 'mobile',
  kind: 'mobile',
  label: 'mainland China mobile number',
  pattern: DETECTOR_PATTERNS.mobile,
  find(text: string) {
    return collect(GLOBAL, text, (candidate, start) => {
      const end = start + candidate.length
      if (!isolated(text, start, end)) return afterRun(text, start)
      if (candidate[0] !== '+' && text[start - 1] === '+') return afterRun(text, start)
      if (continues(text, candidate, start, end)) return afterRun(text, start)
      return { start, end }
    })
  },
}
