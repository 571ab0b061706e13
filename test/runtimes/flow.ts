// The contract flow of DESIGN.md, run unchanged in every runtime (Node, Deno, Bun, workerd) against
// the built package: it imports `datagate` by name, so each runtime resolves dist/ itself (and picks
// its own `#hash` backend). Everything that varies is pinned (clock, signing keys, pseudonym key,
// randomness), so what it returns is the same bytes everywhere; test/runtimes/runtimes.test.ts
// compares them. Ed25519 signatures are deterministic (RFC 8032), so even the tokens must match.

import {
  applyDelta,
  createGate,
  defineDataset,
  field,
  generalize,
  importKeys,
  loadPolicy,
  mask,
  memoryAuditSink,
  pseudonymize,
  verifyAuditChain,
  verifyExport,
  verifyStream,
  viewDigest,
} from 'datagate'
import { bearerPartner, withShare } from 'datagate/fetch'
import { share as honoShare } from 'datagate/hono'
import { Hono } from 'hono'
import { importJWK, SignJWT } from 'jose'
import { z } from 'zod'

/** Private test keys, fixed so that signatures are the same in every runtime. Not secrets. */
const GATE_JWK = {
  kty: 'OKP',
  crv: 'Ed25519',
  d: 'rr2cA9b3xdIKU2X2G35INFtDw2Am1WYhAj4OB0ujJqU',
  x: '0MubotX_zeWVG_3aWwPK3eVvrx2qJIgs1JIqp434OAU',
}
const PARTNER_ISSUER_JWK = {
  kty: 'OKP',
  crv: 'Ed25519',
  d: '-d1LxpSlZL4Uv3xo3cx-XFytc_aZ3yqMSLoZEaQK_ZQ',
  x: 'M5Xx7Q0T3p1gKPShfsba7bMt8SIEarXnOPw9hH02XiY',
}
const PSEUDONYM_KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 151 + 7) & 0xff)
const ISSUER = 'oem-aftersales'
const T0 = Date.parse('2026-06-01T00:00:00Z')
const gateClock = () => new Date(T0)
const partnerClock = () => new Date(T0 + 10_000)

/** A counter-based random source: the token ids (`jti`, stream ids) are the same everywhere. */
function fixedRandom(): (length: number) => Uint8Array {
  let counter = 0
  return (length) => Uint8Array.from({ length }, () => (counter++ * 37 + 11) & 0xff)
}

export const Customer = defineDataset(
  'customer',
  z.object({
    customerId: field.desensitised(z.string(), pseudonymize({ prefix: 'cus_' })),
    name: field.sensitive(z.string()),
    phone: field.desensitised(z.string(), mask.phone()),
    city: field.public(z.string()),
    age: field.desensitised(z.number().int(), generalize.range({ width: 10 })),
    vehicle: z.object({
      vin: field.desensitised(z.string(), mask.vin()),
      model: field.public(z.string()),
    }),
  }),
  { version: '2026-11' },
)

const POLICY_YAML = `
issuer: ${ISSUER}
partners:
  - id: rental-co
    name: Rental Co
    category: capability
    standing: gold
    core: true
    agreements:
      - id: courtesy-car-2026
        dataset: customer
        purpose: courtesy-car
        fields: [customerId, phone, city, age, vehicle.*]
        where: { age: { $gte: 18 } }
        validFrom: 2026-01-01
        validUntil: 2026-12-31
  - id: maps-co
    name: Maps Co
    category: traffic
    standing: silver
    core: false
    agreements:
      - { id: map-2026, dataset: customer, purpose: map, fields: [city, vehicle.model],
          validFrom: 2026-01-01, validUntil: 2026-12-31 }
  - id: yellow-co
    name: Yellow Co
    category: resource
    standing: yellow
    core: true
    agreements:
      - { id: y-2026, dataset: customer, purpose: courtesy-car, fields: [city],
          validFrom: 2026-01-01, validUntil: 2026-12-31 }
`

const customer = (i: number, city = 'Hangzhou') => ({
  customerId: `C-${1000 + i}`,
  name: `Zhang San ${i}`,
  phone: `1381234${String(5670 + i).padStart(4, '0')}`,
  city,
  age: 17 + i * 9,
  vehicle: { vin: 'LSVAU2180N2183294', model: i % 2 === 0 ? 'ID.4' : 'Lavida' },
})
export const ROWS = [0, 1, 2, 3].map((i) => customer(i))
const NEXT_ROWS = [customer(1, 'Ningbo'), customer(2), customer(4), customer(5, 'Wenzhou')]

async function sha256(text: string | Uint8Array): Promise<string> {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text.slice()
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** The error code of a rejected promise, or `'resolved'`: verification results as data. */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'resolved'
  } catch (error) {
    return String((error as { code?: unknown }).code ?? (error as Error).name)
  }
}

