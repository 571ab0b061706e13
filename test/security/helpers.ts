// Shared pieces of the threat suite: one small dataset, a one-partner policy, a gate on a fixed
// clock, and a key that passes the gate's strength check.
import { z } from 'zod'
import { mask } from '../../src/anonymize/mask.js'
import { pseudonymize } from '../../src/anonymize/pseudonymize.js'
import { defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import { memoryAuditSink } from '../../src/export/audit.js'
import { createGate, type Gate } from '../../src/export/gate.js'
import { generateKeys } from '../../src/export/keys.js'
import { loadPolicy } from '../../src/policy/load.js'

export const ISSUER = 'oem-aftersales'
export const T0 = new Date('2026-06-15T08:00:00Z')
export const T0_S = Math.floor(T0.getTime() / 1000)

/** 32 bytes that are neither constant nor periodic, for gates under test (not a secret). */
export const TEST_PSEUDONYM_KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 151 + 7) & 0xff)

export const Order = defineDataset(
  'repair_order',
  z.object({
    orderId: field.public(z.string()),
    city: field.public(z.string()),
    hours: field.public(z.number()),
    customerId: field.desensitised(z.string(), pseudonymize()),
    phone: field.desensitised(z.string(), mask.phone()),
    name: field.sensitive(z.string()),
    tags: field.public(z.record(z.string(), z.string())).optional(),
  }),
  { version: '1' },
)

export function orderPolicyDocument(
  where?: Record<string, unknown>,
  fields: readonly string[] = ['orderId', 'city', 'hours', 'customerId'],
) {
  return {
    issuer: ISSUER,
    partners: [
      {
        id: 'rental-co',
        name: 'Rental Co',
        category: 'capability',
        standing: 'gold',
        core: true,
        agreements: [
          {
            id: 'courtesy-car-2026',
            dataset: 'repair_order',
            purpose: 'courtesy-car',
            fields: [...fields],
            ...(where === undefined ? {} : { where }),
            validFrom: '2026-01-01',
            validUntil: '2026-12-31',
          },
        ],
      },
    ],
  }
}

export const request = { partner: 'rental-co', dataset: 'repair_order', purpose: 'courtesy-car' }

export async function orderGate(
  options: {
    where?: Record<string, unknown>
    fields?: readonly string[]
    pseudonymKey?: Uint8Array
    audit?: ReturnType<typeof memoryAuditSink>
  } = {},
): Promise<Gate> {
  const policy = loadPolicy(orderPolicyDocument(options.where, options.fields), {
    datasets: [Order],
  })
  return createGate({
    issuer: ISSUER,
    datasets: [Order],
    policy,
    keys: await generateKeys(),
    pseudonymKey: options.pseudonymKey ?? TEST_PSEUDONYM_KEY,
    audit: options.audit ?? memoryAuditSink(),
    now: () => T0,
  })
}

export function orderRow(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    orderId: 'R-1',
    city: 'Lyon',
    hours: 6,
    customerId: 'C-1',
    phone: '13812345678',
    name: 'Zhang San',
    ...overrides,
  }
}
