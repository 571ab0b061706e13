/**
 * The gate: one object that holds the datasets, the policy, the keys and the audit log, and runs
 * the whole flow: release (classify, policy, anonymise), export (sign, optionally encrypt),
 * deltas, streams, and the audit trail of each (see gate-audit.ts).
 *
 * createGate checks the options, builds the state every operation shares once (gate-core.ts),
 * and returns methods that each delegate to the module holding that operation: gate-release.ts,
 * gate-export.ts, gate-delta.ts, gate-stream.ts, gate-sign.ts, gate-policy.ts.
 *
 * @packageDocumentation
 */
import type { IntervalAuditor } from '../anonymize/interval-audit.js'
import type { RandomSource } from '../anonymize/operator.js'
import type { Dataset, Released } from '../classify/dataset.js'
import {
  assertArray,
  assertFunction,
  assertNumber,
  assertObject,
  assertString,
  invalidArgument,
} from '../lib/assert.js'
import { copyPseudonymKey } from '../lib/key-strength.js'
import { type AccessMatrix, accessMatrix } from '../policy/access-matrix.js'
import { type Explanation, explainRelease } from '../policy/explain.js'
import type { Policy } from '../policy/load.js'
import type { ReleasePlan } from '../policy/plan.js'
import type { ReleaseResult } from '../policy/release.js'
import { policyThresholds } from '../policy/thresholds.js'
import type { SigningAlg } from './algorithms.js'
import type { AuditSink } from './audit-event.js'
import { assertBudgetStore, type BudgetStore } from './budget.js'
import type { CheckpointSink } from './checkpoint.js'
import { assertConsentStore } from './consent-filter.js'
import type { ConsentStore } from './consent-store.js'
import { createGateCore, type ReleaseRequest } from './gate-core.js'
import { type DeltaRequest, exportDelta, type SignedDelta } from './gate-delta.js'
import { type ExportRequest, exportRows, type SignedExport } from './gate-export.js'
import { checkPolicy, setPolicy } from './gate-policy.js'
import { release, releaseJson } from './gate-release.js'
import { signMessage } from './gate-sign.js'
import {
  exportStream,
  type StreamRequest,
  type StreamSetRequest,
  signStreamSet,
} from './gate-stream.js'
import type { KeyRing, PublicJwks } from './key-ring.js'
import { isKeyRing } from './keys.js'
import { type HeldDigests, heldSet, type NotModified, type ReleasedJson } from './not-modified.js'
import type { StreamPart, StreamSource } from './stream.js'
import type { SignedStreamSet } from './stream-set-sign.js'
import {
  assertCountingForRefusal,
  checkSubjectCounting,
  type SubjectCounting,
  subjectCountingNeed,
} from './subject-count.js'
import { createWatermarker } from './watermark.js'
import { checkWatermarks } from './watermark-gate.js'

// Each request and result type sits beside the operation that owns it; the gate's entry points
// and the adapters import them from here.
export type {
  DeltaRequest,
  ExportRequest,
  ReleaseRequest,
  SignedDelta,
  SignedExport,
  StreamRequest,
  StreamSetRequest,
}

/**
 * The record type of {@link Gate.release}`<D>`: {@link Released}`<D>` for a named dataset type, a
 * plain record when none is named.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { defineDataset, field, type ReleasedRecord } from 'datagate'
 *
 * const Outlet = defineDataset('outlet', z.object({ city: field.public(z.string()) }), { version: '1' })
 * const row: ReleasedRecord<typeof Outlet> = { city: 'Kiel' }
 * console.log(row) // { city: 'Kiel' }
 * ```
 */
export type ReleasedRecord<D extends Dataset> = Dataset extends D
  ? Record<string, unknown>
  : Released<D>

