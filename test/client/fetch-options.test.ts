// The client's own options against real servers on 127.0.0.1: jwksUrl (the gate's keys served
// by jwksHandler), the bound on NDJSON lines, and the gate's message signing refusals.
import { createServer, type Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jwksHandler, withShare } from '../../src/adapters/fetch/index.js'
import { jsonComponents } from '../../src/adapters/json-mode.js'
import { createEtagCache, fetchShared, fetchSharedStream } from '../../src/client/index.js'
import {
  contentDigest,
  SIGNATURE_TAG,
  signatureBase,
  signatureHeaders,
  signatureInput,
} from '../../src/lib/http-signature.js'
import {
  type Fixture,
  fixture,
  ISSUER,
  listen,
  type Running,
  rows,
  slowRows,
} from '../adapters/helpers.js'

let fx: Fixture
let server: Running
let jwksRequests = 0
beforeAll(async () => {
  fx = await fixture()
  const orders = withShare(
    fx.gate,
    { ...fx.options('json'), authenticate: async () => ({ partner: 'rental-co' }) },
    () => rows(),
  )
  const stream = withShare(
    fx.gate,
    { ...fx.options(), authenticate: async () => ({ partner: 'rental-co' }) },
    () => slowRows(5),
  )
  const jwks = jwksHandler(fx.gate)
  server = await listen(
    createAdaptorServer({
      fetch: (request: Request) => {
        const path = new URL(request.url).pathname
        if (path === '/jwks') {
          jwksRequests++
          return jwks(request)
        }
        return path === '/stream' ? stream(request) : orders(request)
      },
    }) as Server,
  )
})
afterAll(async () => {
  await server.close()
  await fx.gate.close()
})

