// Threat: the report signed into an export says what the partner did not receive. For
// aggregates, the number of groups and of suppressed cells and the record count act as
// unsuppressed margins; for any release, rows received and filtered say how many rows the
// agreement excluded.
import highs from 'highs'
import { describe, expect, it } from 'vitest'
import { createHighsAuditor } from '../../src/anonymize/interval-audit.js'
import { memoryAuditSink } from '../../src/export/audit.js'
import { memoryBudgetStore } from '../../src/export/budget.js'
import { createGate } from '../../src/export/gate.js'
import { generateKeys } from '../../src/export/keys.js'
import { verifyExport } from '../../src/export/verify-export.js'
import { NOW, policyOf, Repair, row } from './aggregate-fixtures.js'

const rows = [
  row('Jena', 'A4', 1),
  row('Kiel', 'A4', 2),
  ...Array.from({ length: 10 }, (_, i) => row('Ulm', 'A4', 3, i)),
]

const FORBIDDEN = ['received', 'filtered', 'groups', 'suppressed', 'totalRecords', 'released']

function keysDeep(value: unknown, into: string[] = []): string[] {
  if (typeof value !== 'object' || value === null) return into
  for (const [key, inner] of Object.entries(value)) {
    into.push(key)
    keysDeep(inner, into)
  }
  return into
}

describe('threat: counts in the partner report', () => {
  it('the signed report of an aggregate export carries no group, suppression or row counts', async () => {
    const keys = await generateKeys()
    const policy = policyOf([
      {
        aggregate: {
          by: ['city'],
          measures: { n: { op: 'count' } },
          totals: 'overall',
          once: true,
        },
        k: 3,
      },
      { fields: ['city', 'hours'], where: { hours: { $gt: 1 } } },
    ])
    const gate = createGate({
      issuer: 'oem',
      datasets: [Repair],
      policy,
      keys,
      audit: memoryAuditSink(),
      budget: memoryBudgetStore(),
      auditor: await createHighsAuditor(highs),
      now: () => NOW,
    })
    const verify = (token: string) =>
      verifyExport(token, {
        jwks: gate.jwks(),
        issuer: 'oem',
        audience: 'stats-co',
        now: () => new Date(NOW.getTime() + 1000),
      })
    const table = await gate.export(rows, {
      partner: 'stats-co',
      dataset: 'repair',
      purpose: 'stats-0',
    })
    const { meta, records } = await verify(table.token)
    // Jena (1) and Kiel (2) are hidden; without the counts nothing tells how many or how large.
    expect(records).toEqual([{ n: 12 }])
    const aggregateKeys = keysDeep(meta.report)
    for (const key of FORBIDDEN.filter((k) => k !== 'released'))
      expect(aggregateKeys).not.toContain(key)
    expect(aggregateKeys).not.toContain('released')
    expect((meta.report as { aggregate: unknown }).aggregate).toEqual({ k: 3, protectionWidth: 3 })
    // The releasing side still gets the full report.
    expect(table.report.aggregate).toMatchObject({ groups: 3, totalRecords: 12 })

    const filtered = await gate.export(rows, {
      partner: 'stats-co',
      dataset: 'repair',
      purpose: 'stats-1',
    })
    const plain = await verify(filtered.token)
    const recordKeys = keysDeep(plain.meta.report)
    expect(recordKeys).not.toContain('received')
    expect(recordKeys).not.toContain('filtered')
    expect((plain.meta.report as { rows: unknown }).rows).toEqual({
      released: 11,
      capped: false,
      cap: null,
    })
  })
})
