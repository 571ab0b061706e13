import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_STANDING_THRESHOLDS, standingFromScores } from '../../src/policy/standing.js'

describe('standingFromScores', () => {
  it.each([
    [{ rating: 4.81, complaintRate: 0.0049 }, 'gold'],
    [{ rating: 4.8, complaintRate: 0.001 }, 'silver'], // rating must be above 4.8 for gold
    [{ rating: 4.9, complaintRate: 0.005 }, 'silver'], // complaints must be below 0.5 % for gold
    [{ rating: 4.51, complaintRate: 0.0099 }, 'silver'],
    [{ rating: 4.5, complaintRate: 0.001 }, 'bronze'],
    [{ rating: 4.01, complaintRate: 0.0199 }, 'bronze'],
    [{ rating: 4.0, complaintRate: 0 }, 'yellow'],
    [{ rating: 4.9, complaintRate: 0.02 }, 'yellow'],
    [{ rating: 3.2, complaintRate: 0.03, yellowMonths: 2 }, 'yellow'],
    [{ rating: 3.2, complaintRate: 0.03, yellowMonths: 3 }, 'terminated'],
    [{ rating: 4.9, complaintRate: 0.001, yellowMonths: 5 }, 'gold'], // a good period ends the streak
  ] as const)('%j -> %s', (scores, standing) => {
    expect(standingFromScores(scores)).toBe(standing)
  })

  it('takes configurable thresholds', () => {
    const strict = {
      ...DEFAULT_STANDING_THRESHOLDS,
      gold: { minRating: 4.95, maxComplaintRate: 0.001 },
      terminateAfterYellowMonths: 2,
    }
    expect(standingFromScores({ rating: 4.9, complaintRate: 0.0005 }, strict)).toBe('silver')
    expect(standingFromScores({ rating: 2, complaintRate: 0.5, yellowMonths: 2 }, strict)).toBe(
      'terminated',
    )
  })

  it('rejects thresholds that are not numbers in range: a NaN streak would never terminate', () => {
    const scores = { rating: 2, complaintRate: 0.5, yellowMonths: 9 }
    for (const bad of [
      { terminateAfterYellowMonths: Number.NaN },
      { terminateAfterYellowMonths: 0 },
      { terminateAfterYellowMonths: 1.5 },
      { bronze: { minRating: 4, maxComplaintRate: Number.NaN } },
      { gold: { minRating: 4.8, maxComplaintRate: Number.POSITIVE_INFINITY } },
      { silver: undefined },
    ])
      expect(() =>
        standingFromScores(scores, { ...DEFAULT_STANDING_THRESHOLDS, ...bad } as never),
      ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
  })

  it('is monotone: a better rating or fewer complaints never lowers the standing', () => {
    const order = ['terminated', 'yellow', 'bronze', 'silver', 'gold']
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (r1, r2, c1, c2) => {
          const worse = standingFromScores({
            rating: Math.min(r1, r2),
            complaintRate: Math.max(c1, c2),
          })
          const better = standingFromScores({
            rating: Math.max(r1, r2),
            complaintRate: Math.min(c1, c2),
          })
          expect(order.indexOf(better)).toBeGreaterThanOrEqual(order.indexOf(worse))
        },
      ),
    )
  })

  it('rejects scores out of range with ERR_INVALID_ARGUMENT', () => {
    for (const scores of [
      { rating: 5.1, complaintRate: 0 },
      { rating: -1, complaintRate: 0 },
      { rating: Number.NaN, complaintRate: 0 },
      { rating: 4, complaintRate: 1.5 },
      { rating: 4, complaintRate: 0, yellowMonths: 1.5 },
    ]) {
      expect(() => standingFromScores(scores)).toThrowError(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      )
    }
  })
})
