// `datagate report --year YYYY`: the yearly summary of important data and sensitive personal
// information shared, per partner, purpose and region, with the year's people counts and the
// thresholds they crossed (src/cli/guardrails.ts reads both from the audit log).
import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import type { z } from 'zod'
import { policyThresholds } from '../policy/thresholds.js'
import { type CliState, emit, fail } from './command.js'
import { loadProject, type Project, requirePolicy } from './config.js'
import { readYear, thresholdFindings } from './guardrails.js'
import { palette } from './io.js'
import { openLogSource } from './log-source.js'
import { yearReportRenderers } from './reports/year-report.js'
import type { YearReportSchema } from './schemas.js'
import { shownPath } from './shown-path.js'
import { usageError } from './usage.js'

type YearReport = z.infer<typeof YearReportSchema>

const SHANGHAI_OFFSET_MS = 8 * 3_600_000

/** The year's first and last millisecond in Asia/Shanghai (UTC+8, no daylight saving). */
export function shanghaiYearRange(value: string): { year: number; from: number; to: number } {
  if (!/^\d{4}$/.test(value)) usageError(`--year: expected YYYY, got ${value}`)
  const year = Number(value)
  // Date.UTC reads years 0-99 as 1900-1999, and no audit event is older than 1970.
  if (year < 1970) usageError(`--year: expected a year from 1970, got ${value}`)
  return {
    year,
    from: Date.UTC(year, 0, 1) - SHANGHAI_OFFSET_MS,
    to: Date.UTC(year + 1, 0, 1) - SHANGHAI_OFFSET_MS - 1,
  }
}

/** Builds the yearly report of `project`. */
export async function buildYearReport(
  project: Project,
  yearText: string,
  cwd: string,
): Promise<YearReport> {
  const { year, from, to } = shanghaiYearRange(yearText)
  const policy = requirePolicy(project.policy)
  const thresholds = policyThresholds(policy)
  const audit = project.config.audit
  const source = audit ? await openLogSource(audit, cwd) : undefined
  const read = source ? await readYear(source, year, project.datasets) : undefined
  const counts = read?.counts
  return {
    year,
    timeZone: 'Asia/Shanghai',
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    policy: { file: shownPath(cwd, project.policy.file), issuer: policy.issuer, hash: policy.hash },
    log: source?.name ?? null,
    chainOk: read?.chainOk ?? null,
    thresholds: {
      crossBorder: { ...thresholds.crossBorder },
      importantData: { ...thresholds.importantData },
    },
    subjects: {
      overseas: counts?.overseas ?? null,
      overseasSensitivePI: counts?.overseasSensitivePI ?? null,
      all: counts?.all ?? null,
      partners: [...(counts?.partners ?? new Map())]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([partner, c]) => ({ partner, subjects: c.subjects, sensitivePI: c.sensitivePI })),
    },
    sharing: read?.sharing ?? [],
    findings: counts ? thresholdFindings(thresholds, counts, year) : [],
  }
}

/**
 * Runs `datagate report --year` when `--year` was given (and returns true); the monthly report
 * takes over otherwise, refusing `--format text`, which only the yearly one has.
 */
export async function yearReportCommand(
  program: Command,
  state: CliState,
  options: {
    readonly month?: string
    readonly year?: string
    readonly out?: string
    readonly format: string
  },
): Promise<boolean> {
  if (options.year === undefined) {
    if (options.format === 'text')
      usageError('--format text is for --year; the monthly report is html, md or json')
    return false
  }
  if (options.month !== undefined) usageError('pass --month or --year, not both')
  const project = await loadProject(program.opts().config, state.io.env, state.io.cwd)
  const report = await buildYearReport(project, options.year, state.io.cwd)
  if (options.out === undefined) emit(state, yearReportRenderers, options.format, report)
  else {
    const render = yearReportRenderers[options.format]
    if (!render) throw new Error(`no renderer for ${options.format}`)
    const out = render(report, palette({ write: () => true, isTTY: false }, { NO_COLOR: '1' }))
    await writeFile(resolve(state.io.cwd, options.out), out.endsWith('\n') ? out : `${out}\n`)
    state.io.stderr.write(`datagate: report written to ${options.out}\n`)
  }
  if (report.chainOk === false || report.findings.some((f) => f.severity === 'error'))
    fail(state, 1)
  return true
}
