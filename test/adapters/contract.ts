// The behaviour every adapter must show against a real server on 127.0.0.1, with real HTTP
// requests. Each framework's test builds the same routes (helpers.ts ROUTES) and runs this.
import { spawnSync } from 'node:child_process'
import { createHash, createPublicKey } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createVerifier, httpbis } from 'http-message-signatures'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEtagCache, fetchShared, fetchSharedStream } from '../../src/client/index.js'
import { isDatagateError } from '../../src/errors.js'
import { verifyAuditChain } from '../../src/export/audit-verify.js'
import { verifyAuditLog } from '../../src/export/audit-verify-log.js'
import { verifyExport } from '../../src/export/verify-export.js'
import { CANARY, type Fixture, fixture, ISSUER, type Running } from './helpers.js'

const PYTHON = '/usr/bin/python3'
const SCRIPT = fileURLToPath(new URL('../interop/jwcrypto_verify.py', import.meta.url))
const noJwcrypto =
  !existsSync(PYTHON) || spawnSync(PYTHON, ['-c', 'import jwcrypto']).status !== 0
    ? `${PYTHON} with python3-jwcrypto is not installed`
    : undefined

/** A GET with Node's http client, which tells an aborted response from a finished one. */
function rawGet(url: string, authorization: string): Promise<{ body: string; aborted: boolean }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { authorization } }, (res) => {
      let body = ''
      let aborted = false
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('aborted', () => {
        aborted = true
      })
      res.on('error', () => {
        aborted = true
      })
      res.on('close', () => resolve({ body, aborted: aborted || !res.complete }))
    })
    req.on('error', reject)
    req.end()
  })
}

