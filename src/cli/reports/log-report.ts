// Renderers of `datagate log report`: the ledger, the refusals and the totals, types apart.
import type { z } from 'zod'
import { json, type Renderers } from '../command.js'
import type { Palette } from '../io.js'
import type { LogReportSchema } from '../schemas.js'
import { csv, markdownTable, textTable } from './table.js'

type LogReport = z.infer<typeof LogReportSchema>

const fieldList = (fields: LogReport['entries'][number]['fields']) =>
  fields.map((f) => (f.operator === 'keep' ? f.path : `${f.path}:${f.operator}`)).join(' ')

/**
 * The released entries as table rows (header first), by day; shared with the compliance report.
 * `fields` writes an entry's fields with their operators.
 */
export function ledgerRows(r: LogReport, fields = fieldList): string[][] {
  return [
    ['date', 'type', 'partner', 'category', 'dataset', 'purpose', 'agreement', 'records', 'fields'],
    ...r.entries.map((e) => [
      e.time.slice(0, 10),
      e.type,
      e.partner,
      e.category ?? '?',
      e.dataset,
      e.purpose,
      e.agreement,
      String(e.records),
      fields(e.fields),
    ]),
  ]
}

/** The 304s (nothing released: the partner already held the view) as table rows (header first). */
export function notModifiedRows(r: LogReport): string[][] {
  return [
    ['date', 'partner', 'category', 'dataset', 'purpose', 'agreement', 'records held', 'digest'],
    ...r.notModified.map((n) => [
      n.time.slice(0, 10),
      n.partner,
      n.category ?? '?',
      n.dataset,
      n.purpose,
      n.agreement,
      String(n.records),
      n.payloadDigest,
    ]),
  ]
}

/** The refused attempts as table rows (header first), by day; shared with the compliance report. */
export function deniedRows(r: LogReport): string[][] {
  return [
    ['date', 'partner', 'category', 'dataset', 'purpose', 'code'],
    ...r.denied.map((d) => [
      d.time.slice(0, 10),
      d.partner,
      d.category ?? '?',
      d.dataset,
      d.purpose,
      d.code,
    ]),
  ]
}

function render(
  r: LogReport,
  c: Palette,
  table: (rows: string[][]) => string,
  heading: (t: string) => string,
): string {
  const out = [
    `Sharing ledger of ${r.log}${r.from || r.to ? ` from ${r.from ?? 'the start'} to ${r.to ?? 'the end'}` : ''}`,
    r.chain.ok
      ? c.green('chain links intact (run datagate log verify for checkpoints and receipts)')
      : c.red(`chain BROKEN at seq ${r.chain.firstBrokenSeq}: run datagate log verify`),
    '',
    heading(`Released (${r.entries.length})`),
    table(ledgerRows(r)),
    '',
    heading(`Denied (${r.denied.length})`),
    table(deniedRows(r)),
  ]
  // Only when there are any: 304s need `conditional: true` on a route.
  if (r.notModified.length > 0)
    out.push(
      '',
      heading(`Not modified, nothing released (${r.notModified.length})`),
      table(notModifiedRows(r)),
    )
  for (const [title, rows, key] of [
    ['Totals per partner', r.totals.byPartner, 'partner'],
    ['Totals per month', r.totals.byMonth, 'month'],
    ['Totals per purpose', r.totals.byPurpose, 'purpose'],
  ] as const) {
    out.push(
      '',
      heading(title),
      table([
        [key, 'type', 'events', 'records'],
        ...rows.map((t) => [
          String((t as Record<string, unknown>)[key]),
          t.type,
          String(t.events),
          t.type === 'denied' || t.type === 'not-modified' ? '-' : String(t.records),
        ]),
      ]),
    )
  }
  const missing = r.policies.filter((p) => !p.inLog)
  if (missing.length > 0)
    out.push(
      '',
      c.yellow(
        `${missing.length} policy hash(es) named by events have no policy event in the log: categories shown as ?`,
      ),
    )
  return out.join('\n')
}

const none: Palette = { red: String, yellow: String, green: String, dim: String, bold: String }

/** text, json, csv and md renderers of the ledger. */
export const logReportRenderers: Renderers<LogReport> = {
  text: (r, c) => render(r, c, textTable, (t) => c.bold(t)),
  json,
  md: (r) => render(r, none, markdownTable, (t) => `### ${t}\n`),
  csv: (r) =>
    csv([
      [
        'seq',
        'time',
        'type',
        'partner',
        'category',
        'dataset',
        'purpose',
        'agreement',
        'records',
        'fields',
        'code',
        'policyHash',
      ],
      ...r.entries.map((e) => [
        e.seq,
        e.time,
        e.type,
        e.partner,
        e.category ?? '',
        e.dataset,
        e.purpose,
        e.agreement,
        e.records,
        fieldList(e.fields),
        '',
        e.policyHash,
      ]),
      ...r.denied.map((d) => [
        d.seq,
        d.time,
        'denied',
        d.partner,
        d.category ?? '',
        d.dataset,
        d.purpose,
        '',
        0,
        '',
        d.code,
        d.policyHash,
      ]),
      // records 0: nothing was released (the held view's records and digest are in --format json).
      ...r.notModified.map((n) => [
        n.seq,
        n.time,
        'not-modified',
        n.partner,
        n.category ?? '',
        n.dataset,
        n.purpose,
        n.agreement,
        0,
        '',
        '',
        n.policyHash,
      ]),
    ]),
}
