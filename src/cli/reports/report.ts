// Renderers of `datagate report`: Markdown reuses the other commands' renderers section by
// section; HTML (report-html.ts) is one self-contained page; JSON is the data as is.
import type { z } from 'zod'
import { json, type Renderers } from '../command.js'
import type { Palette } from '../io.js'
import type { ComplianceReportSchema } from '../schemas.js'
import { lintRenderers } from './lint.js'
import { logReportRenderers } from './log-report.js'
import { logVerifyRenderers } from './log-verify.js'
import { matrixRenderers } from './matrix.js'
import { reportHtml } from './report-html.js'
import { noticeRows, processingRows, volumeRows } from './report-rows.js'
import { markdownTable } from './table.js'

type ComplianceReport = z.infer<typeof ComplianceReportSchema>

const none: Palette = { red: String, yellow: String, green: String, dim: String, bold: String }

/** Another command's Markdown one heading level down, to sit inside a section of the report. */
const nested = (md: string | undefined) => (md ?? '').replace(/^#/gm, '##')

function markdown(r: ComplianceReport): string {
  const section = (title: string, body: string) => `## ${title}\n\n${body.trim()}\n`
  const noLog = 'No audit log is configured.'
  return [
    `# Compliance report ${r.month ?? '(whole log)'}\n`,
    section(
      'Policy',
      markdownTable([
        ['policy', 'issuer', 'hash', 'partners', 'agreements', 'datasets'],
        [
          r.policy.file,
          r.policy.issuer,
          r.policy.hash,
          String(r.policy.partners),
          String(r.policy.agreements),
          r.policy.datasets.join(', '),
        ],
      ]),
    ),
    section('Access matrix', nested(matrixRenderers.md?.(r.matrix, none))),
    section('Lint findings', nested(lintRenderers.md?.(r.lint, none))),
    section(
      'Chain status',
      r.chain ? `\`\`\`\n${logVerifyRenderers.text?.(r.chain, none) ?? ''}\n\`\`\`` : noLog,
    ),
    section('Sharing ledger', r.ledger ? nested(logReportRenderers.md?.(r.ledger, none)) : noLog),
    section('Release volumes', r.volumes.length > 0 ? markdownTable(volumeRows(r)) : 'None.'),
    section('Record of processing', markdownTable(processingRows(r))),
    section(
      'Notice manifest (PIPL Art. 23)',
      r.notices.length > 0
        ? markdownTable(noticeRows(r))
        : 'No agreement releases personal information.',
    ),
  ].join('\n')
}

/** html, md and json renderers of the compliance report. */
export const reportRenderers: Renderers<ComplianceReport> = {
  html: (r) => reportHtml(r),
  md: (r) => markdown(r),
  json,
}
