/**
 * Mainland China mobile numbers: `1[3-9]x xxxx xxxx`, with an optional `+86` or `0086` prefix
 * and optional single spaces or hyphens in the 3-4-4 grouping.
 *
 * A number inside a longer run of letters or digits is not reported, nor one preceded by `+`
 * without the 86 country code (that is another country's number), nor a grouped number that
 * continues with the same separator and another digit (`138 1234 5678 9`).
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

const STICKY = stickyCopy(DETECTOR_PATTERNS.mobile)
const GLOBAL = globalCopy(DETECTOR_PATTERNS.mobile)

/** The 11-digit number without its country-code prefix and the separator after it. */
function numberPart(candidate: string): string {
  let rest = candidate
  if (rest.startsWith('+86')) rest = rest.slice(3)
  else if (rest.startsWith('0086')) rest = rest.slice(4)
  if (rest[0] === ' ' || rest[0] === '-') rest = rest.slice(1)
  return rest
}

/**
 * Whether `candidate` is, in full, a mainland China mobile number.
 *
 * @example
 * ```ts
 * import { validateMobile } from 'datagate/classify'
 *
 * console.log(validateMobile('+86 138-1234-5678')) // true
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
      const number = numberPart(candidate)
      const sep = number.includes(' ') ? ' ' : number.includes('-') ? '-' : undefined
      if (sep !== undefined && continuesGrouping(text, start, end, sep)) {
        return afterRun(text, start)
      }
      return { start, end }
    })
  },
}
