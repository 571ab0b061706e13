// Threat: CASL reads the action `manage` and the subject `all` as wildcards; partnerAbility
// granted `advertising` through an agreement whose purpose was `manage`.
import { Ability } from '@casl/ability'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import type { DatagateError } from '../../src/errors.js'
import { abilityFromAgreements, partnerAbility } from '../../src/policy/ability.js'
import { loadPolicy } from '../../src/policy/load.js'
import type { Agreement } from '../../src/policy/types.js'
import { Order, orderPolicyDocument } from './helpers.js'

function withAgreement(overrides: Record<string, unknown>) {
  const doc = orderPolicyDocument()
  Object.assign(doc.partners[0]?.agreements[0] as object, overrides)
  return doc
}

function caught(run: () => unknown): DatagateError {
  try {
    run()
  } catch (error) {
    return error as DatagateError
  }
  throw new Error('did not throw')
}

describe('CASL wildcards', () => {
  it('CASL itself treats manage as every action (why we refuse it)', () => {
    const raw = new Ability([{ action: 'manage', subject: 'repair_order' }])
    expect(raw.can('advertising', 'repair_order')).toBe(true)
  })

  it.each(['manage', 'Manage', 'all', 'ALL'])(
    'refuses the purpose %s at policy load',
    (purpose) => {
      const error = caught(() => loadPolicy(withAgreement({ purpose }), { datasets: [Order] }))
      expect(error.code).toBe('ERR_POLICY_INVALID')
      expect(error.findings).toContainEqual(
        expect.objectContaining({
          code: 'reserved_name',
          path: 'partners[0].agreements[0].purpose',
        }),
      )
    },
  )

  it.each(['all', 'manage'])(
    'refuses the dataset name %s at policy load and in defineDataset',
    (name) => {
      const error = caught(() =>
        loadPolicy(withAgreement({ dataset: name }), { datasets: [Order] }),
      )
      expect(error.findings).toContainEqual(
        expect.objectContaining({
          code: 'reserved_name',
          path: 'partners[0].agreements[0].dataset',
        }),
      )
      const defined = caught(() =>
        defineDataset(name, z.object({ id: field.public(z.string()) }), { version: '1' }),
      )
      expect(defined.code).toBe('ERR_INVALID_ARGUMENT')
    },
  )

  it('partnerAbility refuses the subject all, and an agreement with purpose manage built by hand', () => {
    const policy = loadPolicy(orderPolicyDocument(), { datasets: [Order] })
    const ability = partnerAbility(policy, 'rental-co', 'repair_order', {
      now: () => new Date('2026-06-01'),
    })
    expect(ability.can('advertising', 'repair_order')).toBe(false)
    expect(ability.can('courtesy-car', 'repair_order')).toBe(true)
    expect(caught(() => partnerAbility(policy, 'rental-co', 'all')).code).toBe(
      'ERR_INVALID_ARGUMENT',
    )
    const forged = { ...(policy.partners[0]?.agreements[0] as Agreement), purpose: 'manage' }
    expect(caught(() => abilityFromAgreements('repair_order', [forged])).code).toBe(
      'ERR_INVALID_ARGUMENT',
    )
  })
})
