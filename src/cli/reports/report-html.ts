// The compliance report as one self-contained HTML page: inline CSS (with a print stylesheet),
// the chart as inline SVG with a table beside it, no script, font or request of any kind.
// Every value from the policy or the log goes through `esc`: a partner named `<script>` is text.
import type { z } from 'zod'
import type { ComplianceReportSchema } from '../schemas.js'
import { deniedRows, ledgerRows } from './log-report.js'
import { noticeRows, processingRows, volumeRows } from './report-rows.js'

type ComplianceReport = z.infer<typeof ComplianceReportSchema>
type Cell = ComplianceReport['matrix']['cells'][number]

// Hand-written: the five characters of HTML text and attribute escaping are the whole rule set,
// and no template engine is worth a dependency of the bin for it.
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}
const esc = (value: unknown) => String(value).replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch)

/** A semantic table: caption, column headers with scope, the first cell of a row as its header. */
function table(caption: string, rows: readonly (readonly string[])[], cls = ''): string {
  const [head, ...body] = rows
  if (!head) return ''
  return `<table${cls ? ` class="${cls}"` : ''}><caption>${esc(caption)}</caption><thead><tr>${head
    .map((h) => `<th scope="col">${esc(h)}</th>`)
    .join('')}</tr></thead><tbody>${body
    .map(
      (row) =>
        `<tr>${row.map((c, i) => (i === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`,
    )
    .join('')}</tbody></table>`
}

function cellHtml(cell: Cell | undefined): string {
  if (!cell) return '<td class="cell none">not in dataset</td>'
  const by = cell.agreements.map((a) => a.id).join(' + ')
  if (cell.form === 'denied')
    return `<td class="cell denied">denied${cell.reason ? `: ${esc(cell.reason)}` : ''}</td>`
  const form = cell.form === 'public' ? 'public' : `transformed: ${cell.operator ?? ''}`
  return `<td class="cell ${cell.form}">${esc(form)}<br><small>by ${esc(by)}</small></td>`
}

function matrixHtml(r: ComplianceReport): string {
  const cells = r.matrix.cells
  return [...new Set(cells.map((c) => c.dataset))]
    .map((dataset) => {
      const own = cells.filter((c) => c.dataset === dataset)
      const partners = [...new Set(own.map((c) => c.partner))]
      const fields = [...new Set(own.map((c) => c.field))]
      const at = new Map(own.map((c) => [`${c.partner}\u0000${c.field}`, c]))
      const head = `<tr><th scope="col">field</th><th scope="col">class</th>${partners.map((p) => `<th scope="col">${esc(p)}</th>`).join('')}</tr>`
      const body = fields
        .map((f) => {
          const klass = own.find((c) => c.field === f)?.class ?? ''
          return `<tr><th scope="row">${esc(f)}</th><td>${esc(klass)}</td>${partners.map((p) => cellHtml(at.get(`${p}\u0000${f}`))).join('')}</tr>`
        })
        .join('')
      return `<table class="grid"><caption>Dataset ${esc(dataset)}: what each partner receives</caption><thead>${head}</thead><tbody>${body}</tbody></table>`
    })
    .join('')
}

const TYPE_COLOURS = { release: '#1b5e9a', export: '#2e7d32', delta: '#a34e00', stream: '#6a3d9a' }

/** Stacked bars: one per partner and month, one segment per type (types are never summed into one). */
function chartSvg(r: ComplianceReport): string {
  if (r.volumes.length === 0) return '<p>No records were released in the period.</p>'
  const months = [...new Set(r.volumes.map((v) => v.month))].sort()
  const partners = [...new Set(r.volumes.map((v) => v.partner))].sort()
  const total = (p: string, m: string) =>
    r.volumes.filter((v) => v.partner === p && v.month === m).reduce((n, v) => n + v.records, 0)
  const max = Math.max(1, ...months.flatMap((m) => partners.map((p) => total(p, m))))
  const [bar, gap] = [34, 30]
  const group = partners.length * (bar + gap) + 24
  const [left, top, plot] = [52, 16, 180]
  const width = left + months.length * group + 16
  const height = top + plot + 64
  const parts: string[] = []
  parts.push(
    `<line x1="${left}" y1="${top + plot}" x2="${width - 8}" y2="${top + plot}" stroke="#333"/>`,
    `<text x="${left - 6}" y="${top + 4}" text-anchor="end" font-size="11">${max}</text>`,
    `<text x="${left - 6}" y="${top + plot}" text-anchor="end" font-size="11">0</text>`,
    `<text x="12" y="${top + plot / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 12 ${top + plot / 2})">records</text>`,
  )
  months.forEach((m, mi) => {
    const gx = left + mi * group + 12
    parts.push(
      `<text x="${gx + (group - 24) / 2}" y="${top + plot + 44}" text-anchor="middle" font-size="12" font-weight="600">${esc(m)}</text>`,
    )
    partners.forEach((p, pi) => {
      const x = gx + pi * (bar + gap) + gap / 2
      let y = top + plot
      for (const v of r.volumes.filter((v) => v.partner === p && v.month === m)) {
        const h = (v.records / max) * plot
        y -= h
        parts.push(
          `<rect class="bar" x="${x}" y="${y.toFixed(1)}" width="${bar}" height="${h.toFixed(1)}" fill="${TYPE_COLOURS[v.type]}"><title>${esc(`${p}, ${m}, ${v.type}: ${v.records} records`)}</title></rect>`,
        )
      }
      parts.push(
        `<text x="${x + bar / 2}" y="${top + plot + 14}" text-anchor="middle" font-size="10">${esc(p.slice(0, 10))}</text>`,
      )
    })
  })
  const legend = Object.entries(TYPE_COLOURS)
    .map(
      ([type, colour]) =>
        `<span class="key"><span class="swatch" style="background:${colour}"></span>${type}</span>`,
    )
    .join(' ')
  return `<figure><svg class="chart" role="img" aria-labelledby="chart-title chart-desc" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">Records released per partner and month</title><desc id="chart-desc">One bar per partner and month, stacked by type (release, export, delta, stream); the table below holds the same figures.</desc>${parts.join('')}</svg><figcaption>Records per partner and month, by type: ${legend}</figcaption></figure>${table('Release volumes per partner and month (the chart as a table)', volumeRows(r))}`
}

function chainHtml(r: ComplianceReport): string {
  const c = r.chain
  if (!c) return '<p>No audit log is configured.</p>'
  const status = c.ok
    ? '<p class="status ok">Chain intact</p>'
    : `<p class="status broken">Chain BROKEN${c.firstBroken ? ` at seq ${c.firstBroken.seq}${c.firstBroken.line === null ? '' : ` (line ${c.firstBroken.line})`}: ${esc(c.firstBroken.reason)}: ${esc(c.firstBroken.message)}` : ''}</p>`
  const range = (x: { from: number; through: number } | null) =>
    x ? `seq ${x.from} to ${x.through}` : 'none'
  return `${status}${table('Audit log verification', [
    ['log', 'events', 'last seq', 'anchored', 'unanchored', 'issues', 'warnings'],
    [
      c.log,
      String(c.count),
      String(c.lastSeq),
      range(c.anchored),
      range(c.unanchored),
      c.issues.map((i) => `${i.code}: ${i.message}`).join('; ') || 'none',
      c.warnings.map((i) => `${i.code}: ${i.message}`).join('; ') || 'none',
    ],
  ])}`
}

function ledgerHtml(r: ComplianceReport): { ledger: string; denied: string } {
  const l = r.ledger
  if (!l)
    return {
      ledger: '<p>No audit log is configured.</p>',
      denied: '<p>No audit log is configured.</p>',
    }
  const ledger = table(
    `Released (${l.entries.length})`,
    ledgerRows(l, (fields) =>
      fields.map((f) => (f.operator === 'keep' ? f.path : `${f.path}: ${f.operator}`)).join(', '),
    ),
  )
  const denied = table(`Denied attempts (${l.denied.length})`, deniedRows(l))
  return { ledger, denied }
}

const CSS = `body{font:15px/1.45 system-ui,sans-serif;color:#1a1a1a;background:#fff;margin:2rem;max-width:80rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #999}
table{border-collapse:collapse;margin:.75rem 0;font-size:.9rem}caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #888;padding:.3rem .5rem;text-align:left;vertical-align:top}thead th{background:#e8e8e8}
.cell.public{background:#d8f0dc;color:#0b3d17}.cell.transformed{background:#fff1c2;color:#4a3500}
.cell.denied{background:#f0f0f0;color:#3a3a3a}.cell.none{color:#3a3a3a}
.status.ok{color:#0b5d1e;font-weight:600}.status.broken{color:#9b1111;font-weight:700}
.key{margin-right:.75rem}.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.3em;border:1px solid #333}
code{font-size:.85rem;word-break:break-all}
@media print{body{margin:0;font-size:10pt;max-width:none}h2{break-after:avoid}tr,figure{break-inside:avoid}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}thead{display:table-header-group}}`

/** The report as a complete HTML document. */
export function reportHtml(r: ComplianceReport): string {
  const title = `Compliance report ${r.month ?? '(whole log)'}: ${r.policy.issuer}`
  const findings = r.lint.findings.length
    ? table(`${r.lint.errors} error(s), ${r.lint.warnings} warning(s)`, [
        ['severity', 'code', 'where', 'message'],
        ...r.lint.findings.map((f) => [
          f.severity,
          f.code,
          [f.partner, f.agreement, f.dataset, f.field].filter(Boolean).join(' / ') || f.path,
          f.message,
        ]),
      ])
    : '<p>No findings.</p>'
  const { ledger, denied } = ledgerHtml(r)
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><header><h1>${esc(title)}</h1><p>As of ${esc(r.asOf)}.</p></header><main>
<section aria-labelledby="s-policy"><h2 id="s-policy">Policy</h2>${table('Policy summary', [
    ['policy', 'issuer', 'partners', 'agreements', 'datasets'],
    [
      r.policy.file,
      r.policy.issuer,
      String(r.policy.partners),
      String(r.policy.agreements),
      r.policy.datasets.join(', '),
    ],
  ])}<p>Policy hash: <code>${esc(r.policy.hash)}</code></p></section>
<section aria-labelledby="s-matrix"><h2 id="s-matrix">Access matrix</h2><p>Each cell names the form a partner receives (public, transformed with its operator, or denied and why) and the agreement that grants it.</p>${matrixHtml(r)}</section>
<section aria-labelledby="s-lint"><h2 id="s-lint">Lint findings</h2>${findings}</section>
<section aria-labelledby="s-chain"><h2 id="s-chain">Chain status</h2>${chainHtml(r)}</section>
<section aria-labelledby="s-ledger"><h2 id="s-ledger">Sharing ledger</h2>${ledger}</section>
<section aria-labelledby="s-volumes"><h2 id="s-volumes">Release volumes</h2>${chartSvg(r)}</section>
<section aria-labelledby="s-denied"><h2 id="s-denied">Denied attempts</h2>${denied}</section>
<section aria-labelledby="s-processing"><h2 id="s-processing">Record of processing</h2>${table('Per partner and agreement: purpose, categories of data, recipient, validity, legal basis', processingRows(r))}</section>
<section aria-labelledby="s-notices"><h2 id="s-notices">Notice manifest (PIPL Art. 23)</h2>${r.notices.length > 0 ? table('Per agreement that releases personal information: recipient and contact, purpose, method, categories of data, consent', noticeRows(r)) : '<p>No agreement releases personal information.</p>'}</section>
</main></body></html>
`
}
