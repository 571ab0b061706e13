// verifyAuditLog: the chain check plus what an insider without the signing key cannot forge.
// Signed checkpoints inside the log, checkpoint copies kept elsewhere and partner receipts are
// anchors: each names a position (seq, head) the gate signed. A log whose hash at an anchored
// seq differs was rewritten (`forked`, `checkpoint_head_mismatch`); one that ends before an
// anchor was cut short (`truncated`). Keys come only from the caller.
import type { Finding } from '../errors.js'
import { assertNumber, assertObject, invalidArgument } from '../lib/assert.js'
import { canonicalJson } from '../lib/canonical-json.js'
import { readClock } from '../lib/clock.js'
import { textDigest } from '../lib/digest.js'
import { describeFailure as describe, externalAnchors } from './audit-anchors.js'
import { type AuditReceipt, verifyReceipt } from './audit-receipt.js'
import { ChainChecker } from './audit-verify.js'
import { PositionWindow, UnanchoredTail } from './audit-verify-window.js'
import {
  type AuditKeys,
  auditKeyResolver,
  CHECKPOINT_TYP,
  type CheckpointClaims,
  checkpointClaims,
  verifySigned,
} from './checkpoint.js'

/**
 * Why {@link verifyAuditLog} found a log not to hold.
 *
 * @example
 * ```ts
 * import type { AuditLogFailure } from 'datagate/export'
 *
 * const failure: AuditLogFailure = 'truncated'
 * console.log(failure) // 'truncated'
 * ```
 */
export type AuditLogFailure =
  | 'malformed'
  | 'hash_mismatch'
  | 'prev_mismatch'
  | 'seq_gap'
  | 'checkpoint_invalid'
  | 'checkpoint_head_mismatch'
  | 'resume_mismatch'
  | 'policy_mismatch'
  | 'appended_after_close'
  | 'truncated'
  | 'forked'
  | 'receipt_event_missing'
  | 'receipt_mismatch'
  | 'unanchored_tail'
  | 'unreadable'

/**
 * Options of {@link verifyAuditLog}. Receipts and checkpoint copies need `jwks`.
 *
 * @example
 * ```ts
 * import { generateKeys, type VerifyAuditLogOptions } from 'datagate/export'
 *
 * const options: VerifyAuditLogOptions = { jwks: (await generateKeys()).jwks(), issuer: 'oem', maxUnanchoredMs: 120_000 }
 * console.log(options.maxUnanchoredMs) // 120000
 * ```
 */
export interface VerifyAuditLogOptions {
  /** The gate's public keys (published JWKS, retired keys listed verify-only), or a resolver. */
  readonly jwks?: AuditKeys
  /** Accepted `iss` of checkpoints and receipts; default any. */
  readonly issuer?: string | readonly string[]
  /** Tokens partners hold (exports, deltas, stream manifests). */
  readonly receipts?: Iterable<AuditReceipt>
  /** Checkpoint tokens from a `checkpointSink`. */
  readonly checkpoints?: Iterable<string>
  /** An unanchored tail older than this fails; younger is a warning. Default 300,000 (5 min). */
  readonly maxUnanchoredMs?: number
  /** The clock, for the tail's age. Default: the system clock. */
  readonly now?: () => Date
}

/**
 * Result of {@link verifyAuditLog}.
 *
 * @example
 * ```ts
 * import { verifyAuditLog, type AuditLogReport } from 'datagate/export'
 *
 * const report: AuditLogReport = await verifyAuditLog([])
 * console.log(report.ok, report.anchoredThrough, report.warnings[0]?.code) // true -1 'checkpoints_not_verified'
 * ```
 */
export interface AuditLogReport {
  /** True when no issue was found (warnings do not count). */
  readonly ok: boolean
  /** Events read. */
  readonly count: number
  /** The failure with the lowest seq: where the log stops being proven. */
  readonly firstBroken?: {
    readonly seq: number
    readonly reason: AuditLogFailure
    readonly index?: number
  }
  /** The highest seq a verified checkpoint or receipt signs; -1 when none. */
  readonly anchoredThrough: number
  /** Failures, as findings (`code` is an {@link AuditLogFailure} or `receipt_invalid`). */
  readonly issues: readonly Finding[]
  /** What a person should look at: young unanchored tail, unfinished streams, resumes. */
  readonly warnings: readonly Finding[]
}

