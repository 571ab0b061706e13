// `datagate lint`: the policy's load checks as errors, and warnings a reviewer should look at:
// agreements about to expire, suspended or revoked partners still holding agreements,
// quasi-identifiers granted together without generalisation, reversible-looking operators on
// identifiers, agreements no audit event used, standing that disagrees with quality scores.
import type { Command } from 'commander'
import { parse as parseYaml } from 'yaml'
import type { z } from 'zod'
import type { Dataset } from '../classify/dataset.js'
import type { PiiKind } from '../classify/types.js'
import type { Policy } from '../policy/load.js'
import { mayReceive } from '../policy/receivable.js'
import { type PartnerScores, standingFromScores } from '../policy/standing.js'
import { isActiveAt } from '../policy/validity.js'
import { type CliState, emit, examples, fail, formatOption } from './command.js'
import { loadProject, type Project, readText } from './config.js'
import { lintThresholds } from './guardrails.js'
import { type LogSpec, openLogSource } from './log-source.js'
import { lintRenderers } from './reports/lint.js'
import type { LintFindingSchema, LintReportSchema } from './schemas.js'
import { shownPath } from './shown-path.js'
import { parseDateOption, usageError } from './usage.js'

type LintFinding = z.infer<typeof LintFindingSchema>
type LintReport = z.infer<typeof LintReportSchema>

const DAY_MS = 86_400_000
/** Identifiers whose truncation or prefix still points at one person. */
const IDENTIFIERS: ReadonlySet<PiiKind> = new Set([
  'resident_id',
  'passport',
  'bank_card',
  'mobile',
  'phone',
  'vin',
  'licence_plate',
  'social_credit_code',
  'email',
])

/** Names the partner, agreement and field a policy path such as `partners[0].agreements[1].fields[2]` points at. */
function locate(document: unknown, path: string): Partial<LintFinding> {
  const match =
    /^partners\[(\d{1,9})\](?:\.agreements\[(\d{1,9})\](?:\.fields\[(\d{1,9})\])?)?/.exec(path)
  if (!match || typeof document !== 'object' || document === null) return {}
  const partners = (document as { partners?: unknown }).partners
  const partner = Array.isArray(partners) ? partners[Number(match[1])] : undefined
  const out: Partial<LintFinding> = {}
  if (typeof partner?.id === 'string') out.partner = partner.id
  if (match[2] === undefined) return out
  const agreement = Array.isArray(partner?.agreements)
    ? partner.agreements[Number(match[2])]
    : undefined
  if (typeof agreement?.id === 'string') out.agreement = agreement.id
  if (typeof agreement?.dataset === 'string') out.dataset = agreement.dataset
  const field = match[3] === undefined ? undefined : agreement?.fields?.[Number(match[3])]
  if (typeof field === 'string') out.field = field
  return out
}

function parseDocument(text: string): unknown {
  try {
    return parseYaml(text)
  } catch {
    return undefined
  }
}

