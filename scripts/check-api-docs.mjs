// After `typedoc` (npm run docs): every public export of every entry point has a description,
// and every function, constant and class an `@example` (test/docs/examples.test.ts runs them).
// TypeDoc's own validation (typedoc.json, treatWarningsAsErrors) already fails on a missing
// description of the kinds it checks; the `@example` rule is ours, so it is checked here, on
// the JSON model TypeDoc wrote next to the HTML.
import { readFileSync } from 'node:fs'

const model = JSON.parse(readFileSync(new URL('../docs/api/api.json', import.meta.url), 'utf8'))
// TypeDoc's ReflectionKind values.
const KIND = { 32: 'variable', 64: 'function', 128: 'class', 256: 'interface', 2097152: 'type' }
const NEEDS_EXAMPLE = new Set([32, 64, 128])

const comments = (reflection) =>
  [reflection.comment, ...(reflection.signatures ?? []).map((s) => s.comment)].filter(Boolean)
const described = (reflection) =>
  comments(reflection).some((c) => c.summary?.some((part) => part.text.trim() !== ''))
const exemplified = (reflection) =>
  comments(reflection).some((c) => c.blockTags?.some((tag) => tag.tag === '@example'))

const problems = []
let checked = 0
for (const module of model.children ?? []) {
  for (const reflection of module.children ?? []) {
    const kind = KIND[reflection.kind]
    if (kind === undefined) continue
    checked++
    const name = `${module.name}: ${kind} ${reflection.name}`
    if (!described(reflection)) problems.push(`${name} has no description`)
    if (NEEDS_EXAMPLE.has(reflection.kind) && !exemplified(reflection))
      problems.push(`${name} has no @example`)
  }
}
for (const problem of problems) console.error(`api docs: ${problem}`)
console.log(
  `api docs: ${checked} exports of ${model.children?.length ?? 0} entry points checked, ${problems.length} problem(s)`,
)
process.exit(problems.length === 0 ? 0 : 1)
