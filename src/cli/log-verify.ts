// `datagate log verify [LOG]`: the chain, signed checkpoints (in the log and copies kept
// elsewhere) and partner receipts, through verifyAuditLog. Names the first broken event by seq
// and line and prints the anchored and unanchored ranges. Keys come from --jwks, the config's
// `jwks` or DATAGATE_JWKS (a file): never from the log's own folder.
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Command } from 'commander'
import type { z } from 'zod'
import type { Finding } from '../errors.js'
import { readCheckpoints } from '../export/audit-file.node.js'
import type { AuditReceipt } from '../export/audit-receipt.js'
import { verifyAuditLog } from '../export/audit-verify-log.js'
import { type CliState, emit, examples, fail, formatOption } from './command.js'
import { findConfig, readConfig, readText } from './config.js'
import { chooseLog, type LogSource, openLogSource } from './log-source.js'
import { logVerifyRenderers } from './reports/log-verify.js'
import type { LogVerifyReportSchema } from './schemas.js'
import { usageError } from './usage.js'

type LogVerifyReport = z.infer<typeof LogVerifyReportSchema>

/** The config's audit, jwks and checkpoints, when a config is found (log commands work without one). */
export async function logDefaults(program: Command, state: CliState) {
  const explicit = program.opts().config as string | undefined
  try {
    return await readConfig(findConfig(explicit, state.io.env, state.io.cwd))
  } catch (error) {
    if (explicit !== undefined || state.io.env.DATAGATE_CONFIG) throw error
    return undefined
  }
}

/** Reads a JWKS file; a usage error when it is not one. */
export async function readJwks(file: string): Promise<{ keys: object[] }> {
  const text = await readText(file)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    usageError(`${file} is not JSON (expected a JWKS { "keys": [...] })`)
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    !Array.isArray((value as { keys?: unknown }).keys)
  )
    usageError(`${file} is not a JWKS: expected { "keys": [...] }`)
  return value as { keys: object[] }
}

