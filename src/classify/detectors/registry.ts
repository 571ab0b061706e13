/**
 * The detectors the scanner runs, in priority order: when two detectors report exactly the
 * same span (an 18-digit resident identity number that also passes the Luhn check), only the
 * first is reported.
 *
 * @packageDocumentation
 */
import { bankCardDetector } from './bank-card.js'
import { emailDetector } from './email.js'
import { ipv4Detector, ipv6Detector } from './ip.js'
import { licencePlateDetector } from './licence-plate.js'
import { mobileDetector } from './mobile.js'
import { passportDetector } from './passport.js'
import { residentIdDetector } from './resident-id.js'
import type { Detector } from './shared.js'
import { socialCreditCodeDetector } from './social-credit-code.js'
import { vinDetector } from './vin.js'

export type { DetectContext, Detector, DetectorMatch } from './shared.js'

/**
 * Every detector, most specific first.
 *
 * @example
 * ```ts
 * import { DETECTORS } from './registry.js'
 *
 * console.log(DETECTORS.map((detector) => detector.name).join(' '))
 * // resident_id social_credit_code vin passport mobile bank_card licence_plate email ipv4 ipv6
 * ```
 */
export const DETECTORS: readonly Detector[] = Object.freeze([
  residentIdDetector,
  socialCreditCodeDetector,
  vinDetector,
  passportDetector,
  mobileDetector,
  bankCardDetector,
  licencePlateDetector,
  emailDetector,
  ipv4Detector,
  ipv6Detector,
])
