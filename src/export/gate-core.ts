// What every operation of the gate shares, built once by createGate: the resolved options, the
// policy in force and the plans compiled under it, whether the gate is closed, and the steps each
// operation starts with (a request to its plan, refused on the chain; the keys; the claims every
// token carries). The operations (gate-release.ts, gate-export.ts, gate-delta.ts, gate-stream.ts,
// gate-sign.ts, gate-policy.ts, and gate-view.ts for what release and export share) take this
// core rather than closing over createGate, so each holds one concept and the state they share
// has one owner: only this file writes the policy, the plans and `closed`.
import type { IntervalAuditor } from '../anonymize/interval-audit.js'
import type { RandomSource } from '../anonymize/operator.js'
import type { Dataset } from '../classify/dataset.js'
import { DatagateError } from '../errors.js'
import { assertObject, assertString, invalidArgument } from '../lib/assert.js'
import { base64url } from '../lib/bytes.js'
import { didYouMean } from '../lib/suggest.js'
import type { Policy } from '../policy/load.js'
import { compilePlan, type ReleasePlan, resolveAgreement } from '../policy/plan.js'
import type { AuditSink } from './audit-event.js'
import type { BudgetStore } from './budget.js'
import type { CheckpointSink } from './checkpoint.js'
import type { ConsentStore } from './consent-store.js'
import { type GateAudit, gateAudit } from './gate-audit.js'
import type { KeyRing } from './key-ring.js'
import type { SubjectCounting, SubjectDetails, SubjectTally } from './subject-count.js'
import type { Watermarker } from './watermark.js'

/** What a release is for. */
export interface ReleaseRequest {
  /** Partner id. */
  readonly partner: string
  /** Dataset name. */
  readonly dataset: string
  /** Purpose: the agreement's `purpose`, the CASL action. */
  readonly purpose: string
}

/** The gate's options once createGate has checked them. */
export interface GateSettings {
  readonly issuer: string
  /** The datasets as given (setPolicy checks a policy against them) and by name. */
  readonly datasetList: readonly Dataset[]
  readonly datasets: ReadonlyMap<string, Dataset>
  /** The gate's private copy of the pseudonym master key. */
  readonly pseudonymKey: Uint8Array | undefined
  readonly keys: KeyRing | undefined
  readonly now: () => Date
  readonly random: RandomSource
  /** `exp - iat` of every token, in seconds. */
  readonly ttl: number
  readonly auditor: IntervalAuditor | undefined
  readonly budget: BudgetStore | undefined
  readonly consentStore: ConsentStore | undefined
  readonly watermarks: Watermarker
  readonly counting: SubjectCounting | undefined
}

/** What the gate is given to build its audit trail (see gate-audit.ts). */
export interface GateAuditChoice {
  readonly audit: AuditSink | false | undefined
  readonly checkpointEvery: number | undefined
  readonly checkpointIntervalMs: number | undefined
  readonly checkpointSink: CheckpointSink | undefined
}

/** Claims every token of the gate carries (export, delta, stream chunk and manifest, set). */
// A type, not an interface: the claims are spread into token payloads typed as records.
export type BaseClaims = {
  iss: string
  aud: string
  iat: number
  exp: number
  jti: string
  purpose: string
  dataset: { name: string; version: string; schemaHash: string }
  policyHash: string
  agreement: string
}

/** The state and steps every operation of one gate shares. */
export interface GateCore extends GateSettings {
  readonly audit: GateAudit
  /**
   * The `Content-Digest` of the json-mode body (`{"data":<records>,"meta":<claims>}`) of each
   * detached export not yet signed by `gate.signMessage`, with its `exp`: signMessage signs
   * only a base carrying one of these, once, so no data leaves signed without its export event
   * (see gate-sign.ts).
   */
  readonly signableBodies: Map<string, number>
  /** The policy in force. */
  policy(): Policy
  /** Puts a checked policy in force and drops every plan compiled under the old one. */
  replacePolicy(checked: Policy): void
  /** The dataset named `name`, or `ERR_UNKNOWN_DATASET`. */
  dataset(name: string): Dataset
  /** The compiled plan for a request, valid now. */
  planFor(request: ReleaseRequest): ReleasePlan
  /** `ERR_GATE_CLOSED` once the gate is closed. */
  requireOpen(): void
  /** The plan, or a refusal that is on the chain before it is thrown. */
  auditedPlan(request: ReleaseRequest): Promise<ReleasePlan>
  /** The signing keys, or `ERR_INVALID_ARGUMENT` for a gate made without them. */
  requireKeys(): KeyRing
  baseClaims(plan: ReleasePlan, jti: string): BaseClaims
  newJti(): string
  /**
   * Merges a release's subjects into the counters (nothing without a tally). A refusal past a
   * threshold is on the chain as `denied` before it is thrown; a store failure is thrown as
   * `ERR_COUNTER_UNAVAILABLE` (audit.denied records refusals of the partner, not outages).
   */
  countSubjects(
    tally: SubjectTally | undefined,
    request: ReleaseRequest,
  ): Promise<SubjectDetails | undefined>
  /** Refuses later requests; true the first time only. */
  markClosed(): boolean
}

