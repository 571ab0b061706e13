// `datagate matrix`: partners x datasets x fields at a date. Each cell is the form the partner
// receives (public, the operator's name, or denied and why) and the agreements that grant it.
import type { Command } from 'commander'
import type { z } from 'zod'
import type { Dataset } from '../classify/dataset.js'
import { accessMatrix } from '../policy/access-matrix.js'
import type { Policy } from '../policy/load.js'
import { type CliState, emit, examples, formatOption } from './command.js'
import { loadProject, requirePolicy } from './config.js'
import { matrixRenderers } from './reports/matrix.js'
import type { MatrixReportSchema } from './schemas.js'
import { parseDateOption } from './usage.js'

type MatrixReport = z.infer<typeof MatrixReportSchema>

/** The matrix report of `policy` over `datasets` at `at`, optionally for one partner. */
export function buildMatrixReport(
  policy: Policy,
  datasets: readonly Dataset[],
  at: Date,
  partner?: string,
): MatrixReport {
  const matrix = accessMatrix(policy, datasets, { now: () => at })
  return {
    asOf: matrix.asOf,
    policyHash: matrix.policyHash,
    cells: matrix.entries
      .filter((e) => partner === undefined || e.partner === partner)
      .map((e) => ({
        partner: e.partner,
        category: e.category,
        standing: e.standing,
        dataset: e.dataset,
        field: e.field,
        class: e.class,
        form: e.access === 'raw' ? 'public' : e.access,
        operator: e.operator,
        agreements: e.agreements.map((a) => ({ id: a.id, purpose: a.purpose })),
        reason: e.reason,
      })),
  }
}

/** Registers `datagate matrix`. */
export function matrixCommand(program: Command, state: CliState): void {
  const command = program
    .command('matrix')
    .description('what each partner receives of each field, and by which agreement')
    .option('--at <date>', 'evaluate agreements at this date (default now)')
    .option('--partner <id>', 'only this partner')
    .option('--dataset <name>', 'only this dataset')
  formatOption(command, ['text', 'json', 'md', 'csv'])
  examples(command, [
    'datagate matrix --at 2026-06-01',
    'datagate matrix --dataset customer --format csv > matrix.csv',
  ])
  command.action(
    async (options: { at?: string; partner?: string; dataset?: string; format: string }) => {
      const at = parseDateOption(options.at, '--at') ?? new Date()
      const project = await loadProject(program.opts().config, state.io.env, state.io.cwd)
      const datasets = project.datasets.filter(
        (d) => options.dataset === undefined || d.name === options.dataset,
      )
      const report = buildMatrixReport(requirePolicy(project.policy), datasets, at, options.partner)
      emit(state, matrixRenderers, options.format, report)
    },
  )
}