async function newGate() {
  const audit = memoryAuditSink()
  const policy = loadPolicy(POLICY_YAML, { datasets: [Customer] })
  const gate = createGate({
    issuer: ISSUER,
    datasets: [Customer],
    policy,
    keys: await importKeys([{ jwk: GATE_JWK, kid: 'gate-2026' }]),
    pseudonymKey: PSEUDONYM_KEY,
    audit,
    now: gateClock,
    random: fixedRandom(),
  })
  return { gate, audit }
}

/** The core flow: define, load, export, verify, delta, pseudonyms, audit chain. */
export async function contractFlow() {
  const { gate, audit } = await newGate()
  const request = { partner: 'rental-co', dataset: 'customer', purpose: 'courtesy-car' }
  const verify = { jwks: gate.jwks(), issuer: ISSUER, audience: 'rental-co', now: partnerClock }

  const signed = await gate.export(ROWS, request)
  const verified = await verifyExport(signed.token, verify)
  const [head, body, signature] = signed.token.split('.')
  const tampered = `${head}.${body?.slice(0, -2)}${body?.endsWith('A') ? 'B' : 'A'}.${signature}`
  const maps = await gate.export(ROWS, { partner: 'maps-co', dataset: 'customer', purpose: 'map' })

  const delta = await gate.exportDelta(ROWS, NEXT_ROWS, request)
  const applied = await applyDelta(verified.records, delta.token, verify)
  const direct = await gate.export(NEXT_ROWS, request)
  const directRecords = (await verifyExport(direct.token, verify)).records

  const chunks: unknown[] = []
  const stream = gate.exportStream(NEXT_ROWS, { ...request, chunkSize: 2 })
  for await (const chunk of verifyStream(stream, verify)) chunks.push(chunk)

  const bind = (partner: string, domain?: string) =>
    pseudonymize({ prefix: 'cus_', ...(domain ? { domain } : {}) }).bind({
      partner,
      path: 'customerId',
      pseudonymKey: PSEUDONYM_KEY,
    })
  const ids = ['C-1000', 'C-1001', '42', '客户-001', '']
  const pseudonyms = Object.fromEntries(
    [
      ['rental-co', bind('rental-co')],
      ['maps-co', bind('maps-co')],
      ['rental-co/vehicle', bind('rental-co', 'vehicle')],
    ].map(([name, op]) => [name, ids.map((id) => (op as (v: unknown) => unknown)(id))]),
  )

  const refusal = await outcome(
    gate.export(ROWS, { partner: 'yellow-co', dataset: 'customer', purpose: 'courtesy-car' }),
  )
  const chain = verifyAuditChain(audit.events)
  await gate.close()
  return {
    // As served, member order included: WebCrypto's exportKey orders members differently per
    // runtime, and the gate sorts them so the published JWKS is the same bytes everywhere.
    jwks: gate.jwks(),
    export: {
      tokenSha256: await sha256(signed.token),
      jti: signed.jti,
      count: signed.count,
      payloadDigest: signed.payloadDigest,
      audit: signed.audit,
      records: verified.records,
      meta: verified.meta,
      recordsDigestMatches:
        `sha256:${await sha256(JSON.stringify(verified.records))}` === signed.payloadDigest,
    },
    mapsRecords: (await verifyExport(maps.token, { ...verify, audience: 'maps-co' })).records,
    verification: {
      wrongAudience: await outcome(verifyExport(signed.token, { ...verify, audience: 'maps-co' })),
      tampered: await outcome(verifyExport(tampered, verify)),
      expired: await outcome(
        verifyExport(signed.token, { ...verify, now: () => new Date(T0 + 2 * 86_400_000) }),
      ),
      deltaOnWrongBase: await outcome(applyDelta(directRecords, delta.token, verify)),
      refusedPartner: refusal,
    },
    delta: {
      tokenSha256: await sha256(delta.token),
      patch: delta.patch,
      baseDigest: delta.baseDigest,
      resultDigest: delta.resultDigest,
      applied,
      appliedDigest: viewDigest(applied),
      // Key order may differ (a patch appends keys); the view digest is over canonical JSON.
      appliedIsDirectExport: viewDigest(applied) === viewDigest(directRecords),
    },
    stream: chunks,
    pseudonyms,
    auditChain: {
      report: chain,
      types: audit.events.map((e) => e.type),
      eventsSha256: await sha256(JSON.stringify(audit.events)),
    },
  }
}

