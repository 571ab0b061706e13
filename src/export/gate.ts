/**
 * The gate: one object that holds the datasets, the policy, the keys and the audit log, and runs
 * the whole flow: release (classify, policy, anonymise), export (sign, optionally encrypt),
 * deltas, streams, and the audit trail of each (see gate-audit.ts).
 *
 * @packageDocumentation
 */
import type { IntervalAuditor } from '../anonymize/interval-audit.js'
import type { RandomSource } from '../anonymize/operator.js'
import type { Dataset, Released } from '../classify/dataset.js'
import { DatagateError } from '../errors.js'
import {
  assertArray,
  assertDate,
  assertFunction,
  assertNumber,
  assertObject,
  assertOneOf,
  assertString,
  invalidArgument,
} from '../lib/assert.js'
import { base64url, utf8 } from '../lib/bytes.js'
import {
  bytesDigest,
  contentDigestOf,
  digestingArray,
  jsonArrayDigest,
  textDigest,
} from '../lib/digest.js'
import { JsonArrayWriter } from '../lib/json-writer.js'
import { copyPseudonymKey } from '../lib/key-strength.js'
import { didYouMean } from '../lib/suggest.js'
import { type AccessMatrix, accessMatrix } from '../policy/access-matrix.js'
import { type Explanation, explainRelease } from '../policy/explain.js'
import { compilePolicy, type Policy } from '../policy/load.js'
import { compilePlan, type ReleasePlan, resolveAgreement } from '../policy/plan.js'
import {
  canonicalKeys,
  type KeyMemo,
  type ReleaseReport,
  type ReleaseResult,
} from '../policy/release.js'
import { policyThresholds } from '../policy/thresholds.js'
import type { SigningAlg } from './algorithms.js'
import type { AuditSink } from './audit-event.js'
import type { AuditReceiptClaim } from './audit-receipt.js'
import {
  assertBudgetStore,
  type BudgetDetails,
  type BudgetStore,
  chargeFirst,
  chargeRelease,
} from './budget.js'
import type { CheckpointSink } from './checkpoint.js'
import {
  assertConsentStore,
  consentedRows,
  consentedStream,
  inOriginalRows,
  inOriginalStreamRows,
} from './consent-filter.js'
import type { ConsentStore } from './consent-store.js'
import { gateAudit } from './gate-audit.js'
import type { KeyRing, PublicJwks } from './key-ring.js'
import { isKeyRing } from './keys.js'
import {
  type HeldDigests,
  heldBy,
  heldSet,
  holds,
  type NotModified,
  type ReleasedJson,
} from './not-modified.js'
import { partnerView } from './partner-report.js'
import { diffPreparedViews, type PatchOperation, viewDigest, viewOfKeys } from './patch.js'
import {
  type EncryptionRecipient,
  type SignedEnvelope,
  signEnvelope,
  signEnvelopeBytes,
} from './sign.js'
import { rowsOf, type StreamPart, type StreamSource, streamExport } from './stream.js'
import { type SignedStreamSet, setEntries, signStreamSet } from './stream-set-sign.js'
import {
  assertCountingForRefusal,
  checkSubjectCounting,
  runCounted,
  type SubjectCounting,
  type SubjectDetails,
  type SubjectTally,
  subjectCountingNeed,
  subjectTally,
} from './subject-count.js'
import { DELTA_TYP, EXPORT_TYP } from './typ.js'
import { createWatermarker } from './watermark.js'
import { checkWatermarks, watermarkDetails } from './watermark-gate.js'

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

/** What a release is for. */
export interface ReleaseRequest {
  /** Partner id. */
  readonly partner: string
  /** Dataset name. */
  readonly dataset: string
  /** Purpose: the agreement's `purpose`, the CASL action. */
  readonly purpose: string
}

