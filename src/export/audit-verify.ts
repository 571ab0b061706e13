// Synchronous chain check: shape, own hash, link and seq of every event. It proves the chain is
// self-consistent, nothing more: anyone can recompute every hash. verifyAuditLog adds what an
// insider cannot forge (checkpoints, receipts).
import type { Finding } from '../errors.js'
import { invalidArgument } from '../lib/assert.js'
import { formatIssuePath, issueFinding } from '../lib/zod-findings.js'
import {
  AUDIT_GENESIS,
  type AuditEvent,
  type AuditHead,
  auditEventHash,
  auditEventSchema,
  isHead,
} from './audit-event.js'

/**
 * Why a chain link is broken.
 *
 * @example
 * ```ts
 * import type { AuditChainBreak } from 'datagate/export'
 *
 * const reason: AuditChainBreak = 'prev_mismatch'
 * console.log(reason) // 'prev_mismatch'
 * ```
 */
export type AuditChainBreak = 'hash_mismatch' | 'prev_mismatch' | 'seq_gap' | 'malformed'

/**
 * Result of {@link verifyAuditChain}.
 *
 * @example
 * ```ts
 * import { verifyAuditChain, type AuditChainReport } from 'datagate/export'
 *
 * const report: AuditChainReport = verifyAuditChain([])
 * console.log(report) // { ok: true, count: 0, issues: [] }
 * ```
 */
export interface AuditChainReport {
  /** True when every event is well formed and linked. */
  readonly ok: boolean
  /** Number of events examined. */
  readonly count: number
  /** The first broken link; absent when `ok`. */
  readonly firstBroken?: {
    readonly index: number
    readonly seq?: number
    readonly reason: AuditChainBreak
  }
  /** Every problem found, in order; `path` is the event's index, e.g. `[3].hash`. */
  readonly issues: readonly Finding[]
}

/**
 * Options of {@link verifyAuditChain}.
 *
 * `head` is where the events *start from*, not where the chain ends: the `seq` and `hash` of
 * the last event already verified, the one just before `events[0]`. Without it, `events[0]`
 * must be the genesis event (seq 0). It is not the chain's current head to compare the last
 * event with: passing the last event's own position fails (`prev_mismatch`).
 *
 * @example
 * ```ts
 * import { createAuditLog, memoryAuditSink, verifyAuditChain, type VerifyAuditChainOptions } from 'datagate/export'
 *
 * const sink = memoryAuditSink()
 * const log = createAuditLog({ sink })
 * for (const code of ['ERR_NOT_PERMITTED', 'ERR_NOT_PERMITTED', 'ERR_AGREEMENT_EXPIRED'])
 *   await log.append({ type: 'denied', partner: 'p', dataset: 'd', purpose: 'u', policyHash: 'sha256:11', code })
 * const [first, ...rest] = sink.events
 * // Verify the continuation after `first`, already checked: head is first's position.
 * const options: VerifyAuditChainOptions = { head: { seq: first!.seq, hash: first!.hash } }
 * console.log(verifyAuditChain(rest, options).ok) // true
 * // The last event's position is not a head to start from.
 * const last = sink.events.at(-1)!
 * console.log(verifyAuditChain(rest, { head: { seq: last.seq, hash: last.hash } }).firstBroken?.reason) // 'prev_mismatch'
 * ```
 */
export interface VerifyAuditChainOptions {
  /**
   * The position (`seq`, `hash`) of the event just before `events[0]`, when verifying the
   * continuation of a chain; absent: `events[0]` must be the first event of the chain.
   */
  readonly head?: AuditHead
}

/** One event checked against the chain so far. */
export interface CheckedEvent {
  /** The parsed event, `undefined` when malformed. */
  readonly event?: AuditEvent
  readonly broken?: { readonly reason: AuditChainBreak; readonly seq?: number }
  readonly findings: readonly Finding[]
}

/** Checks events one at a time, so arrays and async sources share one rule. */
export class ChainChecker {
  private expectedPrev: string
  private expectedSeq: number

