// Renderers of `datagate report --year`: text and Markdown tables, one self-contained HTML page
// (no script, every value escaped), JSON as is.
import type { z } from 'zod'
import { json, type Renderers } from '../command.js'
import type { Palette } from '../io.js'
import type { YearReportSchema } from '../schemas.js'
import { markdownTable, textTable } from './table.js'

type YearReport = z.infer<typeof YearReportSchema>

const count = (n: number | null) => (n === null ? '-' : String(n))
const tags = (list: readonly { path: string; kind: string }[]) =>
  list.length === 0 ? '-' : list.map((t) => `${t.path} (${t.kind})`).join(', ')

/** The sharing rows: per partner, purpose, dataset and region. */
export function sharingRows(r: YearReport): string[][] {
  return [
    [
      'partner',
      'purpose',
      'dataset',
      'region',
      'important data',
      'sensitive PI',
      'assessment',
      'events',
      'records',
    ],
    ...r.sharing.map((s) => [
      s.partner,
      s.purpose,
      s.dataset,
      s.overseas === null
        ? 'unknown (no policy event in the log)'
        : s.overseas
          ? `${s.region} (overseas)`
          : s.region,
      tags(s.important),
      tags(s.sensitivePI),
      s.assessments.join(', ') || (s.overseas !== false && s.important.length > 0 ? 'NONE' : '-'),
      String(s.events),
      String(s.records),
    ]),
  ]
}

/** The people counts: handler-wide, overseas, and per partner. */
export function subjectRows(r: YearReport): string[][] {
  const t = r.thresholds
  return [
    ['counter', 'people (estimate)', 'threshold'],
    ['all partners', count(r.subjects.all), `> ${t.importantData.individuals} is important data`],
    [
      'overseas',
      count(r.subjects.overseas),
      `>= ${t.crossBorder.filing} filing, >= ${t.crossBorder.assessment} assessment`,
    ],
    [
      'overseas, sensitive PI',
      count(r.subjects.overseasSensitivePI),
      `>= ${t.crossBorder.sensitivePI} assessment`,
    ],
    ...r.subjects.partners.map((p) => [
      `partner ${p.partner}`,
      p.sensitivePI === null
        ? count(p.subjects)
        : `${count(p.subjects)} (sensitive PI ${p.sensitivePI})`,
      '',
    ]),
  ]
}

function findingLines(r: YearReport, colours: Palette): string[] {
  if (r.findings.length === 0) return ['No threshold crossed.']
  return r.findings.map(
    (f) =>
      `${f.severity === 'error' ? colours.red('error') : colours.yellow('warning')} ${f.code}: ${f.message}`,
  )
}

function text(r: YearReport, colours: Palette): string {
  return [
    colours.bold(
      `Important data and sensitive personal information shared in ${r.year} (${r.timeZone})`,
    ),
    `policy ${r.policy.file} (${r.policy.hash}); log ${r.log ?? 'none configured'}${r.chainOk === false ? colours.red(' (chain broken)') : ''}`,
    '',
    r.sharing.length > 0
      ? textTable(sharingRows(r))
      : 'No important data or sensitive personal information was shared.',
    '',
    textTable(subjectRows(r)),
    '',
    ...findingLines(r, colours),
  ].join('\n')
}

const none: Palette = { red: String, yellow: String, green: String, dim: String, bold: String }

function markdown(r: YearReport): string {
  return [
    `# Important data and sensitive personal information, ${r.year}\n`,
    `Calendar year in ${r.timeZone} (UTC+8): ${r.from} to ${r.to}. Policy \`${r.policy.file}\` (${r.policy.hash}); log ${r.log ? `\`${r.log}\`` : 'none configured'}${r.chainOk === false ? ' (**chain broken**)' : ''}.\n`,
    '## Shared, per partner, purpose and region\n',
    r.sharing.length > 0 ? markdownTable(sharingRows(r)) : 'None.',
    '\n## People counted\n',
    markdownTable(subjectRows(r)),
    '\n## Thresholds crossed\n',
    findingLines(r, none)
      .map((l) => (r.findings.length > 0 ? `- ${l}` : l))
      .join('\n'),
  ].join('\n')
}

// The five characters of HTML text and attribute escaping (as report-html.ts).
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}
const esc = (value: unknown) => String(value).replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch)

function htmlTable(caption: string, rows: readonly (readonly string[])[]): string {
  const [head, ...body] = rows
  if (!head) return ''
  return `<table><caption>${esc(caption)}</caption><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${body
    .map(
      (row) =>
        `<tr>${row.map((c, i) => (i === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`,
    )
    .join('')}</tbody></table>`
}

function html(r: YearReport): string {
  const title = `Important data and sensitive personal information, ${r.year}`
  const findings =
    r.findings.length === 0
      ? '<p>No threshold crossed.</p>'
      : `<ul>${r.findings.map((f) => `<li class="${f.severity}"><strong>${esc(f.severity)}</strong> ${esc(f.code)}: ${esc(f.message)}</li>`).join('')}</ul>`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#111}table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left;vertical-align:top}caption{font-weight:600;text-align:left;padding:.25rem 0}.error strong{color:#a00}.warning strong{color:#850}@media print{body{margin:0}}</style>
</head><body><main><h1>${esc(title)}</h1>
<p>Calendar year in ${esc(r.timeZone)} (UTC+8): ${esc(r.from)} to ${esc(r.to)}. Policy ${esc(r.policy.file)} (${esc(r.policy.hash)}); log ${esc(r.log ?? 'none configured')}${r.chainOk === false ? ' <strong>(chain broken)</strong>' : ''}.</p>
<h2>Shared, per partner, purpose and region</h2>
${r.sharing.length > 0 ? htmlTable('Important data and sensitive personal information shared', sharingRows(r)) : '<p>None.</p>'}
<h2>People counted</h2>
${htmlTable('Distinct people (HyperLogLog estimates, standard error 0.81 %)', subjectRows(r))}
<h2>Thresholds crossed</h2>
${findings}
</main></body></html>
`
}

/** text, md, html and json renderers of the yearly report. */
export const yearReportRenderers: Renderers<YearReport> = {
  text,
  md: (r) => markdown(r),
  html: (r) => html(r),
  json,
}
