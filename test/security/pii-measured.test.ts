// Issue 7, "PII detectors / measured from outside": the targets on a labelled corpus, and the
// linear-time guarantee for the new written forms. test/classify/precision-recall.test.ts and
// test/classify/redos.test.ts hold the full measurements; these are the threat-suite checks.
import { describe, expect, it } from 'vitest'
import { type PiiFinding, scanText } from '../../src/classify/scan.js'
import { buildCorpus, evaluate } from '../classify/corpus.js'

const now = () => new Date('2026-11-25T12:00:00Z')

describe('the detectors measured on a labelled corpus', () => {
  it('reaches recall >= 0.99 in every written form and precision >= 0.98 per detector', () => {
    const result = evaluate(buildCorpus({ seed: 4242, perForm: 40, perLookalike: 60 }), (text) =>
      scanText(text, { now }).filter((f): f is PiiFinding => f.code.startsWith('pii_')),
    )
    for (const [detector, score] of Object.entries(result.byDetector)) {
      expect(score.precision, detector).toBeGreaterThanOrEqual(0.98)
      expect(score.recall, detector).toBeGreaterThanOrEqual(0.99)
    }
    for (const [form, score] of Object.entries(result.byForm))
      expect(score.recall, form).toBeGreaterThanOrEqual(0.99)
  })

  it('keeps scanning linear on full-width, zero-width and NBSP-separated input', () => {
    const make = (n: number) => '１\u200b3\u00a08–６'.repeat(n / 7)
    const time = (text: string) => {
      const start = performance.now()
      scanText(text, { now, maxLength: 5_000_000 })
      return performance.now() - start
    }
    time(make(10_000))
    const small = Math.min(time(make(250_000)), time(make(250_000)))
    const large = Math.min(time(make(1_000_000)), time(make(1_000_000)))
    expect(large).toBeLessThan(2000)
    expect(Math.max(large, 50) / Math.max(small, 12.5)).toBeLessThan(12)
  })
})
