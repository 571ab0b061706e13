// `datagate log report [LOG]`: the sharing ledger. Each release, export, delta and stream is a
// line with its date, partner, category, purpose, agreement, fields with operators and records;
// refusals and 304s (not-modified: the partner already held the view) are listed apart; totals per partner, month and purpose keep the types apart (an
// unsigned release and a signed export of the same rows are two different facts). A partner's
// category comes from the policy in force at the event: the log's own `policy` events.
import type { Command } from 'commander'
import type { z } from 'zod'
import type { AuditEvent } from '../export/audit-event.js'
import { ChainChecker } from '../export/audit-verify.js'
import { type CliState, emit, examples, fail, formatOption } from './command.js'
import { chooseLog, type LogSource, openLogSource } from './log-source.js'
import { logDefaults } from './log-verify.js'
import { logReportRenderers } from './reports/log-report.js'
import type { LogReportSchema } from './schemas.js'
import { parseDateOption, usageError } from './usage.js'

type LogReport = z.infer<typeof LogReportSchema>
type TotalType = LogReport['totals']['byPartner'][number]['type']

/** Filters of the ledger. */
export interface LedgerFilter {
  readonly from?: number
  readonly to?: number
  readonly partner?: string
  readonly dataset?: string
  readonly purpose?: string
}

function categoryIn(document: unknown, partner: string): string | null {
  const partners = (document as { partners?: unknown } | undefined)?.partners
  if (!Array.isArray(partners)) return null
  const found = partners.find((p) => (p as { id?: unknown })?.id === partner) as
    | { category?: unknown }
    | undefined
  return typeof found?.category === 'string' ? found.category : null
}

interface Total {
  readonly type: TotalType
  readonly key: string
  events: number
  records: number
}

function addTotal(map: Map<string, Total>, key: string, type: TotalType, records: number): void {
  const id = `${type}\u0000${key}`
  const current = map.get(id) ?? { type, key, events: 0, records: 0 }
  current.events++
  current.records += records
  map.set(id, current)
}

function totals<K extends string>(map: Map<string, Total>, name: K) {
  return [...map.values()]
    .sort((a, b) => a.key.localeCompare(b.key) || a.type.localeCompare(b.type))
    .map(
      (t) =>
        ({ type: t.type, [name]: t.key, events: t.events, records: t.records }) as {
          type: TotalType
          events: number
          records: number
        } & Record<K, string>,
    )
}

/** Reads `source` into the ledger. */
export async function buildLedger(source: LogSource, filter: LedgerFilter): Promise<LogReport> {
  const checker = new ChainChecker()
  const documents = new Map<string, unknown>()
  const policies = new Map<string, { policyHash: string; inLog: boolean; firstSeq: number }>()
  const entries: LogReport['entries'] = []
  const denied: LogReport['denied'] = []
  const notModified: LogReport['notModified'] = []
  const byPartner = new Map<string, Total>()
  const byMonth = new Map<string, Total>()
  const byPurpose = new Map<string, Total>()
  let firstBrokenSeq: number | null = null
  let index = 0
  for await (const raw of source.events()) {
    const { event, broken } = checker.check(raw, index++)
    if (broken && firstBrokenSeq === null) firstBrokenSeq = broken.seq ?? -1
    if (!event) continue
    if (event.type === 'policy') {
      documents.set(event.policyHash, event.document)
      const known = policies.get(event.policyHash)
      policies.set(event.policyHash, {
        policyHash: event.policyHash,
        inLog: true,
        firstSeq: known?.firstSeq ?? event.seq,
      })
      continue
    }
    if (!('policyHash' in event)) continue
    if (!policies.has(event.policyHash))
      policies.set(event.policyHash, {
        policyHash: event.policyHash,
        inLog: false,
        firstSeq: event.seq,
      })
    const type = ledgerTypeOf(event)
    if (type === undefined) continue
    const time = Date.parse(event.time)
    if (filter.from !== undefined && time < filter.from) continue
    if (filter.to !== undefined && time > filter.to) continue
    if (filter.partner !== undefined && event.partner !== filter.partner) continue
    if (filter.dataset !== undefined && event.dataset !== filter.dataset) continue
    if (filter.purpose !== undefined && event.purpose !== filter.purpose) continue
    const category = categoryIn(documents.get(event.policyHash), event.partner)
    const common = {
      seq: event.seq,
      time: event.time,
      partner: event.partner,
      category,
      dataset: event.dataset,
      purpose: event.purpose,
    }
    let records = 0
    if (event.type === 'denied')
      denied.push({ ...common, code: event.code, policyHash: event.policyHash })
    else if (event.type === 'not-modified')
      // Counted as a 304, never as records released: its totals carry 0 records.
      notModified.push({
        ...common,
        agreement: event.agreement,
        records: event.rows,
        payloadDigest: event.payloadDigest,
        policyHash: event.policyHash,
      })
    else if (event.type !== 'stream-start') {
      records = event.rows
      entries.push({
        ...common,
        type: type as LogReport['entries'][number]['type'],
        agreement: event.agreement,
        fields: event.fields.map((f) => ({ path: f.path, operator: f.operator })),
        records,
        policyHash: event.policyHash,
      })
    }
    addTotal(byPartner, event.partner, type, records)
    addTotal(byMonth, event.time.slice(0, 7), type, records)
    addTotal(byPurpose, event.purpose, type, records)
  }
  return {
    log: source.name,
    from: filter.from === undefined ? null : new Date(filter.from).toISOString(),
    to: filter.to === undefined ? null : new Date(filter.to).toISOString(),
    chain: { ok: firstBrokenSeq === null, firstBrokenSeq },
    entries,
    denied,
    notModified,
    totals: {
      byPartner: totals(byPartner, 'partner'),
      byMonth: totals(byMonth, 'month'),
      byPurpose: totals(byPurpose, 'purpose'),
    },
    policies: [...policies.values()],
  }
}

