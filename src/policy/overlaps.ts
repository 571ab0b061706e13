// Two agreements of one partner for the same dataset and purpose in overlapping periods: the
// gate could not tell which one applies, so the policy is refused, duplicates and contradictions
// alike (the message says which).
import type { Finding } from '../errors.js'
import { canonicalJson } from '../lib/canonical-json.js'
import type { Agreement } from './types.js'
import { periodsOverlap } from './validity.js'

function sameGrant(a: Agreement, b: Agreement): boolean {
  return (
    canonicalJson(a.fields) === canonicalJson(b.fields) &&
    canonicalJson(a.where ?? null) === canonicalJson(b.where ?? null) &&
    canonicalJson(a.aggregate ?? null) === canonicalJson(b.aggregate ?? null) &&
    a.k === b.k
  )
}

/** One `overlapping_agreements` finding per overlapping pair. */
export function overlapFindings(agreements: readonly Agreement[], at: string): Finding[] {
  const findings: Finding[] = []
  for (let i = 0; i < agreements.length; i++) {
    for (let j = i + 1; j < agreements.length; j++) {
      const a = agreements[i] as Agreement
      const b = agreements[j] as Agreement
      if (a.dataset !== b.dataset || a.purpose !== b.purpose) continue
      if (!periodsOverlap(a, b)) continue
      findings.push({
        code: 'overlapping_agreements',
        path: `${at}.agreements`,
        message: sameGrant(a, b)
          ? `agreements ${a.id} and ${b.id} duplicate each other for ${a.dataset}/${a.purpose} in overlapping periods`
          : `agreements ${a.id} and ${b.id} contradict each other for ${a.dataset}/${a.purpose} in overlapping periods (fields, conditions or aggregation differ)`,
      })
    }
  }
  return findings
}
