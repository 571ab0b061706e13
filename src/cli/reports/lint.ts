// Renderers of `datagate lint`.
import type { z } from 'zod'
import { json, type Renderers } from '../command.js'
import type { LintReportSchema } from '../schemas.js'
import { markdownTable } from './table.js'

type LintReport = z.infer<typeof LintReportSchema>

function where(f: LintReport['findings'][number]): string {
  const parts = [
    f.partner && `partner ${f.partner}`,
    f.agreement && `agreement ${f.agreement}`,
    f.dataset && `dataset ${f.dataset}`,
    f.field && `field ${f.field}`,
  ].filter(Boolean)
  return parts.length > 0 ? ` [${parts.join(', ')}]` : ''
}

/** text, json and md renderers of a lint report. */
export const lintRenderers: Renderers<LintReport> = {
  text(report, c) {
    const lines = report.findings.map((f) => {
      const label = f.severity === 'error' ? c.red('error  ') : c.yellow('warning')
      return `${label} ${f.code}  ${f.path}${where(f)}\n        ${f.message}`
    })
    const summary = `${report.errors} error(s), ${report.warnings} warning(s) in ${report.policy}${report.policyHash ? ` (${report.policyHash.slice(0, 19)}…)` : ''} at ${report.asOf}`
    return [
      ...lines,
      report.errors > 0
        ? c.red(summary)
        : report.warnings > 0
          ? c.yellow(summary)
          : c.green(summary),
    ].join('\n')
  },
  json,
  md(report) {
    const rows = report.findings.map((f) => [
      f.severity,
      f.code,
      f.path,
      f.partner ?? '',
      f.agreement ?? '',
      f.field ?? '',
      f.message,
    ])
    return [
      `## datagate lint: ${report.errors} error(s), ${report.warnings} warning(s)`,
      '',
      `Policy \`${report.policy}\`, hash \`${report.policyHash ?? 'none (does not load)'}\`, judged at ${report.asOf}.`,
      '',
      rows.length > 0
        ? markdownTable([
            ['severity', 'code', 'path', 'partner', 'agreement', 'field', 'message'],
            ...rows,
          ])
        : 'No findings.',
    ].join('\n')
  },
}
