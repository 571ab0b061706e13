// loadPolicy of a policy of 200 partners x 5 agreements (YAML) against YAML.parse of the same text
// alone: what the checks cost on top of reading the document.
import { loadavg } from 'node:os'
import { loadPolicy } from 'datagate'
import YAML from 'yaml'
import { datasets, largePolicyYaml } from './fixtures.js'
import { type ComparisonReport, interleave, paired, scaledRounds } from './harness.js'

/** Runs the policy comparison. */
export async function policyComparison(): Promise<ComparisonReport> {
  const text = largePolicyYaml(200, 5)
  const policy = loadPolicy(text, { datasets })
  const checks = [
    { baseline: 'YAML.parse (200 partners loaded)', ok: policy.document.partners.length === 200 },
  ]
  const loadBefore = loadavg()[0] as number
  const result = await interleave(
    [
      { name: 'loadPolicy (YAML)', run: () => loadPolicy(text, { datasets }) },
      { name: 'YAML.parse', run: () => YAML.parse(text) },
    ],
    { rounds: scaledRounds(2) },
  )
  const loadAfter = loadavg()[0] as number
  return {
    id: 'policy',
    title: `Policy (200 partners x 5 agreements, ${(text.length / 1024).toFixed(0)} KiB of YAML)`,
    checks,
    timings: result.cases,
    ratios: [paired(result, 'loadPolicy (YAML)', 'YAML.parse', 'time')],
    notes: [],
    load: [loadBefore, loadAfter],
  }
}
