// `datagate risk FILE --qi a,b,c [--sensitive s] [--k 5]`: k-anonymity and l-diversity of
// released records (assessRisk): the smallest classes and the share of records at risk.
import type { Command } from 'commander'
import type { z } from 'zod'
import { assessRisk } from '../anonymize/risk.js'
import { type CliState, emit, examples, fail, formatOption } from './command.js'
import { readText } from './config.js'
import { parseRecords } from './records.js'
import { riskRenderers } from './reports/risk.js'
import type { RiskReportSchema } from './schemas.js'
import { usageError } from './usage.js'

type RiskReport = z.infer<typeof RiskReportSchema>

/** Registers `datagate risk`. */
export function riskCommand(program: Command, state: CliState): void {
  const command = program
    .command('risk')
    .description(
      'k-anonymity and l-diversity of records: the smallest classes and the share at risk',
    )
    .argument('<file>', 'records: a JSON array, one object a line (NDJSON)')
    .requiredOption('--qi <paths>', 'quasi-identifiers, comma-separated dot paths')
    .option('--sensitive <path>', 'the sensitive attribute, for l-diversity')
    .option('--k <k>', 'classes smaller than this put records at risk', '5')
    .option('--l <l>', 'classes with fewer distinct sensitive values are reported', '2')
  formatOption(command, ['text', 'json'])
  examples(command, [
    'datagate risk released.json --qi city,age,vehicle.model --sensitive diagnosis --k 5',
  ])
  command.action(
    async (
      file: string,
      options: { qi: string; sensitive?: string; k: string; l: string; format: string },
    ) => {
      const k = Number(options.k)
      const l = Number(options.l)
      if (!Number.isSafeInteger(k) || k < 2)
        usageError(`--k: expected an integer >= 2, got ${options.k}`)
      if (!Number.isSafeInteger(l) || l < 2)
        usageError(`--l: expected an integer >= 2, got ${options.l}`)
      const quasiIdentifiers = options.qi
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
      if (quasiIdentifiers.length === 0) usageError('--qi: name at least one field')
      const records = parseRecords(await readText(file), file)
      if (!records.every((r) => typeof r === 'object' && r !== null))
        usageError(`${file}: every record must be an object`)
      const assessment = assessRisk(records as object[], {
        quasiIdentifiers,
        k,
        diversityThreshold: l,
        ...(options.sensitive ? { sensitive: options.sensitive } : {}),
      })
      const report: RiskReport = {
        file,
        quasiIdentifiers,
        sensitive: options.sensitive ?? null,
        threshold: k,
        k: assessment.k,
        l: assessment.l ?? null,
        classes: assessment.classes,
        records: assessment.records,
        atRisk: assessment.atRisk,
        smallestClasses: assessment.smallestClasses.map((c) => ({
          size: c.size,
          classes: c.classes,
        })),
        issues: assessment.issues.map((i) => ({ code: i.code, path: i.path, message: i.message })),
      }
      emit(state, riskRenderers, options.format, report)
      if (report.issues.length > 0) fail(state, 1)
    },
  )
}
