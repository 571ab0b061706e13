// The json mode of the HTTP adapters signs a body with RFC 9421 instead of a JWS. The gate never
// signs arbitrary bytes: a detached export, once audited, leaves the digest of its json-mode body
// here (rememberSignableBody), and signMessage signs only a signature base covering one of those
// digests, before its `exp`, once. Both halves of that rule live in this file.
import { DatagateError } from '../errors.js'
import { assertString } from '../lib/assert.js'
import { utf8 } from '../lib/bytes.js'
import { contentDigestOf } from '../lib/digest.js'
import type { GateCore } from './gate-core.js'

/** Bodies remembered at most; the oldest go first once it is reached. */
const MAX_SIGNABLE_BODIES = 10_000

/**
 * Remembers the json-mode body `{"data":<records>,"meta":<head>}` of an audited detached export
 * as signable until `exp`, dropping expired entries (and the oldest past the bound) first.
 */
export function rememberSignableBody(
  core: GateCore,
  records: Uint8Array,
  head: string,
  exp: number,
): void {
  const { signableBodies } = core
  const nowSeconds = Math.floor(core.now().getTime() / 1000)
  for (const [digest, until] of signableBodies)
    if (until <= nowSeconds || signableBodies.size >= MAX_SIGNABLE_BODIES)
      signableBodies.delete(digest)
    else break
  signableBodies.set(contentDigestOf([utf8('{"data":'), records, utf8(`,"meta":${head}}`)]), exp)
}

/** `gate.signMessage`: an Ed25519 signature of an RFC 9421 base over a remembered body. */
export async function signMessage(core: GateCore, base: string): Promise<Uint8Array> {
  core.requireOpen()
  const { current } = core.requireKeys()
  assertString(base, 'signMessage: base', { nonEmpty: true })
  const params = base.slice(base.lastIndexOf('\n') + 1)
  if (!params.startsWith('"@signature-params": (') || !params.includes(`;keyid="${current.kid}"`))
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
  const exp = digests.length === 1 ? core.signableBodies.get(digests[0] as string) : undefined
  if (exp === undefined || exp <= Math.floor(core.now().getTime() / 1000))
    throw new DatagateError(
      'ERR_INVALID_ARGUMENT',
      'signMessage: the base must cover the content-digest of the json body of an export this gate made (format: detached) and has not signed yet',
    )
  core.signableBodies.delete(digests[0] as string)
  return new Uint8Array(await crypto.subtle.sign('Ed25519', current.privateKey, utf8(base)))
}
