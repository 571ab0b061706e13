// Five partners receiving overlapping repair-order data from one source, each agreement with
// watermark rows: the fixture of the leak-tracing tests (watermark, trace, CLI trace).

import { defineDataset, field, mask, pseudonymize } from 'datagate'
import { z } from 'zod'

export const Order = defineDataset(
  'repair_order',
  z.object({
    orderId: field.public(z.string()),
    customerId: field.desensitised(z.string(), pseudonymize({ prefix: 'cus_' })),
    name: field.sensitive(z.string(), { pii: 'name' }),
    phone: field.desensitised(z.string(), mask.phone(), { pii: 'mobile' }),
    city: field.public(z.string(), { quasiIdentifier: true }),
    hours: field.public(z.number().int().min(0).max(100)),
    status: field.public(z.enum(['open', 'waiting', 'closed'])),
    vehicle: z.object({
      model: field.public(z.string(), { quasiIdentifier: true }),
      vin: field.desensitised(z.string(), mask.vin(), { pii: 'vin' }),
    }),
  }),
  { version: '2026-06' },
)

export const PARTNER_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'rental-co': ['orderId', 'city', 'hours', 'vehicle.model'],
  'tow-co': ['customerId', 'city', 'hours', 'status'],
  'insure-co': ['customerId', 'phone', 'city', 'vehicle.model', 'status'],
  'parts-co': ['customerId', 'phone', 'city', 'vehicle.model', 'vehicle.vin'],
  'survey-co': ['orderId', 'customerId', 'city', 'hours', 'status'],
}

/** The policy document; `watermark` rows on every agreement unless 0. */
export function tracePolicyDocument(watermarkRows = 60, extra: Record<string, unknown> = {}) {
  return {
    issuer: 'oem-aftersales',
    partners: Object.entries(PARTNER_FIELDS).map(([id, fields]) => ({
      id,
      name: id.replace('-co', ' Co'),
      category: 'capability',
      standing: 'gold',
      core: true,
      agreements: [
        {
          id: `${id}-2026`,
          dataset: 'repair_order',
          purpose: 'service',
          fields: [...fields],
          where: { hours: { $gte: 1 } },
          validFrom: '2026-01-01',
          validUntil: '2026-12-31',
          ...(watermarkRows > 0 ? { watermark: { rows: watermarkRows } } : {}),
          ...extra,
        },
      ],
    })),
  }
}

/** A deterministic pseudo-random stream for the fixture's rows and samples (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const CITIES = ['Hangzhou', 'Ningbo', 'Shanghai', 'Suzhou', 'Nanjing', 'Wuhan']
const MODELS = ['EX5', 'ES6', 'Han', 'ID.4', 'Camry']
const STATUSES = ['open', 'waiting', 'closed'] as const

/** `n` source rows: customers, phones, VINs all distinct. */
export function sourceRows(n: number, seed = 7): Record<string, unknown>[] {
  const random = seeded(seed)
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T
  return Array.from({ length: n }, (_, i) => ({
    orderId: `RO-2026-${String(i).padStart(5, '0')}`,
    customerId: `C${String(100_000 + i)}`,
    name: 'Zhang San',
    phone: `139${String(10_000_000 + i * 37).slice(0, 8)}`,
    city: pick(CITIES),
    hours: 1 + Math.floor(random() * 12),
    status: pick(STATUSES),
    vehicle: { model: pick(MODELS), vin: 'LSVAU2180N2183294' },
  }))
}

/** A sample of `fraction` of `records`, drawn with `seed`. */
export function sample<T>(records: readonly T[], fraction: number, seed: number): T[] {
  const random = seeded(seed)
  const count = Math.round(records.length * fraction)
  const pool = [...records]
  const out: T[] = []
  while (out.length < count) out.push(pool.splice(Math.floor(random() * pool.length), 1)[0] as T)
  return out
}

export const PSEUDONYM_KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 167 + 13) & 0xff)
export const WATERMARK_KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 89 + 201) & 0xff)
export const JUNE = () => new Date('2026-06-10T08:00:00Z')
