/**
 * Types of the classify stage: field classes, field metadata and dataset descriptors.
 *
 * @packageDocumentation
 */

/** How far a field may travel: to any partner, to core partners only once transformed, never. */
export type FieldClass = 'public' | 'desensitised' | 'sensitive'

/** Kinds of personal data a field may be tagged with (and the PII scanner reports). */
export type PiiKind =
  | 'name'
  | 'resident_id'
  | 'mobile'
  | 'phone'
  | 'email'
  | 'bank_card'
  | 'licence_plate'
  | 'vin'
  | 'passport'
  | 'social_credit_code'
  | 'ip_address'
  | 'address'
  | 'birth_date'
  | 'other'

/** Optional tags on a field. */
export interface FieldOptions {
  /** The field could help re-identify a person combined with others (age, city, model). */
  readonly quasiIdentifier?: boolean
  /** The kind of personal data the field holds. */
  readonly pii?: PiiKind
}
