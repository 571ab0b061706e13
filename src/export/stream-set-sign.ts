// The issuer's side of an export set (a bulk export split into partitions, `datagate/jobs`):
// the gate checks each partition manifest is one it signed for this very request, and signs the
// set manifest that lists them by digest in partition order. Kept out of gate.ts; the gate wires
// in its keys, claims and audit.
import { invalidArgument } from '../lib/assert.js'
import { utf8 } from '../lib/bytes.js'
import { bytesDigest, jsonDigest, textDigest } from '../lib/digest.js'
import type { ReleasePlan } from '../policy/plan.js'
import type { AuditReceiptClaim } from './audit-receipt.js'
import type { KeyRing } from './key-ring.js'
import { signEnvelopeBytes } from './sign.js'
import { MANIFEST_TYP, STREAM_SET_TYP } from './typ.js'
import { verifyEnvelope } from './verify.js'

/**
 * One partition as the set manifest lists it.
 *
 * @example
 * ```ts
 * import type { StreamSetEntry } from 'datagate'
 *
 * const entry: StreamSetEntry = { partition: 0, stream: 'k3Jd', manifest: `sha256:${'a'.repeat(64)}`,
 *   count: 125_000, chunks: 13 }
 * console.log(entry.partition) // 0
 * ```
 */
export interface StreamSetEntry {
  /** 0-based partition number; entries come in this order, 0 to `of - 1`. */
  readonly partition: number
  /** The partition stream's id (its manifest's `stream`). */
  readonly stream: string
  /** `sha256:` of the partition's manifest token text. */
  readonly manifest: string
  /** Records in the partition. */
  readonly count: number
  /** Signed chunks in the partition. */
  readonly chunks: number
}

/**
 * A signed export-set manifest, as `gate.signStreamSet` returns it.
 *
 * @example
 * ```ts
 * import type { SignedStreamSet } from 'datagate'
 *
 * const describe = (set: SignedStreamSet) => `${set.set}: ${set.count} records in ${set.partitions.length} partitions`
 * console.log(typeof describe) // 'function'
 * ```
 */
export interface SignedStreamSet {
  /** Compact JWS, `typ` {@link STREAM_SET_TYP}. */
  readonly token: string
  readonly jti: string
  /** The export id. */
  readonly set: string
  readonly count: number
  readonly partitions: readonly StreamSetEntry[]
}

/** What the gate hands {@link signStreamSet}. */
export interface StreamSetContext {
  readonly plan: ReleasePlan
  readonly keys: KeyRing
  readonly issuer: string
  readonly now: () => Date
  readonly claims: Record<string, unknown>
  readonly receipt: AuditReceiptClaim
}

/** The partition list a set manifest signs, checked against the gate's own manifests. */
export async function setEntries(
  manifests: readonly string[],
  context: Omit<StreamSetContext, 'claims' | 'receipt'>,
  where: string,
): Promise<StreamSetEntry[]> {
  const { plan } = context
  const entries: StreamSetEntry[] = []
  const streams = new Set<string>()
  for (const [partition, token] of manifests.entries()) {
    if (typeof token !== 'string')
      invalidArgument('type', `${where}: manifests[${partition}]`, 'a manifest token')
    // Only manifests this gate signed for this partner, dataset, purpose and agreement: the set
    // cannot vouch for a stream the issuer never made for this request.
    const { payload } = await verifyEnvelope(token, {
      jwks: context.keys.jwks(),
      issuer: context.issuer,
      audience: plan.partner.id,
      typ: MANIFEST_TYP,
      now: context.now,
    })
    const dataset = payload.dataset as { name?: unknown } | undefined
    if (
      payload.purpose !== plan.purpose ||
      payload.agreement !== plan.agreement.id ||
      dataset?.name !== plan.dataset.name
    )
      invalidArgument(
        'range',
        `${where}: manifests[${partition}]`,
        'a manifest of a stream for this partner, dataset, purpose and agreement',
      )
    const stream = payload.stream
    const count = payload.count
    const chunks = payload.chunks
    if (typeof stream !== 'string' || typeof count !== 'number' || !Array.isArray(chunks))
      invalidArgument('type', `${where}: manifests[${partition}]`, 'a stream manifest')
    if (streams.has(stream))
      invalidArgument(
        'range',
        `${where}: manifests`,
        `each stream once (${stream} is listed twice)`,
      )
    streams.add(stream)
    entries.push({ partition, stream, manifest: textDigest(token), count, chunks: chunks.length })
  }
  return entries
}

/** Signs the set manifest; returns it with what its `stream-set` audit event records. */
export async function signStreamSet(
  set: string,
  entries: readonly StreamSetEntry[],
  context: StreamSetContext,
): Promise<{ signed: SignedStreamSet; payloadDigest: string; signedDigest: string; kid: string }> {
  const count = entries.reduce((sum, entry) => sum + entry.count, 0)
  const payload = {
    ...context.claims,
    audit: context.receipt,
    set,
    of: entries.length,
    count,
    partitions: entries,
  }
  const bytes = utf8(JSON.stringify(payload))
  const { token, kid } = await signEnvelopeBytes(bytes, context.keys, { typ: STREAM_SET_TYP })
  return {
    signed: { token, jti: String(context.claims.jti), set, count, partitions: entries },
    payloadDigest: jsonDigest(entries),
    signedDigest: bytesDigest(bytes),
    kid,
  }
}
