// Structural validation of a raw policy document: a bounded copy first (depth, nodes, prototype
// keys), then the zod schema of document.ts; every problem as a finding.
import type { z } from 'zod'
import type { Finding } from '../errors.js'
import { boundedTreeCopy } from '../lib/bounded-tree.js'
import { isMissingKey, unknownKeyHints } from '../lib/issue-hints.js'
import { describeIssue, formatIssuePath, issueFinding } from '../lib/zod-findings.js'
import { type PolicyDocument, policyDocumentSchema } from './document.js'
import { MAX_FINDINGS } from './policy-error.js'

// A policy document, as an object or after YAML aliases are expanded, is copied into a tree of
// at most this many nodes (each path counted once) before anything else reads it.
const MAX_POLICY_NODES = 1_000_000
// Real policies nest about eight levels; deeper ones are refused, never skipped.
const MAX_POLICY_DEPTH = 256

// An unknown key is reported at its own path, with the declared key it is probably a typo of;
// a missing key reads `required` rather than zod's `expected string` or `Invalid input`. The
// codes stay zod's.
function structuralFindings(issues: readonly z.core.$ZodIssue[], tree: unknown): Finding[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys')
      return unknownKeyHints(issue, policyDocumentSchema, tree).map(({ key, message }) =>
        issueFinding(issue, formatIssuePath([...issue.path, key]), message),
      )
    const path = formatIssuePath(issue.path) || '(document)'
    return [
      issueFinding(issue, path, isMissingKey(issue, tree) ? 'required' : describeIssue(issue)),
    ]
  })
}

/**
 * Bounds the raw document before any other step (zod would assign a `__proto__` key, setting a
 * prototype, so the condition it held would vanish and a `where` would silently widen): a fresh
 * tree copy, or the findings that refuse it. A getter or Proxy that throws is refused as well,
 * without its message (it could quote anything).
 */
function boundedDocument(raw: unknown): { tree: unknown; findings: readonly Finding[] } {
  try {
    return boundedTreeCopy(raw, {
      maxNodes: MAX_POLICY_NODES,
      maxDepth: MAX_POLICY_DEPTH,
      maxFindings: MAX_FINDINGS,
    })
  } catch {
    return {
      tree: undefined,
      findings: [
        { code: 'unreadable', path: '(document)', message: 'the policy object could not be read' },
      ],
    }
  }
}

/** Structural validation of a raw document: bounded copy first, then the zod schema. */
export function validateDocument(
  raw: unknown,
):
  | { document: PolicyDocument; findings: readonly [] }
  | { document: undefined; findings: readonly Finding[] } {
  const { tree, findings } = boundedDocument(raw)
  if (findings.length > 0) return { document: undefined, findings }
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree))
    return {
      document: undefined,
      findings: [{ code: 'invalid_type', path: '(document)', message: 'expected a policy object' }],
    }
  const parsed = policyDocumentSchema.safeParse(tree)
  if (!parsed.success)
    return { document: undefined, findings: structuralFindings(parsed.error.issues, tree) }
  return { document: parsed.data, findings: [] }
}
