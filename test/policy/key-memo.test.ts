// exportDelta releases a row object given in both versions once (canonicalKeys with a KeyMemo).
// The keys must be exactly those of a run without the memo, on both versions, for rows that
// are shared, repeated, filtered out or cut by the cap; the oracle is canonicalKeys without it.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { mask } from '../../src/anonymize/mask.js'
import { pseudonymize } from '../../src/anonymize/pseudonymize.js'
import { defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import { loadPolicy } from '../../src/policy/load.js'
import { compilePlan, type ReleasePlan } from '../../src/policy/plan.js'
import { canonicalKeys, type KeyMemo } from '../../src/policy/release.js'
import { PSEUDONYM_KEY, singleAgreement } from './arbitraries.js'

const Order = defineDataset(
  'order',
  z.object({
    id: field.desensitised(z.string(), pseudonymize({ prefix: 'o_' })),
    phone: field.desensitised(z.string(), mask.phone()),
    hours: field.public(z.number()),
    city: field.public(z.string()),
  }),
  { version: '1' },
)

function planOf(): ReleasePlan {
  const document = singleAgreement('order', ['id', 'phone', 'hours', 'city'], {
    where: { hours: { $gt: 2 } },
  })
  const policy = loadPolicy(document, { datasets: [Order] })
  const partner = policy.partner('partner-a')
  const agreement = partner?.agreements[0]
  if (!partner || !agreement) throw new Error('the policy lost its agreement')
  return compilePlan(partner, agreement, Order, { pseudonymKey: PSEUDONYM_KEY })
}

const row = fc.record({
  id: fc.string({ unit: 'grapheme', maxLength: 8 }),
  phone: fc.stringMatching(/^1[3-9][0-9]{9}$/),
  hours: fc.integer({ min: 0, max: 6 }),
  city: fc.constantFrom('杭州', 'Lyon', 'Graz'),
})

/** Two versions built from one pool of row objects: shared, repeated and fresh copies. */
const versions = fc
  .array(row, { minLength: 1, maxLength: 30 })
  .chain((pool) =>
    fc.tuple(
      fc.constant(pool),
      fc.array(fc.nat(pool.length - 1), { maxLength: 40 }),
      fc.array(
        fc.record({ at: fc.nat(pool.length - 1), copy: fc.boolean(), hours: fc.option(fc.nat(6)) }),
        { maxLength: 40 },
      ),
    ),
  )
  .map(([pool, before, after]) => ({
    before: before.map((i) => pool[i] as object),
    after: after.map(({ at, copy, hours }) => {
      const base = pool[at] as { hours: number }
      if (hours !== null) return { ...base, hours }
      return copy ? { ...base } : base
    }),
  }))

describe('canonicalKeys with a KeyMemo', () => {
  const plan = planOf()

  it('gives the keys of a run without it, on both versions (property)', () => {
    fc.assert(
      fc.property(versions, fc.option(fc.nat(20)), ({ before, after }, cap) => {
        const capped: ReleasePlan = cap === null ? plan : { ...plan, cap }
        const memo: KeyMemo = new Map()
        expect(canonicalKeys(capped, before, memo)).toEqual(canonicalKeys(capped, before))
        expect(canonicalKeys(capped, after, memo)).toEqual(canonicalKeys(capped, after))
      }),
      { numRuns: 300 },
    )
  })

  it('does not read a remembered row again, and keeps no row the cap cut', () => {
    let reads = 0
    const shared = {
      get id() {
        reads++
        return 'c-1'
      },
      phone: '13812345678',
      hours: 3,
      city: 'Lyon',
    }
    const other = { id: 'c-2', phone: '13812345679', hours: 4, city: 'Graz' }
    const memo: KeyMemo = new Map()
    const capped: ReleasePlan = { ...plan, cap: 1 }
    expect(canonicalKeys(capped, [other, shared], memo)).toHaveLength(1)
    expect(memo.has(shared)).toBe(false)
    expect(canonicalKeys(plan, [shared, other], memo)).toHaveLength(2)
    const readsAfterFirst = reads
    expect(readsAfterFirst).toBeGreaterThan(0)
    expect(canonicalKeys(plan, [shared, shared], memo)).toEqual(
      canonicalKeys(plan, [{ ...shared }, { ...shared }]),
    )
    expect(reads).toBe(readsAfterFirst + 2) // only the two spread copies read it
  })

  it('still refuses an invalid row, which it never remembers', () => {
    const memo: KeyMemo = new Map()
    const bad = { id: 3, phone: '13812345678', hours: 3, city: 'Lyon' }
    expect(() => canonicalKeys(plan, [bad], memo)).toThrow(/row 0/)
    expect(memo.size).toBe(0)
    expect(() => canonicalKeys(plan, [bad], memo)).toThrow(/row 0/)
  })
})
