// Every regular expression shipped under src/, found by parsing the sources with the TypeScript
// compiler (not by grepping, which would miss `new RegExp` spread over lines and trip over `/`
// in comments and strings). Used by redos.test.ts.
import { readdirSync, readFileSync } from 'node:fs'
import ts from 'typescript'

const ROOT = new URL('../../', import.meta.url)

/** A regular expression in the sources: a literal, or `RegExp(...)` / `new RegExp(...)`. */
export interface ShippedRegex {
  /** `src/classify/dataset.ts:133`. */
  readonly where: string
  /** The pattern source, or `undefined` when it is built at run time. */
  readonly source: string | undefined
  readonly flags: string
  /** The expression as written, for messages. */
  readonly text: string
}

function sourceFiles(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(new URL(dir, ROOT), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`
    if (entry.isDirectory()) out.push(...sourceFiles(path))
    else if (/\.(ts|mts|cts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
      out.push(path)
  }
  return out.sort()
}

/** The text of a string literal or template without substitutions, else `undefined`. */
function constantString(node: ts.Node | undefined): string | undefined {
  if (node === undefined) return ''
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text
  return undefined
}

/** Every regular expression in the given source directory (default `src`). */
export function shippedRegexes(dir = 'src'): ShippedRegex[] {
  const out: ShippedRegex[] = []
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(new URL(file, ROOT), 'utf8')
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
    const where = (node: ts.Node) =>
      `${file}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const literal = node.getText(sf)
        const slash = literal.lastIndexOf('/')
        out.push({
          where: where(node),
          source: literal.slice(1, slash),
          flags: literal.slice(slash + 1),
          text: literal,
        })
      } else if (
        (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === 'RegExp'
      ) {
        const [pattern, flags] = node.arguments ?? []
        const source = pattern === undefined ? '' : constantString(pattern)
        const flagText = constantString(flags)
        out.push({
          where: where(node),
          source: flagText === undefined ? undefined : source,
          flags: flagText ?? '',
          text: node.getText(sf),
        })
      }
      ts.forEachChild(node, visit)
    }
    visit(sf)
  }
  return out
}