/** Builds the core of a gate over checked settings; throws `ERR_AUDIT_REQUIRED` (gate-audit.ts). */
export function createGateCore(
  settings: GateSettings,
  initialPolicy: Policy,
  auditChoice: GateAuditChoice,
): GateCore {
  const { datasets, now, random } = settings
  let policy = initialPolicy
  let plans = new Map<string, ReleasePlan>()
  const audit = gateAudit({
    issuer: settings.issuer,
    keys: settings.keys,
    audit: auditChoice.audit,
    checkpointEvery: auditChoice.checkpointEvery,
    checkpointIntervalMs: auditChoice.checkpointIntervalMs,
    checkpointSink: auditChoice.checkpointSink,
    now,
    policy: () => policy,
  })
  let closed = false

  function dataset(name: string): Dataset {
    const found = datasets.get(name)
    if (!found)
      throw new DatagateError(
        'ERR_UNKNOWN_DATASET',
        `the gate has no dataset ${JSON.stringify(name)}${didYouMean(name, datasets.keys())}`,
      )
    return found
  }

  function planFor(request: ReleaseRequest): ReleasePlan {
    assertObject(request, 'request')
    assertString(request.partner, 'request.partner', { nonEmpty: true })
    assertString(request.dataset, 'request.dataset', { nonEmpty: true })
    assertString(request.purpose, 'request.purpose', { nonEmpty: true })
    const named = dataset(request.dataset)
    const { partner, agreement } = resolveAgreement(
      policy,
      request.partner,
      request.dataset,
      request.purpose,
      now().getTime(),
    )
    const key = `${partner.id}\u0000${named.name}\u0000${agreement.id}`
    let plan = plans.get(key)
    if (!plan) {
      plan = compilePlan(partner, agreement, named, {
        pseudonymKey: settings.pseudonymKey,
        random,
        auditor: settings.auditor,
        policyHash: policy.hash,
      })
      plans.set(key, plan)
    }
    return plan
  }

  function requireOpen(): void {
    if (closed) throw new DatagateError('ERR_GATE_CLOSED', 'the gate is closed')
  }

  return {
    ...settings,
    audit,
    signableBodies: new Map<string, number>(),
    policy: () => policy,
    replacePolicy(checked) {
      policy = checked
      plans = new Map()
    },
    dataset,
    planFor,
    requireOpen,
    async auditedPlan(request) {
      requireOpen()
      let plan: ReleasePlan
      try {
        plan = planFor(request)
      } catch (error) {
        return audit.denied(request, error)
      }
      await audit.ready()
      return plan
    },
    requireKeys() {
      if (!settings.keys) invalidArgument('type', 'createGate: keys', 'a key ring to sign exports')
      return settings.keys
    },
    baseClaims(plan, jti) {
      const iat = Math.floor(now().getTime() / 1000)
      return {
        iss: settings.issuer,
        aud: plan.partner.id,
        iat,
        exp: iat + settings.ttl,
        jti,
        purpose: plan.purpose,
        dataset: {
          name: plan.dataset.name,
          version: plan.dataset.version,
          schemaHash: plan.dataset.schemaHash,
        },
        policyHash: plan.policyHash,
        agreement: plan.agreement.id,
      }
    },
    newJti: () => base64url(random(16)),
    async countSubjects(tally, request) {
      return tally ? tally.commit(now()).catch((error) => audit.denied(request, error)) : undefined
    },
    markClosed() {
      if (closed) return false
      closed = true
      return true
    },
  }
}
