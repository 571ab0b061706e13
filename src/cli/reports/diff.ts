// Renderers of `datagate diff`.
import type { z } from 'zod'
import { json, type Renderers } from '../command.js'
import type { Palette } from '../io.js'
import type { DiffReportSchema } from '../schemas.js'
import { markdownTable } from './table.js'

type DiffReport = z.infer<typeof DiffReportSchema>

function mark(direction: string, c: Palette): string {
  return direction === 'widen'
    ? c.red('WIDEN ')
    : direction === 'narrow'
      ? c.green('narrow')
      : c.yellow('change')
}

/** text, json and md renderers of a policy diff. */
export const diffRenderers: Renderers<DiffReport> = {
  text(r, c) {
    const lines = [
      `${r.old.file} (${r.old.policyHash.slice(0, 19)}…) -> ${r.new.file} (${r.new.policyHash.slice(0, 19)}…)`,
    ]
    let partner = ''
    for (const change of r.changes) {
      if (change.partner !== partner) {
        partner = change.partner
        lines.push('', c.bold(`partner ${partner}`))
      }
      lines.push(
        `  ${mark(change.direction, c)} ${change.agreement ? `${change.agreement}: ` : ''}${change.message}`,
      )
    }
    lines.push('', `${r.widened} widening, ${r.narrowed} narrowing, ${r.changed} other change(s)`)
    return lines.join('\n')
  },
  json,
  md: (r) =>
    [
      `## Policy change: ${r.widened} widening, ${r.narrowed} narrowing, ${r.changed} other`,
      '',
      r.changes.length === 0
        ? 'No change in what leaves.'
        : markdownTable([
            ['direction', 'partner', 'agreement', 'kind', 'change'],
            ...r.changes.map((x) => [x.direction, x.partner, x.agreement ?? '', x.kind, x.message]),
          ]),
    ].join('\n'),
}
