// Policy text to a raw document: JSON when it starts with `{`, else YAML in the core schema with
// unique keys and few aliases (an alias bomb is refused by the parser, a deep one by the bounded
// copy after it). A syntax error names the line, never the text.
import { parse as parseYaml } from 'yaml'
import { policyInvalid } from './policy-error.js'

/**
 * Largest policy text accepted, in characters; a longer one is refused with `ERR_POLICY_INVALID`.
 *
 * @example
 * ```ts
 * import { MAX_POLICY_TEXT } from 'datagate/policy'
 *
 * console.log(MAX_POLICY_TEXT) // 5000000
 * ```
 */
export const MAX_POLICY_TEXT = 5_000_000

/** Error names of a runtime refusing an operation (Deno's permissions), not of a parser. */
const RUNTIME_REFUSALS = new Set(['NotCapable', 'PermissionDenied'])

/** Parses policy text; throws ERR_POLICY_INVALID (`too_large`, `syntax_error`). */
export function parseText(text: string): unknown {
  if (text.length > MAX_POLICY_TEXT) {
    policyInvalid([
      {
        code: 'too_large',
        path: '(document)',
        message: `policy text exceeds ${MAX_POLICY_TEXT} characters`,
      },
    ])
  }
  const trimmed = text.trimStart()
  try {
    if (trimmed.startsWith('{')) return JSON.parse(text)
    return parseYaml(text, {
      schema: 'core',
      uniqueKeys: true,
      maxAliasCount: 100,
      prettyErrors: true,
    })
  } catch (error) {
    // Deno runs yaml's Node build, which reads process.env.LOG_TOKENS on every parse: without
    // --allow-env Deno refuses that read. The runtime's error names the missing permission; it says
    // nothing about the text, so it is passed on rather than reported as a syntax error.
    if (error instanceof Error && RUNTIME_REFUSALS.has(error.name)) throw error
    const where = error instanceof Error && 'linePos' in error ? lineOf(error) : ''
    return policyInvalid([
      {
        code: 'syntax_error',
        path: '(document)',
        message: `the policy is not valid YAML or JSON${where}`,
      },
    ])
  }
}

function lineOf(error: Error): string {
  const pos = (error as Error & { linePos?: readonly { line: number; col: number }[] }).linePos
  const first = pos?.[0]
  return first ? ` (line ${first.line}, column ${first.col})` : ''
}