  constructor(head?: AuditHead) {
    this.expectedPrev = head?.hash ?? AUDIT_GENESIS
    this.expectedSeq = head === undefined ? 0 : head.seq + 1
  }

  check(raw: unknown, index: number): CheckedEvent {
    const parsed = auditEventSchema.safeParse(raw)
    if (!parsed.success)
      return {
        broken: { reason: 'malformed' },
        findings: [
          {
            code: 'malformed',
            path: `[${index}]`,
            message: `event ${index} is not a well-formed audit event`,
          },
          ...parsed.error.issues.map((issue) =>
            issueFinding(issue, formatIssuePath(issue.path, `[${index}]`)),
          ),
        ],
      }
    const event = parsed.data as unknown as AuditEvent
    const at = `event ${index} (seq ${event.seq})`
    let broken: CheckedEvent['broken']
    let finding: Finding | undefined
    if (auditEventHash(event) !== event.hash) {
      broken = { reason: 'hash_mismatch', seq: event.seq }
      finding = {
        code: 'hash_mismatch',
        path: `[${index}].hash`,
        message: `${at}: hash does not match the event's content`,
      }
    } else if (event.prev !== this.expectedPrev) {
      broken = { reason: 'prev_mismatch', seq: event.seq }
      finding = {
        code: 'prev_mismatch',
        path: `[${index}].prev`,
        message: `${at}: prev is not the hash of the event before`,
      }
    } else if (event.seq !== this.expectedSeq) {
      broken = { reason: 'seq_gap', seq: event.seq }
      finding = {
        code: 'seq_gap',
        path: `[${index}].seq`,
        message: `${at}: expected seq ${this.expectedSeq}`,
      }
    }
    this.expectedPrev = event.hash
    this.expectedSeq = event.seq + 1
    return broken === undefined || finding === undefined
      ? { event, findings: [] }
      : { event, broken, findings: [finding] }
  }
}

/**
 * Checks an audit chain: each event's shape (strict, per type), its own hash, its link to the
 * event before and its `seq`. Reports the first broken link and every problem, as data; never
 * throws for a broken chain. After a break, checking continues from the event found, so each
 * later issue is a further break. Synchronous; {@link verifyAuditLog} adds checkpoints and
 * receipts, which catch what this cannot: a rewrite with every hash recomputed.
 *
 * @example
 * ```ts
 * import { createAuditLog, memoryAuditSink, verifyAuditChain } from 'datagate/export'
 *
 * const sink = memoryAuditSink()
 * const log = createAuditLog({ sink })
 * for (const rows of [1, 2, 3])
 *   await log.append({
 *     type: 'release', partner: 'p', dataset: 'd', purpose: 'u', agreement: 'a', fields: [],
 *     rows, payloadDigest: 'sha256:00', policyHash: 'sha256:11',
 *   })
 * const tampered = [sink.events[0], sink.events[2]]
 * console.log(verifyAuditChain(sink.events).ok, verifyAuditChain(tampered).firstBroken)
 * // true { index: 1, seq: 2, reason: 'prev_mismatch' }
 * ```
 */
export function verifyAuditChain(
  events: readonly unknown[],
  options: VerifyAuditChainOptions = {},
): AuditChainReport {
  if (!Array.isArray(events))
    invalidArgument('type', 'verifyAuditChain: events', 'an array of events')
  if (options.head !== undefined && !isHead(options.head))
    invalidArgument('type', 'verifyAuditChain: head', "{ seq, hash: 'sha256:<64 hex>' }")
  const checker = new ChainChecker(options.head)
  const issues: Finding[] = []
  let firstBroken: AuditChainReport['firstBroken']
  events.forEach((raw, index) => {
    const { broken, findings } = checker.check(raw, index)
    if (broken !== undefined)
      firstBroken ??=
        broken.seq === undefined
          ? { index, reason: broken.reason }
          : { index, seq: broken.seq, reason: broken.reason }
    issues.push(...findings)
  })
  const report = { ok: issues.length === 0, count: events.length, issues }
  return firstBroken === undefined ? report : { ...report, firstBroken }
}
