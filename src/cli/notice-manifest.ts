// The notice manifest of `datagate report`: per agreement that provides personal information,
// what PIPL Art. 23 requires the individual to have been told before separate consent: the
// recipient's name and contact, the purpose, the method of processing (how the data is
// provided) and the categories of personal information, with the partner's role and the
// consent scope the gate checks. Built from the policy and the datasets only.
import type { z } from 'zod'
import type { Dataset } from '../classify/dataset.js'
import {
  needsSeparateConsent,
  releasesPersonalInformation,
  roleOf,
} from '../policy/consent-rules.js'
import type { Policy } from '../policy/load.js'
import type { Agreement, Partner } from '../policy/types.js'
import { isActiveAt } from '../policy/validity.js'
import type { ComplianceReportSchema } from './schemas.js'

type Notice = z.infer<typeof ComplianceReportSchema>['notices'][number]

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/** How the gate provides an agreement's data: the release shapes its kind allows. */
function methodsOf(partner: Partner, agreement: Agreement): string[] {
  const encrypted = partner.encryptionKeys !== undefined && partner.encryptionKeys.keys.length > 0
  const methods = agreement.aggregate
    ? ['aggregate statistics with small-cell suppression, signed API export (JWS)']
    : [
        'signed API export (JWS)',
        'signed stream of chunks (NDJSON)',
        'signed delta (JSON Patch), with erasures on withdrawal',
      ]
  if (encrypted) methods.push('encrypted to the recipient (JWE) on request')
  return methods
}

/** One notice per agreement that releases personal information, in policy order. */
export function noticeManifest(policy: Policy, datasets: readonly Dataset[], at: number): Notice[] {
  const byName = new Map(datasets.map((d) => [d.name, d]))
  const notices: Notice[] = []
  for (const partner of policy.partners)
    for (const agreement of partner.agreements) {
      const dataset = byName.get(agreement.dataset)
      if (
        !dataset ||
        !releasesPersonalInformation(agreement.fields, dataset, agreement.aggregate !== undefined)
      )
        continue
      const role = roleOf(partner.role)
      notices.push({
        partner: partner.id,
        agreement: agreement.id,
        dataset: agreement.dataset,
        recipient: { name: partner.name, contact: partner.contact ?? null },
        role,
        roleDeclared: partner.roleDeclared === true,
        separateConsent: needsSeparateConsent(role),
        purpose: agreement.purpose,
        method: methodsOf(partner, agreement),
        categories: agreement.fields.flatMap((path) => {
          const leaf = dataset.field(path)
          if (!leaf || (leaf.class !== 'desensitised' && leaf.pii === undefined)) return []
          return [{ path, pii: leaf.pii ?? null, operator: leaf.operator.name }]
        }),
        consent: agreement.consent ? { ...agreement.consent } : null,
        validFrom: day(agreement.validFrom),
        validUntil: day(agreement.validUntil),
        inForce: isActiveAt(agreement, at),
      })
    }
  return notices
}
