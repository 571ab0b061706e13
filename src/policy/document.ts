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
})

const partner = z.strictObject({
  id,
  name: z.string().min(1).max(256),
  category: z.enum(['capability', 'resource', 'traffic', 'innovation']),
  standing: z.enum(['gold', 'silver', 'bronze', 'yellow', 'terminated']),
  core: z.boolean(),
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
