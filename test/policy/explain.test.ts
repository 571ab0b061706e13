// explainRelease and gate.explain against what the gate really releases: for random rows, a row
// is explained as released exactly when the gate releases it, and the released fields and
// operators are the plan's. Refusals are explained with the code the gate throws.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  createGate,
  defineDataset,
  explainRelease,
  field,
  loadPolicy,
  mask,
} from '../../src/index.js'

const Order = defineDataset(
  'repair_order',
  z.object({
    orderId: field.public(z.string()),
    city: field.public(z.string()),
    hours: field.public(z.number()),
    phone: field.desensitised(z.string(), mask.phone()),
    name: field.sensitive(z.string()),
  }),
  { version: '1' },
)

const policy = loadPolicy(
  {
    issuer: 'oem',
    partners: [
      {
        id: 'rental-co',
        name: 'Rental Co',
        category: 'capability',
        standing: 'gold',
        core: true,
        agreements: [
          {
            id: 'a1',
            dataset: 'repair_order',
            purpose: 'courtesy-car',
            fields: ['orderId', 'city', 'hours', 'phone'],
            where: { hours: { $gt: 4 }, city: { $in: ['Hangzhou', 'Ningbo'] } },
            validFrom: '2026-01-01',
            validUntil: '2026-06-30',
          },
        ],
      },
      {
        id: 'maps-co',
        name: 'Maps Co',
        category: 'traffic',
        standing: 'silver',
        core: false,
        agreements: [
          {
            id: 'm1',
            dataset: 'repair_order',
            purpose: 'map',
            fields: ['city'],
            validFrom: '2026-01-01',
            validUntil: '2026-12-31',
          },
        ],
      },
      {
        id: 'old-co',
        name: 'Old Co',
        category: 'innovation',
        standing: 'yellow',
        core: false,
        agreements: [
          {
            id: 'o1',
            dataset: 'repair_order',
            purpose: 'map',
            fields: ['city'],
            validFrom: '2026-01-01',
            validUntil: '2026-12-31',
          },
        ],
      },
    ],
  },
  { datasets: [Order] },
)
const at = new Date('2026-06-01T00:00:00Z')
const gate = createGate({
  issuer: 'oem',
  datasets: [Order],
  policy,
  audit: false,
  now: () => at,
  pseudonymKey: crypto.getRandomValues(new Uint8Array(32)),
})

const row = fc.record({
  orderId: fc.string({ minLength: 1, maxLength: 6 }),
  city: fc.constantFrom('Hangzhou', 'Ningbo', 'Shanghai'),
  hours: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constant('many' as unknown as number)),
  phone: fc.constant('13812345678'),
  name: fc.constant('Zhang San'),
})

describe('explainRelease', () => {
  it('explains a row as released exactly when the gate releases it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 12 }), async (rows) => {
        const request = { partner: 'rental-co', dataset: 'repair_order', purpose: 'courtesy-car' }
        const why = gate.explain(request, rows)
        let released: unknown[] = []
        try {
          released = (await gate.release(rows, request)).records
        } catch (error) {
          // A row the schema refuses fails the whole release (fail closed); the explanation names it.
          expect((error as { code: string }).code).toBe('ERR_RECORD_INVALID')
          expect(why.rows?.some((r) => r.reason === 'record_invalid')).toBe(true)
          return
        }
        const explainedIds = (why.rows ?? [])
          .filter((r) => r.released)
          .map((r) => rows[r.index]?.orderId)
        expect(explainedIds).toEqual(released.map((r) => (r as { orderId: string }).orderId))
      }),
      { numRuns: 60 },
    )
  })

  it('names the released fields and operators of the plan, and why the others are withheld', () => {
    const request = { partner: 'rental-co', dataset: 'repair_order', purpose: 'courtesy-car' }
    const why = gate.explain(request)
    const plan = gate.plan(request)
    expect(why.fields.filter((f) => f.released).map((f) => [f.path, f.operator])).toEqual(
      plan.fields.map((f) => [f.path, f.operator]),
    )
    expect(why.fields.find((f) => f.path === 'name')?.reasons).toEqual(['sensitive', 'not_granted'])
    const maps = gate.explain({ partner: 'maps-co', dataset: 'repair_order', purpose: 'map' })
    expect(maps.fields.find((f) => f.path === 'phone')?.reasons).toEqual([
      'not_core',
      'not_granted',
    ])
  })

  it('explains refusals with the code the gate throws', async () => {
    const cases = [
      { partner: 'old-co', purpose: 'map', code: 'ERR_PARTNER_SUSPENDED', reason: 'suspended' },
      { partner: 'ghost', purpose: 'map', code: 'ERR_UNKNOWN_PARTNER', reason: 'unknown_partner' },
      {
        partner: 'maps-co',
        purpose: 'courtesy-car',
        code: 'ERR_NOT_PERMITTED',
        reason: 'no_agreement',
      },
    ] as const
    for (const c of cases) {
      const request = { partner: c.partner, dataset: 'repair_order', purpose: c.purpose }
      const why = gate.explain(request, [
        { orderId: 'x', city: 'Ningbo', hours: 5, phone: '1', name: 'n' },
      ])
      await expect(gate.release([], request)).rejects.toMatchObject({ code: c.code })
      expect(why.refusal?.code).toBe(c.code)
      expect(why.fields.every((f) => !f.released && f.reasons.includes(c.reason))).toBe(true)
      expect(why.rows?.[0]).toMatchObject({ released: false, reason: 'refused' })
    }
    const later = explainRelease(
      policy,
      Order,
      { partner: 'rental-co', dataset: 'repair_order', purpose: 'courtesy-car' },
      { at: new Date('2026-07-01') },
    )
    expect(later.refusal?.code).toBe('ERR_AGREEMENT_EXPIRED')
    expect(later.candidates).toEqual([expect.objectContaining({ id: 'a1', inForce: false })])
    expect(later.fields.find((f) => f.path === 'city')?.reasons).toEqual(['not_in_force'])
    expect(() => gate.explain({ partner: 'rental-co', dataset: 'nope', purpose: 'x' })).toThrow(
      expect.objectContaining({ code: 'ERR_UNKNOWN_DATASET' }),
    )
  })

  it('never holds a record value', () => {
    const canary = 'CANARY-7f3a'
    const why = gate.explain(
      { partner: 'rental-co', dataset: 'repair_order', purpose: 'courtesy-car' },
      [
        { orderId: canary, city: 'Hangzhou', hours: 5, phone: canary, name: canary },
        { orderId: canary, city: canary, hours: canary, phone: canary, name: canary },
      ],
    )
    expect(JSON.stringify(why)).not.toContain(canary)
  })
})