/** Warnings of a loaded policy at `now`. */
export function policyWarnings(
  policy: Policy,
  datasets: readonly Dataset[],
  now: number,
  extra: {
    usedAgreements?: { ids: ReadonlySet<string>; from: number; to: number }
    scores?: ReadonlyMap<string, PartnerScores>
  },
): LintFinding[] {
  const out: LintFinding[] = []
  const byName = new Map(datasets.map((d) => [d.name, d]))
  policy.partners.forEach((partner, p) => {
    partner.agreements.forEach((agreement, a) => {
      const at = `partners[${p}].agreements[${a}]`
      const left = agreement.validUntil - now
      if (left >= 0 && left <= 30 * DAY_MS)
        out.push({
          severity: 'warning',
          code: 'agreement_expiring',
          path: `${at}.validUntil`,
          message: `agreement ${agreement.id} of ${partner.id} expires in ${Math.ceil(left / DAY_MS)} days (${new Date(agreement.validUntil).toISOString().slice(0, 10)})`,
          partner: partner.id,
          agreement: agreement.id,
          dataset: agreement.dataset,
        })
      const used = extra.usedAgreements
      if (
        used &&
        agreement.validFrom <= used.to &&
        agreement.validUntil >= used.from &&
        !used.ids.has(`${partner.id}\u0000${agreement.id}`)
      )
        out.push({
          severity: 'warning',
          code: 'agreement_unused',
          path: at,
          message: `agreement ${agreement.id} of ${partner.id} was in force in the audit period (${new Date(used.from).toISOString().slice(0, 10)} to ${new Date(used.to).toISOString().slice(0, 10)}) and no event used it`,
          partner: partner.id,
          agreement: agreement.id,
          dataset: agreement.dataset,
        })
    })
    if (
      (partner.standing === 'yellow' || partner.standing === 'terminated') &&
      partner.agreements.length > 0
    )
      out.push({
        severity: 'warning',
        code: 'inactive_partner_holds_agreements',
        path: `partners[${p}].standing`,
        message: `${partner.id} is ${partner.standing === 'yellow' ? 'suspended (yellow card)' : 'terminated'} and still holds ${partner.agreements.length} agreement(s): ${partner.agreements.map((a) => a.id).join(', ')}`,
        partner: partner.id,
      })
    const scores = extra.scores?.get(partner.id)
    if (scores) {
      const expected = standingFromScores(scores)
      if (expected !== partner.standing)
        out.push({
          severity: 'warning',
          code: 'standing_disagrees_with_scores',
          path: `partners[${p}].standing`,
          message: `${partner.id} is ${partner.standing} in the policy; its scores (rating ${scores.rating}, complaints ${(scores.complaintRate * 100).toFixed(2)} %) give ${expected}`,
          partner: partner.id,
        })
    }
    // Quasi-identifiers released as they are, together, to one partner for one dataset.
    const byDataset = new Map<string, Set<string>>()
    for (const agreement of partner.agreements) {
      if (!isActiveAt(agreement, now) && agreement.validFrom <= now) continue
      const set = byDataset.get(agreement.dataset) ?? new Set<string>()
      for (const f of agreement.fields) set.add(f)
      byDataset.set(agreement.dataset, set)
    }
    for (const [name, granted] of byDataset) {
      const dataset = byName.get(name)
      if (!dataset) continue
      const raw = dataset.fields.filter(
        (f) =>
          granted.has(f.path) &&
          f.quasiIdentifier &&
          f.operator.kind !== 'generalize' &&
          f.operator.kind !== 'noise',
      )
      if (raw.length >= 2)
        out.push({
          severity: 'warning',
          code: 'quasi_identifiers_ungeneralised',
          path: `partners[${p}].agreements`,
          message: `${partner.id} receives the quasi-identifiers ${raw.map((f) => `${f.path} (${f.operator.name})`).join(', ')} of ${name} together without generalisation; check k-anonymity with datagate risk`,
          partner: partner.id,
          dataset: name,
          field: raw.map((f) => f.path).join(','),
        })
    }
  })
  for (const dataset of datasets)
    for (const f of dataset.fields) {
      const reversible =
        f.operator.kind === 'truncate' || f.operator.name.startsWith('generalize.prefix')
      if (f.pii && IDENTIFIERS.has(f.pii) && reversible) {
        const granting = policy.partners.flatMap((partner) =>
          partner.agreements
            .filter(
              (a) =>
                a.dataset === dataset.name &&
                a.fields.includes(f.path) &&
                mayReceive(f.class, partner.core),
            )
            .map((a) => `${partner.id}/${a.id}`),
        )
        out.push({
          severity: 'warning',
          code: 'reversible_operator_on_identifier',
          path: `datasets.${dataset.name}.${f.path}`,
          message: `${dataset.name}.${f.path} holds a ${f.pii} and is released with ${f.operator.name}, which keeps part of the identifier; use mask or pseudonymize${granting.length > 0 ? ` (granted by ${granting.join(', ')})` : ''}`,
          dataset: dataset.name,
          field: f.path,
        })
      }
    }
  return out
}

async function readScores(file: string): Promise<Map<string, PartnerScores>> {
  let raw: unknown
  try {
    raw = parseYaml(await readText(file))
  } catch (error) {
    usageError(`scores ${file} does not parse: ${(error as Error).message}`)
  }
  const entries: [string, unknown][] = Array.isArray(raw)
    ? raw.map((item) => [String((item as { partner?: unknown })?.partner), item])
    : typeof raw === 'object' && raw !== null
      ? Object.entries(raw)
      : usageError(
          `scores ${file}: expected { partnerId: { rating, complaintRate } } or a list with partner`,
        )
  const out = new Map<string, PartnerScores>()
  for (const [partner, value] of entries) {
    const v = value as Partial<PartnerScores> | null
    if (typeof v?.rating !== 'number' || typeof v.complaintRate !== 'number')
      usageError(`scores ${file}: ${partner} needs numeric rating and complaintRate`)
    out.set(partner, {
      rating: v.rating,
      complaintRate: v.complaintRate,
      ...(typeof v.yellowMonths === 'number' ? { yellowMonths: v.yellowMonths } : {}),
    })
  }
  return out
}