/** Options of {@link createGate}. */
export interface GateOptions {
  /** The JWT issuer of every export; must equal the policy's `issuer`. */
  readonly issuer: string
  /** Every dataset the gate releases. Names must be unique. */
  readonly datasets: readonly Dataset[]
  /** The loaded policy; checked again against `datasets`. */
  readonly policy: Policy
  /** Pseudonym master key (>= 32 bytes); required when a released field is pseudonymised. */
  readonly pseudonymKey?: Uint8Array
  /** Signing keys; required by `export`, `exportDelta`, `exportStream` and `jwks`. */
  readonly keys?: KeyRing
  /**
   * Where audit events go; the chain continues from `audit.head()` where the sink has one.
   * Required with `keys` (`ERR_AUDIT_REQUIRED`): nothing is signed without its audit event.
   * `false` opts out explicitly, and every signed token then carries the claim `audit: false`.
   */
  readonly audit?: AuditSink | false
  /** A signed checkpoint after every this many events; default 1000. */
  readonly checkpointEvery?: number
  /** And every this many milliseconds when events were written; default 60,000 (0: never). */
  readonly checkpointIntervalMs?: number
  /** Receives a copy of every checkpoint token: somewhere the log's writers cannot change. */
  readonly checkpointSink?: CheckpointSink
  /** Clock; defaults to `() => new Date()`. */
  readonly now?: () => Date
  /** Random source (noise, token ids); defaults to `crypto.getRandomValues`. */
  readonly random?: RandomSource
  /** Lifetime of signed exports in seconds (`exp - iat`); default 86 400. */
  readonly exportTtlSeconds?: number
  /** Interval auditor for aggregate agreements with totals (see `createHighsAuditor`). */
  readonly auditor?: IntervalAuditor
  /**
   * Privacy-budget ledger: `fileBudgetStore(folder)` from `datagate/node`, or
   * `memoryBudgetStore()` for tests and short-lived processes. No default: required
   * (`ERR_INVALID_ARGUMENT` otherwise) when the policy has a partner budget or an aggregate
   * agreement with `noise` or `once: true`, since a ledger lost on restart would allow them again.
   */
  readonly budget?: BudgetStore
  /**
   * Consent of data subjects: asked before every release under an agreement with `consent`
   * (rows whose subject holds none are dropped first; the count is in the audit event). No
   * default: required (`ERR_INVALID_ARGUMENT`) when an agreement declares consent; a store that
   * cannot answer refuses the release with `ERR_CONSENT_UNAVAILABLE`.
   */
  readonly consent?: ConsentStore
  /**
   * Watermark master key (>= 32 bytes): required (`ERR_WATERMARK_UNAVAILABLE` otherwise) when an
   * agreement has `watermark: { rows }`; audit events name it by its id only (`watermarkKeyId`).
   */
  readonly watermarkKey?: Uint8Array
  /**
   * Counters of distinct data subjects per partner and year (Asia/Shanghai), for the
   * cross-border and important-data thresholds: `{ store, key }`. Required when a dataset
   * declares a `subject` (`ERR_INVALID_ARGUMENT` otherwise); `false` opts out explicitly.
   */
  readonly subjects?: SubjectCounting | false
}

