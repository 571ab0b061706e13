// "Did you mean" for names a user typed: policy keys, partner ids, dataset names, purposes.
// Edit distance comes from fastest-levenshtein (small, dependency-free, runs on edge runtimes);
// only the choice of a candidate is ours. A candidate is offered when it equals the input
// ignoring case, or when it is within a third of the input's length of edits (at least one,
// at most three), so `vaildUntil` suggests `validUntil` but `x` suggests nothing from a long list.
import { distance } from 'fastest-levenshtein'

/** At most this many candidates are compared: names come from policies, not from data. */
const MAX_CANDIDATES = 10_000

/** The candidate closest to `input`, or `undefined` when none is close enough to suggest. */
export function closestName(input: string, candidates: Iterable<string>): string | undefined {
  const lower = input.toLowerCase()
  const limit = Math.min(3, Math.max(1, Math.floor(input.length / 3)))
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  let seen = 0
  for (const candidate of candidates) {
    if (++seen > MAX_CANDIDATES) break
    if (candidate === input) continue
    if (candidate.toLowerCase() === lower) return candidate
    // Lengths that differ by more than the limit cannot be within it: skip the computation.
    if (Math.abs(candidate.length - input.length) > limit) continue
    const d = distance(input, candidate)
    if (d <= limit && d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

/** `, did you mean X?` for the closest candidate, or `''`. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const name = closestName(input, candidates)
  return name === undefined ? '' : `, did you mean ${name}?`
}

/**
 * A note for a name that matched nothing only because of case: names match exactly (purposes
 * are CASL actions), and a refusal should say so rather than leave the user guessing.
 */
export function caseNote(input: string, candidates: Iterable<string>, what: string): string {
  const lower = input.toLowerCase()
  for (const candidate of candidates)
    if (candidate !== input && candidate.toLowerCase() === lower)
      return ` (${what} match case-sensitively: did you mean ${candidate}?)`
  const name = closestName(input, candidates)
  return name === undefined ? '' : ` (did you mean ${name}?)`
}
