// The policy document's shape, validated with zod strict objects: an unknown key anywhere is
// an error, never silently ignored (a typo like `feilds` must not widen or narrow a grant).
import { z } from 'zod'
import {
  assessmentSchema,
  crossBorderSchema,
  importantDataSchema,
  locationPrecisionSchema,
  regionSchema,
} from './guardrails-document.js'

const id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : - only')

const dateLike = z.union([z.string().min(1).max(40), z.date()])

const measure = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('count') }),
  z.strictObject({ op: z.enum(['sum', 'avg', 'min', 'max']), field: z.string().min(1) }),
])

const agreement = z.strictObject({
  id,
  dataset: z.string().min(1).max(64),
  purpose: id,
  fields: z.array(z.string().min(1).max(256)).max(10_000),
  where: z.record(z.string(), z.unknown()).optional(),
  validFrom: dateLike,
  validUntil: dateLike,
  /** The legal basis of the processing, as text for the record of processing (`datagate report`); no effect on releases. */
  basis: z.string().min(1).max(4000).optional(),
  /**
   * Consent of each data subject (PIPL Art. 23): `scope` is the consent a subject gave (e.g.
   * `share-with-insurers`), `subject` the dataset field naming the subject. Rows whose subject
   * has no valid consent at release time are dropped first (see consent-rules.ts, docs/governance.md).
   */
  consent: z.strictObject({ scope: id, subject: z.string().min(1).max(256) }).optional(),
  /** Reference of the security assessment that lets important data go to an overseas partner. */
  assessment: assessmentSchema.optional(),
  k: z.number().int().min(2).max(1_000_000).optional(),
  aggregate: z
    .strictObject({
      by: z.array(z.string().min(1)).min(1).max(16),
      measures: z.record(z.string().min(1).max(64), measure),
      totals: z.enum(['none', 'overall', 'margins']).optional(),
      protectionWidth: z.number().int().min(1).max(1_000_000).optional(),
      noise: z
        .strictObject({
          epsilon: z.number().positive().max(100),
          sensitivity: z.number().positive().max(1e12).optional(),
          granularity: z.number().positive().max(1e12).optional(),
        })
        .optional(),
      once: z.literal(true).optional(),
    })
    .optional(),
  /** Synthetic records added to each release of a records agreement, to trace leaks (export/watermark.ts). */
  watermark: z.strictObject({ rows: z.int().min(1).max(1000) }).optional(),
})

const partner = z.strictObject({
  id,
  name: z.string().min(1).max(256),
  category: z.enum(['capability', 'resource', 'traffic', 'innovation']),
  standing: z.enum(['gold', 'silver', 'bronze', 'yellow', 'terminated']),
  core: z.boolean(),
  /**
   * The partner's role under PIPL: `entrusted` processes on our behalf under contract (Art. 21),
   * `handler` / `joint-handler` decide for themselves (Art. 23: separate consent). Undeclared
   * reads as {@link DEFAULT_PARTNER_ROLE} (docs/governance.md says why).
   */
  role: z.enum(['entrusted', 'handler', 'joint-handler']).optional(),
  /** How individuals reach the recipient (PIPL Art. 23 notice): an address, e-mail or phone, as text. */
  contact: z.string().min(1).max(512).optional(),
  /** Where the partner receives the data: `CN`, or a code outside it (cross-border rules apply). Default `CN`. */
  region: regionSchema.optional(),
  encryptionKeys: z
    .strictObject({ keys: z.array(z.record(z.string(), z.unknown())).max(32) })
    .optional(),
  maxRecordsPerRelease: z.number().int().positive().optional(),
  budget: z
    .strictObject({
      epsilon: z.number().positive().max(1000),
      period: z.enum(['day', 'month', 'quarter', 'year']),
    })
    .optional(),
  agreements: z.array(agreement).max(1000),
})

/**
 * The role of a partner that declares none: `entrusted`, today's meaning of every agreement (a
 * contract of purpose, fields and validity, what PIPL Art. 21 asks of entrusted processing), so
 * policies written before roles existed load as before; the notice manifest of `datagate report`
 * shows such a partner's role as `entrusted (undeclared)` for a reviewer to confirm.
 *
 * @example
 * ```ts
 * import { DEFAULT_PARTNER_ROLE } from 'datagate'
 *
 * console.log(DEFAULT_PARTNER_ROLE) // 'entrusted'
 * ```
 */
export const DEFAULT_PARTNER_ROLE = 'entrusted' as const

/** zod schema of a policy document (YAML or JSON). */
export const policyDocumentSchema = z.strictObject({
  issuer: id,
  partners: z.array(partner).max(10_000),
  crossBorder: crossBorderSchema.optional(),
  importantData: importantDataSchema.optional(),
  locationPrecision: locationPrecisionSchema.optional(),
})

/** A policy document as written, after structural validation. */
export type PolicyDocument = z.output<typeof policyDocumentSchema>
/** One agreement as written. */
export type AgreementDocument = PolicyDocument['partners'][number]['agreements'][number]