describe('jwksUrl', () => {
  it('verifies with the keys fetched from the issuer, fetched once and cached', async () => {
    const options = { jwksUrl: server.url('/jwks'), issuer: ISSUER, audience: 'rental-co' }
    const first = await fetchShared(server.url('/orders'), options)
    const second = await fetchShared(server.url('/orders'), options)
    expect(first.kind).toBe('json')
    expect(second.records).toEqual(first.records)
    const chunks = []
    for await (const chunk of fetchSharedStream(server.url('/stream'), options))
      chunks.push(chunk.length)
    expect(chunks).toEqual([2, 2, 1])
    expect(jwksRequests).toBe(1)
  })

  it('takes exactly one of jwks or jwksUrl, and a cache only from createEtagCache', async () => {
    const base = { issuer: ISSUER, audience: 'rental-co' }
    await expect(fetchShared(server.url('/orders'), base)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    })
    await expect(
      fetchShared(server.url('/orders'), {
        ...base,
        jwks: fx.gate.jwks(),
        jwksUrl: server.url('/jwks'),
      }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    await expect(
      fetchShared(server.url('/orders'), {
        ...base,
        jwks: fx.gate.jwks(),
        cache: new Map() as never,
      }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    expect(() => createEtagCache({ maxEntries: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
  })
})

describe('the NDJSON line bound', () => {
  it('a line longer than maxLineLength is ERR_STREAM_INVALID, the stream otherwise reads', async () => {
    const options = { jwks: fx.gate.jwks(), issuer: ISSUER, audience: 'rental-co' }
    await expect(
      fetchShared(server.url('/stream'), { ...options, maxLineLength: 200 }),
    ).rejects.toMatchObject({
      code: 'ERR_STREAM_INVALID',
      message: expect.stringContaining('maxLineLength'),
    })
    const whole = await fetchShared(server.url('/stream'), { ...options, maxLineLength: 100_000 })
    expect(whole.records).toHaveLength(5)
  })

  it('a server that never sends a newline is cut off at the bound, not buffered whole', async () => {
    let sent = 0
    let stop = false
    const endless = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' })
      const piece = 'x'.repeat(64 * 1024)
      const pump = () => {
        while (!stop && sent < 64 * 1024 * 1024 && res.write(piece)) sent += piece.length
        if (!stop && sent < 64 * 1024 * 1024) res.once('drain', pump)
        else res.end()
      }
      res.on('close', () => {
        stop = true
      })
      pump()
    })
    const running = await listen(endless)
    try {
      const options = {
        jwks: fx.gate.jwks(),
        issuer: ISSUER,
        audience: 'rental-co',
        maxLineLength: 1024 * 1024,
      }
      await expect(fetchShared(running.url('/'), options)).rejects.toMatchObject({
        code: 'ERR_STREAM_INVALID',
      })
      // Cut off near the bound: far less than the 64 MiB the server would have sent.
      expect(sent).toBeLessThan(16 * 1024 * 1024)
    } finally {
      await running.close()
    }
  })
})

describe("the gate's message signing", () => {
  it('signs only an RFC 9421 signature base naming its current keyid', async () => {
    const { kid, alg } = fx.gate.signingKey()
    expect(alg).toBe('EdDSA')
    for (const refused of [
      'eyJhbGciOiJFZERTQSJ9.eyJhIjoxfQ',
      `"@status": 200\n"@signature-params": ("@status");keyid="other"`,
      `"@status": 200\n"@signature-params": ("@status");created=1;keyid="${kid}"`,
    ])
      await expect(fx.gate.signMessage(refused)).rejects.toMatchObject({
        code: 'ERR_INVALID_ARGUMENT',
      })
  })

  it('signs no body the gate did not just export: data never audited cannot be made to verify', async () => {
    // A real json-mode response, then the same meta over forged records: an insider holding the
    // gate object must not get a signature fetchShared accepts for data that has no export event.
    const authorization = 'Bearer partner-token'
    const real = await fetch(server.url('/orders'), { headers: { authorization } })
    const { meta } = (await real.json()) as { meta: { count: number } }
    const forged = `{"data":${JSON.stringify(
      Array.from({ length: meta.count }, () => ({
        orderId: 'FORGED',
        city: 'Nowhere',
        estimatedHours: 1,
      })),
    )},"meta":${JSON.stringify(meta)}}`
    const digest = contentDigest(forged)
    const sent = {
      method: 'GET',
      url: server.url('/orders'),
      headers: new Headers({ authorization }),
    }
    const components = jsonComponents(200, digest, sent)
    const { kid } = fx.gate.signingKey()
    const input = signatureInput(components, {
      created: (meta as unknown as { iat: number }).iat,
      expires: (meta as unknown as { exp: number }).exp,
      keyid: kid,
      alg: 'ed25519',
      tag: SIGNATURE_TAG,
    })
    const signing = fx.gate.signMessage(signatureBase(components, input))
    await expect(signing).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    const signature = await signing.catch(() => new Uint8Array(64))
    const response = new Response(forged, {
      headers: {
        'content-type': 'application/json',
        'content-digest': digest,
        ...signatureHeaders(input, signature),
      },
    })
    await expect(
      fetchShared(server.url('/orders'), {
        headers: { authorization },
        jwks: fx.gate.jwks(),
        issuer: ISSUER,
        audience: 'rental-co',
        fetch: async () => response,
      }),
    ).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' })
  })

  it("a gate-signed body whose signature leaves out the partner's Authorization is refused", async () => {
    const authorization = 'Bearer partner-token'
    const signed = await fx.gate.export(rows(), {
      partner: 'rental-co',
      dataset: 'repair_order',
      purpose: 'courtesy-car',
      format: 'detached',
    })
    const { records, ...meta } = JSON.parse(signed.payload as string) as {
      records: unknown
      iat: number
      exp: number
    }
    const body = `{"data":${JSON.stringify(records)},"meta":${JSON.stringify(meta)}}`
    const digest = contentDigest(body)
    const sent = {
      method: 'GET',
      url: server.url('/orders'),
      headers: new Headers({ authorization }),
    }
    // Everything but the authorization: the gate signs it (the body is its export), the client must not accept it.
    const components = jsonComponents(200, digest, sent).filter((c) => c.name !== 'authorization')
    const input = signatureInput(components, {
      created: meta.iat,
      expires: meta.exp,
      keyid: signed.kid,
      alg: 'ed25519',
      tag: SIGNATURE_TAG,
    })
    const signature = await fx.gate.signMessage(signatureBase(components, input))
    const respond = () =>
      new Response(body, {
        headers: {
          'content-type': 'application/json',
          'content-digest': digest,
          ...signatureHeaders(input, signature),
        },
      })
    const base = {
      jwks: fx.gate.jwks(),
      issuer: ISSUER,
      audience: 'rental-co',
      fetch: async () => respond(),
    }
    await expect(
      fetchShared(server.url('/orders'), { ...base, headers: { authorization } }),
    ).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' })
    // The same response to a request without Authorization verifies: the refusal is the missing component's.
    expect((await fetchShared(server.url('/orders'), base)).records).toHaveLength(3)
    // Signed once: the same base is refused a second time.
    await expect(fx.gate.signMessage(signatureBase(components, input))).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    })
  })

  it('signs the body of a detached export once: the json mode of the adapters', async () => {
    const authorization = 'Bearer partner-token'
    const first = await fetchShared(server.url('/orders'), {
      headers: { authorization },
      jwks: fx.gate.jwks(),
      issuer: ISSUER,
      audience: 'rental-co',
    })
    expect(first.kind).toBe('json')
    expect(first.records).toHaveLength(3)
  })

  it('refuses with ERR_KEY_UNSUPPORTED when the current key is not Ed25519', async () => {
    const es = await fixture({ alg: 'ES256' })
    const { kid } = es.gate.signingKey()
    await expect(
      es.gate.signMessage(`"@status": 200\n"@signature-params": ("@status");keyid="${kid}"`),
    ).rejects.toMatchObject({ code: 'ERR_KEY_UNSUPPORTED' })
    await es.gate.close()
  })
})
