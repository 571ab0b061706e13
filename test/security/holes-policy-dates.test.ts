// Threat: `2026-02-30T10:00:00Z` loaded as 2026-03-02, silently widening an agreement by two days.
// One strict ISO parser (src/lib/iso-date.ts) now reads every policy date.
import { describe, expect, it } from 'vitest'
import type { DatagateError } from '../../src/errors.js'
import { loadPolicy } from '../../src/policy/load.js'
import { Order, orderPolicyDocument } from './helpers.js'

function load(validFrom: unknown, validUntil: unknown) {
  const doc = orderPolicyDocument()
  Object.assign(doc.partners[0]?.agreements[0] as object, { validFrom, validUntil })
  return loadPolicy(doc, { datasets: [Order] })
}

function dateFindings(validFrom: unknown, validUntil: unknown): string[] {
  try {
    load(validFrom, validUntil)
  } catch (error) {
    return (error as DatagateError).findings
      .filter((f) => f.code === 'invalid_date')
      .map((f) => f.path)
  }
  return []
}

describe('policy dates', () => {
  it.each([
    '2026-02-30T10:00:00Z',
    '2026-02-29T00:00:00Z',
    '2026-04-31T00:00:00+08:00',
    '2026-02-30',
    '2026-13-01T00:00:00Z',
    '2026-06-01T24:00:00Z',
    '2026-06-01T10:00:00', // no zone: which day it is depends on the server
    '2026-06-01T10:00:00+25:00',
    'June 1, 2026',
  ])('refuses %s instead of rolling it over', (date) => {
    expect(dateFindings(date, '2026-12-31')).toEqual(['partners[0].agreements[0].validFrom'])
    expect(dateFindings('2026-01-01', date)).toEqual(['partners[0].agreements[0].validUntil'])
  })

  it('reads valid dates exactly: a day is inclusive to its last millisecond, offsets apply', () => {
    const agreement = load('2026-02-28T10:00:00+08:00', '2026-02-28').partners[0]?.agreements[0]
    expect(agreement?.validFrom).toBe(Date.UTC(2026, 1, 28, 2))
    expect(agreement?.validUntil).toBe(Date.UTC(2026, 2, 1) - 1)
    const precise = load('2026-01-01T00:00:00.250Z', '2026-12-31T23:59:59.999Z').partners[0]
      ?.agreements[0]
    expect(precise?.validFrom).toBe(Date.UTC(2026, 0, 1, 0, 0, 0, 250))
    expect(precise?.validUntil).toBe(Date.UTC(2026, 11, 31, 23, 59, 59, 999))
  })
})
