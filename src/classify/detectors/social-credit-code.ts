/**
 * Unified social credit codes of legal persons and other organisations (GB 32100-2015).
 *
 * 18 characters from `0-9 A-H J-N P-R T-U W-Y` (no I, O, S, V, Z). A MOD 31 check alone lets one
 * random 18-character order or waybill number in 31 through, so every part of the structure is
 * checked:
 * - position 1, the registration authority: 1-9, A (military), N (agriculture) or Y (other);
 * - position 2, the organisation type, among those that authority registers (9 for market
 *   regulation: 1 enterprise, 2 individual business, 3 farmers' cooperative; 5 for civil affairs:
 *   1, 2, 3, 9; ...);
 * - positions 3-8, the administrative division code (GB/T 2260): 6 digits opening with a
 *   province code that exists, or 10 for central bodies;
 * - positions 9-17, the organisation code (GB 11714-1997): 8 digits or letters and its own
 *   MOD 11 check character (weights 3 7 9 10 5 8 4 2; 10 written X);
 * - position 18, the MOD 31 check character (weights 3^(i-1) mod 31).
 * Together they let about one random candidate in ten million through. Uppercase only, as the
 * standard writes them; the scanner folds full-width forms first.
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

// GB 32100-2015 Annex A: the organisation types each registration authority registers.
const TYPES: Readonly<Record<string, string>> = {
  '1': '1239', // institutional establishment: organs, public institutions, mass organisations
  '2': '19', // foreign affairs
  '3': '123459', // justice: law firms, notaries, legal services, forensics, arbitration
  '4': '19', // culture
  '5': '1239', // civil affairs: social organisations, private non-enterprise units, foundations
  '6': '129', // tourism
  '7': '129', // religious affairs
  '8': '19', // trade unions
  '9': '123', // market regulation: enterprises, individual businesses, farmers' cooperatives
  A: '19', // Central Military Commission
  N: '1239', // agriculture: collective economic organisations
  Y: '1', // other
}

// GB/T 2260 province-level codes (the first two digits of a division code), and 10 for
// bodies registered at the central level (division code 100000).
const PROVINCES = new Set(
  '10 11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82'.split(
    ' ',
  ),
)

const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]

/** The GB 11714-1997 check character of an 8-character organisation code body. */
function organisationCheckChar(body: string): string | undefined {
  let sum = 0
  for (let i = 0; i < 8; i++) {
    const code = body.charCodeAt(i)
    const value = code >= 48 && code <= 57 ? code - 48 : code >= 65 && code <= 90 ? code - 55 : -1
    if (value < 0) return undefined
    sum += value * ORG_WEIGHTS[i]!
  }
  const check = 11 - (sum % 11)
  return check === 10 ? 'X' : check === 11 ? '0' : String(check)
}

function check(code: string): boolean {
  return (
    (TYPES[code[0]!]?.includes(code[1]!) ?? false) &&
    PROVINCES.has(code.slice(2, 4)) &&
    organisationCheckChar(code.slice(8, 16)) === code[16] &&
    socialCreditCodeCheckChar(code.slice(0, 17)) === code[17]
  )
}

const STICKY = stickyCopy(DETECTOR_PATTERNS.social_credit_code)
const GLOBAL = globalCopy(DETECTOR_PATTERNS.social_credit_code)

/**
 * Whether `candidate` is, in full, a unified social credit code: a known registration authority
 * and organisation type, a division code of an existing province, a correct organisation-code
 * check character and a correct MOD 31 check character.
 *
 * @example
 * ```ts
 * import { validateSocialCreditCode } from 'datagate/classify'
 *
 * console.log(validateSocialCreditCode('91350100M000100Y43')) // true
 * console.log(validateSocialCreditCode('91350100M000100Y4Z')) // false: wrong check character
 * console.log(validateSocialCreditCode('SF1234567890123456')) // false: no such authority
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
