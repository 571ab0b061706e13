// Renderers of `datagate trace`.
import type { z } from 'zod'
import { json, type Renderers } from '../command.js'
import type { TraceReportSchema } from '../schemas.js'

type TraceReport = z.infer<typeof TraceReportSchema>

const SIGNALS = ['exports', 'watermarks', 'pseudonyms', 'records', 'masked', 'fieldSet'] as const

/** text and json renderers of a leak trace. */
export const traceRenderers: Renderers<TraceReport> = {
  text(r, c) {
    const basis = [
      r.basis.source ? `source ${r.basis.source}` : 'no source',
      r.basis.pseudonymKey ? 'pseudonym key' : 'no pseudonym key',
      r.basis.watermarkKey
        ? `watermark key (${r.basis.periods.length === 0 ? 'no period' : `${r.basis.periods[0]} to ${r.basis.periods.at(-1)}`})`
        : 'no watermark key',
      r.basis.audit ? `audit ${r.basis.audit} (${r.basis.auditEvents} events)` : 'no audit log',
    ]
    const lines = [
      `${r.file}: ${r.leakedRecords} leaked records of ${r.dataset} (${r.input})`,
      `compared with: ${basis.join(', ')}`,
      '',
    ]
    r.partners.forEach((p, i) => {
      const colour =
        p.confidence === 'conclusive' || p.confidence === 'strong' ? c.red : (s: string) => s
      const found = SIGNALS.filter((s) => p.signals[s] > 0).map((s) => `${s} ${p.signals[s]}`)
      lines.push(
        colour(`${i + 1}. ${p.partner} (${p.name}): ${p.confidence}, score ${p.score.toFixed(3)}`),
        `   ${found.length === 0 ? 'no match' : found.join(', ')}`,
      )
      for (const w of p.watermarkPeriods)
        lines.push(`   watermark rows of ${w.agreement} for ${w.period}: ${w.rows}`)
      for (const e of p.exportEvents)
        lines.push(
          `   ${e.type} seq ${e.seq} at ${e.time} (${e.agreement}${e.jti ? `, jti ${e.jti}` : ''})`,
        )
      if (p.period) lines.push(`   received: ${p.period.from} to ${p.period.to}`)
    })
    return lines.join('\n')
  },
  json,
}