/**
 * Verifies an audit log from an array or an async iterable (a file, a database cursor): links
 * and hashes as {@link verifyAuditChain} does, then each checkpoint's signature and head,
 * checkpoint copies and partner receipts (`truncated`, `forked`, `receipt_event_missing`), a
 * writer that appended after its final checkpoint, and the age of the unanchored tail. Never
 * throws for a bad log (a source that throws part-way is `unreadable`); throws
 * `ERR_INVALID_ARGUMENT` for a source that is not iterable, or receipts or copies without `jwks`.
 *
 * @example
 * ```ts
 * import { createAuditLog, generateKeys, memoryAuditSink, verifyAuditLog } from 'datagate/export'
 *
 * const keys = await generateKeys()
 * const sink = memoryAuditSink()
 * const log = createAuditLog({ sink, checkpoint: { keys, issuer: 'oem' } })
 * await log.append({ type: 'denied', partner: 'p', dataset: 'd', purpose: 'u',
 *   policyHash: 'sha256:11', code: 'ERR_NOT_PERMITTED' })
 * await log.close()
 * const report = await verifyAuditLog(sink.events, { jwks: keys.jwks(), issuer: 'oem' })
 * console.log(report.ok, report.count, report.anchoredThrough) // true 2 0
 * ```
 */
