// A small dataset and policy builder for the aggregate threat tests.
import { z } from 'zod'
import { generalize } from '../../src/anonymize/generalize.js'
import { defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import { type BudgetStore, memoryBudgetStore } from '../../src/export/budget.js'
import { createGate, type Gate } from '../../src/export/gate.js'
import { generateKeys } from '../../src/export/keys.js'
import { loadPolicy, type Policy } from '../../src/policy/load.js'

export const Repair = defineDataset(
  'repair',
  z.object({
    orderId: field.public(z.string()),
    city: field.public(z.string(), { quasiIdentifier: true }),
    model: field.public(z.string()),
    hours: field.public(z.number()),
    age: field.desensitised(z.number().int(), generalize.range({ width: 10 })),
    birthYear: field.public(z.number().int(), { quasiIdentifier: true }),
    customerName: field.sensitive(z.string()),
  }),
  { version: '1' },
)

export type RepairRow = z.input<typeof Repair.schema>

export const row = (city: string, model: string, hours: number, i = 0): RepairRow => ({
  orderId: `R-${city}-${model}-${i}-${hours}`,
  city,
  model,
  hours,
  age: 40,
  birthYear: 1986,
  customerName: 'Zhang San',
})

export const NOW = new Date('2026-06-15T12:00:00Z')

export function policyOf(
  agreements: readonly Record<string, unknown>[],
  partner: Record<string, unknown> = {},
): Policy {
  return loadPolicy(
    {
      issuer: 'oem',
      partners: [
        {
          id: 'stats-co',
          name: 'Stats Co',
          category: 'innovation',
          standing: 'gold',
          core: true,
          ...partner,
          agreements: agreements.map((agreement, i) => ({
            id: `agg-${i}`,
            dataset: 'repair',
            purpose: `stats-${i}`,
            fields: ['city', 'model', 'hours', 'orderId'],
            validFrom: '2026-01-01',
            validUntil: '2026-12-31',
            ...agreement,
          })),
        },
      ],
    },
    { datasets: [Repair] },
  )
}

export async function gateOf(
  policy: Policy,
  options: { budget?: BudgetStore; now?: () => Date } = {},
): Promise<Gate> {
  return createGate({
    issuer: 'oem',
    datasets: [Repair],
    policy,
    keys: await generateKeys(),
    budget: options.budget ?? memoryBudgetStore(),
    now: options.now ?? (() => NOW),
  })
}

/** The finding codes of a policy that fails to load, or [] when it loads. */
export function findingCodes(load: () => unknown): string[] {
  try {
    load()
    return []
  } catch (error) {
    return ((error as { findings?: { code: string }[] }).findings ?? []).map((f) => f.code)
  }
}
