// `datagate report [--month YYYY-MM]`: the monthly compliance report in one file. It assembles
// what the other commands compute (matrix, lint, log verify over the whole log, the month's
// ledger from log report) and adds the release volumes per partner and month and a record of
// processing per partner; the renderers in reports/report*.ts turn it into HTML, Markdown or JSON.
import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import type { z } from 'zod'
import type { Dataset } from '../classify/dataset.js'
import type { Policy } from '../policy/load.js'
import { isActiveAt } from '../policy/validity.js'
import { type CliState, emit, examples, fail, formatOption } from './command.js'
import { loadProject, requirePolicy } from './config.js'
import { palette } from './io.js'
import { buildLintReport } from './lint.js'
import { buildLedger } from './log-report.js'
import { openLogSource } from './log-source.js'
import { readJwks, verifyLog } from './log-verify.js'
import { buildMatrixReport } from './matrix.js'
import { noticeManifest } from './notice-manifest.js'
import { reportRenderers } from './reports/report.js'
import type { ComplianceReportSchema } from './schemas.js'
import { shownPath } from './shown-path.js'
import { usageError } from './usage.js'
import { yearReportCommand } from './year-report.js'

type ComplianceReport = z.infer<typeof ComplianceReportSchema>
type LogReport = NonNullable<ComplianceReport['ledger']>

/** The month's first and last millisecond (UTC). */
function monthRange(month: string): { from: number; to: number } {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) usageError(`--month: expected YYYY-MM, got ${month}`)
  const [y, m] = month.split('-').map(Number) as [number, number]
  return { from: Date.UTC(y, m - 1, 1), to: Date.UTC(y, m, 1) - 1 }
}

/** Records per partner, month and type from the ledger's entries (types are never summed together). */
function volumesOf(ledger: LogReport): ComplianceReport['volumes'] {
  const map = new Map<string, ComplianceReport['volumes'][number]>()
  for (const e of ledger.entries) {
    const month = e.time.slice(0, 7)
    const key = `${e.partner}\u0000${month}\u0000${e.type}`
    const v = map.get(key) ?? { partner: e.partner, month, type: e.type, events: 0, records: 0 }
    v.events++
    v.records += e.records
    map.set(key, v)
  }
  return [...map.values()].sort(
    (a, b) =>
      a.month.localeCompare(b.month) ||
      a.partner.localeCompare(b.partner) ||
      a.type.localeCompare(b.type),
  )
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/** Per partner and agreement: purpose, the classes of data it grants, validity and legal basis. */
export function recordOfProcessing(
  policy: Policy,
  datasets: readonly Dataset[],
  at: number,
): ComplianceReport['processing'] {
  const byName = new Map(datasets.map((d) => [d.name, d]))
  return policy.partners.map((partner) => ({
    partner: partner.id,
    name: partner.name,
    category: partner.category,
    standing: partner.standing,
    core: partner.core,
    agreements: partner.agreements.map((a) => {
      const fields = new Map((byName.get(a.dataset)?.fields ?? []).map((f) => [f.path, f]))
      const granted = a.fields.map((path) => fields.get(path)).filter((f) => f !== undefined)
      return {
        id: a.id,
        dataset: a.dataset,
        purpose: a.purpose,
        categories: {
          public: granted.filter((f) => f.class === 'public').map((f) => f.path),
          desensitised: granted
            .filter((f) => f.class === 'desensitised')
            .map((f) => ({ path: f.path, operator: f.operator.name })),
        },
        validFrom: day(a.validFrom),
        validUntil: day(a.validUntil),
        inForce: isActiveAt(a, at),
        basis: a.basis ?? null,
      }
    }),
  }))
}

/** Registers `datagate report`. */
export function reportCommand(program: Command, state: CliState): void {
  const command = program
    .command('report')
    .description('the monthly compliance report in one file: access, findings, chain, ledger')
    .option('--month <yyyy-mm>', 'the month reported (UTC); default: the whole log, as of now')
    .option('--year <yyyy>', 'instead: the yearly important-data summary (Asia/Shanghai year)')
    .option('--out <file>', 'write the report to this file instead of standard output')
  formatOption(command, ['html', 'md', 'json', 'text'])
  examples(command, [
    'datagate report --month 2026-06 --format html --out report.html',
    'datagate report --month 2026-06 --format md',
    'datagate report --year 2026 --format md',
  ])
  command.action(async (options: { month?: string; out?: string; format: string }) => {
    // `--year` (in options too, though not in its type here) runs the yearly report instead.
    if (await yearReportCommand(program, state, options)) return
    const range = options.month === undefined ? undefined : monthRange(options.month)
    const at = range ? range.to : Date.now()
    const project = await loadProject(program.opts().config, state.io.env, state.io.cwd)
    const policy = requirePolicy(project.policy)
    const { audit, jwks } = project.config
    let chain: ComplianceReport['chain'] = null
    let ledger: ComplianceReport['ledger'] = null
    let volumes: ComplianceReport['volumes'] = []
    if (audit !== undefined) {
      const jwksFile = jwks ?? (state.io.env.DATAGATE_JWKS || undefined)
      chain = await verifyLog(
        await openLogSource(audit, state.io.cwd),
        jwksFile ? { jwks: await readJwks(jwksFile) } : {},
        state,
      )
      ledger = await buildLedger(await openLogSource(audit, state.io.cwd), range ?? {})
      // The chart shows the trend: the twelve months through the reported one.
      const chartFrom = range
        ? Date.UTC(new Date(at).getUTCFullYear() - 1, new Date(at).getUTCMonth() + 1, 1)
        : undefined
      volumes = volumesOf(
        range
          ? await buildLedger(await openLogSource(audit, state.io.cwd), {
              from: chartFrom as number,
              to: at,
            })
          : ledger,
      )
    }
    const report: ComplianceReport = {
      month: options.month ?? null,
      asOf: new Date(at).toISOString(),
      policy: {
        file: shownPath(state.io.cwd, project.policy.file),
        issuer: policy.issuer,
        hash: policy.hash,
        partners: policy.partners.length,
        agreements: policy.partners.reduce((n, p) => n + p.agreements.length, 0),
        datasets: project.datasets.map((d) => d.name),
      },
      matrix: buildMatrixReport(policy, project.datasets, new Date(at)),
      lint: await buildLintReport(project, at, state.io.cwd),
      chain,
      ledger,
      volumes,
      processing: recordOfProcessing(policy, project.datasets, at),
      notices: noticeManifest(policy, project.datasets, at),
    }
    if (options.out === undefined) emit(state, reportRenderers, options.format, report)
    else {
      const render = reportRenderers[options.format]
      if (!render) throw new Error(`no renderer for ${options.format}`)
      const out = render(report, palette({ write: () => true, isTTY: false }, { NO_COLOR: '1' }))
      await writeFile(resolve(state.io.cwd, options.out), out.endsWith('\n') ? out : `${out}\n`)
      state.io.stderr.write(`datagate: report written to ${options.out}\n`)
    }
    if (chain && !chain.ok) fail(state, 1)
    if (report.lint.errors > 0) fail(state, 1)
  })
}