/**
 * What a delta is for: a release request, and under a consent agreement when the partner's
 * current view was released.
 *
 * @example
 * ```ts
 * import type { DeltaRequest } from 'datagate'
 *
 * const request: DeltaRequest = { partner: 'insure-co', dataset: 'claim', purpose: 'claims',
 *   previousAt: new Date('2026-06-01T00:00:00Z') }
 * console.log(request.previousAt?.toISOString()) // '2026-06-01T00:00:00.000Z'
 * ```
 */
export interface DeltaRequest extends ReleaseRequest {
  /**
   * When the partner's current view was released (the previous export's time). Required when
   * the agreement declares `consent`: the base view is computed with consent as of then, the new
   * one with consent now, so a withdrawal in between becomes `remove` operations. With
   * `watermark` rows the base view has the rows of that time's period (without it, of now's):
   * give it when the previous export may be from another month.
   */
  readonly previousAt?: Date
}

/** What an export is for, and how it is wrapped. */
export interface ExportRequest extends ReleaseRequest {
  /** `compact` (default), `flattened` JSON or `detached` (RFC 7797 unencoded payload). */
  readonly format?: 'compact' | 'flattened' | 'detached'
  /** Nest the JWS in a JWE to the partner's public key from the policy (ECDH-ES+A256KW, A256GCM). */
  readonly encrypt?: boolean
}

/** A signed export. */
export interface SignedExport extends SignedEnvelope {
  readonly jti: string
  readonly count: number
  /**
   * `sha256:` digest of the released records exactly as signed (the `records` array's JSON in
   * the payload), as the audit event records it: `sha256` of `JSON.stringify(records)` of the
   * verified export.
   */
  readonly payloadDigest: string
  /** The `audit` claim signed into the token: the partner's receipt. */
  readonly audit: AuditReceiptClaim
  readonly report: ReleaseReport
}

/** A signed delta. */
export interface SignedDelta extends SignedEnvelope {
  readonly jti: string
  /** The RFC 6902 operations, also inside the signed payload under `patch`. */
  readonly patch: readonly PatchOperation[]
  /** Digest of the released view the patch applies to. */
  readonly baseDigest: string
  /** Digest of the released view the patch produces. */
  readonly resultDigest: string
}

/** Options of {@link Gate.exportStream}. */
export interface StreamRequest extends ReleaseRequest {
  /**
   * Records per signed chunk; default 625 (a partner verifying a 1,000,000-record stream in the
   * issuer's process peaked at 117-121 MB with it, 149-154 MB with 1,000, 146-182 MB with 2,000:
   * docs/benchmarks.md).
   */
  readonly chunkSize?: number
}

/**
 * What {@link Gate.signStreamSet} signs: one export split into partitions (`datagate/jobs`).
 *
 * @example
 * ```ts
 * import type { StreamSetRequest } from 'datagate'
 *
 * const request: StreamSetRequest = { partner: 'maps-co', dataset: 'outlet', purpose: 'map',
 *   set: 'nightly-2026-12-01', manifests: ['eyJ...0', 'eyJ...1'] }
 * console.log(request.manifests.length) // 2
 * ```
 */
export interface StreamSetRequest extends ReleaseRequest {
  /** The export id (1 to 128 characters). */
  readonly set: string
  /** Each partition's stream manifest token, in partition order. */
  readonly manifests: readonly string[]
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
  /** Signed chunks of records, then a signed manifest linking them. */
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

function checkPolicy(policy: Policy, issuer: string, datasets: readonly Dataset[]): Policy {
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

const EXPORT_FORMATS = ['compact', 'flattened', 'detached'] as const

function defaultRandom(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length))
}

/** The report as partners see it: no counts of what the partner did not receive (see partner-report.ts). */
export function partnerReport(report: ReleaseReport): Record<string, unknown> {
  return partnerView(report)
}

