// `datagate trace FILE [--source ROWS] [--pseudonym-key-file F] [--watermark-key-file F]
// [--audit LOG] [--from YYYY-MM --to YYYY-MM]`: which partner a leaked file was given to
// (traceLeak over files). Keys come from their flags or DATAGATE_PSEUDONYM_KEY_FILE /
// DATAGATE_WATERMARK_KEY_FILE, never from anywhere else, and a key file kept in the audit log's
// folder is refused: whoever can write the log must not hold the keys that attribute a leak.
import { existsSync, realpathSync } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { dirname, resolve, sep } from 'node:path'
import type { Command } from 'commander'
import type { z } from 'zod'
import { isDatagateError } from '../errors.js'
import { traceLeak } from '../export/trace.js'
import { fromHex } from '../lib/bytes.js'
import { type CliState, emit, examples, formatOption } from './command.js'
import { loadProject, readText, requirePolicy } from './config.js'
import { readLeak } from './leak-input.js'
import { type LogSpec, openLogSource } from './log-source.js'
import { parseRecords } from './records.js'
import { traceRenderers } from './reports/trace.js'
import type { TraceReportSchema } from './schemas.js'
import { shownPath } from './shown-path.js'
import { usageError } from './usage.js'

type TraceReport = z.infer<typeof TraceReportSchema>

/** Environment variables naming the key files when their flags are not given. */
export const KEY_FILE_ENV = {
  pseudonym: 'DATAGATE_PSEUDONYM_KEY_FILE',
  watermark: 'DATAGATE_WATERMARK_KEY_FILE',
} as const

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/
/** A leak or source file past this is refused before it is read (it is parsed whole in memory). */
const MAX_INPUT_BYTES = 256 * 1024 * 1024

/** The text of a leak or source file, refusing one too large to parse whole. */
async function readInput(path: string, file: string): Promise<string> {
  const size = await stat(path).then(
    (s) => s.size,
    () => 0, // readText says why it cannot be read
  )
  if (size > MAX_INPUT_BYTES)
    usageError(`${file}: ${size} bytes, over the ${MAX_INPUT_BYTES} bytes trace reads`)
  return readText(path)
}

/** A key file is a line of text or a few raw bytes: anything longer is not one (`/dev/zero`). */
const MAX_KEY_FILE = 4096

/** At most MAX_KEY_FILE bytes of a regular file, or a usage error: never a hang on a device. */
async function readKeyBytes(real: string, what: string, file: string): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | undefined
  try {
    handle = await open(real, 'r')
    if (!(await handle.stat()).isFile()) return usageError(`${what}: ${file} is not a file`)
    const buffer = new Uint8Array(MAX_KEY_FILE + 1)
    let length = 0
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null)
      if (bytesRead === 0) break
      length += bytesRead
      if (length > MAX_KEY_FILE)
        return usageError(`${what}: ${file} is over ${MAX_KEY_FILE} bytes; it is not a key file`)
    }
    return buffer.slice(0, length)
  } catch (error) {
    if (isDatagateError(error)) throw error
    return usageError(`${what}: cannot read ${file}`)
  } finally {
    await handle?.close()
  }
}

/**
 * A key file: hex (64+ digits) or base64/base64url text on one line, else the raw bytes; at
 * least 32 bytes. Refused inside any of `logDirs` (symlinks resolved).
 */
async function readKey(file: string, what: string, cwd: string, logDirs: readonly string[]) {
  const path = resolve(cwd, file)
  let real: string
  try {
    real = realpathSync(path)
  } catch {
    return usageError(`${what}: cannot read ${file}`)
  }
  if (logDirs.some((dir) => real === dir || real.startsWith(`${dir}${sep}`)))
    usageError(
      `${what}: ${file} is in the audit log's folder; keep tracing keys where the log's writers cannot read them`,
    )
  const bytes = await readKeyBytes(real, what, file)
  const text = new TextDecoder().decode(bytes).trim()
  let key = bytes
  if (/^[0-9a-fA-F]{64,}$/.test(text) && text.length % 2 === 0) key = fromHex(text.toLowerCase())
  else if (/^[A-Za-z0-9+/_-]{43,}={0,2}$/.test(text))
    key = new Uint8Array(Buffer.from(text.replaceAll('-', '+').replaceAll('_', '/'), 'base64'))
  if (key.length < 32)
    usageError(`${what}: ${file} holds ${key.length} bytes; a key has at least 32`)
  return key
}

function months(from: string, to: string): string[] {
  const out: string[] = []
  let [y, m] = from.split('-').map(Number) as [number, number]
  for (let i = 0; i < 600; i++) {
    const period = `${y}-${String(m).padStart(2, '0')}`
    if (period > to) break
    out.push(period)
    m++
    if (m === 13) {
      m = 1
      y++
    }
  }
  return out
}

