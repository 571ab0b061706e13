// One bound on the findings an error carries. A row of a million invalid elements produced a
// million findings and a 50 MB message; the first findings say what is wrong, and a count says
// how much more there is.
import type { Finding } from '../errors.js'

/** Default number of findings an error carries before the rest is counted. */
export const MAX_ERROR_FINDINGS = 100

/**
 * The first `max` findings and, when more were found, one `more_findings` finding (path
 * `(more)`) that counts the rest. `total` is how many there were, when the caller already
 * stopped collecting them.
 */
export function capFindings(
  findings: readonly Finding[],
  max: number = MAX_ERROR_FINDINGS,
  total: number = findings.length,
): readonly Finding[] {
  if (total <= max) return findings
  return [
    ...findings.slice(0, max),
    {
      code: 'more_findings',
      path: '(more)',
      message: `and ${total - max} more finding(s) not listed`,
    },
  ]
}

/** A message listing at most `max` findings' messages, then how many more there are. */
export function summariseFindings(
  findings: readonly Finding[],
  total: number = findings.length,
  max = 10,
): string {
  const listed = findings
    .filter((f) => f.code !== 'more_findings')
    .slice(0, max)
    .map((f) => f.message)
  const rest = total - listed.length
  return rest > 0 ? `${listed.join('; ')}; and ${rest} more` : listed.join('; ')
}
