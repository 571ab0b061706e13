// The worked scenario of the after-sales ecosystem (issue 3), on the bundled sample data.
import { describe, expect, it } from 'vitest'
import { DatagateError } from '../../src/errors.js'
import { memoryBudgetStore } from '../../src/export/budget.js'
import { createGate } from '../../src/export/gate.js'
import { loadPolicy } from '../../src/policy/load.js'
import { codeOf } from '../errors.js'
import { datasets, policyWith, samplePolicyYaml, sampleRows } from './fixtures.js'

const pseudonymKey = Uint8Array.from({ length: 32 }, (_, i) => (i * 151 + 42) & 0xff)
const june = () => new Date('2026-06-15T08:00:00Z')

function gateAt(
  now = june,
  policyText: string | object = samplePolicyYaml,
  budget = memoryBudgetStore(),
) {
  const policy = loadPolicy(policyText, { datasets })
  return createGate({ issuer: 'oem-aftersales', datasets, policy, pseudonymKey, budget, now })
}

describe('worked scenario', () => {
  const orders = sampleRows('repair-orders')

  it('a rental partner receives repair orders over 4 hours, only the fields it needs, a pseudonymous customer id', async () => {
    const gate = gateAt()
    const { records, report } = await gate.release(orders, {
      partner: 'rental-co',
      dataset: 'repair_order',
      purpose: 'courtesy-car',
    })
    const expected = orders.filter((o) => (o.estimatedHours as number) > 4)
    expect(expected.length).toBeGreaterThan(10)
    expect(records).toHaveLength(expected.length)
    for (const [i, record] of records.entries()) {
      const source = expected[i] as Record<string, unknown>
      expect(Object.keys(record).sort()).toEqual([
        'city',
        'customerId',
        'estimatedHours',
        'orderId',
        'outletId',
        'vehicle',
      ])
      expect(record.vehicle).toEqual({ model: (source.vehicle as { model: string }).model })
      expect(record.orderId).toBe(source.orderId)
      expect(record.customerId).toMatch(/^cus_[A-Za-z0-9_-]{22,}$/)
      expect(record.customerId).not.toContain(source.customerId as string)
    }
    expect(report).toMatchObject({
      partner: 'rental-co',
      agreement: 'courtesy-car-2026',
      rows: {
        received: orders.length,
        filtered: orders.length - expected.length,
        released: expected.length,
        capped: false,
      },
      unknownKeysDropped: 0,
    })
    expect(report.fields.map((f) => `${f.path}:${f.operator}`)).toEqual([
      'orderId:keep',
      'outletId:keep',
      'customerId:pseudonymize(scope=partner,length=16)',
      'city:keep',
      'estimatedHours:keep',
      'vehicle.model:keep',
    ])
    const text = JSON.stringify({ records, report })
    for (const order of orders) {
      expect(text).not.toContain(order.customerName as string)
      expect(text).not.toContain(order.customerPhone as string)
      expect(text).not.toContain((order.vehicle as { vin: string }).vin)
    }
  })

  it('the same customer gets the same pseudonym within a partner and a different one across partners', async () => {
    const policy = policyWith({
      agreements: [{ fields: ['orderId', 'customerId'] }],
    }) as { partners: Record<string, unknown>[] }
    policy.partners.push({ ...(policy.partners[0] as object), id: 'other-co' })
    const gate = gateAt(june, policy)
    const request = { dataset: 'repair_order', purpose: 'courtesy-car' }
    const a = await gate.release(orders, { ...request, partner: 'rental-co' })
    const b = await gate.release(orders, { ...request, partner: 'other-co' })
    const byCustomer = new Map<string, Set<unknown>>()
    orders.forEach((order, i) => {
      const set = byCustomer.get(order.customerId as string) ?? new Set()
      set.add(a.records[i]?.customerId)
      byCustomer.set(order.customerId as string, set)
      expect(b.records[i]?.customerId).not.toBe(a.records[i]?.customerId)
    })
    for (const set of byCustomer.values()) expect(set.size).toBe(1)
  })

  it('a charging network receives monthly aggregates with cells of at least k = 5', async () => {
    const sessions = sampleRows('charging-sessions')
    const gate = gateAt()
    const { records, report } = await gate.release(sessions, {
      partner: 'charge-net',
      dataset: 'charging_session',
      purpose: 'network-planning',
    })
    expect(records.length).toBeGreaterThan(0)
    // Recompute every published cell from the raw data: month and city, count and sum.
    const truth = new Map<string, { n: number; kwh: number }>()
    for (const s of sessions) {
      const key = `${(s.startedAt as string).slice(0, 7)}|${s.stationCity as string}`
      const cell = truth.get(key) ?? { n: 0, kwh: 0 }
      cell.n++
      cell.kwh += s.kwh as number
      truth.set(key, cell)
    }
    for (const row of records) {
      expect(Object.keys(row).sort()).toEqual(['kwh', 'sessions', 'startedAt', 'stationCity'])
      const cell = truth.get(`${row.startedAt as string}|${row.stationCity as string}`)
      expect(cell).toBeDefined()
      expect(row.sessions).toBe(cell?.n)
      expect(row.sessions as number).toBeGreaterThanOrEqual(5)
      expect(row.kwh).toBeCloseTo(cell?.kwh ?? Number.NaN, 6)
    }
    const small = [...truth.values()].filter((c) => c.n < 5).length
    expect(report.aggregate?.suppressed.primary).toBe(small)
    expect(records.length).toBe(truth.size - small)
    expect(report.aggregate?.k).toBe(5)
  })

  it('a yellow-carded partner receives nothing', async () => {
    const gate = gateAt()
    expect(
      await codeOf(
        gate.release(sampleRows('customers'), {
          partner: 'insure-co',
          dataset: 'customer',
          purpose: 'claims',
        }),
      ),
    ).toBe('ERR_PARTNER_SUSPENDED')
  })

  it('a non-core map platform receives public outlet data and nothing of the manager', async () => {
    const outlets = sampleRows('outlets')
    const { records } = await gateAt().release(outlets, {
      partner: 'maps-co',
      dataset: 'outlet',
      purpose: 'map-display',
    })
    expect(records).toHaveLength(outlets.length)
    expect(Object.keys(records[0] ?? {}).sort()).toEqual([
      'address',
      'city',
      'laborRatePerHour',
      'location',
      'name',
      'outletId',
    ])
    expect(JSON.stringify(records)).not.toMatch(/manager/i)
  })

  it('a bronze partner with a record cap gets at most the cap, and the report says so', async () => {
    const customers = sampleRows('customers')
    const { records, report } = await gateAt().release(customers, {
      partner: 'ev-lab',
      dataset: 'customer',
      purpose: 'research',
    })
    expect(customers.length).toBeGreaterThan(50)
    expect(records).toHaveLength(50)
    expect(report.rows).toMatchObject({ capped: true, cap: 50, released: 50 })
    expect(
      records.every((r) => typeof r.age === 'string' && /^\d+-\d+$/.test(r.age as string)),
    ).toBe(true)
  })
})