/** The gate made by {@link createGate}. */
export interface Gate {
  /** The policy in force. */
  readonly policy: Policy
  /**
   * Releases rows to a partner: records filtered, projected and transformed, plus a report.
   * Name the dataset's type, `release<typeof Customer>(...)`, to have `records` typed as
   * `Released<typeof Customer>[]` (aggregate agreements return group rows: leave it unset there).
   */
  release<D extends Dataset = Dataset>(
    rows: Iterable<unknown>,
    request: ReleaseRequest,
  ): Promise<ReleaseResult<ReleasedRecord<D>>>
  /** Releases and signs: `token` is a compact JWS by default. */
  export(rows: Iterable<unknown>, request: ExportRequest): Promise<SignedExport>
  /**
   * A conditional export (HTTP `If-None-Match`): when the released view's digest (the
   * `payloadDigest` an export of it carries) is in `held` (or `held` holds `'*'`), nothing is
   * signed and a `not-modified` event is written instead, durable before it resolves; otherwise
   * the same export as {@link Gate.export}, audited as one. Refusals are those of an export.
   */
  exportUnlessHeld(
    rows: Iterable<unknown>,
    request: ExportRequest,
    held: HeldDigests,
  ): Promise<SignedExport | NotModified>
  /**
   * A release written straight to JSON bytes (the HTTP adapters' `filtered` mode): audited as
   * {@link Gate.release}, with the digest of those bytes. With `options.held` holding that digest
   * (or `'*'`), a `not-modified` event is written instead and no records are returned.
   */
  releaseJson(
    rows: Iterable<unknown>,
    request: ReleaseRequest,
    options?: { readonly held?: HeldDigests },
  ): Promise<ReleasedJson | NotModified>
  /** Signs the JSON Patch from the previous released view to the current one. */
  exportDelta(
    previousRows: Iterable<unknown>,
    rows: Iterable<unknown>,
    request: DeltaRequest,
  ): Promise<SignedDelta>
  /**
   * Signed chunks of records, then a signed manifest linking them. `stream-start` is written
   * before the first chunk leaves and `stream-end` with the manifest. Bad options and a `rows`
   * that is neither an iterable, an async iterable nor a `ReadableStream` throw
   * `ERR_INVALID_ARGUMENT` when the stream is made, before any event.
   */
  exportStream(
    rows: StreamSource,
    request: StreamRequest,
  ): AsyncGenerator<StreamPart, void, undefined>
  /**
   * Signs the set manifest of an export split into partition streams: each manifest must be one
   * this gate signed for the same partner, dataset, purpose and agreement, each stream once
   * (`ERR_INVALID_ARGUMENT` otherwise). Writes a `stream-set` event; partners check the set with
   * `verifyStreamSet`.
   */
  signStreamSet(request: StreamSetRequest): Promise<SignedStreamSet>
  /** The compiled plan for a request, valid now (for inspection and tests). */
  plan(request: ReleaseRequest): ReleasePlan
  /**
   * Why each field is released or withheld for a request now, and with `rows`, which clause
   * decided each row: `explainRelease` over the gate's policy, dataset and clock. Not audited
   * (nothing leaves); holds no record value.
   */
  explain(request: ReleaseRequest, rows?: Iterable<unknown>): Explanation
  /** Public signing keys for partners. */
  jwks(): PublicJwks
  /** `kid` and `alg` of the key the gate signs with now (no key material). */
  signingKey(): { readonly kid: string; readonly alg: SigningAlg }
  /**
   * Signs an RFC 9421 signature base with the current key, Ed25519 only (`ERR_KEY_UNSUPPORTED`
   * otherwise): `mode: 'json'` of the HTTP adapters. Writes no audit event: it signs only a base
   * that covers (`"content-digest": ...`) the json-mode body `{"data":<records>,"meta":<claims>}`
   * of an export this gate made with `format: 'detached'` (so audited) and has not signed yet,
   * before its `exp`, once; anything else is `ERR_INVALID_ARGUMENT`. Only a signature base is
   * accepted (its last line `"@signature-params": (...)` naming this `keyid`), so this never signs
   * a JWS signing input.
   */
  signMessage(base: string): Promise<Uint8Array>
  /** What each partner receives of each field, now. */
  accessMatrix(): AccessMatrix
  /**
   * Replaces the policy (checked against the gate's datasets) and drops every cached plan. A
   * policy that spends privacy budget on a gate made without a `budget` store is refused with
   * `ERR_INVALID_ARGUMENT`, and the old policy stays in force.
   */
  setPolicy(policy: Policy): void
  /** Signs a checkpoint of the audit chain now; its token, or `undefined` with nothing new. */
  checkpoint(): Promise<string | undefined>
  /** Writes a final checkpoint and refuses later requests (`ERR_GATE_CLOSED`). */
  close(): Promise<void>
}

/**
 * Creates a gate. Checks the policy against the datasets (`ERR_POLICY_INVALID` with every
 * finding) and the options (`ERR_INVALID_ARGUMENT`, `ERR_KEY_INVALID`). A gate with `keys`
 * needs `audit` (`ERR_AUDIT_REQUIRED`; `audit: false` opts out, and its tokens say so): it
 * writes the policy and a signed checkpoint at start, one event per release, export, delta,
 * stream start and end, and refusal of a known partner, and checkpoints as configured.
 * `ERR_INVALID_ARGUMENT` too when the policy spends privacy budget and no `budget` store is given.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { createGate, defineDataset, field, generateKeys, loadPolicy, memoryAuditSink, mask, verifyExport } from 'datagate'
 *
 * const Customer = defineDataset('customer', z.object({
 *   name: field.sensitive(z.string()),
 *   phone: field.desensitised(z.string(), mask.phone()),
 *   city: field.public(z.string()),
 * }), { version: '2026-11' })
 * const policy = loadPolicy({ issuer: 'oem-aftersales', partners: [{ id: 'insure-co', name: 'Insure Co',
 *   category: 'resource', standing: 'gold', core: true, agreements: [{ id: 'claims-2026', dataset: 'customer',
 *   purpose: 'claims', fields: ['phone', 'city'], validFrom: '2026-01-01', validUntil: '2026-12-31' }] }] },
 *   { datasets: [Customer] })
 * const keys = await generateKeys()
 * const audit = memoryAuditSink()
 * const gate = createGate({ issuer: 'oem-aftersales', datasets: [Customer], policy, keys, audit,
 *   now: () => new Date('2026-06-01T00:00:00Z') })
 *
 * const rows = [{ name: 'Zhang San', phone: '13812345678', city: 'Hangzhou' }]
 * const signed = await gate.export(rows, { partner: 'insure-co', dataset: 'customer', purpose: 'claims' })
 * const { records } = await verifyExport(signed.token, { jwks: gate.jwks(), issuer: 'oem-aftersales',
 *   audience: 'insure-co', now: () => new Date('2026-06-01T00:00:10Z') })
 * console.log(records) // [ { phone: '138****5678', city: 'Hangzhou' } ]
 * console.log(audit.events.map((e) => e.type)) // ['policy', 'checkpoint', 'export']
 * await gate.close()
 * ```
 */
