// Renderers of `datagate test`: text, JSON and JUnit XML (the shape CI test reporters read:
// one <testsuite> per file, one <testcase> per case, <failure> with the differences).
import type { z } from 'zod'
import { json, type Renderers } from '../command.js'
import type { PolicyTestReportSchema } from '../schemas.js'

type PolicyTestReport = z.infer<typeof PolicyTestReportSchema>

const xml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')

function coverageLine(name: string, c: PolicyTestReport['coverage']['partners']): string {
  return `${name}: ${c.covered}/${c.total}${c.uncovered.length > 0 ? ` (not exercised: ${c.uncovered.join(', ')})` : ''}`
}

/** text, json and junit renderers of a policy test run. */
export const policyTestRenderers: Renderers<PolicyTestReport> = {
  text(r, c) {
    const lines = r.cases.flatMap((t) =>
      t.status === 'pass'
        ? [`${c.green('pass')} ${t.name}`]
        : [`${c.red('FAIL')} ${t.name}`, ...t.failures.map((f) => `     ${f}`)],
    )
    lines.push(
      '',
      `${r.cases.length} cases: ${r.passed} pass, ${r.failed} fail`,
      'coverage',
      `  ${coverageLine('partners', r.coverage.partners)}`,
      `  ${coverageLine('agreements', r.coverage.agreements)}`,
      `  ${coverageLine('conditions', r.coverage.conditions)}`,
    )
    return lines.join('\n')
  },
  json,
  junit(r) {
    const suites = r.files.map((file) => {
      const cases = r.cases.filter((t) => t.file === file)
      const failures = cases.filter((t) => t.status === 'fail').length
      const body = cases.map((t) =>
        t.status === 'pass'
          ? `    <testcase classname="${xml(file)}" name="${xml(t.name)}"/>`
          : `    <testcase classname="${xml(file)}" name="${xml(t.name)}">\n      <failure message="${xml(t.failures[0] ?? 'failed')}">${xml(t.failures.join('\n'))}</failure>\n    </testcase>`,
      )
      return `  <testsuite name="${xml(file)}" tests="${cases.length}" failures="${failures}" errors="0">\n${body.join('\n')}\n  </testsuite>`
    })
    return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="datagate policy tests" tests="${r.cases.length}" failures="${r.failed}">\n${suites.join('\n')}\n</testsuites>\n`
  },
}
