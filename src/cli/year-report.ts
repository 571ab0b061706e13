// `datagate report --year YYYY`: the yearly summary of important data and sensitive personal
// information shared, per partner, purpose and region, with the year's people counts and the
// thresholds they crossed (src/cli/guardrails.ts reads both from the audit log).
import type { z } from 'zod'
import { policyThresholds } from '../policy/thresholds.js'
import { type Project, requirePolicy, shownPath } from './config.js'
import { readYear, thresholdFindings } from './guardrails.js'
import { openLogSource } from './log-source.js'
import type { YearReportSchema } from './schemas.js'
import { usageError } from './usage.js'

type YearReport = z.infer<typeof YearReportSchema>

const SHANGHAI_OFFSET_MS = 8 * 3_600_000

/** The year's first and last millisecond in Asia/Shanghai (UTC+8, no daylight saving). */
export function shanghaiYearRange(value: string): { year: number; from: number; to: number } {
  if (!/^\d{4}$/.test(value)) usageError(`--year: expected YYYY, got ${value}`)
  const year = Number(value)
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
