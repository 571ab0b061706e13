// `datagate explain`: for one partner, dataset and purpose, every field released (operator,
// agreement) or withheld and why; with --record, per row whether the condition held and which
// clause decided. The logic is explainRelease (policy/explain.ts), the same as gate.explain.
import type { Command } from 'commander'
import { explainRelease } from '../policy/explain.js'
import { type CliState, emit, examples, formatOption } from './command.js'
import { loadProject, readText, requirePolicy } from './config.js'
import { parseRecords } from './records.js'
import { explainRenderers } from './reports/explain.js'
import { parseDateOption, usageError } from './usage.js'

/** Registers `datagate explain`. */
export function explainCommand(program: Command, state: CliState): void {
  const command = program
    .command('explain')
    .description('why each field (and, with --record, each row) is released or withheld')
    .requiredOption('--partner <id>', 'the partner')
    .requiredOption('--dataset <name>', 'the dataset')
    .requiredOption('--purpose <purpose>', 'the purpose')
    .option('--record <file>', 'records to judge: a JSON array, one object, or NDJSON')
    .option('--at <date>', 'judge at this date (default now)')
  formatOption(command, ['text', 'json', 'md'])
  examples(command, [
    'datagate explain --partner rental-co --dataset repair_order --purpose courtesy-car',
    'datagate explain --partner rental-co --dataset repair_order --purpose courtesy-car --record orders.json --at 2026-06-01',
  ])
  command.action(
    async (options: {
      partner: string
      dataset: string
      purpose: string
      record?: string
      at?: string
      format: string
    }) => {
      const at = parseDateOption(options.at, '--at') ?? new Date()
      const project = await loadProject(program.opts().config, state.io.env, state.io.cwd)
      const policy = requirePolicy(project.policy)
      const dataset = project.datasets.find((d) => d.name === options.dataset)
      if (!dataset)
        usageError(
          `no dataset ${options.dataset}; the project has ${project.datasets.map((d) => d.name).join(', ')}`,
        )
      const rows = options.record
        ? parseRecords(await readText(options.record), options.record)
        : undefined
      const explanation = explainRelease(
        policy,
        dataset,
        { partner: options.partner, dataset: options.dataset, purpose: options.purpose },
        { at, ...(rows ? { rows } : {}) },
      )
      emit(state, explainRenderers, options.format, explanation)
    },
  )
}
