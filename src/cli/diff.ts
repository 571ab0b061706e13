// `datagate diff OLD NEW`: what a policy change does to what leaves, per partner and agreement:
// partners added, standing and core changes, agreements added or removed, fields gained or lost,
// operators weaker or stronger (with --old-datasets), row conditions widened or narrowed (clause
// by clause), validity moved. `--fail-on widen` exits 1 when exposure widens, for CI review gates.
import { resolve } from 'node:path'
import type { Command } from 'commander'
import type { z } from 'zod'
import type { Dataset } from '../classify/dataset.js'
import type { Policy } from '../policy/load.js'
import type { Agreement, ConditionValue, Partner } from '../policy/types.js'
import { type CliState, emit, examples, fail, formatOption } from './command.js'
import { findConfig, loadDatasets, loadPolicyFile, readConfig, requirePolicy } from './config.js'
import { diffRenderers } from './reports/diff.js'
import type { DiffReportSchema } from './schemas.js'
import { usageError } from './usage.js'

type DiffReport = z.infer<typeof DiffReportSchema>
type Change = DiffReport['changes'][number]

const STANDING_RECEIVES: Readonly<Record<string, boolean>> = {
  gold: true,
  silver: true,
  bronze: true,
  yellow: false,
  terminated: false,
}
// How much of a value an operator family lets through, least to most. Same rank, other name:
// the direction cannot be told from names alone (e.g. generalize.range width 10 to 5).
const EXPOSURE: Readonly<Record<string, number>> = {
  drop: 0,
  replace: 1,
  noise: 2,
  generalize: 2,
  pseudonymize: 2,
  mask: 3,
  truncate: 4,
  keep: 5,
}
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)

type Operators = Record<string, ConditionValue | readonly ConditionValue[] | boolean>
function operatorsOf(condition: unknown): Operators {
  return typeof condition === 'object' && condition !== null && !Array.isArray(condition)
    ? (condition as Operators)
    : { $eq: condition as ConditionValue }
}

/** Direction of one operator's operand change, for the operators whose order is known. */
function operandDirection(op: string, before: unknown, after: unknown): Change['direction'] {
  if (typeof before === 'number' && typeof after === 'number') {
    if (op === '$gt' || op === '$gte') return after < before ? 'widen' : 'narrow'
    if (op === '$lt' || op === '$lte') return after > before ? 'widen' : 'narrow'
  }
  if ((op === '$in' || op === '$nin') && Array.isArray(before) && Array.isArray(after)) {
    const grows = after.some((v) => !before.includes(v))
    const shrinks = before.some((v) => !after.includes(v))
    if (grows && shrinks) return 'change'
    return (grows ? op === '$in' : op === '$nin') ? 'widen' : 'narrow'
  }
  return 'change'
}

function conditionChanges(
  a: Agreement,
  b: Agreement,
  base: Omit<Change, 'kind' | 'direction' | 'message'>,
): Change[] {
  const out: Change[] = []
  const before = a.where ?? {}
  const after = b.where ?? {}
  const clause = (field: string, op: string, value: unknown) =>
    `${field} ${op} ${JSON.stringify(value)}`
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = field in before ? operatorsOf(before[field]) : {}
    const now = field in after ? operatorsOf(after[field]) : {}
    for (const op of new Set([...Object.keys(was), ...Object.keys(now)])) {
      const from = op in was ? clause(field, op, was[op]) : undefined
      const to = op in now ? clause(field, op, now[op]) : undefined
      if (from === to) continue
      const direction =
        from === undefined
          ? 'narrow'
          : to === undefined
            ? 'widen'
            : operandDirection(op, was[op], now[op])
      out.push({
        ...base,
        kind: 'condition',
        direction,
        field,
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        message:
          from === undefined
            ? `adds the row condition ${to}`
            : to === undefined
              ? `drops the row condition ${from}`
              : `changes the row condition ${from} to ${to}`,
      })
    }
  }
  return out
}

/** A new agreement (or one whose dataset or purpose changed): all its fields are a widening. */
function agreementAdded(partner: string, a: Agreement): Change {
  return {
    kind: 'agreement_added',
    direction: 'widen',
    partner,
    agreement: a.id,
    dataset: a.dataset,
    to: a.fields.join(' '),
    message: `new agreement for ${a.dataset}/${a.purpose} grants ${a.fields.join(', ')}`,
  }
}

