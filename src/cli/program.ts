// The `datagate` program: commander with every command, usage errors mapped to exit 2 (commander
// itself would exit 1) with its "did you mean" suggestion, help with examples on every command.
import { Command, CommanderError } from 'commander'
import { type CliState, examples } from './command.js'
import { diffCommand } from './diff.js'
import { explainCommand } from './explain.js'
import { type CliIo, neutralise } from './io.js'
import { keysCommand } from './keys.js'
import { lintCommand } from './lint.js'
import { logReportCommand } from './log-report.js'
import { logVerifyCommand } from './log-verify.js'
import { matrixCommand } from './matrix.js'
import { reportCommand } from './report.js'
import { riskCommand } from './risk.js'
import { scanCommand } from './scan.js'
import { standingCommand } from './standing.js'
import { testCommand } from './test-cases.js'
import { traceCommand } from './trace.js'
import { isInputError } from './usage.js'

const COMMANDS = [lintCommand, matrixCommand, explainCommand, testCommand, diffCommand]

/** Builds the program over `state`. */
export function buildProgram(state: CliState, version: string): Command {
  const program = new Command('datagate')
    .description('datagate for compliance staff: what leaves, to whom, why, and proof of it')
    .version(version, '-V, --version')
    .option(
      '-c, --config <file>',
      'project config (default: $DATAGATE_CONFIG, else datagate.config.* found upward)',
    )
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => state.io.stdout.write(text),
      writeErr: (text) => state.io.stderr.write(text),
    })
  program.addHelpText(
    'after',
    '\nExit codes: 0 clean, 1 findings of severity error, 2 bad usage or unreadable input, 3 internal error.\n\nExample:\n  $ datagate lint --config ./datagate.config.yaml\n',
  )
  for (const register of COMMANDS) register(program, state)
  scanCommand(program, state, version)
  riskCommand(program, state)
  keysCommand(program, state)
  reportCommand(program, state)
  traceCommand(program, state)
  standingCommand(program, state)
  const log = program.command('log').description('the audit log: verify it, report what was shared')
  examples(log, [
    'datagate log verify audit.jsonl --jwks jwks.json',
    'datagate log report --month 2026-06',
  ])
  logVerifyCommand(log, program, state)
  logReportCommand(log, program, state)
  // Subcommands inherit the overrides, so their usage errors also reach run() as exceptions.
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)]
  for (const command of all(program).slice(1))
    command
      .exitOverride()
      .showSuggestionAfterError(true)
      .configureOutput({
        writeOut: (text) => state.io.stdout.write(text),
        writeErr: (text) => state.io.stderr.write(text),
      })
  return program
}

/** Runs the bin with `argv` (without node and the script); resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo, version: string): Promise<number> {
  const state: CliState = { io, exitCode: 0 }
  const program = buildProgram(state, version)
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return state.exitCode
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version "fail" with exit code 0; everything else is a usage error.
      if (error.exitCode === 0) return 0
      return 2
    }
    if (isInputError(error)) {
      io.stderr.write(`datagate: ${neutralise(error.message, false)} (${error.code})\n`)
      return 2
    }
    io.stderr.write(
      `datagate: internal error: ${neutralise((error as Error)?.stack ?? String(error), false)}\n`,
    )
    return 3
  }
}
