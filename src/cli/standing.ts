// `datagate standing --scores FILE`: each partner's standing for a month from its monthly
// quality scores (standingFromHistory: the composite rating, the tier thresholds, the yellow
// streak), proposed as the policy diff `datagate diff` prints. `--write` applies it to the
// policy file, keeping its comments, and records a `standing-change` event with the scores'
// digest in the config's audit log; nothing is written unless the event is.
import { resolve } from 'node:path'
import type { Command } from 'commander'
import type { z } from 'zod'
import type { AuditStandingChange } from '../export/audit-event.js'
import { loadPolicy, type Policy } from '../policy/load.js'
import { standingFromHistory } from '../policy/standing-history.js'
import type { Standing } from '../policy/types.js'
import { type CliState, emit, examples, fail, formatOption } from './command.js'
import { findConfig, loadDatasets, loadPolicyFile, readConfig, requirePolicy } from './config.js'
import { diffPolicies } from './diff.js'
import { withoutCredentials } from './log-source.js'
import { standingRenderers } from './reports/standing.js'
import type { StandingReportSchema } from './schemas.js'
import { readScores, type ScoresFile } from './scores.js'
import { shownPath } from './shown-path.js'
import { recordStandingChange, replacePolicyFile, rewriteStandings } from './standing-write.js'
import { usageError } from './usage.js'

type StandingReport = z.infer<typeof StandingReportSchema>

/**
 * A scores file's partner id on one line: its line breaks shown as `\u000a` and the like (the printed report
 * keeps newlines, so an id holding one could forge a line or a Markdown heading of its own).
 */
const oneLine = (id: string) =>
  id.replace(/[\n\r\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

/** Each policy partner's standing for `month`, and findings about the scores. */
function decide(
  before: Policy,
  scores: ScoresFile,
  month: string,
  scoresFile: string,
  policyFile: string,
): {
  findings: StandingReport['findings']
  partners: StandingReport['partners']
  newStanding: Map<string, Standing>
  audited: AuditStandingChange[]
} {
  const findings: StandingReport['findings'] = []
  for (const partner of scores.byPartner.keys())
    if (!before.partner(partner))
      findings.push({
        severity: 'error',
        code: 'unknown_partner',
        path: scoresFile,
        message: `the scores name ${oneLine(partner)}, which ${policyFile} does not have`,
        partner,
      })
  const partners: StandingReport['partners'] = []
  const newStanding = new Map<string, Standing>()
  const audited: AuditStandingChange[] = []
  for (const partner of before.partners) {
    const history = scores.byPartner.get(partner.id) ?? []
    if (!history.some((s) => s.month === month)) {
      findings.push({
        severity: 'warning',
        code: 'no_scores',
        path: scoresFile,
        message: `${partner.id} has no scores for ${month}; its standing ${partner.standing} is left as it is`,
        partner: partner.id,
      })
      partners.push({
        partner: partner.id,
        from: partner.standing,
        to: partner.standing,
        basis: 'no_scores',
        rating: null,
        complaintRate: null,
        yellowMonths: null,
      })
      continue
    }
    const decision = standingFromHistory(history, { month, current: partner.standing })
    const { standing: to, rating, complaintRate, yellowMonths } = decision
    partners.push({
      partner: partner.id,
      from: partner.standing,
      to,
      basis: decision.basis,
      rating,
      complaintRate,
      yellowMonths,
    })
    if (to !== partner.standing) {
      newStanding.set(partner.id, to)
      audited.push({
        partner: partner.id,
        from: partner.standing,
        to,
        rating,
        complaintRate,
        yellowMonths,
      })
    }
  }
  return { findings, partners, newStanding, audited }
}

/** Registers `datagate standing`. */
export function standingCommand(program: Command, state: CliState): void {
  const command = program
    .command('standing')
    .description("partners' standing from their monthly quality scores, as a policy diff")
    .requiredOption(
      '--scores <file>',
      'monthly scores per partner: CSV or a JSON array (partner, month, four metrics, complaintRate)',
    )
    .option('--month <yyyy-mm>', 'the month to decide (default: the latest in the scores)')
    .option('--write', "apply it to the policy file and record it in the config's audit log")
  formatOption(command, ['text', 'json', 'md'])
  examples(command, [
    'datagate standing --scores scores-2026.csv',
    'datagate standing --scores scores-2026.csv --month 2026-06 --write',
  ])
  command.action(
    async (options: { scores: string; month?: string; write?: boolean; format: string }) => {
      if (options.month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(options.month))
        usageError(`--month: expected YYYY-MM, got ${options.month}`)
      const { cwd } = state.io
      const config = await readConfig(findConfig(program.opts().config, state.io.env, cwd))
      if (options.write && config.audit === undefined)
        usageError('--write records the change in the audit log: set audit in the config')
      const datasets = await loadDatasets(config.datasets)
      const loaded = await loadPolicyFile(config.policy, datasets)
      const before = requirePolicy(loaded)
      const scoresFile = shownPath(cwd, resolve(cwd, options.scores))
      const scores = await readScores(resolve(cwd, options.scores), scoresFile)
      const month = options.month ?? scores.latest
      const policyFile = shownPath(cwd, config.policy)

      const { findings, partners, newStanding, audited } = decide(
        before,
        scores,
        month,
        scoresFile,
        policyFile,
      )

      const newText =
        newStanding.size === 0 ? loaded.text : rewriteStandings(loaded.text, newStanding)
      const after = newStanding.size === 0 ? before : loadPolicy(newText, { datasets })
      const changes = diffPolicies(before, after, datasets, datasets)
      const errors = findings.some((f) => f.severity === 'error')
      let audit: StandingReport['audit'] = null
      if (options.write && !errors && changes.length > 0) {
        const spec = config.audit as NonNullable<typeof config.audit>
        const recorded = await replacePolicyFile(config.policy, loaded.text, newText, () =>
          recordStandingChange(spec, cwd, before, after, {
            scoresDigest: scores.digest,
            month,
            changes: audited,
          }),
        )
        audit = {
          log:
            typeof spec !== 'string'
              ? withoutCredentials(spec.postgres)
              : /^postgres(ql)?:\/\//i.test(spec)
                ? withoutCredentials(spec)
                : shownPath(cwd, resolve(cwd, spec)),
          ...recorded,
        }
      }
      const count = (d: string) => changes.filter((c) => c.direction === d).length
      const report: StandingReport = {
        old: { file: policyFile, policyHash: before.hash },
        new: { file: audit ? policyFile : `${policyFile} (proposed)`, policyHash: after.hash },
        widened: count('widen'),
        narrowed: count('narrow'),
        changed: count('change'),
        changes,
        policy: policyFile,
        month,
        scores: { file: scoresFile, digest: scores.digest },
        partners,
        findings,
        written: audit !== null,
        audit,
      }
      emit(state, standingRenderers, options.format, report)
      if (errors) fail(state, 1)
    },
  )
}
