// `datagate test [FILES]`: policy test cases in YAML, run through explainRelease (the rules the
// gate uses). A case names partner, dataset, purpose, `at`, an optional record, and what it
// expects: the released fields with their operators, or the refusal code, and for a record
// whether it is released. Reports pass/fail and what no case exercised.
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { Command } from 'commander'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import type { Dataset } from '../classify/dataset.js'
import { explainRelease } from '../policy/explain.js'
import type { Policy } from '../policy/load.js'
import { type CliState, emit, examples, fail, formatOption } from './command.js'
import {
  findConfig,
  loadDatasets,
  loadPolicyFile,
  readConfig,
  readText,
  requirePolicy,
} from './config.js'
import { policyTestRenderers } from './reports/policy-test.js'
import type { PolicyTestReportSchema } from './schemas.js'
import { parseDateOption, usageError } from './usage.js'

type PolicyTestReport = z.infer<typeof PolicyTestReportSchema>

const caseSchema = z.strictObject({
  name: z.string().min(1),
  partner: z.string().min(1),
  dataset: z.string().min(1),
  purpose: z.string().min(1),
  at: z.union([z.string(), z.date()]).optional(),
  record: z.record(z.string(), z.unknown()).optional(),
  expect: z
    .strictObject({
      /** Released fields and their operators (`keep`, `mask.phone`, or the family: `pseudonymize`). Exact set. */
      fields: z.union([z.record(z.string(), z.string()), z.array(z.string())]).optional(),
      refusal: z
        .string()
        .regex(/^ERR_[A-Z_]+$/)
        .optional(),
      /** With `record`: whether the record is released. */
      released: z.boolean().optional(),
    })
    .refine(
      (e) => e.fields !== undefined || e.refusal !== undefined || e.released !== undefined,
      'expect fields, refusal or released',
    ),
})
const fileSchema = z.strictObject({ cases: z.array(caseSchema).min(1) })
type PolicyCase = z.infer<typeof caseSchema>

