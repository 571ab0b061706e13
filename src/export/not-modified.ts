// Conditional releases (HTTP `If-None-Match`): the partner says which released views it already
// holds, by digest; when the view the gate computes now is one of them, nothing leaves, and the
// chain records a `not-modified` event instead of a release or an export. The gate must compute
// the view to learn its digest, so the check sits after the plan ran and before anything is signed.
import { assertArray, assertString } from '../lib/assert.js'
import type { ReleaseReport } from '../policy/release.js'

/**
 * What `gate.exportUnlessHeld` and `gate.releaseJson` return when the partner already holds the
 * released view: no records, no token; the `not-modified` event is durable before it resolves.
 *
 * @example
 * ```ts
 * import type { NotModified } from 'datagate'
 *
 * const answer: NotModified = { notModified: true, payloadDigest: `sha256:${'0'.repeat(64)}`, count: 2 }
 * console.log(answer.notModified, answer.count) // true 2
 * ```
 */
export interface NotModified {
  readonly notModified: true
  /** The digest of the view the partner holds: the `payloadDigest` of the `not-modified` event. */
  readonly payloadDigest: string
  /** Records in that view (none of them left now). */
  readonly count: number
}

/**
 * A release written straight to JSON: the records array as UTF-8 bytes, exactly as
 * `JSON.stringify(records)` writes it, whose digest the `release` event records.
 *
 * @example
 * ```ts
 * import type { ReleasedJson } from 'datagate'
 *
 * const keys: (keyof ReleasedJson)[] = ['json', 'count', 'payloadDigest', 'report']
 * console.log(keys.length) // 4
 * ```
 */
export interface ReleasedJson {
  /** `[record, ...]` as UTF-8 JSON. */
  readonly json: Uint8Array
  readonly count: number
  /** `sha256:` of `json`: the `release` event's `payloadDigest`. */
  readonly payloadDigest: string
  readonly report: ReleaseReport
}

/**
 * The digests a partner holds: `sha256:` digests of released views (an ETag's opaque part), or
 * `'*'`, which stands for any view (`If-None-Match: *`).
 *
 * @example
 * ```ts
 * import type { HeldDigests } from 'datagate'
 *
 * const etag = `W/"sha256:${'a'.repeat(64)}"`
 * const held: HeldDigests = [etag.slice(3, -1)]
 * console.log(held[0]?.startsWith('sha256:')) // true
 * ```
 */
export type HeldDigests = readonly string[]

/** Checks `held` (`ERR_INVALID_ARGUMENT`) and returns it as a set. */
export function heldSet(held: unknown, what: string): ReadonlySet<string> {
  assertArray(held, what)
  for (const [i, digest] of held.entries())
    assertString(digest, `${what}[${i}]`, { nonEmpty: true, maxLength: 256 })
  return new Set(held as string[])
}

/** Whether the partner holds the view of `digest`. */
export function holds(held: ReadonlySet<string> | undefined, digest: string): boolean {
  return held !== undefined && (held.has(digest) || held.has('*'))
}

/**
 * How the partner named the view, for the `not-modified` event: `digest` when it gave the view's
 * digest (it held those bytes), `any` when only `'*'` matched (it may never have received them).
 */
export function heldBy(held: ReadonlySet<string> | undefined, digest: string): 'digest' | 'any' {
  return held?.has(digest) ? 'digest' : 'any'
}
