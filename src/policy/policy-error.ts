// The one way loading a policy fails: ERR_POLICY_INVALID carrying every finding (capped), with
// the first few in the message so a log line alone says what to fix.
import { DatagateError, type Finding } from '../errors.js'
import { capFindings } from '../lib/findings-cap.js'

/** Findings carried by one ERR_POLICY_INVALID at most. */
export const MAX_FINDINGS = 100

/** Throws ERR_POLICY_INVALID with `all` the findings. */
export function policyInvalid(all: readonly Finding[]): never {
  const findings = capFindings(all, MAX_FINDINGS)
  const summary = findings
    .slice(0, 5)
    .map((f) => `${f.path}: ${f.message}`)
    .join('; ')
  const more = all.length > 5 ? `; and ${all.length - 5} more` : ''
  throw new DatagateError(
    'ERR_POLICY_INVALID',
    `policy has ${all.length} problem(s): ${summary}${more}`,
    { findings },
  )
}
