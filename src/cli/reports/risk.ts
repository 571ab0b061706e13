// Renderers of `datagate risk`.
import type { z } from 'zod'
import { json, type Renderers } from '../command.js'
import type { RiskReportSchema } from '../schemas.js'

type RiskReport = z.infer<typeof RiskReportSchema>

/** text and json renderers of a risk assessment. */
export const riskRenderers: Renderers<RiskReport> = {
  text(r, c) {
    const ok = r.issues.length === 0
    return [
      `${r.file}: ${r.records} records in ${r.classes} classes over ${r.quasiIdentifiers.join(', ')}`,
      (ok ? c.green : c.red)(
        `k = ${r.k} (threshold ${r.threshold})${r.l === null ? '' : `, l = ${r.l} on ${r.sensitive}`}`,
      ),
      `at risk: ${r.atRisk.records} records (${(r.atRisk.share * 100).toFixed(1)} %)`,
      `smallest classes: ${r.smallestClasses.map((s) => `${s.classes} of size ${s.size}`).join(', ') || 'none'}`,
      ...r.issues.map((i) => c.red(`  ${i.code}: ${i.message}`)),
    ].join('\n')
  },
  json,
}
