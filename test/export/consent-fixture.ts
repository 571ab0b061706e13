// The insurer's claim dataset and its consent agreement, shared by the consent tests and the gate
// trace: a handler (insure-co) that releases a pseudonym and a masked phone, so each row needs its
// subject's consent (the sensitive `name`, read for consent and never released).
import { z } from 'zod'
import { mask } from '../../src/anonymize/mask.js'
import { pseudonymize } from '../../src/anonymize/pseudonymize.js'
import { defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import { loadPolicy } from '../../src/policy/load.js'

export const ISSUER = 'oem-aftersales'
export const SCOPE = 'share-with-insurers'

export const Claim = defineDataset(
  'claim',
  z.object({
    claimId: field.public(z.string()),
    customerId: field.desensitised(z.string(), pseudonymize()),
    phone: field.desensitised(z.string(), mask.phone()),
    hours: field.public(z.number()),
    name: field.sensitive(z.string()),
  }),
  { version: '1' },
)

/**
 * The policy: with `consent: false` insure-co is entrusted and the agreement asks no consent;
 * `cap` and `where` add a record cap and a row condition.
 */
export function claimPolicy(options: { consent?: boolean; cap?: number; where?: object } = {}) {
  return loadPolicy(
    {
      issuer: ISSUER,
      partners: [
        {
          id: 'insure-co',
          name: 'Insure Co',
          category: 'resource',
          standing: 'gold',
          core: true,
          role: options.consent === false ? 'entrusted' : 'handler',
          ...(options.cap === undefined ? {} : { maxRecordsPerRelease: options.cap }),
          agreements: [
            {
              id: 'claims-2026',
              dataset: 'claim',
              purpose: 'claims',
              // The subject (name) is sensitive: read for consent, never released.
              fields: ['claimId', 'customerId', 'phone', 'hours'],
              ...(options.consent === false ? {} : { consent: { scope: SCOPE, subject: 'name' } }),
              ...(options.where === undefined ? {} : { where: options.where }),
              validFrom: '2026-01-01',
              validUntil: '2026-12-31',
            },
          ],
        },
      ],
    },
    { datasets: [Claim] },
  )
}
