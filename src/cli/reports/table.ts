// Plain-text tables and CSV for the renderers: columns padded to their widest cell (ANSI colour
// codes not counted), and RFC 4180 quoting for CSV.

import { stripVTControlCharacters } from 'node:util'

function width(text: string): number {
  return [...stripVTControlCharacters(text)].length
}

/** Rows of cells as an aligned table; the first row is the header. */
export function textTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = []
  for (const row of rows)
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, width(cell))
    })
  return rows
    .map((row) =>
      row
        .map((cell, i) =>
          i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - width(cell)),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/** Rows of cells as a GitHub Markdown table; the first row is the header. */
export function markdownTable(rows: readonly (readonly string[])[]): string {
  const [header, ...body] = rows
  if (!header) return ''
  const escapeCell = (cell: string) => cell.replace(/\|/g, '\\|').replace(/\n/g, ' ')
  const line = (row: readonly string[]) => `| ${row.map(escapeCell).join(' | ')} |`
  return [line(header), `|${header.map(() => ' --- |').join('')}`, ...body.map(line)].join('\n')
}

/** Rows of cells as CSV (RFC 4180: quotes doubled, fields with comma, quote or newline quoted). */
export function csv(rows: readonly (readonly (string | number)[])[]): string {
  const cell = (value: string | number) => {
    const text = String(value)
    // A leading =, +, -, @, tab or CR (OWASP) would run as a formula in a spreadsheet: quoted and prefixed.
    const safe = /^[=+\-@\t\r]/.test(text) && typeof value === 'string' ? `'${text}` : text
    return /[",\n\r]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe
  }
  return `${rows.map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`
}
