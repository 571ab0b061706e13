// RFC 9421 HTTP Message Signatures and RFC 9530 Content-Digest, as `mode: 'json'` of the HTTP
// adapters signs responses and `datagate/client` verifies them. The structured fields
// (Signature-Input, Signature, Content-Digest; RFC 8941) are parsed and serialised by
// `structured-headers`. The signature base (RFC 9421 §2.5) is assembled here: the npm
// implementations of RFC 9421 (http-message-signatures, @misskey-dev/node-http-message-signatures)
// sign with node:crypto and Buffer, which the runtime-neutral core cannot import. The tests check
// this base against http-message-signatures and the RFC's Appendix B vectors
// (test/vectors/rfc9421.json).
import {
  type InnerList,
  type Item,
  type Parameters,
  parseDictionary,
  serializeDictionary,
  serializeInnerList,
  serializeItem,
} from 'structured-headers'
import { sha256 } from '#hash'
import { DatagateError } from '../errors.js'
import { utf8 } from './bytes.js'

/** The label of datagate's signature in `Signature-Input` and `Signature`. */
export const SIGNATURE_LABEL = 'datagate'
/** The `tag` parameter of datagate's signatures (RFC 9421 §2.3): what the signature is for. */
export const SIGNATURE_TAG = 'datagate-json'

/** One covered component: its name, whether it is the request's (`;req`), and its value. */
export interface Component {
  readonly name: string
  readonly req: boolean
  readonly value: string
}

/** The parameters of a datagate signature. */
export interface SignatureParams {
  readonly created: number
  readonly expires: number
  readonly keyid: string
  readonly alg: 'ed25519'
  readonly tag: string
}

function componentId(component: Pick<Component, 'name' | 'req'>): Item {
  const params: Parameters = new Map()
  if (component.req) params.set('req', true)
  return [component.name, params]
}

/** The inner list of `Signature-Input`: the covered components and the parameters, in order. */
export function signatureInput(
  components: readonly Pick<Component, 'name' | 'req'>[],
  params: SignatureParams | Parameters,
): InnerList {
  const map: Parameters =
    params instanceof Map
      ? params
      : new Map<string, string | number>([
          ['created', params.created],
          ['expires', params.expires],
          ['keyid', params.keyid],
          ['alg', params.alg],
          ['tag', params.tag],
        ])
  return [components.map(componentId), map]
}

/**
 * The signature base (RFC 9421 §2.5): one line per covered component, `"name";req: value`,
 * then `"@signature-params": ` and the serialised inner list. Values are given already derived
 * (§2.1: a field's values trimmed and joined by `, `; §2.2: derived components).
 */
export function signatureBase(components: readonly Component[], input: InnerList): string {
  let base = ''
  for (const component of components) {
    if (component.value.includes('\n'))
      throw new DatagateError('ERR_INVALID_ARGUMENT', `component ${component.name} holds a newline`)
    base += `${serializeItem(componentId(component))}: ${component.value}\n`
  }
  return `${base}"@signature-params": ${serializeInnerList(input)}`
}

/** Standard base64 (RFC 4648 §4), as structured-field byte sequences and Content-Digest use it. */
function base64(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** `Content-Digest` (RFC 9530) of a body: `sha-256=:<base64>:`. */
export function contentDigest(body: Uint8Array | string): string {
  return serializeDictionary(
    new Map([
      [
        'sha-256',
        [new Uint8Array(sha256(typeof body === 'string' ? utf8(body) : body)), new Map()],
      ],
    ]),
  )
}

/** The `Signature-Input` and `Signature` field values for one label. */
export function signatureHeaders(
  input: InnerList,
  signature: Uint8Array,
  label = SIGNATURE_LABEL,
): { readonly 'signature-input': string; readonly signature: string } {
  return {
    'signature-input': serializeDictionary(new Map([[label, input]])),
    signature: `${label}=:${base64(signature)}:`,
  }
}

function dictionary(value: string | null, field: string): Map<string, Item | InnerList> {
  if (value === null)
    throw new DatagateError('ERR_SIGNATURE_INVALID', `the response has no ${field} field`)
  try {
    return parseDictionary(value)
  } catch {
    throw new DatagateError('ERR_SIGNATURE_INVALID', `the ${field} field is not a dictionary`)
  }
}

function isInnerList(member: Item | InnerList): member is InnerList {
  return Array.isArray(member[0])
}

/** A parsed datagate signature: its covered components (in order), parameters and bytes. */
export interface ParsedSignature {
  readonly components: readonly { readonly name: string; readonly req: boolean }[]
  readonly params: Parameters
  readonly input: InnerList
  readonly signature: Uint8Array
}

/** Reads datagate's signature (label {@link SIGNATURE_LABEL}) from the two fields. */
export function parseSignature(
  signatureInputField: string | null,
  signatureField: string | null,
): ParsedSignature {
  const inputs = dictionary(signatureInputField, 'Signature-Input')
  const signatures = dictionary(signatureField, 'Signature')
  const input = inputs.get(SIGNATURE_LABEL)
  const signature = signatures.get(SIGNATURE_LABEL)
  if (
    input === undefined ||
    signature === undefined ||
    !isInnerList(input) ||
    isInnerList(signature)
  )
    throw new DatagateError('ERR_SIGNATURE_INVALID', `no signature labelled ${SIGNATURE_LABEL}`)
  if (!(signature[0] instanceof ArrayBuffer))
    throw new DatagateError('ERR_SIGNATURE_INVALID', 'the signature is not a byte sequence')
  const components = input[0].map(([name, params]) => {
    if (typeof name !== 'string')
      throw new DatagateError('ERR_SIGNATURE_INVALID', 'a covered component is not a string')
    const extra = [...params.keys()].filter((key) => key !== 'req')
    if (extra.length > 0 || (params.has('req') && params.get('req') !== true))
      throw new DatagateError('ERR_SIGNATURE_INVALID', `component ${name} has unknown parameters`)
    return { name, req: params.get('req') === true }
  })
  return { components, params: input[1], input, signature: new Uint8Array(signature[0]) }
}

/** The sha-256 digest a `Content-Digest` field carries; `ERR_DIGEST_MISMATCH` without one. */
export function parseContentDigest(value: string | null): Uint8Array {
  if (value === null)
    throw new DatagateError('ERR_DIGEST_MISMATCH', 'the response has no Content-Digest field')
  let parsed: Map<string, Item | InnerList>
  try {
    parsed = parseDictionary(value)
  } catch {
    throw new DatagateError('ERR_DIGEST_MISMATCH', 'the Content-Digest field is not a dictionary')
  }
  const member = parsed.get('sha-256')
  if (member === undefined || isInnerList(member) || !(member[0] instanceof ArrayBuffer))
    throw new DatagateError('ERR_DIGEST_MISMATCH', 'the Content-Digest field has no sha-256')
  return new Uint8Array(member[0])
}

/** Compares two byte strings in time independent of where they differ. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number)
  return diff === 0
}

/** The value of a field for a signature base (RFC 9421 §2.1): trimmed; absent is `undefined`. */
export function fieldValue(headers: Headers, name: string): string | undefined {
  const value = headers.get(name)
  return value === null ? undefined : value.trim()
}
