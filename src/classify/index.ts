/**
 * `datagate/classify`: field classes, dataset descriptors and PII detection.
 *
 * @packageDocumentation
 */
export {
  type Dataset,
  type DatasetField,
  type DatasetOptions,
  defineDataset,
  type ParsedRecord,
  type Released,
} from './dataset.js'
export { luhnCheck, validateBankCard } from './detectors/bank-card.js'
export { validateEmail } from './detectors/email.js'
export { validateIpv4, validateIpv6 } from './detectors/ip.js'
export { validateLicencePlate } from './detectors/licence-plate.js'
export { validateMobile } from './detectors/mobile.js'
export { validatePassport } from './detectors/passport.js'
export { DETECTOR_PATTERNS, type DetectorName } from './detectors/patterns.js'
export {
  type ResidentIdOptions,
  residentIdCheckChar,
  validateResidentId,
} from './detectors/resident-id.js'
export {
  socialCreditCodeCheckChar,
  validateSocialCreditCode,
} from './detectors/social-credit-code.js'
export { type VinCheckDigit, validateVin, vinCheckChar, vinCheckDigit } from './detectors/vin.js'
export {
  type Classified,
  type FieldMeta,
  field,
  fieldMeta,
  type ReleasedOf,
  type ReleasedShape,
} from './field.js'
export {
  IMPORTANT_DATA_KINDS,
  type ImportantDataKind,
  type PrecisionCap,
  SENSITIVE_PI_KINDS,
  type SensitivePIKind,
} from './guardrail-tags.js'
export {
  DETECTABLE_KINDS,
  type PiiFinding,
  type ScanFinding,
  type ScanLimitCode,
  type ScanLimitFinding,
  type ScanRecordOptions,
  type ScanTextOptions,
  scanRecord,
  scanText,
} from './scan.js'
export type { FieldClass, FieldOptions, PiiKind } from './types.js'
