// The one spelling of a content digest across datagate: `sha256:` and lower-case hex of the
// SHA-256 of a text's UTF-8 (schema hashes, policy hashes, view digests, audit event hashes,
// stream chunk digests).
import { sha256Text } from '#hash'
import { hex } from './bytes.js'

/** `sha256:<hex>` of the UTF-8 encoding of `text`. */
export function textDigest(text: string): string {
  return `sha256:${hex(sha256Text(text))}`
}
