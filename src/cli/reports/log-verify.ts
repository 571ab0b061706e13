// Renderers of `datagate log verify`.
import type { z } from 'zod'
import { json, type Renderers } from '../command.js'
import type { LogVerifyReportSchema } from '../schemas.js'

type LogVerifyReport = z.infer<typeof LogVerifyReportSchema>

/** text and json renderers of a log verification. */
export const logVerifyRenderers: Renderers<LogVerifyReport> = {
  text(r, c) {
    const lines = [`${r.log}: ${r.count} events, seq 0 to ${r.lastSeq}`]
    lines.push(r.ok ? c.green('chain intact') : c.red('chain BROKEN'))
    if (r.firstBroken)
      lines.push(
        c.red(
          `first broken event: seq ${r.firstBroken.seq}${r.firstBroken.line === null ? '' : ` (line ${r.firstBroken.line})`}: ${r.firstBroken.reason}: ${r.firstBroken.message}`,
        ),
      )
    lines.push(
      `anchored:   ${r.anchored ? `seq ${r.anchored.from} to ${r.anchored.through}` : 'none'}`,
    )
    lines.push(
      `unanchored: ${r.unanchored ? `seq ${r.unanchored.from} to ${r.unanchored.through}` : 'none'}`,
    )
    for (const i of r.issues)
      lines.push(
        c.red(`  issue   ${i.code}${i.line === null ? '' : ` line ${i.line}`}: ${i.message}`),
      )
    for (const w of r.warnings)
      lines.push(
        c.yellow(`  warning ${w.code}${w.line === null ? '' : ` line ${w.line}`}: ${w.message}`),
      )
    return lines.join('\n')
  },
  json,
}
