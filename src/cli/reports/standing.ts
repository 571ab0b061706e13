// Renderers of `datagate standing`: each partner's month of scores and the decision, then the
// policy diff exactly as `datagate diff` prints it, then whether it was written.
import type { z } from 'zod'
import { json, type Renderers } from '../command.js'
import type { Palette } from '../io.js'
import type { StandingReportSchema } from '../schemas.js'
import { diffRenderers } from './diff.js'
import { markdownTable } from './table.js'

type StandingReport = z.infer<typeof StandingReportSchema>
type Row = StandingReport['partners'][number]

const percent = (rate: number) => `${Number((rate * 100).toFixed(3))} %`

function scoresOf(row: Row): string {
  if (row.basis === 'no_scores' || row.rating === null || row.complaintRate === null)
    return 'no scores'
  const yellow = row.yellowMonths ? `, yellow month ${row.yellowMonths} in a row` : ''
  return `rating ${row.rating}, complaints ${percent(row.complaintRate)}${yellow}`
}

/** The decision, padded to `width` characters before colour is added. */
function decisionOf(row: Row, c: Palette, width: number): string {
  if (row.basis === 'terminated') return `${row.to} (stays terminated)`.padEnd(width)
  if (row.from === row.to) return `${row.to} (unchanged)`.padEnd(width)
  const colour = row.to === 'yellow' || row.to === 'terminated' ? c.red : c.green
  return `${row.from} -> ${colour(row.to)}${' '.repeat(Math.max(0, width - plainLength(row)))}`
}

function plainLength(row: Row): number {
  if (row.basis === 'terminated') return `${row.to} (stays terminated)`.length
  if (row.from === row.to) return `${row.to} (unchanged)`.length
  return `${row.from} -> ${row.to}`.length
}

function outcome(r: StandingReport): string {
  if (r.written && r.audit)
    return `written to ${r.policy}; recorded as standing-change seq ${r.audit.seq} in ${r.audit.log}`
  if (r.findings.some((f) => f.severity === 'error')) return `not written: fix the errors above`
  if (r.changes.length === 0) return `no standing changes; ${r.policy} left as it is`
  return `proposed only: run with --write to apply it to ${r.policy}`
}

/** text, json and md renderers of a standing proposal. */
export const standingRenderers: Renderers<StandingReport> = {
  text(r, c) {
    const width = Math.max(...r.partners.map((p) => p.partner.length), 7)
    const decisionWidth = Math.max(...r.partners.map(plainLength), 0)
    const lines = [
      c.bold(`standing for ${r.month} from ${r.scores.file} (${r.scores.digest.slice(0, 19)}…)`),
      ...r.partners.map(
        (p) =>
          `  ${p.partner.padEnd(width)}  ${decisionOf(p, c, decisionWidth)}  ${c.dim(scoresOf(p))}`,
      ),
    ]
    for (const f of r.findings)
      lines.push(
        `${f.severity === 'error' ? c.red('error') : c.yellow('warning')} ${f.message} (${f.code})`,
      )
    lines.push('', diffRenderers.text?.(r, c) ?? '', '', outcome(r))
    return lines.join('\n')
  },
  json,
  md: (r, c) =>
    [
      `## Standing for ${r.month}`,
      '',
      `Scores: ${r.scores.file} (${r.scores.digest})`,
      '',
      markdownTable([
        ['partner', 'from', 'to', 'rating', 'complaint rate', 'yellow months', 'basis'],
        ...r.partners.map((p) => [
          p.partner,
          p.from,
          p.to,
          p.rating === null ? '' : String(p.rating),
          p.complaintRate === null ? '' : percent(p.complaintRate),
          p.yellowMonths === null ? '' : String(p.yellowMonths),
          p.basis,
        ]),
      ]),
      ...r.findings.map((f) => `- ${f.severity} ${f.code}: ${f.message}`),
      '',
      diffRenderers.md?.(r, c) ?? '',
      '',
      outcome(r),
    ].join('\n'),
}
