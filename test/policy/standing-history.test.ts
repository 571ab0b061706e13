import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createGate } from '../../src/export/gate.js'
import { loadPolicy } from '../../src/policy/load.js'
import {
  DEFAULT_QUALITY_WEIGHTS,
  qualityRating,
  standingFromScores,
} from '../../src/policy/standing.js'
import { type MonthlyScores, standingFromHistory } from '../../src/policy/standing-history.js'
import type { Standing } from '../../src/policy/types.js'
import { datasets, policyWith, sampleRows } from './fixtures.js'

/** Four metrics all equal to `rating`, so the composite is `rating` whatever the weights. */
const flat = (month: string, rating: number, complaintRate: number): MonthlyScores => ({
  month,
  satisfaction: rating,
  responseSpeed: rating,
  complaintHandling: rating,
  priceFairness: rating,
  complaintRate,
})

describe('qualityRating', () => {
  it('weighs satisfaction 40 %, response speed 25 %, complaint handling 20 %, price fairness 15 %', () => {
    const one = (metric: keyof typeof DEFAULT_QUALITY_WEIGHTS) =>
      qualityRating({
        satisfaction: 0,
        responseSpeed: 0,
        complaintHandling: 0,
        priceFairness: 0,
        [metric]: 5,
      })
    expect([
      one('satisfaction'),
      one('responseSpeed'),
      one('complaintHandling'),
      one('priceFairness'),
    ]).toEqual([2, 1.25, 1, 0.75])
    expect(
      qualityRating({
        satisfaction: 4.9,
        responseSpeed: 4.5,
        complaintHandling: 4.7,
        priceFairness: 5,
      }),
    ).toBe(4.775)
  })

  it('four metrics of 4.8 rate exactly 4.8, which is not gold', () => {
    const rating = qualityRating({
      satisfaction: 4.8,
      responseSpeed: 4.8,
      complaintHandling: 4.8,
      priceFairness: 4.8,
    })
    expect(rating).toBe(4.8)
    expect(standingFromScores({ rating, complaintRate: 0 })).toBe('silver')
  })

  it('is a weighted mean: between the lowest and the highest metric, for any valid weights', () => {
    const metric = fc.double({ min: 0, max: 5, noNaN: true })
    fc.assert(
      fc.property(
        fc.tuple(metric, metric, metric, metric),
        fc.tuple(fc.nat(100), fc.nat(100), fc.nat(100), fc.integer({ min: 1, max: 100 })),
        ([a, b, c, d], [w, x, y, z]) => {
          const sum = w + x + y + z
          const rating = qualityRating(
            { satisfaction: a, responseSpeed: b, complaintHandling: c, priceFairness: d },
            {
              satisfaction: w / sum,
              responseSpeed: x / sum,
              complaintHandling: y / sum,
              priceFairness: z / sum,
            },
          )
          expect(rating).toBeGreaterThanOrEqual(Math.min(a, b, c, d) - 1e-9)
          expect(rating).toBeLessThanOrEqual(Math.max(a, b, c, d) + 1e-9)
          expect(rating).toBeLessThanOrEqual(5)
        },
      ),
    )
  })

  it('rejects metrics off the 0-5 scale and weights that are negative or do not sum to 1', () => {
    const ok = { satisfaction: 4, responseSpeed: 4, complaintHandling: 4, priceFairness: 4 }
    const cases: [unknown, unknown, string][] = [
      [
        { ...ok, satisfaction: 5.5 },
        undefined,
        'qualityRating: satisfaction: expected a number <= 5',
      ],
      [
        { ...ok, priceFairness: -0.1 },
        undefined,
        'qualityRating: priceFairness: expected a number >= 0',
      ],
      [{ ...ok, responseSpeed: '4' }, undefined, 'qualityRating: responseSpeed: expected a number'],
      [
        { ...ok, complaintHandling: undefined },
        undefined,
        'qualityRating: complaintHandling: expected a number',
      ],
      [null, undefined, 'qualityRating: metrics: expected an object'],
      [
        ok,
        { ...DEFAULT_QUALITY_WEIGHTS, satisfaction: 0.5 },
        'qualityRating: weights: expected weights summing to 1, got 1.1',
      ],
      [
        ok,
        { satisfaction: 1.2, responseSpeed: -0.2, complaintHandling: 0, priceFairness: 0 },
        'qualityRating: weights.responseSpeed: expected a number >= 0',
      ],
      [ok, { satisfaction: 1 }, 'qualityRating: weights.responseSpeed: expected a number'],
    ]
    for (const [metrics, weights, message] of cases)
      expect(() => qualityRating(metrics as never, weights as never)).toThrowError(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message }),
      )
  })
})

