// Threat: record-level noise.laplace released without bound. Each release of a noisy field draws
// fresh noise, so a partner that receives the same values again and again averages the noise
// away. When the partner has an epsilon budget, every record release of noisy fields (release,
// export and stream) spends their epsilon from it, like a noisy aggregate does.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { noise } from '../../src/anonymize/noise.js'
import { defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import { type AuditEvent, memoryAuditSink } from '../../src/export/audit.js'
import { memoryBudgetStore } from '../../src/export/budget.js'
import { createGate } from '../../src/export/gate.js'
import { generateKeys } from '../../src/export/keys.js'
import { loadPolicy } from '../../src/policy/load.js'
import { expectCode } from '../export/helpers.js'

const Visit = defineDataset(
  'visit',
  z.object({
    siteId: field.public(z.string()),
    visits: field.desensitised(z.number(), noise.laplace({ epsilon: 0.25, sensitivity: 1 })),
    minutes: field.desensitised(z.number(), noise.laplace({ epsilon: 0.25, sensitivity: 60 })),
  }),
  { version: '1' },
)
const NOW = new Date('2026-06-15T12:00:00Z')
const rows = Array.from({ length: 5 }, (_, i) => ({ siteId: `S-${i}`, visits: 10, minutes: 90 }))
const request = { partner: 'maps-co', dataset: 'visit', purpose: 'footfall' }

async function visitGate(
  partner: Record<string, unknown>,
  fields = ['siteId', 'visits', 'minutes'],
) {
  const policy = loadPolicy(
    {
      issuer: 'oem',
      partners: [
        {
          id: 'maps-co',
          name: 'Maps Co',
          category: 'traffic',
          standing: 'gold',
          core: true,
          ...partner,
          agreements: [
            {
              id: 'footfall-2026',
              dataset: 'visit',
              purpose: 'footfall',
              fields,
              validFrom: '2026-01-01',
              validUntil: '2026-12-31',
            },
          ],
        },
      ],
    },
    { datasets: [Visit] },
  )
  const audit = memoryAuditSink()
  const gate = createGate({
    issuer: 'oem',
    datasets: [Visit],
    policy,
    keys: await generateKeys(),
    budget: memoryBudgetStore(),
    audit,
    now: () => NOW,
  })
  return { gate, audit }
}

/** The events that record data leaving (the chain also holds policy and checkpoint events). */
const releases = (events: readonly AuditEvent[]) =>
  events.flatMap((event) =>
    event.type === 'release' || event.type === 'export' || event.type === 'stream-end'
      ? [event]
      : [],
  )

describe('threat: record-level noise released without bound', () => {
  it('each record release spends the epsilon of every noisy field it carries; past the budget it is refused', async () => {
    // visits + minutes: 0.25 + 0.25 = 0.5 per release; a budget of 1.2 allows two.
    const { gate, audit } = await visitGate({ budget: { epsilon: 1.2, period: 'month' } })
    await gate.release(rows, request)
    await gate.export(rows, request)
    await expectCode(gate.release(rows, request), 'ERR_BUDGET_EXCEEDED')
    await expectCode(gate.export(rows, request), 'ERR_BUDGET_EXCEEDED')
    expect(
      releases(audit.events).map((event) => [
        event.type,
        event.details?.epsilonSpent,
        event.details?.epsilonTotal,
      ]),
    ).toEqual([
      ['release', 0.5, 0.5],
      ['export', 0.5, 1],
    ])
  })

  it('a stream spends before its first chunk leaves; a refused stream yields nothing', async () => {
    const { gate, audit } = await visitGate({ budget: { epsilon: 0.6, period: 'day' } })
    const parts: unknown[] = []
    for await (const part of gate.exportStream(rows, { ...request, chunkSize: 2 })) parts.push(part)
    expect(parts.length).toBeGreaterThan(1)
    expect(releases(audit.events).at(-1)?.details).toMatchObject({
      epsilonSpent: 0.5,
      budgetPeriod: '2026-06-15',
    })
    const refused: unknown[] = []
    await expectCode(
      (async () => {
        for await (const part of gate.exportStream(rows, { ...request, chunkSize: 2 }))
          refused.push(part)
      })(),
      'ERR_BUDGET_EXCEEDED',
    )
    expect(refused).toEqual([])
  })

  it('only granted noisy fields are charged, and a partner without a budget is not charged', async () => {
    const { gate, audit } = await visitGate({ budget: { epsilon: 0.5, period: 'month' } }, [
      'siteId',
      'visits',
    ])
    await gate.release(rows, request)
    await gate.release(rows, request)
    await expectCode(gate.release(rows, request), 'ERR_BUDGET_EXCEEDED')
    expect(releases(audit.events).map((event) => event.details?.epsilonSpent)).toEqual([0.25, 0.25])
    const unbudgeted = await visitGate({})
    for (let i = 0; i < 5; i++) await unbudgeted.gate.release(rows, request)
    expect(
      releases(unbudgeted.audit.events).every((event) => event.details?.epsilonSpent === undefined),
    ).toBe(true)
  })
})
