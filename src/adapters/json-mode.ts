// `mode: 'json'`: `{ data, meta }` signed with an RFC 9421 HTTP Message Signature (ed25519, the
// gate's current key) over an RFC 9530 Content-Digest, bound to the partner's own request.
import { DatagateError } from '../errors.js'
import type { Gate, ReleaseRequest } from '../export/gate.js'
import {
  type Component,
  contentDigest,
  fieldValue,
  SIGNATURE_TAG,
  signatureBase,
  signatureHeaders,
  signatureInput,
} from '../lib/http-signature.js'
import { notModifiedReply } from './conditional.js'
import { type Reply, respond } from './reply.js'
import type { ShareRequest } from './share-options.js'

const CONTENT_TYPE = 'application/json'

/**
 * The covered components, in the order they are signed: the response's `@status`,
 * `content-type` and `content-digest`, then the request's `@method`, `@target-uri` and (when it
 * carries one) `authorization`, each with `;req`. A response signed so cannot be replayed to
 * another partner (authorization) or route (target URI).
 */
export function jsonComponents(
  status: number,
  digest: string,
  request: Pick<ShareRequest, 'headers' | 'method' | 'url'>,
): Component[] {
  const authorization = fieldValue(request.headers, 'authorization')
  // A fragment is never sent (RFC 9110 §7.1): the partner's URL may hold one, the server's never.
  const target = new URL(request.url)
  target.hash = ''
  return [
    { name: '@status', req: false, value: String(status) },
    { name: 'content-type', req: false, value: CONTENT_TYPE },
    { name: 'content-digest', req: false, value: digest },
    { name: '@method', req: true, value: request.method.toUpperCase() },
    { name: '@target-uri', req: true, value: target.href },
    ...(authorization === undefined
      ? []
      : [{ name: 'authorization', req: true, value: authorization }]),
  ]
}

/**
 * The records' JSON text as the payload holds it. The gate writes the payload as the claims with
 * `"records":` last (`{...claims,"records":[...]}`), and JSON.stringify of the parsed claims
 * writes them again byte for byte (key order kept), so the records are the rest of the payload:
 * sliced rather than serialised a second time. Should the payload not start with those claims,
 * the parsed records are serialised (the same text: the audit event's payloadDigest is the
 * digest of `data` as served either way).
 */
function recordsText(payload: string, meta: string, records: unknown): string {
  const prefix = `${meta.slice(0, -1)},"records":`
  if (payload.startsWith(prefix) && payload.endsWith('}')) return payload.slice(prefix.length, -1)
  return JSON.stringify(records)
}

/**
 * Releases through `gate.export` (so the `export` event is on the chain, with the `data`'s
 * digest as its `payloadDigest`, before any byte leaves), then serves the export's records as
 * `data` and every other claim (iss, aud, iat, exp, jti, the audit receipt, ...) as `meta`. The
 * signature's `created` and `expires` are the export's `iat` and `exp`.
 */
export async function jsonReply(
  gate: Gate,
  request: ShareRequest,
  rows: Iterable<unknown>,
  release: ReleaseRequest,
  held: readonly string[] | undefined,
): Promise<Reply> {
  const exportRequest = { ...release, format: 'detached' } as const
  const signed =
    held === undefined
      ? await gate.export(rows, exportRequest)
      : await gate.exportUnlessHeld(rows, exportRequest, held)
  if ('notModified' in signed) return notModifiedReply(signed)
  const etag = `W/"${signed.payloadDigest}"`
  if (signed.payload === undefined)
    throw new DatagateError('ERR_INVALID_ARGUMENT', 'json mode: the export carried no payload')
  const { records, ...meta } = JSON.parse(signed.payload) as {
    records: unknown
    iat: number
    exp: number
  }
  const body = `{"data":${recordsText(signed.payload, JSON.stringify(meta), records)},"meta":${JSON.stringify(meta)}}`
  const digest = contentDigest(body)
  const components = jsonComponents(200, digest, request)
  const input = signatureInput(components, {
    created: meta.iat,
    expires: meta.exp,
    keyid: signed.kid,
    alg: 'ed25519',
    tag: SIGNATURE_TAG,
  })
  const signature = await gate.signMessage(signatureBase(components, input))
  return respond(200, body, {
    'content-type': CONTENT_TYPE,
    etag,
    'content-digest': digest,
    ...signatureHeaders(input, signature),
  })
}