describe('standingFromHistory', () => {
  it.each([
    // [rating, complaint rate] -> standing, at and just past each threshold
    [4.81, 0.0049, 'gold'],
    [4.8, 0.0049, 'silver'],
    [4.81, 0.005, 'silver'],
    [4.51, 0.0099, 'silver'],
    [4.5, 0.0099, 'bronze'],
    [4.51, 0.01, 'bronze'],
    [4.01, 0.0199, 'bronze'],
    [4.0, 0.0199, 'yellow'],
    [4.01, 0.02, 'yellow'],
  ] as const)('rating %d, complaints %d -> %s', (rating, complaintRate, standing) => {
    expect(standingFromHistory([flat('2026-06', rating, complaintRate)]).standing).toBe(standing)
  })

  it('the third consecutive yellow month terminates; a good month in between restarts the count', () => {
    const months = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07']
    const ratings = [4.9, 3.9, 3.5, 4.6, 3.9, 3.8, 3.7]
    const history = months.map((m, i) => flat(m, ratings[i] as number, 0.001))
    const decided = months.map((month) => standingFromHistory(history, { month }))
    expect(decided.map((d) => `${d.standing}/${d.yellowMonths}`)).toEqual([
      'gold/0',
      'yellow/1',
      'yellow/2',
      'silver/0',
      'yellow/1',
      'yellow/2',
      'terminated/3',
    ])
    // Default month: the latest, in whatever order the history comes.
    expect(standingFromHistory([...history].reverse()).month).toBe('2026-07')
  })

  it('counts calendar months across a year end, and a month missing from the history ends the streak', () => {
    const across = [flat('2025-11', 3, 0.05), flat('2025-12', 3, 0.05), flat('2026-01', 3, 0.05)]
    expect(standingFromHistory(across).standing).toBe('terminated')
    const gap = [flat('2026-02', 3, 0.05), flat('2026-03', 3, 0.05), flat('2026-05', 3, 0.05)]
    expect(standingFromHistory(gap)).toMatchObject({ standing: 'yellow', yellowMonths: 1 })
  })

  it('a terminated partner is never promoted by its scores', () => {
    const history = [flat('2026-06', 4.95, 0)]
    expect(standingFromHistory(history, { current: 'terminated' })).toMatchObject({
      standing: 'terminated',
      basis: 'terminated',
      rating: 4.95,
    })
    expect(standingFromHistory(history, { current: 'yellow' }).standing).toBe('gold')
  })

  it('rejects a malformed history with ERR_INVALID_ARGUMENT', () => {
    const ok = flat('2026-06', 4, 0)
    const cases: [unknown, unknown, string][] = [
      [[], undefined, 'standingFromHistory: history: expected a non-empty array'],
      [
        [ok, ok],
        undefined,
        'standingFromHistory: history[1].month: expected one entry per month, got 2026-06 twice',
      ],
      [
        [{ ...ok, month: '2026-13' }],
        undefined,
        'standingFromHistory: history[0].month: expected YYYY-MM',
      ],
      [
        [ok],
        { month: '2026-05' },
        'standingFromHistory: month: expected a month of the history, got 2026-05',
      ],
      [[ok], { month: 'June' }, 'standingFromHistory: month: expected YYYY-MM'],
      [
        [ok],
        { current: 'platinum' },
        'standingFromHistory: current: expected one of gold, silver, bronze, yellow, terminated',
      ],
      [
        [{ ...ok, complaintRate: 2 }],
        undefined,
        'standingFromScores: complaintRate: expected a number <= 1',
      ],
    ]
    for (const [history, options, message] of cases)
      expect(() => standingFromHistory(history as never, options as never)).toThrowError(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message }),
      )
  })
})

describe('the decided standing drives the next release', () => {
  const pseudonymKey = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff)
  const rows = sampleRows('repair-orders').slice(0, 20)
  const request = { partner: 'rental-co', dataset: 'repair_order', purpose: 'courtesy-car' }
  const releaseAs = async (standing: Standing) => {
    const policy = loadPolicy(policyWith({ standing }), { datasets })
    const gate = createGate({
      issuer: 'oem-aftersales',
      datasets,
      policy,
      pseudonymKey,
      now: () => new Date('2026-07-02T00:00:00Z'),
    })
    try {
      const { records } = await gate.release(rows, request)
      return `released ${records.length}`
    } catch (error) {
      return (error as { code: string }).code
    }
  }

  it('months crossing each threshold, to the third yellow month, give these standings and refusals', async () => {
    const history = [
      flat('2026-01', 4.85, 0.004), // gold
      flat('2026-02', 4.85, 0.006), // complaints too high for gold: silver
      flat('2026-03', 4.6, 0.012), // bronze
      flat('2026-04', 4.0, 0.001), // exactly 4.0 is no tier: yellow 1
      flat('2026-05', 3.9, 0.001), // yellow 2
      flat('2026-06', 4.2, 0.025), // complaints 2.5 %: yellow 3, terminated
    ]
    const outcomes: string[] = []
    let current: Standing = 'gold'
    for (const { month } of history) {
      current = standingFromHistory(history, { month, current }).standing
      outcomes.push(`${month} ${current} ${await releaseAs(current)}`)
    }
    const released = `released ${rows.length}`
    expect(outcomes).toEqual([
      `2026-01 gold ${released}`,
      `2026-02 silver ${released}`,
      `2026-03 bronze ${released}`,
      '2026-04 yellow ERR_PARTNER_SUSPENDED',
      '2026-05 yellow ERR_PARTNER_SUSPENDED',
      '2026-06 terminated ERR_PARTNER_REVOKED',
    ])
    // A gold July does not bring a terminated partner back.
    const july = [...history, flat('2026-07', 4.95, 0)]
    expect(standingFromHistory(july, { current }).standing).toBe('terminated')
  })
})
