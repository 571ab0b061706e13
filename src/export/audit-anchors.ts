// Anchors held outside the log: the partners' receipts (and the checkpoint each carries) and
// the checkpoint copies. Each is verified before it counts; one that does not verify is an
// issue, never evidence.
import { DatagateError, type Finding } from '../errors.js'
import type { AuditReceipt, VerifiedReceipt } from './audit-receipt.js'
import type { CheckpointClaims } from './checkpoint.js'

/** A chain position the gate signed, and where the signature was found. */
export interface Anchor {
  readonly seq: number
  readonly head: string
  readonly path: string
}

/** The verified anchors, the verified receipts, and what did not verify. */
export interface ExternalAnchors {
  readonly anchors: Anchor[]
  readonly receipts: (VerifiedReceipt & { readonly path: string })[]
  readonly issues: Finding[]
  readonly warnings: Finding[]
}

/** One sentence for a token that did not verify; never its content. */
export function describeFailure(error: unknown): string {
  return error instanceof DatagateError
    ? `${error.code}: ${error.message}`
    : 'could not be verified'
}

/** Verifies receipts and checkpoint copies and collects the positions they sign. */
export async function externalAnchors(
  given: Iterable<AuditReceipt>,
  checkpoints: Iterable<string>,
  checkToken: (token: string) => Promise<CheckpointClaims>,
  verify: (receipt: AuditReceipt) => Promise<VerifiedReceipt>,
): Promise<ExternalAnchors> {
  const out: ExternalAnchors = { anchors: [], receipts: [], issues: [], warnings: [] }
  const copies: { token: string; path: string }[] = []
  let i = 0
  for (const receipt of given) {
    const path = `receipts[${i++}]`
    try {
      const verified = await verify(receipt)
      out.receipts.push({ ...verified, path })
      if (verified.audit === false)
        out.warnings.push({
          code: 'receipt_not_audited',
          path,
          message: `${path}: exported with audit: false`,
        })
      else {
        out.anchors.push({ seq: verified.audit.seq, head: verified.audit.head, path })
        if (verified.audit.checkpoint !== null)
          copies.push({ token: verified.audit.checkpoint, path: `${path}.audit.checkpoint` })
      }
    } catch (error) {
      out.issues.push({
        code: 'receipt_invalid',
        path,
        message: `${path}: ${describeFailure(error)}`,
      })
    }
  }
  i = 0
  for (const token of checkpoints) copies.push({ token, path: `checkpoints[${i++}]` })
  for (const copy of copies) {
    try {
      const claims = await checkToken(copy.token)
      out.anchors.push({ seq: claims.seq, head: claims.head, path: copy.path })
    } catch (error) {
      out.issues.push({
        code: 'checkpoint_invalid',
        path: copy.path,
        message: `${copy.path}: ${describeFailure(error)}`,
      })
    }
  }
  return out
}