export function adapterContract(
  name: string,
  start: (fx: Fixture) => Promise<Running>,
): { fx: () => Fixture; server: () => Running } {
  let fx: Fixture
  let server: Running
  beforeAll(async () => {
    fx = await fixture()
    server = await start(fx)
  })
  afterAll(async () => {
    await server?.close()
    await fx?.gate.close()
  })
  const get = async (path: string, sub?: string, headers: Record<string, string> = {}) =>
    fetch(server.url(path), {
      headers: {
        ...(sub ? { authorization: `Bearer ${await fx.token({ sub })}` } : {}),
        ...headers,
      },
    })
  const verify = (token: string, audience: string) =>
    verifyExport(token, { jwks: fx.gate.jwks(), issuer: ISSUER, audience })
  const clientOptions = async (sub: string) => ({
    headers: { authorization: `Bearer ${await fx.token({ sub })}` },
    jwks: fx.gate.jwks(),
    issuer: ISSUER,
    audience: sub,
  })

  describe(`${name}: releases`, () => {
    it('two partners with different agreements see different fields from one handler', async () => {
      const rental = await get('/orders', 'rental-co')
      const insure = await get('/orders', 'insure-co')
      expect(rental.status).toBe(200)
      expect(rental.headers.get('content-type')).toBe('application/jose')
      const a = await verify(await rental.text(), 'rental-co')
      const b = await verify(await insure.text(), 'insure-co')
      expect(a.records[0]).toEqual({ orderId: 'R-0', city: 'Lyon', estimatedHours: 5 })
      expect(b.records[0]).toEqual({ orderId: 'R-0', phone: '138****5678' })
      expect(a.meta.agreement).toBe('rc')
    })

    it('every response is no-store, varies by Authorization, and carries a weak ETag of the view', async () => {
      const response = await get('/orders', 'rental-co')
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(response.headers.get('vary')).toBe('Authorization')
      expect(response.headers.get('etag')).toMatch(/^W\/"sha256:[0-9a-f]{64}"$/)
      const refused = await get('/orders')
      expect(refused.headers.get('cache-control')).toBe('no-store')
      expect(refused.headers.get('vary')).toBe('Authorization')
    })

    it('If-None-Match gives 304 only where conditional is on; another partner still gets 200', async () => {
      const first = await get('/orders-conditional', 'rental-co')
      const etag = first.headers.get('etag')!
      await first.text()
      const plain = await get('/orders', 'rental-co', { 'if-none-match': etag })
      expect(plain.status).toBe(200)
      await plain.text()
      const events = fx.audit.events.length
      const again = await get('/orders-conditional', 'rental-co', { 'if-none-match': etag })
      expect(again.status).toBe(304)
      expect(again.headers.get('etag')).toBe(etag)
      expect(again.headers.get('cache-control')).toBe('no-store')
      expect(await again.text()).toBe('')
      // The 304 is audited as such: a not-modified event naming the view the partner holds,
      // with no token (no jti) and no record value.
      const written = fx.audit.events.slice(events)
      expect(written).toEqual([
        expect.objectContaining({
          type: 'not-modified',
          partner: 'rental-co',
          dataset: 'repair_order',
          purpose: 'courtesy-car',
          agreement: 'rc',
          rows: 3,
          payloadDigest: etag.slice(3, -1),
          details: expect.objectContaining({ answers: 'export', format: 'compact' }),
        }),
      ])
      expect(written[0]).not.toHaveProperty('jti')
      expect(JSON.stringify(written)).not.toMatch(/R-0|Lyon|CANARY/)
      const other = await get('/orders-conditional', 'insure-co', { 'if-none-match': etag })
      expect(other.status).toBe(200)
      await other.text()
      expect(fx.audit.events.at(-1)).toMatchObject({ type: 'export', partner: 'insure-co' })
    })

    it('filtered and json modes answer 304 with a not-modified event too; * matches, foreign tags do not', async () => {
      for (const [path, answers] of [
        ['/orders-filtered-conditional', 'release'],
        ['/orders-json-conditional', 'export'],
      ] as const) {
        const first = await get(path, 'insure-co')
        const etag = first.headers.get('etag')!
        await first.text()
        const events = fx.audit.events.length
        const again = await get(path, 'insure-co', { 'if-none-match': `"other", ${etag}` })
        expect(again.status).toBe(304)
        expect(await again.text()).toBe('')
        expect(fx.audit.events.slice(events)).toEqual([
          expect.objectContaining({
            type: 'not-modified',
            partner: 'insure-co',
            payloadDigest: etag.slice(3, -1),
            details: expect.objectContaining({ answers }),
          }),
        ])
        const any = await get(path, 'insure-co', { 'if-none-match': '*' })
        expect(any.status).toBe(304)
        expect(fx.audit.events.at(-1)?.type).toBe('not-modified')
        // A quoted "*" or another server's tag names no view: served, and audited as served.
        const foreign = await get(path, 'insure-co', { 'if-none-match': '"*", W/"sha256:x"' })
        expect(foreign.status).toBe(200)
        await foreign.text()
        expect(fx.audit.events.at(-1)?.type).toBe(answers)
      }
    })

    it('the not-modified event is durable before the 304 is sent: a failed write is the 500 problem', async () => {
      const first = await get('/orders-conditional', 'rental-co')
      const etag = first.headers.get('etag')!
      await first.text()
      fx.failing.add('not-modified')
      try {
        const refused = await get('/orders-conditional', 'rental-co', { 'if-none-match': etag })
        expect(refused.status).toBe(500)
        expect(await refused.json()).toMatchObject({
          type: 'urn:datagate:problem:ERR_AUDIT_WRITE_FAILED',
        })
      } finally {
        fx.failing.clear()
      }
    })

    it('the chain with its not-modified events verifies', async () => {
      const report = verifyAuditChain(fx.audit.events)
      expect(report).toMatchObject({ ok: true, count: fx.audit.events.length, issues: [] })
      expect(fx.audit.events.some((e) => e.type === 'not-modified')).toBe(true)
      expect(await verifyAuditLog(fx.audit.events, { jwks: fx.gate.jwks() })).toMatchObject({
        ok: true,
        issues: [],
      })
    })

    it('fetchShared keeps the ETag: a re-fetch sends If-None-Match and a 304 returns the kept result', async () => {
      const cache = createEtagCache()
      const options = { ...(await clientOptions('insure-co')), cache }
      for (const path of ['/orders-conditional', '/orders-json-conditional']) {
        const first = await fetchShared(server.url(path), options)
        const events = fx.audit.events.length
        const second = await fetchShared(server.url(path), options)
        expect(second).toEqual(first)
        // The server answered 304: a not-modified event, no new token.
        expect(fx.audit.events.slice(events).map((e) => e.type)).toEqual(['not-modified'])
      }
      expect(cache.size).toBe(2)
      // Past the kept result's exp, the client fetches anew instead of trusting a 304.
      const later = await fetchShared(server.url('/orders-conditional'), {
        ...options,
        now: () => new Date(Date.now() + 2 * 86_400_000),
      }).catch((error: unknown) => error)
      expect(later).toMatchObject({ code: 'ERR_TOKEN_EXPIRED' })
    })

    it('fetchShared verifies the signed response', async () => {
      const result = await fetchShared(server.url('/orders'), await clientOptions('insure-co'))
      expect(result.kind).toBe('export')
      expect(result.records).toHaveLength(3)
      expect(result.records.every((r) => Object.keys(r).join() === 'orderId,phone')).toBe(true)
    })

    it('filtered mode serves { data, meta } unsigned, with the partner view of the report', async () => {
      const response = await get('/orders-filtered', 'rental-co')
      expect(response.headers.get('content-type')).toBe('application/json')
      const body = (await response.json()) as { data: unknown[]; meta: Record<string, unknown> }
      expect(body.data[0]).toEqual({ orderId: 'R-0', city: 'Lyon', estimatedHours: 5 })
      // The ETag is the digest of `data` as served: the release event's payloadDigest.
      const released = fx.audit.events.findLast((e) => e.type === 'release')!
      expect(response.headers.get('etag')).toBe(`W/"${released.payloadDigest}"`)
      expect(released.payloadDigest).toBe(
        `sha256:${createHash('sha256').update(JSON.stringify(body.data)).digest('hex')}`,
      )
      expect(body.meta).toMatchObject({
        dataset: 'repair_order',
        purpose: 'courtesy-car',
        count: 3,
      })
      const report = body.meta.report as { rows: Record<string, unknown> }
      expect(Object.keys(report.rows).sort()).toEqual(['cap', 'capped', 'released'])
      await expect(
        fetchShared(server.url('/orders-filtered'), await clientOptions('rental-co')),
      ).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' })
    })

    it.skipIf(noJwcrypto !== undefined)(
      'the signed response verifies with python3-jwcrypto',
      async () => {
        const token = await (await get('/orders', 'rental-co')).text()
        const dir = mkdtempSync(join(tmpdir(), 'datagate-adapter-interop-'))
        try {
          const job = join(dir, 'job.json')
          writeFileSync(
            job,
            JSON.stringify({ jwks: fx.gate.jwks(), cases: [{ name: 'http', kind: 'jws', token }] }),
          )
          const run = spawnSync(PYTHON, [SCRIPT, job], { encoding: 'utf8', timeout: 30_000 })
          expect(run.status, run.stderr).toBe(0)
          const result = JSON.parse(run.stdout).results.http as { payload?: string; error?: string }
          expect(result.error).toBeUndefined()
          expect(JSON.parse(result.payload!).records[0]).toEqual({
            orderId: 'R-0',
            city: 'Lyon',
            estimatedHours: 5,
          })
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      },
    )
  })

  describe(`${name}: json mode (RFC 9421)`, () => {
    const jsonGet = async (path: string, sub: string) => {
      const authorization = `Bearer ${await fx.token({ sub })}`
      const url = server.url(path)
      const response = await fetch(url, { headers: { authorization } })
      const headers: Record<string, string> = {}
      response.headers.forEach((value, key) => {
        headers[key] = value
      })
      return { url, authorization, status: response.status, headers, body: await response.text() }
    }

    it('serves { data, meta } with Content-Digest and a signature fetchShared verifies', async () => {
      const got = await jsonGet('/orders-json', 'insure-co')
      expect(got.status).toBe(200)
      expect(got.headers['content-type']).toBe('application/json')
      expect(got.headers['content-digest']).toBe(
        `sha-256=:${createHash('sha256').update(got.body).digest('base64')}:`,
      )
      expect(got.headers['signature-input']).toMatch(
        /^datagate=\("@status" "content-type" "content-digest" "@method";req "@target-uri";req "authorization";req\);created=\d+;expires=\d+;keyid="[^"]+";alg="ed25519";tag="datagate-json"$/,
      )
      const body = JSON.parse(got.body) as { data: unknown[]; meta: Record<string, unknown> }
      expect(body.data[0]).toEqual({ orderId: 'R-0', phone: '138****5678' })
      expect(body.meta).toMatchObject({ iss: ISSUER, aud: 'insure-co', count: 3, agreement: 'ic' })
      // The export event is on the chain, with the digest of `data` exactly as served.
      const event = fx.audit.events.findLast((e) => e.type === 'export')!
      expect(event.jti).toBe(body.meta.jti)
      expect(event.payloadDigest).toBe(
        `sha256:${createHash('sha256').update(JSON.stringify(body.data)).digest('hex')}`,
      )
      const result = await fetchShared(server.url('/orders-json'), await clientOptions('insure-co'))
      expect(result.kind).toBe('json')
      expect(result.records).toEqual(body.data)
    })

    it('verifies with http-message-signatures, an independent RFC 9421 implementation', async () => {
      const got = await jsonGet('/orders-json', 'rental-co')
      const jwk = fx.gate.jwks().keys[0]!
      const publicKey = createPublicKey({ key: jwk, format: 'jwk' })
      const keyLookup = async (params: { keyid?: string }) =>
        params.keyid === jwk.kid
          ? { id: jwk.kid, algs: ['ed25519'], verify: createVerifier(publicKey, 'ed25519') }
          : null
      const request = { method: 'GET', url: got.url, headers: { authorization: got.authorization } }
      const response = { status: got.status, headers: got.headers }
      const required = {
        requiredFields: ['@status', 'content-digest', '@target-uri', 'authorization'],
      }
      expect(await httpbis.verifyMessage({ keyLookup, ...required }, response, request)).toBe(true)
      // Bound to the partner's request: another partner's credentials or another route fail.
      const other = {
        ...request,
        headers: { authorization: `Bearer ${await fx.token({ sub: 'insure-co' })}` },
      }
      expect(await httpbis.verifyMessage({ keyLookup }, response, other)).toBe(false)
      const route = { ...request, url: server.url('/orders-json-copy') }
      expect(await httpbis.verifyMessage({ keyLookup }, response, route)).toBe(false)
      const status = { ...response, status: 203 }
      expect(await httpbis.verifyMessage({ keyLookup }, status, request)).toBe(false)
    })

    it('fetchShared refuses a response replayed to another partner or route, or tampered with', async () => {
      const got = await jsonGet('/orders-json', 'rental-co')
      const replay =
        (change: (g: typeof got) => typeof got = (g) => g) =>
        async () => {
          const g = change(got)
          return new Response(g.body, { status: g.status, headers: g.headers })
        }
      const other = await clientOptions('rental-co')
      const refused = async (path: string, fetchImpl: () => Promise<Response>, options = other) =>
        fetchShared(server.url(path), { ...options, fetch: fetchImpl }).catch((e: unknown) => e)
      // The same bytes, replayed to another route and to another partner's request:
      expect(await refused('/orders-json-copy', replay())).toMatchObject({
        code: 'ERR_SIGNATURE_INVALID',
      })
      expect(
        await refused('/orders-json', replay(), await clientOptions('insure-co')),
      ).toMatchObject({ code: 'ERR_SIGNATURE_INVALID' })
      const tampered = got.body.replace('Lyon', 'Nice')
      expect(
        await refused(
          '/orders-json',
          replay((g) => ({ ...g, body: tampered })),
        ),
      ).toMatchObject({ code: 'ERR_DIGEST_MISMATCH' })
      const digest = `sha-256=:${createHash('sha256').update(tampered).digest('base64')}:`
      const both = (g: typeof got) => ({
        ...g,
        body: tampered,
        headers: { ...g.headers, 'content-digest': digest },
      })
      expect(await refused('/orders-json', replay(both))).toMatchObject({
        code: 'ERR_SIGNATURE_INVALID',
      })
      const unsigned = (g: typeof got) => {
        const { signature: _s, ...headers } = g.headers
        return { ...g, headers }
      }
      expect(await refused('/orders-json', replay(unsigned))).toMatchObject({
        code: 'ERR_SIGNATURE_INVALID',
      })
      // The same response with the partner's own request verifies: the refusals above are the changes'.
      const own = await fetchShared(server.url('/orders-json'), {
        ...other,
        headers: { authorization: got.authorization },
        fetch: replay(),
      })
      expect(own.records).toHaveLength(3)
      const late = await fetchShared(server.url('/orders-json'), {
        ...other,
        headers: { authorization: got.authorization },
        fetch: replay(),
        now: () => new Date(Date.now() + 2 * 86_400_000),
      }).catch((e: unknown) => e)
      expect(late).toMatchObject({ code: 'ERR_TOKEN_EXPIRED' })
      const audience = await fetchShared(server.url('/orders-json'), {
        ...other,
        audience: 'insure-co',
        headers: { authorization: got.authorization },
        fetch: replay(),
      }).catch((e: unknown) => e)
      expect(audience).toMatchObject({ code: 'ERR_AUDIENCE_MISMATCH' })
    })
  })

  describe(`${name}: refusals`, () => {
    const problemOf = async (response: Response) => {
      expect(response.headers.get('content-type')).toBe('application/problem+json')
      return (await response.json()) as Record<string, unknown>
    }
    const expectProblem = async (response: Response, status: number, code: string) => {
      expect(response.status).toBe(status)
      const problem = await problemOf(response)
      expect(problem).toMatchObject({ type: `urn:datagate:problem:${code}`, status })
      expect(typeof problem.title).toBe('string')
      expect(typeof problem.detail).toBe('string')
      return problem
    }

    it('missing, expired and wrong-audience tokens get 401 ERR_UNAUTHENTICATED, onError, no audit event', async () => {
      const events = fx.audit.events.length
      const errors = fx.errors.length
      const missing = await get('/orders', undefined, { 'x-request-id': 'req-42' })
      expect(missing.headers.get('www-authenticate')).toBe('Bearer')
      const problem = await expectProblem(missing, 401, 'ERR_UNAUTHENTICATED')
      expect(problem.instance).toBe('req-42')
      const expired = await fetch(server.url('/orders'), {
        headers: {
          authorization: `Bearer ${await fx.token({ sub: 'rental-co', exp: Math.floor(Date.now() / 1000) - 60 })}`,
        },
      })
      await expectProblem(expired, 401, 'ERR_UNAUTHENTICATED')
      const audience = await fetch(server.url('/orders'), {
        headers: {
          authorization: `Bearer ${await fx.token({ sub: 'rental-co', aud: 'other-api' })}`,
        },
      })
      await expectProblem(audience, 401, 'ERR_UNAUTHENTICATED')
      expect(fx.audit.events.length).toBe(events)
      const seen = fx.errors.slice(errors)
      expect(seen.map((e) => [e.error.code, e.ctx.status, e.ctx.partner])).toEqual([
        ['ERR_UNAUTHENTICATED', 401, undefined],
        ['ERR_UNAUTHENTICATED', 401, undefined],
        ['ERR_UNAUTHENTICATED', 401, undefined],
      ])
      expect(seen[0]!.ctx.requestId).toBe('req-42')
    })

    it.each([
      ['ghost-co', 'ERR_UNKNOWN_PARTNER', false],
      ['yellow-co', 'ERR_PARTNER_SUSPENDED', true],
      ['gone-co', 'ERR_PARTNER_REVOKED', true],
      ['old-co', 'ERR_AGREEMENT_EXPIRED', true],
    ])('%s gets 403 %s; a known partner is audited as denied', async (sub, code, audited) => {
      const events = fx.audit.events.length
      const problem = await expectProblem(await get('/orders', sub), 403, code)
      expect(JSON.stringify(problem)).not.toContain(sub)
      const added = fx.audit.events.slice(events)
      if (audited)
        expect(added).toEqual([expect.objectContaining({ type: 'denied', partner: sub, code })])
      else expect(added).toEqual([])
      expect(fx.errors.at(-1)).toMatchObject({
        error: { code },
        ctx: { status: 403, partner: sub },
      })
      await expect(
        fetchShared(server.url('/orders'), await clientOptions(sub)),
      ).rejects.toMatchObject({ code })
    })

    it('fetchShared raises ERR_UNAUTHENTICATED for a 401', async () => {
      await expect(
        fetchShared(server.url('/orders'), {
          jwks: fx.gate.jwks(),
          issuer: ISSUER,
          audience: 'rental-co',
        }),
      ).rejects.toMatchObject({ code: 'ERR_UNAUTHENTICATED' })
    })
  })

  describe(`${name}: fail closed`, () => {
    const leaksNothing = async (response: Response) => {
      expect(response.status).toBe(500)
      const text = await response.text()
      expect(text).not.toContain(CANARY)
      expect(text).not.toContain('R-0')
      expect(text).not.toContain('Lyon')
      return JSON.parse(text) as Record<string, unknown>
    }

    it('a throwing handler gives the generic 500 problem and reaches onError', async () => {
      const problem = await leaksNothing(await get('/throws', 'rental-co'))
      expect(problem.detail).toBe('The data could not be released.')
      const reported = fx.errors.at(-1)!
      expect(reported).toMatchObject({
        ctx: { status: 500, partner: 'rental-co', path: '/throws' },
      })
      // ERR_RECORD_INVALID where the adapter sees the throw; in Express, whose own error handling
      // catches it and writes by res.end, the refused write (ERR_INVALID_ARGUMENT).
      expect(['ERR_RECORD_INVALID', 'ERR_INVALID_ARGUMENT']).toContain(reported.error.code)
      // onError never sees raw values: the handler's error (which quotes rows) is not kept.
      expect(reported.error.cause).toBeUndefined()
      expect(`${reported.error.message}${JSON.stringify(reported.ctx)}`).not.toContain(CANARY)
    })

    it('a body that is not records gives the 500 problem', async () => {
      const problem = await leaksNothing(await get('/not-records', 'rental-co'))
      expect(problem.type).toBe('urn:datagate:problem:ERR_RECORD_INVALID')
      expect(fx.errors.at(-1)?.error.message).not.toContain(CANARY)
    })
  })

  describe(`${name}: streams`, () => {
    it('an async iterable streams NDJSON of signed chunks, manifest last, read chunk by chunk', async () => {
      const response = await get('/orders-stream', 'rental-co')
      expect(response.headers.get('content-type')).toBe('application/x-ndjson')
      const lines = (await response.text()).trim().split('\n')
      expect(lines).toHaveLength(4) // 3 chunks of 2, 2, 1 and the manifest
      const sizes: number[] = []
      for await (const chunk of fetchSharedStream(
        server.url('/orders-stream'),
        await clientOptions('rental-co'),
      ))
        sizes.push(chunk.length)
      expect(sizes).toEqual([2, 2, 1])
      const whole = await fetchShared(
        server.url('/orders-stream'),
        await clientOptions('rental-co'),
      )
      expect(whole).toMatchObject({ kind: 'stream', meta: { count: 5, chunks: 3 } })
      expect(whole.records.map((r) => r.orderId)).toEqual(['R-0', 'R-1', 'R-2', 'R-3', 'R-4'])
    })

    it('a failure after the first chunk aborts the connection: no manifest, ERR_STREAM_INVALID', async () => {
      const provisional: number[] = []
      let failure: unknown
      try {
        for await (const chunk of fetchSharedStream(
          server.url('/orders-stream-breaks'),
          await clientOptions('rental-co'),
        ))
          provisional.push(chunk.length)
      } catch (error) {
        failure = error
      }
      expect(isDatagateError(failure, 'ERR_STREAM_INVALID')).toBe(true)
      // What fetch had buffered when the connection broke may be dropped: at most the first chunk.
      expect([[], [2]]).toContainEqual(provisional)
      // On the wire: the first chunk went out, then the connection was aborted with no manifest.
      const raw = await rawGet(
        server.url('/orders-stream-breaks'),
        `Bearer ${await fx.token({ sub: 'rental-co' })}`,
      )
      expect(raw.aborted).toBe(true)
      const lines = raw.body.split('\n').filter((line) => line !== '')
      expect(lines.length).toBeGreaterThanOrEqual(1)
      expect(
        lines.map(
          (line) => JSON.parse(atob(line.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/'))).typ,
        ),
      ).not.toContain('datagate-manifest+jwt')
      expect(fx.errors.at(-1)).toMatchObject({
        ctx: { status: 200, path: '/orders-stream-breaks' },
      })
      expect(fx.errors.at(-1)?.error.message).not.toContain(CANARY)
    })

    it('a refusal before the first chunk is a problem response', async () => {
      const response = await get('/orders-stream', 'yellow-co')
      expect(response.status).toBe(403)
      await response.text()
    })
  })

  return { fx: () => fx, server: () => server }
}
