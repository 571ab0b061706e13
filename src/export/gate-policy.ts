// The policy a gate runs under: checked against the gate's datasets and issuer when the gate is
// made, and again, with the stores it needs (budget, consent, subject counters, watermark key),
// each time setPolicy replaces it. A policy that does not fit is refused and the old one stays.
import type { Dataset } from '../classify/dataset.js'
import { DatagateError } from '../errors.js'
import { invalidArgument } from '../lib/assert.js'
import { compilePolicy, type Policy } from '../policy/load.js'
import { policyThresholds } from '../policy/thresholds.js'
import { assertBudgetStore } from './budget.js'
import { assertConsentStore } from './consent-filter.js'
import type { GateCore } from './gate-core.js'
import { assertCountingForRefusal, subjectCountingNeed } from './subject-count.js'
import { checkWatermarks } from './watermark-gate.js'

/** The policy recompiled against `datasets`, or `ERR_POLICY_INVALID` with every finding. */
export function checkPolicy(policy: Policy, issuer: string, datasets: readonly Dataset[]): Policy {
  if (typeof policy !== 'object' || policy === null || typeof policy.document !== 'object')
    invalidArgument('type', 'createGate: policy', 'a policy from loadPolicy()')
  const { policy: rechecked, findings } = compilePolicy(policy.document, datasets)
  const all = [...findings]
  if (policy.issuer !== issuer) {
    all.push({
      code: 'issuer_mismatch',
      path: 'issuer',
      message: `the policy's issuer is not the gate's (${issuer})`,
    })
  }
  if (!rechecked || all.length > 0) {
    throw new DatagateError(
      'ERR_POLICY_INVALID',
      `policy does not fit the gate: ${all.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
      { findings: all },
    )
  }
  return rechecked
}

/** `gate.setPolicy`: puts `next` in force once it fits the gate, and logs it. */
export function setPolicy(core: GateCore, next: Policy): void {
  core.requireOpen()
  const checked = checkPolicy(next, core.issuer, core.datasetList)
  assertBudgetStore(checked, core.budget, 'setPolicy')
  assertConsentStore(checked, core.consentStore, 'setPolicy')
  assertCountingForRefusal(
    core.counting,
    subjectCountingNeed(core.datasetList),
    policyThresholds(checked),
    'setPolicy',
  )
  checkWatermarks(checked, core.datasetList, core.watermarks, {
    pseudonymKey: core.pseudonymKey,
    now: core.now,
  })
  core.replacePolicy(checked)
  // Queued now so every later event follows it; a failure is retried by the next request.
  core.audit.policyChanged()
}