function agreementChanges(
  partner: Partner,
  a: Agreement,
  b: Agreement,
  oldSets: ReadonlyMap<string, Dataset>,
  newSets: ReadonlyMap<string, Dataset>,
): Change[] {
  const base = { partner: partner.id, agreement: b.id, dataset: b.dataset }
  const out: Change[] = []
  const oldDataset = oldSets.get(a.dataset)
  const newDataset = newSets.get(b.dataset)
  const describe = (d: Dataset | undefined, path: string) => {
    const f = d?.field(path)
    return f ? `${f.class}, ${f.operator.name}` : 'unknown'
  }
  const before = new Set(a.fields)
  const after = new Set(b.fields)
  for (const path of b.fields)
    if (!before.has(path))
      out.push({
        ...base,
        kind: 'field_gained',
        direction: 'widen',
        field: path,
        to: describe(newDataset, path),
        message: `gains ${path} (${describe(newDataset, path)})`,
      })
  for (const path of a.fields)
    if (!after.has(path))
      out.push({
        ...base,
        kind: 'field_lost',
        direction: 'narrow',
        field: path,
        from: describe(oldDataset, path),
        message: `loses ${path}`,
      })
  for (const path of b.fields) {
    if (!before.has(path)) continue
    const was = oldDataset?.field(path)?.operator
    const now = newDataset?.field(path)?.operator
    if (!was || !now || was.name === now.name) continue
    const rankWas = EXPOSURE[was.kind] ?? 0
    const rankNow = EXPOSURE[now.kind] ?? 0
    const direction = rankNow > rankWas ? 'widen' : rankNow < rankWas ? 'narrow' : 'change'
    out.push({
      ...base,
      kind: 'operator',
      direction,
      field: path,
      from: was.name,
      to: now.name,
      message: `${path}: ${was.name} to ${now.name} (${direction === 'widen' ? 'weaker' : direction === 'narrow' ? 'stronger' : 'other'})`,
    })
  }
  out.push(...conditionChanges(a, b, base))
  if (b.validFrom !== a.validFrom || b.validUntil !== a.validUntil) {
    const widens = b.validFrom < a.validFrom || b.validUntil > a.validUntil
    const narrows = b.validFrom > a.validFrom || b.validUntil < a.validUntil
    out.push({
      ...base,
      kind: 'validity',
      direction: widens && narrows ? 'change' : widens ? 'widen' : 'narrow',
      from: `${day(a.validFrom)}..${day(a.validUntil)}`,
      to: `${day(b.validFrom)}..${day(b.validUntil)}`,
      message: `validity ${day(a.validFrom)}..${day(a.validUntil)} to ${day(b.validFrom)}..${day(b.validUntil)}`,
    })
  }
  return out
}

