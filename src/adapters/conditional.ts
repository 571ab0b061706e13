// Conditional requests in every adapter: the digests an `If-None-Match` names go to the gate,
// which compares them with the released view it computes and, when the partner holds that view,
// writes a `not-modified` event (durable first) and signs nothing; the adapter then sends a 304.
import type { NotModified } from '../export/not-modified.js'
import { type Reply, respond } from './reply.js'
import type { ShareOptions } from './share-options.js'

// Only an ETag this library writes can name a view: `W/"sha256:<64 hex>"` (or unquoted W/).
// Anything else (another server's tag, a quoted `"*"`) names nothing and is skipped.
const ETAG = /^(?:W\/)?"(sha256:[0-9a-f]{64})"$/

/**
 * The digests an `If-None-Match` names (weak comparison, RFC 9110 §13.1.2: the `W/` is ignored),
 * `'*'` for `*`; `undefined` when conditional requests are off or the header is absent.
 */
export function heldDigests(
  options: Pick<ShareOptions, 'conditional'>,
  headers: Headers,
): string[] | undefined {
  if (options.conditional !== true) return undefined
  const header = headers.get('if-none-match')
  if (header === null) return undefined
  const held: string[] = []
  for (const part of header.split(',')) {
    const tag = part.trim()
    if (tag === '*') held.push('*')
    else {
      const digest = ETAG.exec(tag)?.[1]
      if (digest !== undefined) held.push(digest)
    }
  }
  return held
}

/** The 304 for a view the partner holds: its ETag, no body. */
export function notModifiedReply(answer: NotModified): Reply {
  return respond(304, null, { etag: `W/"${answer.payloadDigest}"` })
}
