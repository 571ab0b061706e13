// Rows of the compliance report's own tables (record of processing, volumes), shared by the
// Markdown and HTML renderers.
import type { z } from 'zod'
import type { ComplianceReportSchema } from '../schemas.js'

type ComplianceReport = z.infer<typeof ComplianceReportSchema>

/** The record of processing as table rows (header first); shared by Markdown and HTML. */
export function processingRows(r: ComplianceReport): string[][] {
  const rows = [
    [
      'recipient',
      'agreement',
      'purpose',
      'dataset',
      'categories of data',
      'validity',
      'legal basis',
    ],
  ]
  for (const p of r.processing)
    for (const a of p.agreements)
      rows.push([
        `${p.name} (${p.partner}, ${p.category}, ${p.standing}${p.core ? ', core' : ''})`,
        a.id,
        a.purpose,
        a.dataset,
        [
          a.categories.public.length > 0 ? `public: ${a.categories.public.join(', ')}` : '',
          a.categories.desensitised.length > 0
            ? `desensitised: ${a.categories.desensitised.map((f) => `${f.path} (${f.operator})`).join(', ')}`
            : '',
        ]
          .filter(Boolean)
          .join('; '),
        `${a.validFrom} to ${a.validUntil}${a.inForce ? '' : ' (not in force)'}`,
        a.basis ?? 'not recorded',
      ])
  return rows
}

/** The notice manifest (PIPL Art. 23) as table rows (header first); shared by Markdown and HTML. */
export function noticeRows(r: ComplianceReport): string[][] {
  return [
    ['recipient', 'contact', 'role', 'agreement', 'purpose', 'method', 'categories', 'consent'],
    ...r.notices.map((n) => [
      `${n.recipient.name} (${n.partner})`,
      n.recipient.contact ?? 'not recorded',
      `${n.role}${n.roleDeclared ? '' : ' (undeclared)'}`,
      `${n.agreement}${n.inForce ? '' : ' (not in force)'}`,
      n.purpose,
      n.method.join('; '),
      n.categories.map((c) => `${c.path}${c.pii ? ` [${c.pii}]` : ''} (${c.operator})`).join(', '),
      n.consent
        ? `${n.consent.scope}, subject ${n.consent.subject}`
        : n.separateConsent
          ? 'required, not declared'
          : 'not required (entrusted: contract)',
    ]),
  ]
}

/** The volumes as table rows (header first). */
export function volumeRows(r: ComplianceReport): string[][] {
  return [
    ['month', 'partner', 'type', 'events', 'records'],
    ...r.volumes.map((v) => [v.month, v.partner, v.type, String(v.events), String(v.records)]),
  ]
}