/** Registers `datagate trace`. */
export function traceCommand(program: Command, state: CliState): void {
  const command = program
    .command('trace')
    .description('which partner a leaked file was given to: partners ranked by matching signals')
    .argument(
      '<file>',
      'the leaked records: JSON, NDJSON, CSV, a token or a stream (NDJSON of tokens)',
    )
    .option('--source <file>', 'the source rows as given to the gate (JSON or NDJSON)')
    .option(
      '--dataset <name>',
      'the dataset of the leak (default: the token says, else the best fit)',
    )
    .option(
      '--pseudonym-key-file <file>',
      `the pseudonym master key (default: $${KEY_FILE_ENV.pseudonym})`,
    )
    .option(
      '--watermark-key-file <file>',
      `the watermark key (default: $${KEY_FILE_ENV.watermark})`,
    )
    .option(
      '--audit <log>',
      "the audit log, for whole exports' digests (default: the config's audit)",
    )
    .option('--from <yyyy-mm>', 'first watermark period to look in (UTC month)')
    .option('--to <yyyy-mm>', 'last watermark period to look in')
  formatOption(command, ['text', 'json'])
  examples(command, [
    'datagate trace leak.csv --source orders.json --pseudonym-key-file /secrets/pseudonym.key',
    'DATAGATE_WATERMARK_KEY_FILE=/secrets/watermark.key datagate trace leak.ndjson --from 2026-01 --to 2026-06',
    'datagate trace export.jws --audit audit.jsonl --format json',
  ])
  command.action(
    async (
      file: string,
      options: {
        source?: string
        dataset?: string
        pseudonymKeyFile?: string
        watermarkKeyFile?: string
        audit?: string
        from?: string
        to?: string
        format: string
      },
    ) => {
      const { io } = state
      for (const [flag, value] of [
        ['--from', options.from],
        ['--to', options.to],
      ] as const)
        if (value !== undefined && !MONTH.test(value))
          usageError(`${flag}: expected YYYY-MM, got ${value}`)
      if ((options.from === undefined) !== (options.to === undefined))
        usageError('--from and --to go together')
      if (options.from !== undefined && options.to !== undefined && options.to < options.from)
        usageError('--to is before --from')
      const project = await loadProject(program.opts().config as string | undefined, io.env, io.cwd)
      const policy = requirePolicy(project.policy)
      const auditSpec: LogSpec | undefined = options.audit ?? project.config.audit
      // Every file log in play: the one read and the config's.
      const logDirs = [options.audit, project.config.audit].flatMap((spec) =>
        typeof spec === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)
          ? realDirs(resolve(io.cwd, spec))
          : [],
      )
      const keyFile = (flag: string | undefined, env: string) => flag ?? (io.env[env] || undefined)
      const pseudonymFile = keyFile(options.pseudonymKeyFile, KEY_FILE_ENV.pseudonym)
      const watermarkFile = keyFile(options.watermarkKeyFile, KEY_FILE_ENV.watermark)
      const pseudonymKey = pseudonymFile
        ? await readKey(pseudonymFile, 'pseudonym key', io.cwd, logDirs)
        : undefined
      const watermarkKey = watermarkFile
        ? await readKey(watermarkFile, 'watermark key', io.cwd, logDirs)
        : undefined
      const leak = readLeak(await readInput(resolve(io.cwd, file), file), file)
      // Nothing to compare (an empty file, a token without records or digests): no attribution.
      if (
        leak.records.length === 0 &&
        leak.payloadDigests.length === 0 &&
        leak.signedDigests.length === 0
      )
        usageError(`${file}: holds no records to trace`)
      const source = options.source
        ? parseRecords(
            await readInput(resolve(io.cwd, options.source), options.source),
            options.source,
          )
        : undefined
      let events: unknown[] | undefined
      let auditName: string | null = null
      // The config's log is read when it is there; a log named with --audit must be.
      const implicitMissing =
        options.audit === undefined &&
        typeof auditSpec === 'string' &&
        !/^[a-z][a-z0-9+.-]*:\/\//i.test(auditSpec) &&
        !existsSync(resolve(io.cwd, auditSpec))
      if (auditSpec !== undefined && !implicitMissing) {
        const log = await openLogSource(auditSpec, io.cwd)
        auditName = log.name
        events = []
        for await (const event of log.events()) events.push(event)
      }
      let periods: string[] | undefined
      if (options.from !== undefined && options.to !== undefined)
        periods = months(options.from, options.to)
      else if (events && events.length > 0) {
        const times = events
          .map((e) => (e as { time?: unknown } | null)?.time)
          .filter((t): t is string => typeof t === 'string')
          .sort()
        if (times.length > 0)
          periods = months((times[0] as string).slice(0, 7), (times.at(-1) as string).slice(0, 7))
      }
      const result = traceLeak(leak, {
        policy,
        datasets: project.datasets,
        ...(options.dataset ? { dataset: options.dataset } : {}),
        ...(source ? { source } : {}),
        ...(pseudonymKey ? { pseudonymKey } : {}),
        ...(watermarkKey ? { watermarkKey } : {}),
        ...(periods ? { periods } : {}),
        ...(events ? { events } : {}),
      })
      const report: TraceReport = {
        file: shownPath(io.cwd, resolve(io.cwd, file)),
        input: leak.input,
        dataset: result.dataset,
        leakedRecords: result.leakedRecords,
        basis: {
          source: options.source ? shownPath(io.cwd, resolve(io.cwd, options.source)) : null,
          pseudonymKey: result.basis.pseudonymKey,
          watermarkKey: result.basis.watermarkKey,
          audit: auditName,
          auditEvents: result.basis.auditEvents,
          periods: [...result.basis.periods],
        },
        partners: result.partners.map((p) => ({
          partner: p.partner,
          name: p.name,
          score: p.score,
          confidence: p.confidence,
          signals: { ...p.signals },
          watermarkPeriods: p.watermarkPeriods.map((w) => ({ ...w })),
          exportEvents: p.exportEvents.map((e) => ({ ...e })),
          period: p.period ? { ...p.period } : null,
        })),
      }
      emit(state, traceRenderers, options.format, report)
    },
  )
}

/** The log's folder as named and, when the log is a symlink, the folder it really is in. */
function realDirs(logFile: string): string[] {
  const dirs: string[] = []
  for (const path of [() => dirname(logFile), () => dirname(realpathSync(logFile))])
    try {
      dirs.push(realpathSync(path()))
    } catch {
      // Not there (yet): nothing to refuse for it.
    }
  return dirs
}