async function usedAgreements(spec: LogSpec, cwd: string) {
  const source = await openLogSource(spec, cwd)
  const ids = new Set<string>()
  let from = Number.POSITIVE_INFINITY
  let to = Number.NEGATIVE_INFINITY
  for await (const event of source.events()) {
    if (typeof event !== 'object' || event === null) continue
    const e = event as { time?: unknown; partner?: unknown; agreement?: unknown }
    const time = typeof e.time === 'string' ? Date.parse(e.time) : Number.NaN
    if (!Number.isNaN(time)) {
      from = Math.min(from, time)
      to = Math.max(to, time)
    }
    if (typeof e.partner === 'string' && typeof e.agreement === 'string')
      ids.add(`${e.partner}\u0000${e.agreement}`)
  }
  return Number.isFinite(from) ? { ids, from, to } : undefined
}

/** The lint report of `project` at `now` (epoch ms): load errors, or the warnings of a loaded policy. */
export async function buildLintReport(
  project: Project,
  now: number,
  cwd: string,
  scores?: ReadonlyMap<string, PartnerScores>,
): Promise<LintReport> {
  const loaded = project.policy
  const findings: LintFinding[] = []
  if (!loaded.policy) {
    const document = parseDocument(loaded.text)
    for (const f of loaded.findings)
      findings.push({
        severity: 'error',
        code: f.code,
        path: f.path,
        message: f.message,
        ...locate(document, f.path),
      })
  } else {
    const used = project.config.audit ? await usedAgreements(project.config.audit, cwd) : undefined
    findings.push(
      ...policyWarnings(loaded.policy, project.datasets, now, {
        ...(used ? { usedAgreements: used } : {}),
        ...(scores ? { scores } : {}),
      }),
    )
    // Thresholds the year's counted releases crossed, from the subjects.* details of the log.
    if (project.config.audit)
      findings.push(
        ...(await lintThresholds(
          loaded.policy,
          project.datasets,
          await openLogSource(project.config.audit, cwd),
          now,
        )),
      )
  }
  const errors = findings.filter((f) => f.severity === 'error').length
  return {
    policy: shownPath(cwd, loaded.file),
    policyHash: loaded.policy?.hash ?? null,
    asOf: new Date(now).toISOString(),
    errors,
    warnings: findings.length - errors,
    findings,
  }
}

/** Registers `datagate lint`. */
export function lintCommand(program: Command, state: CliState): void {
  const command = program
    .command('lint')
    .description('check the policy: load errors, and warnings a reviewer should look at')
    .option('--at <date>', 'judge expiry at this date (default now)')
    .option('--scores <file>', 'partner quality scores (JSON or YAML) to compare standing with')
    .option('--fail-level <level>', 'lowest severity that exits 1: error or warning', 'error')
  formatOption(command, ['text', 'json', 'md'])
  examples(command, [
    'datagate lint',
    'datagate lint --scores scores.yaml --at 2026-12-01 --format json',
  ])
  command.action(
    async (options: { at?: string; scores?: string; failLevel: string; format: string }) => {
      if (options.failLevel !== 'error' && options.failLevel !== 'warning')
        usageError(`--fail-level: expected error or warning, got ${options.failLevel}`)
      const now = (parseDateOption(options.at, '--at') ?? new Date()).getTime()
      const project = await loadProject(program.opts().config, state.io.env, state.io.cwd)
      const scores = options.scores ? await readScores(options.scores) : undefined
      const report = await buildLintReport(project, now, state.io.cwd, scores)
      const errors = report.errors
      const findings = report.findings
      emit(state, lintRenderers, options.format, report)
      if (errors > 0 || (options.failLevel === 'warning' && findings.length > 0)) fail(state, 1)
    },
  )
}