function operatorMatches(actual: string, expected: string): boolean {
  return (
    actual === expected || actual.split('(')[0] === expected || actual.split(/[.(]/)[0] === expected
  )
}

/** Runs one case; the differences from what it expects. */
function runCase(
  c: PolicyCase,
  policy: Policy,
  datasets: readonly Dataset[],
  seen: { agreements: Set<string>; clauses: Set<string> },
): string[] {
  const dataset = datasets.find((d) => d.name === c.dataset)
  if (!dataset) return [`no dataset ${c.dataset}`]
  const at = c.at instanceof Date ? c.at : (parseDateOption(c.at, `${c.name}: at`) ?? new Date())
  const why = explainRelease(
    policy,
    dataset,
    { partner: c.partner, dataset: c.dataset, purpose: c.purpose },
    { at, ...(c.record ? { rows: [c.record] } : {}) },
  )
  if (why.agreement) seen.agreements.add(`${c.partner}/${why.agreement.id}`)
  const failures: string[] = []
  const expected = c.expect
  if (expected.refusal !== undefined && why.refusal?.code !== expected.refusal)
    failures.push(
      `expected refusal ${expected.refusal}, got ${why.refusal ? why.refusal.code : 'a release'}`,
    )
  if (expected.refusal === undefined && why.refusal && expected.fields !== undefined)
    failures.push(`expected a release, got refusal ${why.refusal.code}`)
  if (expected.fields !== undefined && !why.refusal) {
    const want = Array.isArray(expected.fields)
      ? Object.fromEntries(expected.fields.map((f) => [f, undefined]))
      : expected.fields
    const released = new Map(
      why.fields.filter((f) => f.released).map((f) => [f.path, f.operator ?? '']),
    )
    for (const [path, operator] of Object.entries(want)) {
      const actual = released.get(path)
      if (actual === undefined) {
        const reasons =
          why.fields.find((f) => f.path === path)?.reasons.join(', ') ?? 'no such field'
        failures.push(`expected ${path} released, it is withheld (${reasons})`)
      } else if (operator !== undefined && !operatorMatches(actual, operator))
        failures.push(`expected ${path} with ${operator}, got ${actual}`)
    }
    for (const path of released.keys())
      if (!(path in want)) failures.push(`${path} is released but not expected`)
  }
  const row = why.rows?.[0]
  for (const clause of row?.clauses ?? [])
    seen.clauses.add(`${c.partner}/${why.agreement?.id}/${clause.field} ${clause.operator}`)
  if (expected.released !== undefined) {
    if (!row) failures.push('expect.released needs a record')
    else if (row.released !== expected.released)
      failures.push(
        `expected the record ${expected.released ? 'released' : 'withheld'}, it is ${row.released ? 'released' : `withheld (${row.reason}${row.decidedBy ? `: ${row.decidedBy.field} ${row.decidedBy.operator} ${JSON.stringify(row.decidedBy.operand)} did not hold` : ''})`}`,
      )
  }
  return failures
}

function defaultFiles(configFile: string): string[] {
  const dir = dirname(configFile)
  const out: string[] = []
  for (const folder of [dir, join(dir, 'policy-tests')]) {
    if (!existsSync(folder)) continue
    for (const name of readdirSync(folder).sort())
      if (/\.test\.ya?ml$/.test(name)) out.push(join(folder, name))
  }
  return out
}

/** Registers `datagate test`. */
export function testCommand(program: Command, state: CliState): void {
  const command = program
    .command('test')
    .description('run policy test cases (YAML) and report what no case exercised')
    .argument(
      '[files...]',
      'case files (default: *.test.yaml beside the config and in policy-tests/)',
    )
  formatOption(command, ['text', 'json', 'junit'])
  examples(command, [
    'datagate test',
    'datagate test policy-tests/rental.test.yaml --format junit > policy-tests.xml',
  ])
  command.action(async (files: string[], options: { format: string }) => {
    const config = await readConfig(findConfig(program.opts().config, state.io.env, state.io.cwd))
    const datasets = await loadDatasets(config.datasets)
    const policy = requirePolicy(await loadPolicyFile(config.policy, datasets))
    const paths =
      files.length > 0 ? files.map((f) => resolve(state.io.cwd, f)) : defaultFiles(config.file)
    if (paths.length === 0)
      usageError('no policy test files: pass FILES or add *.test.yaml beside the config')
    const seen = {
      agreements: new Set<string>(),
      clauses: new Set<string>(),
      partners: new Set<string>(),
    }
    const cases: PolicyTestReport['cases'] = []
    for (const file of paths) {
      let raw: unknown
      try {
        raw = parseYaml(await readText(file))
      } catch (error) {
        usageError(`${file} does not parse: ${(error as Error).message}`)
      }
      const parsed = fileSchema.safeParse(raw)
      if (!parsed.success)
        usageError(
          `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        )
      for (const c of parsed.data.cases) {
        seen.partners.add(c.partner)
        const failures = runCase(c, policy, datasets, seen)
        cases.push({
          file,
          name: c.name,
          status: failures.length === 0 ? 'pass' : 'fail',
          failures,
        })
      }
    }
    const measure = (all: string[], covered: Set<string>) => ({
      covered: all.filter((x) => covered.has(x)).length,
      total: all.length,
      uncovered: all.filter((x) => !covered.has(x)),
    })
    const agreements = policy.partners.flatMap((p) => p.agreements.map((a) => `${p.id}/${a.id}`))
    const clauses = policy.partners.flatMap((p) =>
      p.agreements.flatMap((a) =>
        Object.entries(a.where ?? {}).flatMap(([field, condition]) =>
          (typeof condition === 'object' && condition !== null
            ? Object.keys(condition)
            : ['$eq']
          ).map((op) => `${p.id}/${a.id}/${field} ${op}`),
        ),
      ),
    )
    const failed = cases.filter((c) => c.status === 'fail').length
    const report: PolicyTestReport = {
      files: paths,
      passed: cases.length - failed,
      failed,
      cases,
      coverage: {
        partners: measure(
          policy.partners.map((p) => p.id),
          seen.partners,
        ),
        agreements: measure(agreements, seen.agreements),
        conditions: measure(clauses, seen.clauses),
      },
    }
    emit(state, policyTestRenderers, options.format, report)
    if (failed > 0) fail(state, 1)
  })
}