/** The ledger type of an event: stream-end counts as the stream; stream-start opens it (no line). */
function ledgerTypeOf(event: AuditEvent): TotalType | undefined {
  switch (event.type) {
    case 'release':
    case 'export':
    case 'delta':
    case 'denied':
    case 'not-modified':
      return event.type
    case 'stream-end':
      return 'stream'
    default:
      return undefined
  }
}

/** `--to 2026-06-30` means through the end of that day. */
function endOf(value: string | undefined): number | undefined {
  const date = parseDateOption(value, '--to')
  if (!date) return undefined
  return /^\d{4}-\d{2}-\d{2}$/.test(value as string) ? date.getTime() + 86_399_999 : date.getTime()
}

/** Registers `datagate log report` on the `log` command. */
export function logReportCommand(log: Command, program: Command, state: CliState): void {
  const command = log
    .command('report')
    .description('the sharing ledger: what was released, exported, streamed or refused, to whom')
    .argument(
      '[log]',
      "the audit log: a JSON Lines file or a postgres:// URL (default: the config's audit)",
    )
    .option('--audit <log>', 'the same as LOG')
    .option('--from <date>', 'from this date (inclusive)')
    .option('--to <date>', 'to this date (a date is inclusive of the whole day)')
    .option('--month <yyyy-mm>', 'one calendar month (UTC)')
    .option('--partner <id>', 'only this partner')
    .option('--dataset <name>', 'only this dataset')
    .option('--purpose <purpose>', 'only this purpose')
  formatOption(command, ['text', 'json', 'csv', 'md'])
  examples(command, [
    'datagate log report --month 2026-06',
    'datagate log report audit.jsonl --partner rental-co --format csv > ledger.csv',
  ])
  command.action(
    async (
      file: string | undefined,
      options: {
        audit?: string
        from?: string
        to?: string
        month?: string
        partner?: string
        dataset?: string
        purpose?: string
        format: string
      },
    ) => {
      const config = await logDefaults(program, state)
      const logFile = chooseLog(file, options.audit, config)
      let from = parseDateOption(options.from, '--from')?.getTime()
      let to = endOf(options.to)
      if (options.month !== undefined) {
        if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(options.month))
          usageError(`--month: expected YYYY-MM, got ${options.month}`)
        const [y, m] = options.month.split('-').map(Number) as [number, number]
        from = Date.UTC(y, m - 1, 1)
        to = Date.UTC(y, m, 1) - 1
      }
      const report = await buildLedger(await openLogSource(logFile, state.io.cwd), {
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        ...(options.partner ? { partner: options.partner } : {}),
        ...(options.dataset ? { dataset: options.dataset } : {}),
        ...(options.purpose ? { purpose: options.purpose } : {}),
      })
      emit(state, logReportRenderers, options.format, report)
      // A ledger read from a log whose chain does not hold is a finding, not a clean result.
      if (!report.chain.ok) fail(state, 1)
    },
  )
}