/** Every receipt in a folder: a file holds a token, a JSON { token, payload? }, or a JSON array of them. */
async function readReceipts(dir: string): Promise<AuditReceipt[]> {
  let names: string[]
  try {
    names = (await readdir(dir)).filter((n) => !n.startsWith('.')).sort()
  } catch (error) {
    return usageError(
      `cannot read receipts folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    )
  }
  const out: AuditReceipt[] = []
  for (const name of names) {
    const text = (await readText(join(dir, name))).trim()
    if (text === '') continue
    if (text.startsWith('{') || text.startsWith('[')) {
      const value: unknown = JSON.parse(text)
      for (const item of Array.isArray(value) ? value : [value]) out.push(item as AuditReceipt)
    } else out.push(...text.split(/\s+/))
  }
  return out
}

/** Progress on standard error, only when it is a terminal. */
async function* withProgress(
  source: AsyncIterable<unknown>,
  state: CliState,
  seen: { lastSeq: number; lastPlain: number },
) {
  const tty = state.io.stderr.isTTY === true
  let n = 0
  for await (const event of source) {
    const { seq, type } = (event ?? {}) as { seq?: unknown; type?: unknown }
    if (typeof seq === 'number' && Number.isSafeInteger(seq)) {
      seen.lastSeq = Math.max(seen.lastSeq, seq)
      // A checkpoint signs what came before it; only the other events need an anchor.
      if (type !== 'checkpoint') seen.lastPlain = Math.max(seen.lastPlain, seq)
    }
    n++
    if (tty && n % 1000 === 0) state.io.stderr.write(`\rverifying: ${n} events`)
    yield event
  }
  if (tty && n >= 1000) state.io.stderr.write(`\rverifying: ${n} events, done\n`)
}

function lineOf(source: LogSource, path: string): number | null {
  const match = /^\[(\d+)\]/.exec(path)
  return match ? (source.locate(Number(match[1])).line ?? null) : null
}

/** Verifies `source`; the report the command prints. */
export async function verifyLog(
  source: LogSource,
  options: {
    jwks?: { keys: object[] }
    receipts?: AuditReceipt[]
    checkpoints?: string[]
    issuer?: string
    maxUnanchoredMs?: number
  },
  state: CliState,
): Promise<LogVerifyReport> {
  const seen = { lastSeq: -1, lastPlain: -1 }
  const report = await verifyAuditLog(withProgress(source.events(), state, seen), {
    ...(options.jwks ? { jwks: options.jwks as never } : {}),
    ...(options.receipts ? { receipts: options.receipts } : {}),
    ...(options.checkpoints ? { checkpoints: options.checkpoints } : {}),
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.maxUnanchoredMs === undefined ? {} : { maxUnanchoredMs: options.maxUnanchoredMs }),
  })
  const located = (f: Finding) => ({
    code: f.code,
    path: f.path,
    message: f.message,
    line: lineOf(source, f.path),
  })
  const issues = report.issues.map(located)
  if (source.torn)
    issues.push({
      code: 'torn',
      path: `line ${source.torn.line}`,
      message: `the last line (${source.torn.line}) was cut short while being written; it is not part of the chain`,
      line: source.torn.line,
    })
  const broken = report.firstBroken
  const brokenIssue = broken ? report.issues.find((i) => i.code === broken.reason) : undefined
  const anchoredThrough = report.anchoredThrough
  return {
    log: source.name,
    ok: report.ok && source.torn === undefined,
    count: report.count,
    lastSeq: seen.lastSeq,
    torn: source.torn ?? null,
    firstBroken: broken
      ? {
          seq: broken.seq,
          reason: broken.reason,
          line: broken.index === undefined ? null : (source.locate(broken.index).line ?? null),
          message: brokenIssue?.message ?? broken.reason,
        }
      : null,
    anchored: anchoredThrough >= 0 ? { from: 0, through: anchoredThrough } : null,
    unanchored:
      seen.lastPlain > anchoredThrough
        ? { from: anchoredThrough + 1, through: seen.lastPlain }
        : null,
    issues,
    warnings: report.warnings.map(located),
  }
}

/** Registers `datagate log verify` on the `log` command. */
export function logVerifyCommand(log: Command, program: Command, state: CliState): void {
  const command = log
    .command('verify')
    .description('check the audit chain, signed checkpoints and partner receipts')
    .argument(
      '[log]',
      "the audit log: a JSON Lines file or a postgres:// URL (default: the config's audit)",
    )
    .option('--audit <log>', 'the same as LOG')
    .option(
      '--jwks <file>',
      "the gate's public keys (default: the config's jwks, else $DATAGATE_JWKS)",
    )
    .option(
      '--receipts <dir>',
      'a folder of tokens partners hold (exports, deltas, stream manifests)',
    )
    .option('--checkpoints <file>', 'checkpoint copies kept elsewhere (one token a line)')
    .option('--issuer <iss>', 'accepted iss of checkpoints and receipts')
    .option('--max-unanchored <seconds>', 'an unanchored tail older than this fails (default 300)')
  formatOption(command, ['text', 'json'])
  examples(command, [
    'datagate log verify audit.jsonl --jwks jwks.json',
    'datagate log verify --receipts ./partner-receipts --format json',
    'datagate log verify --audit postgres://compliance@db/audit --jwks jwks.json',
  ])
  command.action(
    async (
      file: string | undefined,
      options: {
        audit?: string
        jwks?: string
        receipts?: string
        checkpoints?: string
        issuer?: string
        maxUnanchored?: string
        format: string
      },
    ) => {
      const config = await logDefaults(program, state)
      const logFile = chooseLog(file, options.audit, config)
      const jwksFile = options.jwks ?? config?.jwks ?? (state.io.env.DATAGATE_JWKS || undefined)
      const checkpointsFile = options.checkpoints ?? config?.checkpoints
      if ((options.receipts || checkpointsFile) && !jwksFile)
        usageError('receipts and checkpoint copies count only once verified: pass --jwks')
      let maxUnanchoredMs: number | undefined
      if (options.maxUnanchored !== undefined) {
        const seconds = Number(options.maxUnanchored)
        if (!Number.isFinite(seconds) || seconds < 0)
          usageError('--max-unanchored: expected seconds >= 0')
        maxUnanchoredMs = seconds * 1000
      }
      const source = await openLogSource(logFile, state.io.cwd)
      const report = await verifyLog(
        source,
        {
          ...(jwksFile ? { jwks: await readJwks(jwksFile) } : {}),
          ...(options.receipts ? { receipts: await readReceipts(options.receipts) } : {}),
          ...(checkpointsFile ? { checkpoints: await readCheckpoints(checkpointsFile) } : {}),
          ...(options.issuer ? { issuer: options.issuer } : {}),
          ...(maxUnanchoredMs === undefined ? {} : { maxUnanchoredMs }),
        },
        state,
      )
      emit(state, logVerifyRenderers, options.format, report)
      if (!report.ok) fail(state, 1)
    },
  )
}
