// The RFC 9421 signature base and RFC 9530 Content-Digest of mode 'json', against the RFCs' own
// vectors (test/vectors/rfc9421.json) and against http-message-signatures, an independent
// implementation from npm.
import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createSigner, createVerifier, httpbis } from 'http-message-signatures'
import { describe, expect, it } from 'vitest'
import { jsonComponents } from '../../src/adapters/json-mode.js'
import {
  contentDigest,
  parseContentDigest,
  parseSignature,
  signatureBase,
  signatureHeaders,
  signatureInput,
} from '../../src/lib/http-signature.js'

const vectors = JSON.parse(
  readFileSync(new URL('../vectors/rfc9421.json', import.meta.url), 'utf8'),
) as {
  key: { keyid: string; privatePkcs8Pem: string; publicSpkiPem: string }
  b26: {
    label: string
    request: { method: string; url: string; headers: Record<string, string> }
    components: { name: string; value: string }[]
    params: { created: number; keyid: string }
    signatureBase: string
    signatureInput: string
    signature: string
  }
  contentDigest: { body: string; sha256: string }
}

const privateKey = createPrivateKey(vectors.key.privatePkcs8Pem)
const publicKey = createPublicKey(vectors.key.publicSpkiPem)
const b64 = (text: string) => Uint8Array.from(Buffer.from(text, 'base64'))

describe('RFC 9421 B.2.6 (ed25519) through our signature base', () => {
  const { b26 } = vectors
  const components = b26.components.map((c) => ({ ...c, req: false }))
  const params = new Map<string, string | number>([
    ['created', b26.params.created],
    ['keyid', b26.params.keyid],
  ])
  const input = signatureInput(components, params)

  it('builds the RFC signature base and Signature-Input byte for byte', () => {
    expect(signatureBase(components, input)).toBe(b26.signatureBase)
    const headers = signatureHeaders(input, new Uint8Array(64), b26.label)
    expect(headers['signature-input']).toBe(b26.signatureInput)
  })

  it('signing that base with the B.1.4 key gives the RFC signature (Ed25519 is deterministic)', async () => {
    const key = await webcrypto.subtle.importKey(
      'pkcs8',
      privateKey.export({ format: 'der', type: 'pkcs8' }),
      'Ed25519',
      false,
      ['sign'],
    )
    const signature = new Uint8Array(
      await webcrypto.subtle.sign('Ed25519', key, new TextEncoder().encode(b26.signatureBase)),
    )
    expect(signatureHeaders(input, signature, b26.label).signature).toBe(b26.signature)
  })

  it('http-message-signatures derives the same base from the RFC request and verifies the RFC signature', async () => {
    const request = { ...b26.request }
    const names = b26.components.map((c) => c.name)
    const base = httpbis.formatSignatureBase(
      httpbis.createSignatureBase({ fields: names }, request),
    )
    expect(`${base}\n"@signature-params": ${b26.signatureInput.slice(b26.label.length + 1)}`).toBe(
      b26.signatureBase,
    )
    const signed = {
      ...request,
      headers: {
        ...request.headers,
        'signature-input': b26.signatureInput,
        signature: b26.signature,
      },
    }
    const keyLookup = async () => ({
      id: vectors.key.keyid,
      algs: ['ed25519'],
      verify: createVerifier(publicKey, 'ed25519'),
    })
    expect(
      await httpbis.verifyMessage({ keyLookup, notAfter: b26.params.created + 1 }, signed),
    ).toBe(true)
  })

  it('parses the RFC fields back to the components, parameters and signature bytes', () => {
    // Our parser reads the label `datagate`: relabel the RFC's fields.
    const relabel = (field: string) => field.replace(`${b26.label}=`, 'datagate=')
    const parsed = parseSignature(relabel(b26.signatureInput), relabel(b26.signature))
    expect(parsed.components.map((c) => c.name)).toEqual(b26.components.map((c) => c.name))
    expect(parsed.params.get('created')).toBe(b26.params.created)
    expect(parsed.signature).toEqual(b64(b26.signature.slice(b26.label.length + 2, -1)))
  })
})

describe('RFC 9530 Content-Digest', () => {
  it('gives the RFC digest of its example body and reads it back', () => {
    const { body, sha256 } = vectors.contentDigest
    expect(contentDigest(body)).toBe(sha256)
    expect(parseContentDigest(sha256)).toEqual(b64(sha256.slice('sha-256=:'.length, -1)))
  })

  it.each([
    [null, 'no Content-Digest'],
    ['sha-512=:AAAA:', 'no sha-256'],
    ['not a dictionary', 'not a dictionary'],
  ])('refuses %s with ERR_DIGEST_MISMATCH', (field, message) => {
    expect(() => parseContentDigest(field)).toThrow(
      expect.objectContaining({
        code: 'ERR_DIGEST_MISMATCH',
        message: expect.stringContaining(message),
      }),
    )
  })
})

describe("json mode's own base, against http-message-signatures signing the same response", () => {
  it('both sign the same base for a response bound to its request (;req)', async () => {
    const request = {
      method: 'GET',
      url: 'https://api.example/v1/orders?page=2',
      headers: { authorization: 'Bearer abc.def.ghi' },
    }
    const body = '{"data":[],"meta":{}}'
    const digest = contentDigest(body)
    const components = jsonComponents(200, digest, {
      ...request,
      headers: new Headers(request.headers),
    })
    const params = {
      created: 1_800_000_000,
      expires: 1_800_086_400,
      keyid: 'k1',
      alg: 'ed25519' as const,
      tag: 'datagate-json',
    }
    const input = signatureInput(components, params)
    const ours = signatureBase(components, input)
    const response = {
      status: 200,
      headers: { 'content-type': 'application/json', 'content-digest': digest },
    }
    let theirs = ''
    const signed = await httpbis.signMessage(
      {
        key: {
          id: 'k1',
          alg: 'ed25519',
          sign: async (data) => {
            theirs = data.toString('utf8')
            return createSigner(privateKey, 'ed25519').sign(data)
          },
        },
        name: 'datagate',
        fields: components.map((c) => (c.req ? `${c.name};req` : c.name)),
        params: ['created', 'expires', 'keyid', 'alg', 'tag'],
        paramValues: {
          created: new Date(params.created * 1000),
          expires: new Date(params.expires * 1000),
          tag: params.tag,
        },
      },
      response,
      request,
    )
    expect(theirs).toBe(ours)
    const headers = signed.headers as Record<string, string>
    expect(headers['Signature-Input'] ?? headers['signature-input']).toBe(
      signatureHeaders(input, new Uint8Array(64))['signature-input'],
    )
  })
})
