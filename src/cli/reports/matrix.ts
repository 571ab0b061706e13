// Renderers of `datagate matrix`: one grid per dataset, fields down, partners across.
import type { z } from 'zod'
import { json, type Renderers } from '../command.js'
import type { Palette } from '../io.js'
import type { MatrixReportSchema } from '../schemas.js'
import { csv, markdownTable, textTable } from './table.js'

type MatrixReport = z.infer<typeof MatrixReportSchema>
type Cell = MatrixReport['cells'][number]

function label(cell: Cell, c: Palette): string {
  if (cell.form === 'denied') return c.dim(`- ${cell.reason ?? ''}`)
  const by = cell.agreements.map((a) => a.id).join('+')
  const form = cell.form === 'public' ? 'public' : (cell.operator ?? '')
  return `${cell.form === 'public' ? c.green(form) : c.yellow(form)} (${by})`
}

function grids(
  report: MatrixReport,
  c: Palette,
  table: (rows: string[][]) => string,
  heading: (d: string) => string,
): string {
  const out: string[] = [`Access at ${report.asOf}, policy ${report.policyHash}`]
  const datasets = [...new Set(report.cells.map((cell) => cell.dataset))]
  for (const dataset of datasets) {
    const cells = report.cells.filter((cell) => cell.dataset === dataset)
    const partners = [...new Set(cells.map((cell) => cell.partner))]
    const fields = [...new Set(cells.map((cell) => cell.field))]
    const index = new Map(cells.map((cell) => [`${cell.partner}\u0000${cell.field}`, cell]))
    const rows = [['field', 'class', ...partners]]
    for (const field of fields) {
      const first = cells.find((cell) => cell.field === field)
      rows.push([
        field,
        first?.class ?? '',
        ...partners.map((p) => {
          const cell = index.get(`${p}\u0000${field}`)
          return cell ? label(cell, c) : ''
        }),
      ])
    }
    out.push('', heading(dataset), table(rows))
  }
  return out.join('\n')
}

const none: Palette = { red: String, yellow: String, green: String, dim: String, bold: String }

/** text, json, md and csv renderers of the access matrix. */
export const matrixRenderers: Renderers<MatrixReport> = {
  text: (report, c) => grids(report, c, textTable, (d) => c.bold(`dataset ${d}`)),
  json,
  md: (report) => grids(report, none, markdownTable, (d) => `### ${d}\n`),
  csv: (report) =>
    csv([
      [
        'partner',
        'category',
        'standing',
        'dataset',
        'field',
        'class',
        'form',
        'operator',
        'agreements',
        'reason',
      ],
      ...report.cells.map((cell) => [
        cell.partner,
        cell.category,
        cell.standing,
        cell.dataset,
        cell.field,
        cell.class,
        cell.form,
        cell.operator ?? '',
        cell.agreements.map((a) => `${a.id}:${a.purpose}`).join(' '),
        cell.reason ?? '',
      ]),
    ]),
}