export function createGate(options: GateOptions): Gate {
  assertObject(options, 'createGate: options')
  assertString(options.issuer, 'createGate: issuer', { nonEmpty: true })
  assertArray(options.datasets, 'createGate: datasets', { nonEmpty: true })
  const datasets = new Map<string, Dataset>()
  for (const dataset of options.datasets) {
    if (datasets.has(dataset.name))
      invalidArgument(
        'range',
        'createGate: datasets',
        `unique names (${dataset.name} is listed twice)`,
      )
    datasets.set(dataset.name, dataset)
  }
  const pseudonymKey = copyPseudonymKey(options.pseudonymKey, 'createGate: pseudonymKey')
  if (options.keys !== undefined && !isKeyRing(options.keys))
    invalidArgument('type', 'createGate: keys', 'a key ring from generateKeys() or importKeys()')
  const now = options.now ?? (() => new Date())
  assertFunction(now, 'createGate: now')
  const random = options.random ?? defaultRandom
  const ttl = options.exportTtlSeconds ?? 86_400
  assertNumber(ttl, 'createGate: exportTtlSeconds', { integer: true, min: 1 })
  const budget = options.budget
  const policy = checkPolicy(options.policy, options.issuer, options.datasets)
  assertBudgetStore(policy, budget, 'createGate')
  const consentStore = options.consent
  assertConsentStore(policy, consentStore, 'createGate')
  const watermarks = createWatermarker(options.watermarkKey)
  checkWatermarks(policy, options.datasets, watermarks, { pseudonymKey, now })
  const counting = checkSubjectCounting(options.subjects, subjectCountingNeed(options.datasets))
  assertCountingForRefusal(
    counting,
    subjectCountingNeed(options.datasets),
    policyThresholds(policy),
    'createGate',
  )
  const core = createGateCore(
    {
      issuer: options.issuer,
      datasetList: options.datasets,
      datasets,
      pseudonymKey,
      keys: options.keys,
      now,
      random,
      ttl,
      auditor: options.auditor,
      budget,
      consentStore,
      watermarks,
      counting,
    },
    policy,
    {
      audit: options.audit,
      checkpointEvery: options.checkpointEvery,
      checkpointIntervalMs: options.checkpointIntervalMs,
      checkpointSink: options.checkpointSink,
    },
  )

  return {
    get policy() {
      return core.policy()
    },
    release: (rows, request) => release(core, rows, request),
    // Without `held`, exportRows never answers not-modified.
    export: (rows, request) => exportRows(core, rows, request, undefined) as Promise<SignedExport>,
    async exportUnlessHeld(rows, request, held) {
      return exportRows(core, rows, request, heldSet(held, 'exportUnlessHeld: held'))
    },
    releaseJson: (rows, request, options = {}) => releaseJson(core, rows, request, options),
    exportDelta: (previousRows, rows, request) => exportDelta(core, previousRows, rows, request),
    exportStream: (rows, request) => exportStream(core, rows, request),
    signStreamSet: (request) => signStreamSet(core, request),
    plan: core.planFor,
    explain(request, rows) {
      assertObject(request, 'request')
      // Before the lookup: its did-you-mean reads the name as a string.
      assertString(request.dataset, 'explain: request.dataset')
      return explainRelease(core.policy(), core.dataset(request.dataset), request, {
        at: now(),
        ...(rows === undefined ? {} : { rows }),
      })
    },
    jwks: () => core.requireKeys().jwks(),
    signingKey() {
      const { kid, alg } = core.requireKeys().current
      return { kid, alg }
    },
    signMessage: (base) => signMessage(core, base),
    accessMatrix: () => accessMatrix(core.policy(), [...datasets.values()], { now }),
    setPolicy: (next) => setPolicy(core, next),
    checkpoint() {
      core.requireOpen()
      return core.audit.checkpoint()
    },
    async close() {
      if (core.markClosed()) await core.audit.close()
    },
  }
}

function defaultRandom(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length))
}