/** The changes from `before` to `after`. */
export function diffPolicies(
  before: Policy,
  after: Policy,
  oldSets: readonly Dataset[],
  newSets: readonly Dataset[],
): Change[] {
  const out: Change[] = []
  const oldByName = new Map(oldSets.map((d) => [d.name, d]))
  const newByName = new Map(newSets.map((d) => [d.name, d]))
  for (const partner of after.partners) {
    const was = before.partner(partner.id)
    if (!was) {
      out.push({
        kind: 'partner_added',
        direction: partner.agreements.length > 0 ? 'widen' : 'change',
        partner: partner.id,
        to: partner.standing,
        message: `new partner ${partner.id} (${partner.category}, ${partner.standing}${partner.core ? ', core' : ''}) with ${partner.agreements.length} agreement(s)`,
      })
      for (const a of partner.agreements) out.push(agreementAdded(partner.id, a))
      continue
    }
    if (was.standing !== partner.standing) {
      const from = STANDING_RECEIVES[was.standing]
      const to = STANDING_RECEIVES[partner.standing]
      out.push({
        kind: 'standing',
        direction: from === to ? 'change' : to ? 'widen' : 'narrow',
        partner: partner.id,
        from: was.standing,
        to: partner.standing,
        message: `standing ${was.standing} to ${partner.standing}`,
      })
    }
    if (was.core !== partner.core)
      out.push({
        kind: 'core',
        direction: partner.core ? 'widen' : 'narrow',
        partner: partner.id,
        from: String(was.core),
        to: String(partner.core),
        message: partner.core
          ? 'becomes a core partner (may receive desensitised fields)'
          : 'is no longer a core partner',
      })
    if (was.maxRecordsPerRelease !== partner.maxRecordsPerRelease) {
      const from = was.maxRecordsPerRelease ?? Number.POSITIVE_INFINITY
      const to = partner.maxRecordsPerRelease ?? Number.POSITIVE_INFINITY
      out.push({
        kind: 'record_cap',
        direction: to > from ? 'widen' : 'narrow',
        partner: partner.id,
        from: String(was.maxRecordsPerRelease ?? 'none'),
        to: String(partner.maxRecordsPerRelease ?? 'none'),
        message: `record cap ${was.maxRecordsPerRelease ?? 'none'} to ${partner.maxRecordsPerRelease ?? 'none'}`,
      })
    }
    const oldAgreements = new Map(was.agreements.map((a) => [a.id, a]))
    for (const a of partner.agreements) {
      const prior = oldAgreements.get(a.id)
      if (!prior || prior.dataset !== a.dataset || prior.purpose !== a.purpose) {
        if (prior)
          out.push({
            kind: 'agreement_removed',
            direction: 'narrow',
            partner: partner.id,
            agreement: prior.id,
            dataset: prior.dataset,
            message: `agreement ${prior.id} for ${prior.dataset}/${prior.purpose} replaced`,
          })
        out.push(agreementAdded(partner.id, a))
        continue
      }
      out.push(...agreementChanges(partner, prior, a, oldByName, newByName))
    }
    for (const a of was.agreements)
      if (!partner.agreements.some((b) => b.id === a.id))
        out.push({
          kind: 'agreement_removed',
          direction: 'narrow',
          partner: partner.id,
          agreement: a.id,
          dataset: a.dataset,
          from: a.fields.join(' '),
          message: `agreement ${a.id} for ${a.dataset}/${a.purpose} removed`,
        })
  }
  for (const partner of before.partners)
    if (!after.partner(partner.id))
      out.push({
        kind: 'partner_removed',
        direction: 'narrow',
        partner: partner.id,
        from: partner.standing,
        message: `partner ${partner.id} removed`,
      })
  return out
}

/** Registers `datagate diff`. */
export function diffCommand(program: Command, state: CliState): void {
  const command = program
    .command('diff')
    .description('what a policy change does to what leaves, per partner and agreement')
    .argument('<old>', 'the policy before (YAML or JSON)')
    .argument('<new>', 'the policy after')
    .option(
      '--old-datasets <module>',
      "datasets the old policy was written against (default: the config's)",
    )
    .option(
      '--fail-on <what>',
      'exit 1 on: widen (exposure widens or cannot be told), any (any change)',
    )
  formatOption(command, ['text', 'json', 'md'])
  examples(command, [
    'datagate diff old-policy.yaml policy.yaml',
    'datagate diff <(git show main:policy.yaml) policy.yaml --fail-on widen   # a CI review gate',
  ])
  command.action(
    async (
      oldFile: string,
      newFile: string,
      options: { oldDatasets?: string; failOn?: string; format: string },
    ) => {
      if (options.failOn !== undefined && options.failOn !== 'widen' && options.failOn !== 'any')
        usageError(`--fail-on: expected widen or any, got ${options.failOn}`)
      const config = await readConfig(findConfig(program.opts().config, state.io.env, state.io.cwd))
      const datasets = await loadDatasets(config.datasets)
      const oldDatasets = options.oldDatasets
        ? await loadDatasets(resolve(state.io.cwd, options.oldDatasets))
        : datasets
      const before = requirePolicy(
        await loadPolicyFile(resolve(state.io.cwd, oldFile), oldDatasets),
      )
      const after = requirePolicy(await loadPolicyFile(resolve(state.io.cwd, newFile), datasets))
      const changes = diffPolicies(before, after, oldDatasets, datasets)
      const count = (d: Change['direction']) => changes.filter((c) => c.direction === d).length
      const report: DiffReport = {
        old: { file: oldFile, policyHash: before.hash },
        new: { file: newFile, policyHash: after.hash },
        widened: count('widen'),
        narrowed: count('narrow'),
        changed: count('change'),
        changes,
      }
      emit(state, diffRenderers, options.format, report)
      if (options.failOn === 'any' && changes.length > 0) fail(state, 1)
      if (options.failOn === 'widen' && report.widened + report.changed > 0) fail(state, 1)
    },
  )
}