/** A stream that yields nothing and fails with the refusal once its audit event is written. */
// biome-ignore lint/correctness/useYield: it only ever rejects, on its first read
async function* refusedStream(
  refusal: Promise<never>,
): AsyncGenerator<StreamPart, void, undefined> {
  await refusal
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
  let policy = checkPolicy(options.policy, options.issuer, options.datasets)
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
  let plans = new Map<string, ReleasePlan>()
  /**
   * The `Content-Digest` of the json-mode body (`{"data":<records>,"meta":<claims>}`) of each
   * detached export not yet signed by {@link Gate.signMessage}, with its `exp`: signMessage signs
   * only a base carrying one of these, once, so no data leaves signed without its export event.
   */
  const signableBodies = new Map<string, number>()
  const MAX_SIGNABLE_BODIES = 10_000
  const audit = gateAudit({
    issuer: options.issuer,
    keys: options.keys,
    audit: options.audit,
    checkpointEvery: options.checkpointEvery,
    checkpointIntervalMs: options.checkpointIntervalMs,
    checkpointSink: options.checkpointSink,
    now,
    policy: () => policy,
  })
  let closed = false

  function planFor(request: ReleaseRequest): ReleasePlan {
    assertObject(request, 'request')
    assertString(request.partner, 'request.partner', { nonEmpty: true })
    assertString(request.dataset, 'request.dataset', { nonEmpty: true })
    assertString(request.purpose, 'request.purpose', { nonEmpty: true })
    const dataset = datasets.get(request.dataset)
    if (!dataset)
      throw new DatagateError(
        'ERR_UNKNOWN_DATASET',
        `the gate has no dataset ${JSON.stringify(request.dataset)}${didYouMean(request.dataset, datasets.keys())}`,
      )
    const { partner, agreement } = resolveAgreement(
      policy,
      request.partner,
      request.dataset,
      request.purpose,
      now().getTime(),
    )
    const key = `${partner.id}\u0000${dataset.name}\u0000${agreement.id}`
    let plan = plans.get(key)
    if (!plan) {
      plan = compilePlan(partner, agreement, dataset, {
        pseudonymKey,
        random,
        auditor: options.auditor,
        policyHash: policy.hash,
      })
      plans.set(key, plan)
    }
    return plan
  }

  function requireOpen(): void {
    if (closed) throw new DatagateError('ERR_GATE_CLOSED', 'the gate is closed')
  }

  /** The plan, or a refusal that is on the chain before it is thrown. */
  async function auditedPlan(request: ReleaseRequest): Promise<ReleasePlan> {
    requireOpen()
    let plan: ReleasePlan
    try {
      plan = planFor(request)
    } catch (error) {
      return audit.denied(request, error)
    }
    await audit.ready()
    return plan
  }

  function requireKeys(): KeyRing {
    if (!options.keys) invalidArgument('type', 'createGate: keys', 'a key ring to sign exports')
    return options.keys
  }

  function baseClaims(plan: ReleasePlan, jti: string) {
    const iat = Math.floor(now().getTime() / 1000)
    return {
      iss: options.issuer,
      aud: plan.partner.id,
      iat,
      exp: iat + ttl,
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
  }

  const newJti = () => base64url(random(16))

  /**
   * Merges a release's subjects into the counters (nothing without a tally). A refusal past a
   * threshold is on the chain as `denied` before it is thrown; a store failure is thrown as
   * `ERR_COUNTER_UNAVAILABLE` (audit.denied records refusals of the partner, not outages).
   */
  async function countSubjects(
    tally: SubjectTally | undefined,
    request: ReleaseRequest,
  ): Promise<SubjectDetails | undefined> {
    return tally ? tally.commit(now()).catch((error) => audit.denied(request, error)) : undefined
  }

  /**
   * Both versions of a delta filtered by consent: the previous rows as of `previousAt` (what the
   * partner was given then), the current rows as of now, so a withdrawal becomes a removal.
   */
  async function consentedVersions(
    plan: ReleasePlan,
    previousRows: Iterable<unknown>,
    rows: Iterable<unknown>,
    previousAt: Date | undefined,
  ) {
    if (plan.agreement.consent === undefined)
      return {
        previousRows,
        rows,
        audit: {} as { consentDropped?: number },
        previousOrigin: undefined,
        origin: undefined,
      }
    if (previousAt === undefined)
      invalidArgument(
        'type',
        `exportDelta: previousAt (agreement ${plan.agreement.id} releases with consent)`,
        "a Date: when the partner's current view was released",
      )
    assertDate(previousAt, 'exportDelta: previousAt')
    const before = await consentedRows(plan, previousRows, consentStore, previousAt)
    const after = await consentedRows(plan, rows, consentStore, now())
    return {
      previousRows: before.rows,
      rows: after.rows,
      audit: after.audit,
      previousOrigin: before.origin,
      origin: after.origin,
    }
  }

  /**
   * Runs the plan into `writer`; an agreement with watermark rows releases into an array first,
   * so its synthetic rows go among the real ones. `real` counts the real records only.
   */
  function runMarkedPlan(
    plan: ReleasePlan,
    rows: Iterable<unknown>,
    writer: JsonArrayWriter,
    tally: ReturnType<typeof subjectTally>,
  ) {
    if (!plan.agreement.watermark) {
      const run = runCounted(plan, rows, writer, tally)
      return { report: run.report, count: run.count, real: run.count, marked: 0 }
    }
    const realRecords: Record<string, unknown>[] = []
    const run = runCounted(plan, rows, realRecords, tally)
    const marked = watermarks.mark(plan, realRecords, now())
    for (const record of marked.records) writer.push(record)
    const report = marked.rows === 0 ? run.report : { ...run.report, watermarkRows: marked.rows }
    return { report, count: run.count + marked.rows, real: run.count, marked: marked.rows }
  }

  /**
   * Writes the `not-modified` event (durable before it resolves): nothing leaves. Its `rows` are
   * the real records (`real`), as the export's and release's events count them; `count` (with
   * watermark rows) is the view's, answered to the caller.
   */
  async function notModified(
    plan: ReleasePlan,
    count: number,
    payloadDigest: string,
    details: Record<string, string | number | boolean>,
    real = count,
  ): Promise<NotModified> {
    if (audit.enabled)
      await audit.append({
        type: 'not-modified',
        ...audit.facts(plan),
        rows: real,
        payloadDigest,
        details,
      })
    return { notModified: true, payloadDigest, count }
  }

  /** An export, or (with `held` holding the view's digest) a `not-modified` answer. */
  async function exportRows(
    rows: Iterable<unknown>,
    request: ExportRequest,
    held: ReadonlySet<string> | undefined,
  ): Promise<SignedExport | NotModified> {
    requireOpen()
    const keys = requireKeys()
    const plan = await auditedPlan(request)
    const format = request.format ?? 'compact'
    assertOneOf(format, 'export: format', EXPORT_FORMATS)
    let encryptTo: EncryptionRecipient | undefined
    if (request.encrypt === true) {
      if (format !== 'compact')
        invalidArgument(
          'range',
          'export: format',
          'unset with encrypt (encryption nests a compact JWS)',
        )
      if (!plan.partner.encryptionKeys || plan.partner.encryptionKeys.keys.length === 0) {
        throw new DatagateError(
          'ERR_KEY_UNSUPPORTED',
          `export: partner ${plan.partner.id} has no public keys in the policy to encrypt to`,
        )
      }
      encryptTo = plan.partner.encryptionKeys
    }
    const consent = await consentedRows(plan, rows, consentStore, now())
    const spend = await chargeRelease(budget, plan, now())
    // One serialisation: each released record is written as JSON bytes when it is made, the
    // claims go around them, and those exact bytes are digested and signed.
    const records = new JsonArrayWriter()
    const tally = subjectTally(counting, plan, policyThresholds(policy))
    const { report, count, real, marked } = inOriginalRows(consent.origin, () =>
      runMarkedPlan(plan, consent.rows, records, tally),
    )
    const jti = newJti()
    const receipt = audit.receipt()
    const claims = baseClaims(plan, jti)
    const head = JSON.stringify({
      ...claims,
      audit: receipt,
      count,
      report: partnerReport(report),
    })
    const payload = records.finish(`${head.slice(0, -1)},"records":`, '}')
    const payloadDigest = bytesDigest(payload.array)
    if (holds(held, payloadDigest))
      return notModified(
        plan,
        count,
        payloadDigest,
        {
          answers: 'export',
          held: heldBy(held, payloadDigest),
          format,
          ...spend,
          unknownKeys: report.unknownKeysDropped,
          ...watermarkDetails(marked, watermarks),
        },
        real,
      )
    // Counted (and refused past a threshold) before anything is signed.
    const subjects = await countSubjects(tally, request)
    const signing = signEnvelopeBytes(
      payload.bytes,
      keys,
      encryptTo ? { typ: EXPORT_TYP, encryptTo } : { typ: EXPORT_TYP, format },
    )
    // Digested while Web Crypto signs on the thread pool (nothing awaits in between).
    const signedDigest = bytesDigest(payload.bytes)
    const envelope = await signing
    await audit.append({
      type: 'export',
      ...audit.facts(plan),
      rows: real,
      payloadDigest,
      jti,
      signedDigest,
      ...consent.audit,
      details: {
        kid: envelope.kid,
        format: envelope.format,
        ...spend,
        ...subjects,
        unknownKeys: report.unknownKeysDropped,
        ...watermarkDetails(marked, watermarks),
      },
    })
    // Audited: its json-mode body may now be signed, once (the adapters' `mode: 'json'`).
    if (format === 'detached' && encryptTo === undefined) {
      const nowSeconds = Math.floor(now().getTime() / 1000)
      for (const [digest, exp] of signableBodies)
        if (exp <= nowSeconds || signableBodies.size >= MAX_SIGNABLE_BODIES)
          signableBodies.delete(digest)
        else break
      signableBodies.set(
        contentDigestOf([utf8('{"data":'), payload.array, utf8(`,"meta":${head}}`)]),
        claims.exp,
      )
    }
    return { ...envelope, jti, count, payloadDigest, audit: receipt, report }
  }

  return {
    get policy() {
      return policy
    },

    async release(rows, request) {
      const plan = await auditedPlan(request)
      const consent = await consentedRows(plan, rows, consentStore, now())
      const spend = await chargeRelease(budget, plan, now())
      const tally = subjectTally(counting, plan, policyThresholds(policy))
      // With an audit sink, digested as the records are made (the event's payloadDigest),
      // unless watermark rows are woven in afterwards: then the digest is of the woven records.
      // Without one, nothing is serialised.
      const digesting = audit.enabled ? digestingArray<Record<string, unknown>>() : undefined
      const released = digesting?.values ?? []
      const real = {
        records: released,
        report: inOriginalRows(consent.origin, () =>
          runCounted(plan, consent.rows, digesting ?? released, tally),
        ).report,
      }
      // The watermark rows first: a period whose rows cannot be made refuses before anyone is counted.
      const marked = watermarks.mark(plan, real.records, now())
      const subjects = await countSubjects(tally, request)
      const result =
        marked.rows === 0
          ? real
          : { records: marked.records, report: { ...real.report, watermarkRows: marked.rows } }
      // The digest is only for the audit event: JSON of the records, as an export would sign them.
      if (audit.enabled)
        await audit.append({
          type: 'release',
          ...audit.facts(plan),
          rows: real.records.length,
          payloadDigest:
            marked.rows === 0 && digesting ? digesting.digest() : jsonArrayDigest(result.records),
          ...consent.audit,
          details: {
            ...spend,
            ...subjects,
            unknownKeys: result.report.unknownKeysDropped,
            ...watermarkDetails(marked.rows, watermarks),
          },
        })
      // The plan validated and projected every record to the dataset's released shape.
      return result as ReleaseResult<never>
    },

    export(rows, request) {
      // Without `held`, exportRows never answers not-modified.
      return exportRows(rows, request, undefined) as Promise<SignedExport>
    },

    async exportUnlessHeld(rows, request, held) {
      return exportRows(rows, request, heldSet(held, 'exportUnlessHeld: held'))
    },

    async releaseJson(rows, request, options = {}) {
      assertObject(options, 'releaseJson: options')
      const held =
        options.held === undefined ? undefined : heldSet(options.held, 'releaseJson: options.held')
      const plan = await auditedPlan(request)
      const consent = await consentedRows(plan, rows, consentStore, now())
      const spend = await chargeRelease(budget, plan, now())
      const writer = new JsonArrayWriter()
      const tally = subjectTally(counting, plan, policyThresholds(policy))
      const { report, count, real, marked } = inOriginalRows(consent.origin, () =>
        runMarkedPlan(plan, consent.rows, writer, tally),
      )
      // The array's own bytes, as JSON.stringify(records) writes them: one serialisation for
      // the body, the ETag and the release event's digest.
      const json = writer.finish('', '').array
      const payloadDigest = bytesDigest(json)
      // A 304 gives nothing new: its subjects were counted when the view was first released.
      if (holds(held, payloadDigest))
        return notModified(
          plan,
          count,
          payloadDigest,
          {
            answers: 'release',
            held: heldBy(held, payloadDigest),
            ...spend,
            unknownKeys: report.unknownKeysDropped,
            ...watermarkDetails(marked, watermarks),
          },
          real,
        )
      const subjects = await countSubjects(tally, request)
      const details = {
        ...spend,
        ...subjects,
        unknownKeys: report.unknownKeysDropped,
        ...watermarkDetails(marked, watermarks),
      }
      if (audit.enabled)
        await audit.append({
          type: 'release',
          ...audit.facts(plan),
          rows: real,
          payloadDigest,
          ...consent.audit,
          details,
        })
      return { json, count, payloadDigest, report }
    },

    async exportDelta(previousRows, rows, request) {
      requireOpen()
      const keys = requireKeys()
      const plan = await auditedPlan(request)
      if (plan.kind === 'aggregate')
        invalidArgument(
          'range',
          `exportDelta: agreement ${plan.agreement.id}`,
          'a records agreement, not an aggregate (a patch between suppressed tables can reveal suppressed cells; export it whole)',
        )
      if (!plan.deterministic)
        invalidArgument(
          'range',
          `exportDelta: ${plan.noisyFields[0] ?? 'a field'}`,
          "a field without noise (it gets fresh noise on every release, so the partner's view cannot be the base of a patch; export it whole)",
        )
      // Each record is released straight into its canonical JSON, once: edit-script key, digest
      // part, and normalised form of the records that changed.
      // A row object given in both versions is released once (the plan is deterministic).
      const memo: KeyMemo = new Map()
      const versions = await consentedVersions(plan, previousRows, rows, request.previousAt)
      // Each view carries its period's watermark rows, anchored alike: within a month the patch
      // leaves them be. The base is the view as released at `previousAt` (else now): a partner
      // holding last month's view holds last month's rows, and the patch swaps them.
      const at = now()
      if (request.previousAt !== undefined)
        assertDate(request.previousAt, 'exportDelta: previousAt')
      const before = viewOfKeys(
        watermarks.markKeys(
          plan,
          inOriginalRows(versions.previousOrigin, () =>
            canonicalKeys(plan, versions.previousRows, memo),
          ),
          request.previousAt ?? at,
        ).keys,
      )
      // The new view is what the partner holds after the patch: its subjects are counted (again,
      // for those counted before: a HyperLogLog merge is a maximum, so nobody counts twice).
      const tally = subjectTally(counting, plan, policyThresholds(policy))
      const realAfter = inOriginalRows(versions.origin, () =>
        canonicalKeys(plan, versions.rows, memo, tally ? (row) => tally.observe(row) : undefined),
      )
      const markedAfter = watermarks.markKeys(plan, realAfter, at)
      const afterKeys = markedAfter.keys
      const afterView = viewOfKeys(afterKeys)
      const patch = diffPreparedViews(before, afterView)
      const baseDigest = before.digest
      const resultDigest = afterView.digest
      const jti = newJti()
      const claims = {
        ...baseClaims(plan, jti),
        audit: audit.receipt(),
        baseDigest,
        resultDigest,
        count: afterKeys.length,
        operations: patch.length,
        patch,
      }
      // Counted (and refused past a threshold) before anything is signed.
      const subjects = await countSubjects(tally, request)
      const envelope = await signEnvelope(claims, keys, { typ: DELTA_TYP })
      await audit.append({
        type: 'delta',
        ...audit.facts(plan),
        rows: realAfter.length,
        payloadDigest: viewDigest(patch),
        jti,
        signedDigest: textDigest(JSON.stringify(claims)),
        ...versions.audit,
        details: {
          kid: envelope.kid,
          baseDigest,
          resultDigest,
          operations: patch.length,
          ...subjects,
          ...watermarkDetails(markedAfter.rows, watermarks),
        },
      })
      return { ...envelope, jti, patch, baseDigest, resultDigest }
    },

    exportStream(rows, request) {
      requireOpen()
      const keys = requireKeys()
      let plan: ReleasePlan
      try {
        plan = planFor(request)
      } catch (error) {
        // The refusal surfaces when the stream is first read, after its `denied` event is
        // durable (or as the audit failure), as export() does: a refusal is never unrecorded.
        return refusedStream(audit.denied(request, error))
      }
      if (plan.kind === 'aggregate')
        invalidArgument(
          'range',
          `exportStream: agreement ${plan.agreement.id}`,
          'a records agreement, not an aggregate (use export())',
        )
      if (plan.agreement.watermark)
        invalidArgument(
          'range',
          `exportStream: agreement ${plan.agreement.id}`,
          'an agreement without watermark rows (streams do not carry them yet; use export())',
        )
      // Counted chunk by chunk: the registers only grow (a HyperLogLog merge is a maximum), so
      // each chunk merges everything released so far, and a threshold refuses the next chunk.
      const tally = subjectTally(counting, plan, policyThresholds(policy))
      let subjects: Record<string, number | string> | undefined
      let spend: BudgetDetails | undefined
      const consentCount: { dropped: number; lastRow?: number } = { dropped: 0 }
      const source = plan.agreement.consent
        ? consentedStream(plan, rowsOf(rows), consentStore, now, consentCount)
        : rows
      const parts = streamExport(source, {
        plan,
        keys,
        ...(tally
          ? {
              tally: {
                observe: (row: unknown) => tally.observe(row),
                beforeChunk: async () => {
                  subjects = { ...(await countSubjects(tally, request)) }
                },
              },
            }
          : {}),
        chunkSize: request.chunkSize ?? 625,
        claims: (jti) => baseClaims(plan, jti),
        newJti,
        receipt: audit.receipt,
        onStart: async (stream) => {
          await audit.ready()
          await audit.append({
            type: 'stream-start',
            ...audit.facts(plan),
            stream,
            details: { kid: keys.current.kid },
          })
        },
        onComplete: (summary) =>
          audit.append({
            type: 'stream-end',
            ...audit.facts(plan),
            rows: summary.count,
            payloadDigest: summary.manifestDigest,
            jti: summary.jti,
            signedDigest: summary.signedDigest,
            stream: summary.stream,
            chunks: summary.chunks,
            ...(plan.agreement.consent ? { consentDropped: consentCount.dropped } : {}),
            ...(spend || subjects ? { details: { ...spend, ...subjects } } : {}),
          }),
      })
      // Spends before the first chunk leaves; a refused charge leaves nothing.
      return chargeFirst(
        async () => {
          spend = await chargeRelease(budget, plan, now())
        },
        plan.agreement.consent ? inOriginalStreamRows(parts, consentCount) : parts,
      )
    },

    async signStreamSet(request) {
      requireOpen()
      const keys = requireKeys()
      assertObject(request, 'signStreamSet: request')
      assertString(request.set, 'signStreamSet: set', { nonEmpty: true, maxLength: 128 })
      assertArray(request.manifests, 'signStreamSet: manifests', { nonEmpty: true })
      const plan = await auditedPlan(request)
      const context = { plan, keys, issuer: options.issuer, now }
      const entries = await setEntries(request.manifests, context, 'signStreamSet')
      const jti = newJti()
      const set = await signStreamSet(request.set, entries, {
        ...context,
        claims: baseClaims(plan, jti),
        receipt: audit.receipt(),
      })
      await audit.append({
        type: 'stream-set',
        ...audit.facts(plan),
        rows: set.signed.count,
        payloadDigest: set.payloadDigest,
        jti,
        signedDigest: set.signedDigest,
        set: request.set,
        partitions: entries.length,
        details: { kid: set.kid },
      })
      return set.signed
    },

    plan: planFor,

    explain(request, rows) {
      assertObject(request, 'request')
      const dataset = datasets.get(request.dataset)
      if (!dataset)
        throw new DatagateError(
          'ERR_UNKNOWN_DATASET',
          `the gate has no dataset ${JSON.stringify(request.dataset)}${didYouMean(request.dataset, datasets.keys())}`,
        )
      return explainRelease(policy, dataset, request, {
        at: now(),
        ...(rows === undefined ? {} : { rows }),
      })
    },

    jwks() {
      return requireKeys().jwks()
    },

    signingKey() {
      const { kid, alg } = requireKeys().current
      return { kid, alg }
    },

    async signMessage(base) {
      requireOpen()
      const { current } = requireKeys()
      assertString(base, 'signMessage: base', { nonEmpty: true })
      const params = base.slice(base.lastIndexOf('\n') + 1)
      if (
        !params.startsWith('"@signature-params": (') ||
        !params.includes(`;keyid="${current.kid}"`)
      )
        throw new DatagateError(
          'ERR_INVALID_ARGUMENT',
          'signMessage: base must be an RFC 9421 signature base naming the current keyid',
        )
      if (current.privateKey?.algorithm.name !== 'Ed25519')
        throw new DatagateError(
          'ERR_KEY_UNSUPPORTED',
          `signMessage: RFC 9421 signatures need the current key to be an Ed25519 private key, not ${current.alg}`,
        )
      const digests = base
        .split('\n')
        .filter((line) => line.startsWith('"content-digest": '))
        .map((line) => line.slice('"content-digest": '.length))
      const exp = digests.length === 1 ? signableBodies.get(digests[0] as string) : undefined
      if (exp === undefined || exp <= Math.floor(now().getTime() / 1000))
        throw new DatagateError(
          'ERR_INVALID_ARGUMENT',
          'signMessage: the base must cover the content-digest of the json body of an export this gate made (format: detached) and has not signed yet',
        )
      signableBodies.delete(digests[0] as string)
      return new Uint8Array(await crypto.subtle.sign('Ed25519', current.privateKey, utf8(base)))
    },

    accessMatrix() {
      return accessMatrix(policy, [...datasets.values()], { now })
    },

    setPolicy(next) {
      requireOpen()
      const checked = checkPolicy(next, options.issuer, options.datasets)
      assertBudgetStore(checked, budget, 'setPolicy')
      assertConsentStore(checked, consentStore, 'setPolicy')
      assertCountingForRefusal(
        counting,
        subjectCountingNeed(options.datasets),
        policyThresholds(checked),
        'setPolicy',
      )
      checkWatermarks(checked, options.datasets, watermarks, { pseudonymKey, now })
      policy = checked
      plans = new Map()
      // Queued now so every later event follows it; a failure is retried by the next request.
      audit.policyChanged()
    },

    checkpoint() {
      requireOpen()
      return audit.checkpoint()
    },

    async close() {
      if (closed) return
      closed = true
      await audit.close()
    },
  }
}