describe('standing, validity and permission gate every release', () => {
  it('terminated partners are revoked', async () => {
    const gate = gateAt(june, policyWith({ standing: 'terminated' }))
    expect(
      await codeOf(
        gate.release([], {
          partner: 'rental-co',
          dataset: 'repair_order',
          purpose: 'courtesy-car',
        }),
      ),
    ).toBe('ERR_PARTNER_REVOKED')
  })

  it('an agreement outside its validity window has expired; the clock is injectable', async () => {
    const request = { partner: 'ev-lab', dataset: 'customer', purpose: 'research' }
    expect(await codeOf(gateAt(() => new Date('2026-02-28T23:59:59Z')).release([], request))).toBe(
      'ERR_AGREEMENT_EXPIRED',
    )
    expect(await codeOf(gateAt(() => new Date('2027-03-01T00:00:00Z')).release([], request))).toBe(
      'ERR_AGREEMENT_EXPIRED',
    )
    await gateAt(() => new Date('2027-02-28T23:59:59Z')).release([], request)
    await gateAt(() => new Date('2026-03-01T00:00:00Z')).release([], request)
  })

  it('no agreement for the dataset and purpose is an error, not an empty success', async () => {
    const gate = gateAt()
    expect(
      await codeOf(
        gate.release([], { partner: 'rental-co', dataset: 'customer', purpose: 'courtesy-car' }),
      ),
    ).toBe('ERR_NOT_PERMITTED')
    expect(
      await codeOf(
        gate.release([], { partner: 'rental-co', dataset: 'repair_order', purpose: 'marketing' }),
      ),
    ).toBe('ERR_NOT_PERMITTED')
    expect(
      await codeOf(gate.release([], { partner: 'nobody', dataset: 'repair_order', purpose: 'x' })),
    ).toBe('ERR_UNKNOWN_PARTNER')
    expect(
      await codeOf(gate.release([], { partner: 'rental-co', dataset: 'invoices', purpose: 'x' })),
    ).toBe('ERR_UNKNOWN_DATASET')
  })

  it('fails closed: one invalid row and nothing is released, the error names the row but not the value', async () => {
    const orders = sampleRows('repair-orders').slice(0, 20)
    const broken = orders.map((o, i) => (i === 13 ? { ...o, estimatedHours: 'SECRET-HOURS' } : o))
    try {
      await gateAt().release(broken, {
        partner: 'rental-co',
        dataset: 'repair_order',
        purpose: 'courtesy-car',
      })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(DatagateError)
      const e = error as DatagateError
      expect(e.code).toBe('ERR_RECORD_INVALID')
      expect(e.message).toContain('row 13')
      expect(e.message).not.toContain('SECRET')
      expect(e.findings[0]?.path).toBe('[13].estimatedHours')
    }
  })

  it('fails closed when an operator cannot transform a value', async () => {
    const policy = loadPolicy(policyWith({ agreements: [{ fields: ['orderId', 'openedAt'] }] }), {
      datasets,
    })
    const gate = createGate({
      issuer: 'oem-aftersales',
      datasets,
      policy,
      pseudonymKey,
      budget: memoryBudgetStore(),
      now: june,
    })
    const orders = sampleRows('repair-orders').slice(0, 3)
    const broken = orders.map((o, i) => (i === 2 ? { ...o, openedAt: 'not-a-date-SECRET' } : o))
    try {
      await gate.release(broken, {
        partner: 'rental-co',
        dataset: 'repair_order',
        purpose: 'courtesy-car',
      })
      expect.unreachable()
    } catch (error) {
      expect((error as DatagateError).code).toBe('ERR_OPERATOR_FAILED')
      expect((error as DatagateError).message).not.toContain('SECRET')
    }
  })

  it('pseudonymised fields need a pseudonym key of at least 32 bytes', async () => {
    const policy = loadPolicy(samplePolicyYaml, { datasets })
    const gate = createGate({
      issuer: 'oem-aftersales',
      datasets,
      policy,
      budget: memoryBudgetStore(),
      now: june,
    })
    expect(
      await codeOf(
        gate.release(sampleRows('repair-orders'), {
          partner: 'rental-co',
          dataset: 'repair_order',
          purpose: 'courtesy-car',
        }),
      ),
    ).toBe('ERR_KEY_INVALID')
    expect(() =>
      createGate({ issuer: 'oem-aftersales', datasets, policy, pseudonymKey: new Uint8Array(31) }),
    ).toThrowError(expect.objectContaining({ code: 'ERR_KEY_INVALID' }))
  })

  it('compiles a plan once, reuses it, and drops it when the policy changes', async () => {
    const gate = gateAt()
    const request = { partner: 'rental-co', dataset: 'repair_order', purpose: 'courtesy-car' }
    const first = gate.plan(request)
    expect(gate.plan(request)).toBe(first)
    gate.setPolicy(
      loadPolicy(samplePolicyYaml.replace('standing: gold', 'standing: yellow'), { datasets }),
    )
    expect(await codeOf(gate.release([], request))).toBe('ERR_PARTNER_SUSPENDED')
    gate.setPolicy(loadPolicy(samplePolicyYaml, { datasets }))
    expect(gate.plan(request)).not.toBe(first)
  })

  it('createGate checks the policy again against its own datasets and issuer', () => {
    const policy = loadPolicy(samplePolicyYaml, { datasets })
    const [customer] = datasets
    try {
      createGate({
        issuer: 'someone-else',
        datasets: [customer as (typeof datasets)[number]],
        policy,
        pseudonymKey,
      })
      expect.unreachable()
    } catch (error) {
      const e = error as DatagateError
      expect(e.code).toBe('ERR_POLICY_INVALID')
      expect(e.findings.map((f) => f.code)).toContain('unknown_dataset')
      expect(e.findings.map((f) => f.code)).toContain('issuer_mismatch')
    }
  })
})
