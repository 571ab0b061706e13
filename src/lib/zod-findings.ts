// Zod issues as findings `{ code, path, message }`, the one converter for policies, datasets and
// audit events. The code is zod's own issue code (stable, snake_case, as zod v4 names them), never
// prefixed: `invalid_type`, not `invalid_invalid_type`.
import type { z } from 'zod'
import type { Finding } from '../errors.js'

/** The issue codes of zod 4 (`z.core.$ZodIssue['code']`): the finding codes this converter emits. */
export const ZOD_ISSUE_CODES = [
  'invalid_type',
  'invalid_value',
  'invalid_format',
  'invalid_union',
  'invalid_key',
  'invalid_element',
  'unrecognized_keys',
  'too_small',
  'too_big',
  'not_multiple_of',
  'custom',
] as const satisfies readonly z.core.$ZodIssue['code'][]

/** One of {@link ZOD_ISSUE_CODES}. */
export type ZodIssueCode = (typeof ZOD_ISSUE_CODES)[number]

/** An issue path as a dot path after `prefix`: `partners[0].id`, `[3].seq`, `input.type`. */
export function formatIssuePath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix
  for (const part of path)
    out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part)
  return out
}

/**
 * What an issue expected, in words that quote no input value: the unknown keys (for documents
 * whose keys are not data), the allowed values, or the expected type; otherwise zod's message.
 */
export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key(s): ${issue.keys.join(', ')}`
  if (issue.code === 'invalid_value')
    return `expected one of ${issue.values.map(String).join(', ')}`
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`
  return issue.message
}

/** A zod issue as a finding at `path`; the message defaults to zod's own. */
export function issueFinding(
  issue: z.core.$ZodIssue,
  path: string,
  message: string = issue.message,
): Finding {
  return { code: issue.code as ZodIssueCode, path, message }
}
