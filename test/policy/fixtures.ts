// Shared fixtures of the policy tests: the sample datasets and a compact policy builder.
import { readFileSync } from 'node:fs'
import type { PolicyDocument } from '../../src/policy/document.js'

export {
  ChargingSession,
  Customer,
  datasets,
  Outlet,
  RepairOrder,
} from '../../examples/datasets.js'

/** The sample policy YAML text. */
export const samplePolicyYaml = readFileSync(
  new URL('../../examples/policy.yaml', import.meta.url),
  'utf8',
)

/** Sample rows of a bundled data file. */
export function sampleRows(
  name: 'customers' | 'outlets' | 'repair-orders' | 'charging-sessions',
): Record<string, unknown>[] {
  return JSON.parse(
    readFileSync(new URL(`../../examples/data/${name}.json`, import.meta.url), 'utf8'),
  )
}

type AgreementInput = Partial<PolicyDocument['partners'][number]['agreements'][number]>
type PartnerInput = Partial<Omit<PolicyDocument['partners'][number], 'agreements'>> & {
  agreements?: AgreementInput[]
}

/** A one-partner policy document with defaults filled in. */
export function policyWith(
  partner: PartnerInput = {},
  extra: Partial<PolicyDocument> = {},
): Record<string, unknown> {
  return {
    issuer: 'oem-aftersales',
    partners: [
      {
        id: 'rental-co',
        name: 'Rental Co',
        category: 'capability',
        standing: 'gold',
        core: true,
        ...partner,
        agreements: (partner.agreements ?? [{}]).map((agreement, i) => ({
          id: `a${i}`,
          dataset: 'repair_order',
          purpose: 'courtesy-car',
          fields: ['orderId', 'city'],
          validFrom: '2026-01-01',
          validUntil: '2026-12-31',
          ...agreement,
        })),
      },
    ],
    ...extra,
  }
}