export async function verifyAuditLog(
  source: Iterable<unknown> | AsyncIterable<unknown>,
  options: VerifyAuditLogOptions = {},
): Promise<AuditLogReport> {
  if (
    typeof source !== 'object' ||
    source === null ||
    !(Symbol.asyncIterator in source || Symbol.iterator in source)
  )
    invalidArgument('type', 'verifyAuditLog: source', 'an iterable or an async iterable of events')
  assertObject(options as unknown, 'verifyAuditLog: options')
  const maxUnanchoredMs = options.maxUnanchoredMs ?? 300_000
  assertNumber(maxUnanchoredMs, 'maxUnanchoredMs', { min: 0 })
  const now = readClock(options.now, 'verifyAuditLog: now').getTime()
  const resolver =
    options.jwks === undefined ? undefined : auditKeyResolver(options.jwks, 'verifyAuditLog: jwks')
  if (
    resolver === undefined &&
    (options.receipts !== undefined || options.checkpoints !== undefined)
  )
    invalidArgument(
      'type',
      'verifyAuditLog: jwks',
      'the keys to verify receipts and checkpoint copies with (they count only once verified)',
    )
  const failures: { seq: number; reason: AuditLogFailure; index?: number }[] = []
  const issues: Finding[] = []
  const warnings: Finding[] = []
  const fail = (
    seq: number,
    reason: AuditLogFailure,
    path: string,
    message: string,
    index?: number,
  ) => {
    failures.push(index === undefined ? { seq, reason } : { seq, reason, index })
    issues.push({ code: reason, path, message })
  }
  const checkToken = async (token: string): Promise<CheckpointClaims> =>
    checkpointClaims(
      (await verifySigned(token, resolver as never, [CHECKPOINT_TYP])).bytes,
      options.issuer,
    )

  // Anchors held outside the log: receipts (and the checkpoint each carries), checkpoint copies.
  const external = await externalAnchors(
    options.receipts ?? [],
    options.checkpoints ?? [],
    checkToken,
    (receipt) => verifyReceipt(receipt, resolver as never, options.issuer),
  )
  const { anchors, receipts } = external
  issues.push(...external.issues)
  warnings.push(...external.warnings)

  const wanted = new Set(receipts.map((r) => r.jti))
  // Bounded memory whatever the log's length (audit-verify-window.ts).
  const pinnedHeads = new Map<number, Set<string>>()
  for (const anchor of anchors)
    pinnedHeads.set(anchor.seq, (pinnedHeads.get(anchor.seq) ?? new Set()).add(anchor.head))
  const hashes = new PositionWindow(new Set(pinnedHeads.keys()))
  const tail = new UnanchoredTail()
  const signedBy = new Map<
    string,
    { seq: number; signedDigest: string; partner: string; rows: number }
  >()
  const openStreams = new Map<string, number>()
  const checker = new ChainChecker()
  let anchored = -1
  let lastSeq = -1
  let lastPlain = -1
  const resumes: { seq: number; path: string; anchoredThen: number; lastPlain: number }[] = []
  const policies = new Set<string>()
  let unexplained = 0
  let firstUnexplained = -1
  let finalAt: number | undefined
  const resumedFrom = new Set<string>()
  let index = 0
  // A reader that fails part-way (a file, a cursor) leaves the rest unread: that fails the
  // report, and its error, which may quote what it read, is never passed on.
  try {
    for await (const raw of source) {
      const { event, broken, findings } = checker.check(raw, index)
      if (broken !== undefined && findings[0] !== undefined) {
        fail(broken.seq ?? lastSeq + 1, broken.reason, findings[0].path, findings[0].message, index)
        issues.push(...findings.slice(1))
      }
      if (event !== undefined) {
        const at = `[${index}]`
        lastSeq = event.seq
        hashes.add(event.seq, event.hash)
        if (pinnedHeads.get(event.seq)?.has(event.hash) === true) tail.anchor(event.seq)
        if (finalAt !== undefined && event.type !== 'resume')
          fail(
            event.seq,
            'appended_after_close',
            at,
            `seq ${event.seq} follows the writer's final checkpoint without a resume`,
            index,
          )
        finalAt = undefined
        if (event.type === 'checkpoint' && resolver !== undefined) {
          let claims: CheckpointClaims | undefined
          try {
            claims = await checkToken(event.token)
          } catch (error) {
            fail(
              event.seq,
              'checkpoint_invalid',
              `${at}.token`,
              `seq ${event.seq}: ${describe(error)}`,
              index,
            )
          }
          if (claims !== undefined) {
            if (claims.seq !== event.covers.seq || claims.head !== event.covers.head)
              fail(
                event.seq,
                'checkpoint_invalid',
                `${at}.covers`,
                `seq ${event.seq}: covers is not what the token signs`,
                index,
              )
            else if (hashes.get(claims.seq) !== claims.head)
              fail(
                Math.min(anchored + 1, claims.seq),
                'checkpoint_head_mismatch',
                `${at}.token`,
                `seq ${event.seq}: the signed head of seq ${claims.seq} is not the log's; events after seq ${anchored} were rewritten`,
                index,
              )
            else {
              anchored = Math.max(anchored, claims.seq)
              tail.anchor(anchored)
            }
            if (
              claims.resumed !== undefined &&
              !resumedFrom.has(`${claims.resumed.seq} ${claims.resumed.head}`)
            )
              fail(
                event.seq,
                'resume_mismatch',
                `${at}.token`,
                `seq ${event.seq}: the signed resume position is no resume of the log`,
                index,
              )
            if (claims.final === true) finalAt = event.seq
          }
        }
        if (event.type === 'resume') {
          // With several writers on a linked sink, another may append between a writer reading
          // the head and its resume landing: `from` must be a real earlier position, not the
          // event just before.
          if (event.from.seq >= event.seq || hashes.get(event.from.seq) !== event.from.head)
            fail(
              event.seq,
              'resume_mismatch',
              `${at}.from`,
              `seq ${event.seq}: from is not a position of this log`,
              index,
            )
          resumedFrom.add(`${event.from.seq} ${event.from.head}`)
          // Judged at the end, when copies and receipts signed before the restart are known.
          resumes.push({ seq: event.seq, path: at, anchoredThen: anchored, lastPlain })
        }
        if (event.type === 'policy') {
          if (textDigest(canonicalJson(event.document)) !== event.policyHash)
            fail(
              event.seq,
              'policy_mismatch',
              `${at}.document`,
              `seq ${event.seq}: policyHash is not the hash of the document it holds`,
              index,
            )
          policies.add(event.policyHash)
        } else if ('policyHash' in event && !policies.has(event.policyHash)) {
          if (unexplained === 0) firstUnexplained = event.seq
          unexplained++
        }
        if (event.type === 'stream-start') openStreams.set(event.stream, event.seq)
        if (event.type === 'stream-end') openStreams.delete(event.stream)
        if (
          (event.type === 'export' || event.type === 'delta' || event.type === 'stream-end') &&
          wanted.has(event.jti)
        )
          signedBy.set(event.jti, {
            seq: event.seq,
            signedDigest: event.signedDigest,
            partner: event.partner,
            rows: event.rows,
          })
        if (event.type !== 'checkpoint') {
          tail.add(event.seq, Date.parse(event.time))
          lastPlain = event.seq
        }
      }
      index++
    }
  } catch {
    fail(
      lastSeq + 1,
      'unreadable',
      `[${index}]`,
      `the source failed after ${index} events; nothing after them was read`,
      index,
    )
  }

  for (const anchor of anchors) {
    if (anchor.seq > lastSeq)
      fail(
        lastSeq + 1,
        'truncated',
        anchor.path,
        `${anchor.path} signs seq ${anchor.seq}; the log ends at seq ${lastSeq}`,
      )
    else if (hashes.get(anchor.seq) !== anchor.head)
      fail(
        anchor.seq,
        'forked',
        anchor.path,
        `${anchor.path}: the log's hash at seq ${anchor.seq} is not the signed one`,
      )
    else anchored = Math.max(anchored, anchor.seq)
  }
  if (resolver !== undefined)
    for (const resume of resumes) {
      // What was signed before the writer restarted: in-log checkpoints read so far, and
      // copies or receipts of positions before the resume that match the log.
      const before = anchors
        .filter((a) => a.seq < resume.seq && hashes.get(a.seq) === a.head)
        .reduce((max, a) => Math.max(max, a.seq), resume.anchoredThen)
      if (resume.lastPlain > before)
        warnings.push({
          code: 'resume_unanchored',
          path: resume.path,
          message: `seq ${resume.seq}: a writer resumed after seq ${before + 1} to ${resume.lastPlain} were signed by no checkpoint; compare them with the checkpoint copies and receipts`,
        })
    }
  if (unexplained > 0)
    warnings.push({
      code: 'policy_not_logged',
      path: `[${firstUnexplained}]`,
      message: `${unexplained} events name a policy hash no earlier policy event holds`,
    })
  for (const receipt of receipts) {
    if (receipt.audit === false) continue
    const own = signedBy.get(receipt.jti)
    if (own === undefined)
      fail(
        receipt.audit.seq + 1,
        'receipt_event_missing',
        receipt.path,
        `${receipt.path}: the export's own event is not in the log`,
      )
    else if (
      own.signedDigest !== receipt.signedDigest ||
      (receipt.aud !== undefined && own.partner !== receipt.aud) ||
      (receipt.count !== undefined && own.rows !== receipt.count)
    )
      fail(
        own.seq,
        'receipt_mismatch',
        receipt.path,
        `${receipt.path}: seq ${own.seq} does not record what the partner was given (signed bytes, partner or count)`,
      )
  }
  if (resolver === undefined)
    warnings.push({
      code: 'checkpoints_not_verified',
      path: '(log)',
      message: 'no jwks: checkpoints were not verified, nothing is anchored',
    })
  else {
    // Unanchored times are the insider's to write: a tail dated ahead of the verifier's clock
    // would never grow old enough to fail, so being ahead by more than the allowance fails too.
    const unsigned = tail.summary(anchored)
    if (unsigned !== undefined) {
      const { first, oldest, newest } = unsigned
      const ahead = newest - now > maxUnanchoredMs
      const message = ahead
        ? `seq ${first} to ${lastPlain} are signed by no checkpoint and dated up to ${Math.round((newest - now) / 1000)} s after now`
        : `seq ${first} to ${lastPlain} are signed by no checkpoint (oldest ${Math.round((now - oldest) / 1000)} s ago)`
      if (ahead || now - oldest > maxUnanchoredMs)
        fail(first, 'unanchored_tail', `[${first}]`, message)
      else warnings.push({ code: 'unanchored_tail', path: `[${first}]`, message })
    }
  }
  for (const [stream, seq] of openStreams)
    warnings.push({
      code: 'stream_unfinished',
      path: `[${seq}]`,
      message: `stream ${stream} started at seq ${seq} and has no stream-end`,
    })

  const firstBroken = failures.reduce<(typeof failures)[number] | undefined>(
    (min, f) => (min === undefined || f.seq < min.seq ? f : min),
    undefined,
  )
  const report = {
    ok: issues.length === 0,
    count: index,
    anchoredThrough: anchored,
    issues,
    warnings,
  }
  return firstBroken === undefined ? report : { ...report, firstBroken }
}
