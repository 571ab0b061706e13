import { describe, expect, it } from 'vitest'
import { memoryBudgetStore } from '../../src/export/budget.js'
import { createGate } from '../../src/export/gate.js'
import { accessMatrix } from '../../src/policy/access-matrix.js'
import { loadPolicy } from '../../src/policy/load.js'
import { datasets, samplePolicyYaml } from './fixtures.js'

const policy = loadPolicy(samplePolicyYaml, { datasets })
const june = new Date('2026-06-15T00:00:00Z')

function entry(partner: string, dataset: string, field: string) {
  const found = accessMatrix(policy, datasets, { now: () => june }).entries.find(
    (e) => e.partner === partner && e.dataset === dataset && e.field === field,
  )
  if (!found) throw new Error(`no entry ${partner}/${dataset}/${field}`)
  return found
}

describe('accessMatrix', () => {
  it('has one entry per partner, dataset and field', () => {
    const matrix = accessMatrix(policy, datasets, { now: () => june })
    const fields = datasets.reduce((n, d) => n + d.fields.length, 0)
    expect(matrix.entries).toHaveLength(policy.partners.length * fields)
    expect(matrix.asOf).toBe(june.toISOString())
    expect(matrix.policyHash).toBe(policy.hash)
  })

  it('says raw, transformed with the operator, or denied with the reason, and under which agreement', () => {
    expect(entry('rental-co', 'repair_order', 'orderId')).toMatchObject({
      access: 'raw',
      operator: 'keep',
      agreements: [{ id: 'courtesy-car-2026', purpose: 'courtesy-car' }],
      reason: null,
    })
    expect(entry('rental-co', 'repair_order', 'customerId')).toMatchObject({
      access: 'transformed',
      operator: expect.stringMatching(/^pseudonymize/),
    })
    expect(entry('rental-co', 'repair_order', 'customerName')).toMatchObject({
      access: 'denied',
      reason: 'sensitive',
    })
    expect(entry('rental-co', 'repair_order', 'customerPhone')).toMatchObject({
      access: 'denied',
      reason: 'not_granted',
    })
    expect(entry('maps-co', 'outlet', 'managerPhone')).toMatchObject({
      access: 'denied',
      reason: 'not_core',
    })
    expect(entry('insure-co', 'customer', 'city')).toMatchObject({
      access: 'denied',
      reason: 'suspended',
    })
    expect(entry('maps-co', 'customer', 'city')).toMatchObject({
      access: 'denied',
      reason: 'no_active_agreement',
    })
  })

  it('evaluates validity at the given time', () => {
    const before = accessMatrix(policy, datasets, { now: () => new Date('2026-02-01T00:00:00Z') })
    const city = before.entries.find(
      (e) => e.partner === 'ev-lab' && e.dataset === 'customer' && e.field === 'city',
    )
    expect(city).toMatchObject({ access: 'denied', reason: 'no_active_agreement' })
  })

  it('never lists a sensitive field as received, and agrees with what a release contains', async () => {
    const matrix = accessMatrix(policy, datasets, { now: () => june })
    expect(matrix.entries.filter((e) => e.class === 'sensitive' && e.access !== 'denied')).toEqual(
      [],
    )
    const gate = createGate({
      issuer: 'oem-aftersales',
      datasets,
      policy,
      pseudonymKey: Uint8Array.from({ length: 32 }, (_, i) => (i * 151) & 0xff),
      budget: memoryBudgetStore(),
      now: () => june,
    })
    expect(gate.accessMatrix()).toEqual(matrix)
    const plan = gate.plan({
      partner: 'rental-co',
      dataset: 'repair_order',
      purpose: 'courtesy-car',
    })
    const granted = matrix.entries
      .filter(
        (e) => e.partner === 'rental-co' && e.dataset === 'repair_order' && e.access !== 'denied',
      )
      .map((e) => e.field)
    expect(plan.fields.map((f) => f.path)).toEqual(granted)
  })
})
