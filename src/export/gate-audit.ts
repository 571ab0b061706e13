// The gate's side of the audit trail, kept out of gate.ts: which log it writes to (or the
// explicit `audit: false`), the policy and checkpoint at start, the policy in force before any
// event names its hash, refusals of known partners, and the receipt every token carries.
import { DatagateError, type DatagateErrorCode, isDatagateError } from '../errors.js'
import { canonicalJson } from '../lib/canonical-json.js'
import { textDigest } from '../lib/digest.js'
import type { Policy } from '../policy/load.js'
import type { ReleasePlan } from '../policy/plan.js'
import type { AuditEventInput, AuditSink } from './audit-event.js'
import { type AuditLog, createAuditLog } from './audit-log.js'
import type { AuditReceiptClaim } from './audit-receipt.js'
import type { CheckpointSink } from './checkpoint.js'
import type { KeyRing } from './key-ring.js'

/** Refusals of a known partner, each written to the chain as a `denied` event. */
const DENIALS: ReadonlySet<DatagateErrorCode> = new Set([
  'ERR_PARTNER_SUSPENDED',
  'ERR_PARTNER_REVOKED',
  'ERR_AGREEMENT_EXPIRED',
  'ERR_NOT_PERMITTED',
  'ERR_UNKNOWN_DATASET',
  'ERR_THRESHOLD_EXCEEDED',
])

/** What the gate is given about its audit trail. */
export interface GateAuditOptions {
  readonly issuer: string
  readonly keys?: KeyRing | undefined
  readonly audit?: AuditSink | false | undefined
  readonly checkpointEvery?: number | undefined
  readonly checkpointIntervalMs?: number | undefined
  readonly checkpointSink?: CheckpointSink | undefined
  readonly now: () => Date
  /** The policy in force, read at each write. */
  readonly policy: () => Policy
}

/** A request as the denial event records it. */
interface Requested {
  readonly partner: string
  readonly dataset: string
  readonly purpose: string
}

/** The gate's audit trail; every method is a no-op (or `false`) with `audit: false`. */
export interface GateAudit {
  /** False with `audit: false` (or no sink and no keys): nothing is written. */
  readonly enabled: boolean
  /** Resolves once the startup events and the policy in force are on the chain. */
  ready(): Promise<void>
  /** Queues a `policy` event when the policy in force has a new hash. */
  policyChanged(): void
  /** Writes a `denied` event for a refusal of a known partner, then rejects with the refusal. */
  denied(request: Requested, error: unknown): Promise<never>
  /** The `audit` claim of the next token. */
  receipt(): AuditReceiptClaim
  /** What every release-shaped event says about the plan. */
  facts(plan: ReleasePlan): {
    partner: string
    dataset: string
    purpose: string
    agreement: string
    fields: { path: string; operator: string }[]
    policyHash: string
  }
  append(input: AuditEventInput): Promise<void>
  checkpoint(): Promise<string | undefined>
  close(): Promise<void>
}

/** Sets up the gate's audit trail; throws `ERR_AUDIT_REQUIRED` for keys without a choice. */
export function gateAudit(options: GateAuditOptions): GateAudit {
  if (options.keys !== undefined && options.audit === undefined)
    throw new DatagateError(
      'ERR_AUDIT_REQUIRED',
      'createGate: a gate with keys needs an audit sink; pass audit: false to opt out explicitly',
    )
  const keys = options.keys
  const log: AuditLog | undefined =
    options.audit === undefined || options.audit === false
      ? undefined
      : createAuditLog({
          sink: options.audit,
          now: options.now,
          ...(keys === undefined
            ? {}
            : {
                checkpoint: {
                  keys,
                  issuer: options.issuer,
                  ...(options.checkpointEvery === undefined
                    ? {}
                    : { every: options.checkpointEvery }),
                  ...(options.checkpointIntervalMs === undefined
                    ? {}
                    : { intervalMs: options.checkpointIntervalMs }),
                  ...(options.checkpointSink === undefined ? {} : { sink: options.checkpointSink }),
                },
              }),
        })

  // The policy in force is on the chain before any event that names its hash; a failed write
  // is retried by the next request, which fails closed until it succeeds.
  let policyLogged: { hash: string; write: Promise<void> } | undefined
  function logPolicy(): Promise<void> {
    if (!log) return Promise.resolve()
    const policy = options.policy()
    if (policyLogged?.hash === policy.hash) return policyLogged.write
    const document = JSON.parse(canonicalJson(policy.document)) as unknown
    const write = log
      .append({ type: 'policy', policyHash: textDigest(canonicalJson(document)), document })
      .then(() => undefined)
    const entry = { hash: policy.hash, write }
    policyLogged = entry
    write.catch(() => {
      if (policyLogged === entry) policyLogged = undefined
    })
    return write
  }
  // At start: the policy, then a checkpoint, so a resumed chain is signed at once and every
  // receipt carries a checkpoint. Never rejects: a failure resurfaces on the first request,
  // whose own writes then fail closed.
  const startup: Promise<unknown> = log
    ? logPolicy()
        .then(() => (keys ? log.checkpoint() : undefined))
        .catch(() => undefined)
    : Promise.resolve()
  const ready = async () => {
    await startup
    await logPolicy()
  }

  return {
    enabled: log !== undefined,
    ready,
    policyChanged: () => void logPolicy().catch(() => undefined),
    denied(request, error) {
      const code = isDatagateError(error) ? error.code : undefined
      if (
        !log ||
        code === undefined ||
        !DENIALS.has(code) ||
        !options.policy().partner(request.partner)
      )
        return Promise.reject(error)
      return ready()
        .then(() =>
          log.append({
            type: 'denied',
            partner: request.partner,
            dataset: request.dataset.slice(0, 256),
            purpose: request.purpose.slice(0, 256),
            policyHash: options.policy().hash,
            code,
          }),
        )
        .then(
          () => Promise.reject(error),
          (cause) => Promise.reject(cause),
        )
    },
    receipt() {
      const head = log?.head()
      if (!log || head === undefined) return false
      return { seq: head.seq, head: head.hash, checkpoint: log.latestCheckpoint() ?? null }
    },
    facts: (plan) => ({
      partner: plan.partner.id,
      dataset: plan.dataset.name,
      purpose: plan.purpose,
      agreement: plan.agreement.id,
      fields: plan.fields.map((f) => ({ path: f.path, operator: f.operator })),
      policyHash: options.policy().hash,
    }),
    async append(input) {
      if (log) await log.append(input)
    },
    async checkpoint() {
      if (!log) return undefined
      await ready()
      const event = await log.checkpoint()
      return event?.type === 'checkpoint' ? event.token : undefined
    },
    async close() {
      await log?.close()
    },
  }
}
