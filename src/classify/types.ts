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

import type { ImportantDataKind, PrecisionCap, SensitivePIKind } from './guardrail-tags.js'

/** Optional tags on a field. */
export interface FieldOptions {
  /** The field could help re-identify a person combined with others (age, city, model). */
  readonly quasiIdentifier?: boolean
  /** The kind of personal data the field holds. */
  readonly pii?: PiiKind
  /** Important data of this kind (automotive data provisions Art. 3): overseas grants need an assessment. */
  readonly important?: ImportantDataKind
  /** Sensitive personal information of this kind; counted apart and reported yearly. Not the `sensitive` class. */
  readonly sensitivePI?: SensitivePIKind
  /** A location field: it leaves only generalised to this precision or coarser (checked when a policy loads). */
  readonly maxPrecision?: PrecisionCap
}