/** Fresh fetch and Hono apps over a fresh gate: the same requests give the same bytes. */
export async function adapterApps() {
  const partnerIssuer = await importJWK(PARTNER_ISSUER_JWK, 'EdDSA')
  const { x, kty, crv } = PARTNER_ISSUER_JWK
  const authenticate = bearerPartner({
    jwks: { keys: [{ kty, crv, x, alg: 'EdDSA', kid: 'p1' }] },
    issuer: 'partners',
    audience: 'oem-api',
    now: partnerClock,
  })
  const { gate } = await newGate()
  const options = { dataset: 'customer', purpose: 'courtesy-car', authenticate }
  async function* rowsOneByOne() {
    yield* NEXT_ROWS
  }
  const fetchRoutes = new Map([
    // conditional: a 304 for the ETag is asked for (the adapters answer 200 otherwise).
    ['/fetch/customers', withShare(gate, { ...options, conditional: true }, async () => ROWS)],
    ['/fetch/filtered', withShare(gate, { ...options, mode: 'filtered' }, () => ROWS)],
    ['/fetch/stream', withShare(gate, { ...options, chunkSize: 2 }, () => rowsOneByOne())],
  ])
  const hono = new Hono()
  hono.get('/hono/customers', honoShare(gate, { ...options, conditional: true }), (c) =>
    c.json(ROWS),
  )
  hono.get('/hono/filtered', honoShare(gate, { ...options, mode: 'filtered' }), (c) => c.json(ROWS))
  hono.get('/hono/stream', honoShare(gate, { ...options, chunkSize: 2 }), (c) =>
    c.json(rowsOneByOne() as never),
  )
  const app = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname
    if (path.startsWith('/hono/')) return hono.fetch(request)
    return (await fetchRoutes.get(path)?.(request)) ?? new Response('not found', { status: 404 })
  }
  const bearer = (sub: string) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: 'p1' })
      .setIssuer('partners')
      .setAudience('oem-api')
      .setSubject(sub)
      .setIssuedAt(T0 / 1000)
      .setExpirationTime(T0 / 1000 + 300)
      .sign(partnerIssuer)
  return { app, gate, bearer }
}

/** What a partner sees of a response: status, the headers that matter, body digest, verified data. */
async function describeResponse(response: Response, audience: string, jwks: unknown) {
  const text = await response.text()
  const headers = Object.fromEntries(
    ['content-type', 'cache-control', 'vary', 'etag', 'www-authenticate'].map((name) => [
      name,
      response.headers.get(name),
    ]),
  )
  const type = headers['content-type'] ?? ''
  const verify = { jwks: jwks as never, issuer: ISSUER, audience, now: partnerClock }
  let data: unknown = null
  if (response.status === 200 && type.startsWith('application/jose'))
    data = (await verifyExport(text, verify)).records
  else if (type.startsWith('application/x-ndjson')) {
    const lines = text.split('\n').filter((line) => line !== '')
    const records: unknown[] = []
    for await (const chunk of verifyStream(lines, verify)) records.push(...chunk.records)
    data = { lines: lines.length, records }
  } else if (type.includes('json')) data = JSON.parse(text)
  return { status: response.status, headers, bodySha256: await sha256(text), data }
}

/**
 * The same requests, in the same order, against `send` (the app in process, or a server that
 * serves it): each adapter as a partner in signed, filtered and streamed mode, a conditional
 * request, a missing token, a suspended partner.
 */
export async function adapterRequests(
  send: (path: string, headers: Record<string, string>) => Promise<Response>,
  bearer: (sub: string) => Promise<string>,
  jwks: unknown,
) {
  const rental = { authorization: `Bearer ${await bearer('rental-co')}`, 'x-request-id': 'req-1' }
  const yellow = { authorization: `Bearer ${await bearer('yellow-co')}`, 'x-request-id': 'req-2' }
  const results: Record<string, unknown> = {}
  for (const adapter of ['fetch', 'hono']) {
    const signed = await send(`/${adapter}/customers`, rental)
    const etag = signed.headers.get('etag') ?? ''
    results[adapter] = {
      signed: await describeResponse(signed, 'rental-co', jwks),
      notModified: await describeResponse(
        await send(`/${adapter}/customers`, { ...rental, 'if-none-match': etag }),
        'rental-co',
        jwks,
      ),
      filtered: await describeResponse(
        await send(`/${adapter}/filtered`, rental),
        'rental-co',
        jwks,
      ),
      stream: await describeResponse(await send(`/${adapter}/stream`, rental), 'rental-co', jwks),
      noToken: await describeResponse(
        await send(`/${adapter}/customers`, { 'x-request-id': 'req-0' }),
        'rental-co',
        jwks,
      ),
      suspended: await describeResponse(
        await send(`/${adapter}/customers`, yellow),
        'yellow-co',
        jwks,
      ),
    }
  }
  return results
}

/** Runs the adapters' requests against the apps in process (no server). */
export async function adaptersInProcess() {
  const { app, gate, bearer } = await adapterApps()
  const send = (path: string, headers: Record<string, string>) =>
    app(new Request(`http://datagate.test${path}`, { headers }))
  const results = await adapterRequests(send, bearer, gate.jwks())
  await gate.close()
  return results
}
