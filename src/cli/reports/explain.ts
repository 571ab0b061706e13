// Renderers of `datagate explain`.
import type { Explanation } from '../../policy/explain.js'
import { json, type Renderers } from '../command.js'
import type { Palette } from '../io.js'
import { markdownTable, textTable } from './table.js'

const REASONS: Readonly<Record<string, string>> = {
  unknown_partner: 'no such partner',
  sensitive: 'sensitive: never leaves',
  not_core: 'desensitised: core partners only',
  suspended: 'partner suspended (yellow card)',
  revoked: 'partner terminated',
  no_agreement: 'no agreement for this dataset and purpose',
  not_in_force: 'no agreement in force at this date',
  not_granted: 'not granted by the agreement',
}

function clauseText(c: { field: string; operator: string; operand: unknown }): string {
  return `${c.field} ${c.operator} ${JSON.stringify(c.operand)}`
}

function render(e: Explanation, c: Palette, table: (rows: string[][]) => string): string {
  const head = [
    `${e.partner} / ${e.dataset} / ${e.purpose} at ${e.at}`,
    e.refusal
      ? c.red(`refused: ${e.refusal.code}: ${e.refusal.message}`)
      : c.green(`released under agreement ${e.agreement?.id}`),
    ...e.candidates.map(
      (a) =>
        `  agreement ${a.id}: ${a.validFrom.slice(0, 10)} to ${a.validUntil.slice(0, 10)}${a.inForce ? ' (in force)' : ' (not in force)'}`,
    ),
    ...(e.cap === null ? [] : [`  record cap per release: ${e.cap}`]),
    ...(e.consent === undefined
      ? []
      : [
          `  consent: rows only of subjects (${e.consent.subject}) holding ${e.consent.scope} at release time; not asked here`,
        ]),
    '',
  ]
  const fields = table([
    ['field', 'class', 'decision', 'why'],
    ...e.fields.map((f) => [
      f.path,
      f.class,
      f.released ? c.green(`released: ${f.operator}`) : c.dim('withheld'),
      f.released ? `agreement ${f.agreement}` : f.reasons.map((r) => REASONS[r] ?? r).join('; '),
    ]),
  ])
  const rows =
    e.rows === undefined
      ? []
      : [
          '',
          table([
            ['row', 'decision', 'decided by', 'clauses'],
            ...e.rows.map((r) => [
              String(r.index),
              r.released ? c.green('released') : c.dim(`withheld: ${r.reason}`),
              r.decidedBy
                ? `${clauseText(r.decidedBy)} did not hold`
                : r.reason === 'record_invalid'
                  ? 'the schema'
                  : r.clauses.length > 0
                    ? 'every clause held'
                    : 'no condition',
              r.clauses.map((cl) => `${clauseText(cl)}: ${cl.held ? 'held' : 'failed'}`).join(', '),
            ]),
          ]),
        ]
  return [...head, fields, ...rows].join('\n')
}

const none: Palette = { red: String, yellow: String, green: String, dim: String, bold: String }

/** text, json and md renderers of an explanation. */
export const explainRenderers: Renderers<Explanation> = {
  text: (e, c) => render(e, c, textTable),
  json,
  md: (e) => render(e, none, markdownTable),
}
