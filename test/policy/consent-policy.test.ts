// Partner roles and consent declarations at load time: a handler or joint-handler agreement that
// releases personal information without `consent` is refused, with every problem listed; the
// default role keeps policies written before roles loading as before.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { mask } from '../../src/anonymize/mask.js'
import { pseudonymize } from '../../src/anonymize/pseudonymize.js'
import { defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import { isDatagateError } from '../../src/errors.js'
import { DEFAULT_PARTNER_ROLE } from '../../src/policy/document.js'
import { loadPolicy } from '../../src/policy/load.js'

const Claim = defineDataset(
  'claim',
  z.object({
    claimId: field.public(z.string()),
    customerId: field.desensitised(z.string(), pseudonymize()),
    phone: field.desensitised(z.string(), mask.phone()),
    city: field.public(z.string(), { pii: 'address' }),
    model: field.public(z.string()),
    region: field.public(z.string(), { sensitivePI: 'other' }),
    name: field.sensitive(z.string()),
    services: z.array(z.object({ code: field.public(z.string()) })),
    vehicle: z.object({ vin: field.sensitive(z.string()) }),
  }),
  { version: '1' },
)

const agreement = (extra: Record<string, unknown> = {}) => ({
  id: 'claims-2026',
  dataset: 'claim',
  purpose: 'claims',
  fields: ['claimId', 'phone'],
  validFrom: '2026-01-01',
  validUntil: '2026-12-31',
  ...extra,
})

const policyWith = (partner: Record<string, unknown>, agreements: unknown[]) => ({
  issuer: 'oem',
  partners: [
    {
      id: 'insure-co',
      name: 'Insure Co',
      category: 'resource',
      standing: 'gold',
      core: true,
      ...partner,
      agreements,
    },
  ],
})

function findingsOf(document: object): { code: string; path: string }[] {
  try {
    loadPolicy(document, { datasets: [Claim] })
  } catch (error) {
    if (isDatagateError(error, 'ERR_POLICY_INVALID'))
      return error.findings.map(({ code, path }) => ({ code, path }))
    throw error
  }
  return []
}

describe('partner roles and consent at load', () => {
  it('an undeclared role reads as entrusted: an existing policy loads unchanged', () => {
    expect(DEFAULT_PARTNER_ROLE).toBe('entrusted')
    const policy = loadPolicy(policyWith({}, [agreement()]), { datasets: [Claim] })
    const partner = policy.partner('insure-co')
    expect(partner?.role).toBe('entrusted')
    expect(partner?.roleDeclared).toBe(false)
    expect(partner?.agreements[0]?.consent).toBeUndefined()
  })

  it.each(['handler', 'joint-handler'])(
    'a %s receiving a desensitised field without consent fails with consent_required',
    (role) => {
      expect(findingsOf(policyWith({ role }, [agreement()]))).toEqual([
        { code: 'consent_required', path: 'partners[0].agreements[0].consent' },
      ])
    },
  )

  it('a public field tagged pii counts as personal information; untagged public fields do not', () => {
    expect(
      findingsOf(policyWith({ role: 'handler' }, [agreement({ fields: ['claimId', 'city'] })])),
    ).toEqual([{ code: 'consent_required', path: 'partners[0].agreements[0].consent' }])
    expect(
      findingsOf(policyWith({ role: 'handler' }, [agreement({ fields: ['claimId', 'model'] })])),
    ).toEqual([])
  })

  it('a field tagged sensitivePI counts as personal information, even public and untagged pii', () => {
    expect(
      findingsOf(policyWith({ role: 'handler' }, [agreement({ fields: ['claimId', 'region'] })])),
    ).toEqual([{ code: 'consent_required', path: 'partners[0].agreements[0].consent' }])
  })

  it('an aggregate agreement (k-suppressed statistics) needs no consent', () => {
    const aggregate = agreement({
      fields: ['model', 'phone'],
      aggregate: { by: ['model'], measures: { n: { op: 'count' } }, once: true },
    })
    expect(findingsOf(policyWith({ role: 'handler' }, [aggregate]))).toEqual([])
  })

  it('lists every problem at once: missing consent, unknown, array and object subjects', () => {
    const findings = findingsOf(
      policyWith({ role: 'handler' }, [
        agreement({ id: 'a' }),
        agreement({ id: 'b', consent: { scope: 's', subject: 'nope' } }),
        agreement({ id: 'c', consent: { scope: 's', subject: 'services[].code' } }),
        agreement({ id: 'd', consent: { scope: 's', subject: 'vehicle' } }),
      ]),
    )
    expect(findings.filter((f) => f.code !== 'overlapping_agreements')).toEqual([
      { code: 'consent_required', path: 'partners[0].agreements[0].consent' },
      { code: 'unknown_consent_subject', path: 'partners[0].agreements[1].consent.subject' },
      { code: 'invalid_consent_subject', path: 'partners[0].agreements[2].consent.subject' },
      { code: 'unknown_consent_subject', path: 'partners[0].agreements[3].consent.subject' },
    ])
  })

  it('accepts a sensitive subject field (read for consent, never granted), and keeps role, contact and consent', () => {
    const policy = loadPolicy(
      policyWith({ role: 'joint-handler', contact: 'privacy@insure.example, +86 571 0000' }, [
        agreement({ consent: { scope: 'share-with-insurers', subject: 'name' } }),
      ]),
      { datasets: [Claim] },
    )
    const partner = policy.partner('insure-co')
    expect(partner?.role).toBe('joint-handler')
    expect(partner?.roleDeclared).toBe(true)
    expect(partner?.contact).toBe('privacy@insure.example, +86 571 0000')
    expect(partner?.agreements[0]?.consent).toEqual({
      scope: 'share-with-insurers',
      subject: 'name',
    })
    expect(partner?.agreements[0]?.fields).toEqual(['claimId', 'phone'])
  })

  it('refuses an unknown role and a malformed scope structurally', () => {
    expect(findingsOf(policyWith({ role: 'processor' }, [agreement()]))).toEqual([
      expect.objectContaining({ path: 'partners[0].role' }),
    ])
    const bad = findingsOf(
      policyWith({ role: 'handler' }, [
        agreement({ consent: { scope: 'has space', subject: 'customerId' } }),
      ]),
    )
    expect(bad).toEqual([
      expect.objectContaining({ path: 'partners[0].agreements[0].consent.scope' }),
    ])
  })
})
