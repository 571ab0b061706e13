// contractHandler on real servers on 127.0.0.1: the JSON Schema each partner receives validates,
// with Ajv, every record that partner really receives from a share route, and refuses records
// with a field its agreements do not deliver. Two partners with different agreements; refusals.
import { createServer, type Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { contractHandler as expressContract } from '../../src/adapters/express/index.js'
import { contractHandler as fastifyContract } from '../../src/adapters/fastify/index.js'
import {
  bearerPartner,
  type ContractErrorContext,
  contractHandler,
  withShare,
} from '../../src/adapters/fetch/index.js'
import { contractHandler as honoContract } from '../../src/adapters/hono/index.js'
import { fetchShared } from '../../src/client/index.js'
import type { DatagateError } from '../../src/errors.js'
import { memoryAuditSink } from '../../src/export/audit.js'
import { createGate, type Gate } from '../../src/export/gate.js'
import { generateKeys } from '../../src/export/keys.js'
import {
  defineDataset,
  field,
  generalize,
  loadPolicy,
  mask,
  pseudonymize,
} from '../../src/index.js'
import { ajv } from '../ajv.js'
import { listen, type Running } from './helpers.js'

const ISSUER = 'oem-aftersales'

const Customer = defineDataset(
  'customer',
  z.object({
    customerId: field.desensitised(z.string(), pseudonymize({ prefix: 'cus_' })),
    ownerName: field.sensitive(z.string()),
    phone: field.desensitised(z.string(), mask.phone()).nullable(),
    city: field.public(z.string()),
    age: field.desensitised(z.number().int(), generalize.range({ width: 10 })),
    visited: field.desensitised(z.string(), generalize.date('day')),
    vehicle: z.object({
      vin: field.desensitised(z.string(), mask.vin()),
      model: field.public(z.string()),
      plate: field.desensitised(z.string(), mask.plate()),
    }),
    services: z.array(z.object({ code: field.public(z.string()), cost: field.public(z.number()) })),
    remark: field.public(z.string().optional()),
  }),
  { version: '2026-11' },
)

const valid = { validFrom: '2020-01-01', validUntil: '2099-12-31' }
const policy = loadPolicy(
  {
    issuer: ISSUER,
    partners: [
      {
        id: 'rental-co',
        name: 'Rental Co',
        category: 'capability',
        standing: 'gold',
        core: true,
        agreements: [
          {
            id: 'rc-2026',
            dataset: 'customer',
            purpose: 'courtesy-car',
            fields: [
              'customerId',
              'phone',
              'age',
              'visited',
              'vehicle.vin',
              'vehicle.model',
              'services[].code',
              'remark',
            ],
            ...valid,
          },
        ],
      },
      {
        id: 'maps-co',
        name: 'Maps Co',
        category: 'traffic',
        standing: 'gold',
        core: false,
        agreements: [
          {
            id: 'mc-2026',
            dataset: 'customer',
            purpose: 'courtesy-car',
            fields: ['city', 'vehicle.model', 'services[].cost'],
            ...valid,
          },
          {
            id: 'mc-old',
            dataset: 'customer',
            purpose: 'heatmap',
            fields: ['city', 'remark'],
            validFrom: '2020-01-01',
            validUntil: '2021-12-31',
          },
        ],
      },
      {
        id: 'yellow-co',
        name: 'Y',
        category: 'resource',
        standing: 'yellow',
        core: true,
        agreements: [],
      },
      {
        id: 'gone-co',
        name: 'G',
        category: 'resource',
        standing: 'terminated',
        core: true,
        agreements: [],
      },
    ],
  },
  { datasets: [Customer] },
)

/** Rows with every shape the schema allows: null phones, absent remarks, 0-3 services. */
function rows(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    customerId: `C-${i}`,
    ownerName: `Owner ${i}`,
    phone:
      i % 3 === 0
        ? null
        : i % 3 === 1
          ? `138${String(10_000_000 + i * 7919).slice(0, 8)}`
          : '0755-87654321',
    city: ['Hangzhou', 'Ningbo', 'Lyon'][i % 3],
    age: 18 + ((i * 37) % 70),
    visited: `2026-${String((i % 12) + 1).padStart(2, '0')}-1${i % 10}T0${i % 10}:30:00+08:00`,
    vehicle: {
      vin: `LSVAU2180N${String(2183294 + i).slice(0, 7)}`,
      model: `ET${i % 7}`,
      plate: `浙A${10000 + i}`,
    },
    services: Array.from({ length: i % 4 }, (_, j) => ({ code: `S${j}`, cost: j * 10.5 })),
    ...(i % 2 === 0 ? { remark: `remark ${i}` } : {}),
  }))
}

const WITHHELD_EVERYWHERE = ['ownerName', 'plate']

let gate: Gate
let server: Running
let token: (sub: string) => Promise<string>
const errors: { error: DatagateError; ctx: ContractErrorContext }[] = []

beforeAll(async () => {
  gate = createGate({
    issuer: ISSUER,
    datasets: [Customer],
    policy,
    keys: await generateKeys(),
    audit: memoryAuditSink(),
    pseudonymKey: crypto.getRandomValues(new Uint8Array(32)),
  })
  const partnerKeys = await generateKeyPair('EdDSA')
  const jwks = { keys: [{ ...(await exportJWK(partnerKeys.publicKey)), alg: 'EdDSA', kid: 'p1' }] }
  const authenticate = bearerPartner({ jwks, issuer: 'partners', audience: 'oem-api' })
  token = (sub) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: 'p1' })
      .setIssuer('partners')
      .setAudience('oem-api')
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(partnerKeys.privateKey)
  const orders = withShare(
    gate,
    { dataset: 'customer', purpose: 'courtesy-car', authenticate },
    () => rows(60),
  )
  const contract = contractHandler(gate, {
    authenticate,
    onError: (error, ctx) => {
      errors.push({ error, ctx })
    },
  })
  server = await listen(
    createAdaptorServer({
      fetch: (request: Request) => {
        const path = new URL(request.url).pathname
        if (path === '/contract') return contract(request)
        if (path === '/orders') return orders(request)
        return new Response('not found', { status: 404 })
      },
    }) as Server,
  )
})

afterAll(async () => {
  await server?.close()
  await gate?.close()
})

async function contractOf(partner: string) {
  const response = await fetch(server.url('/contract'), {
    headers: { authorization: `Bearer ${await token(partner)}` },
  })
  return { response, text: await response.text() }
}

describe('contractHandler (fetch adapter on @hono/node-server)', () => {
  for (const [partner, agreement, own] of [
    [
      'rental-co',
      'rc-2026',
      ['customerId', 'phone', 'age', 'visited', 'vin', 'model', 'services', 'code', 'remark'],
    ],
    ['maps-co', 'mc-2026', ['city', 'model', 'services', 'cost']],
  ] as const) {
    it(`${partner}: the schema validates every record it receives, and nothing more`, async () => {
      const { response, text } = await contractOf(partner)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('application/schema+json')
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(response.headers.get('vary')).toBe('Authorization')
      const contract = JSON.parse(text)
      expect(contract.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
      // Only agreements in force: maps-co's expired one is not there.
      expect(Object.keys(contract.$defs)).toEqual([agreement])
      expect(contract.$defs[agreement].description).toMatch(
        /dataset customer .* purpose courtesy-car, valid from 2020-01-01/,
      )
      // No name of a field this partner does not receive appears anywhere.
      const others = [
        'customerId',
        'phone',
        'city',
        'age',
        'visited',
        'vin',
        'code',
        'cost',
        'remark',
      ].filter((name) => !(own as readonly string[]).includes(name))
      for (const name of [...WITHHELD_EVERYWHERE, ...others]) expect(text).not.toContain(name)

      const { records, meta } = await fetchShared(server.url('/orders'), {
        headers: { authorization: `Bearer ${await token(partner)}` },
        jwks: gate.jwks(),
        issuer: ISSUER,
        audience: partner,
      })
      expect(records).toHaveLength(60)
      expect((meta as { agreement?: string }).agreement).toBe(agreement)
      const validator = ajv()
      validator.addSchema(contract, 'contract')
      const validate = validator.getSchema(`contract#/$defs/${agreement}`)
      const whole = validator.getSchema('contract')
      if (!validate || !whole) throw new Error('schema not compiled')
      for (const record of records) {
        if (!validate(record)) throw new Error(JSON.stringify(validate.errors))
        expect(whole(record)).toBe(true)
      }
      const sample = records[1] as Record<string, unknown>
      expect(validate({ ...sample, extra: 1 })).toBe(false)
      expect(validate({ ...sample, ownerName: 'Owner 1' })).toBe(false)
      const withheld = partner === 'rental-co' ? { city: 'Lyon' } : { remark: 'r' }
      expect(validate({ ...sample, ...withheld })).toBe(false)
      const vehicle = sample.vehicle as Record<string, unknown>
      expect(validate({ ...sample, vehicle: { ...vehicle, plate: '浙A***00' } })).toBe(false)
    })
  }

  it("describes operators' outputs, not their inputs", async () => {
    const contract = JSON.parse((await contractOf('rental-co')).text)
    const record = contract.$defs['rc-2026']
    const validator = ajv()
    const property = (path: string) => validator.compile(record.properties[path])
    expect(property('age')('30-39')).toBe(true)
    expect(property('age')(34)).toBe(false)
    expect(property('phone')('138****5678')).toBe(true)
    expect(property('phone')(null)).toBe(true)
    expect(property('phone')('13812345678')).toBe(false)
    expect(property('visited')('2026-11-25')).toBe(true)
    expect(property('visited')('2026-11-25T14:03:00Z')).toBe(false)
    expect(property('customerId')('C-1')).toBe(false)
    expect(record.required).toEqual([
      'customerId',
      'phone',
      'age',
      'visited',
      'vehicle',
      'services',
    ])
  })

  it('401 without credentials, 403 for unknown, suspended and revoked partners', async () => {
    const noToken = await fetch(server.url('/contract'))
    expect(noToken.status).toBe(401)
    expect(noToken.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(noToken.headers.get('cache-control')).toBe('no-store')
    expect((await noToken.json()).type).toBe('urn:datagate:problem:ERR_UNAUTHENTICATED')
    for (const [partner, code] of [
      ['nobody-co', 'ERR_UNKNOWN_PARTNER'],
      ['yellow-co', 'ERR_PARTNER_SUSPENDED'],
      ['gone-co', 'ERR_PARTNER_REVOKED'],
    ] as const) {
      const { response, text } = await contractOf(partner)
      expect(response.status).toBe(403)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
      expect(response.headers.get('vary')).toBe('Authorization')
      expect(JSON.parse(text).type).toBe(`urn:datagate:problem:${code}`)
      expect(text).not.toContain('$defs')
    }
    expect(errors.map((e) => e.error.code)).toEqual([
      'ERR_UNAUTHENTICATED',
      'ERR_UNKNOWN_PARTNER',
      'ERR_PARTNER_SUSPENDED',
      'ERR_PARTNER_REVOKED',
    ])
    expect(errors[1]?.ctx).toEqual({
      partner: 'nobody-co',
      method: 'GET',
      path: '/contract',
      status: 403,
    })
  })

  it('refuses bad options at once', () => {
    expect(() => contractHandler(gate, {} as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
  })
})

describe('contractHandler in Hono, Express and Fastify serves the same contract', () => {
  it('on real servers on 127.0.0.1', async () => {
    const authenticate = async ({ headers }: { headers: Headers }) => ({
      partner: headers.get('x-partner') ?? '',
    })
    const expected = JSON.parse((await contractOf('rental-co')).text)
    const hono = new Hono().get('/contract', honoContract(gate, { authenticate }))
    const app = express().get('/contract', expressContract(gate, { authenticate }))
    const fastify = Fastify()
    fastify.get('/contract', fastifyContract(gate, { authenticate }))
    await fastify.listen({ port: 0, host: '127.0.0.1' })
    const address = fastify.server.address() as { port: number }
    const servers = [
      await listen(createAdaptorServer({ fetch: hono.fetch }) as Server),
      await listen(createServer(app)),
    ]
    try {
      const urls = [
        ...servers.map((s) => s.url('/contract')),
        `http://127.0.0.1:${address.port}/contract`,
      ]
      for (const url of urls) {
        const ok = await fetch(url, { headers: { 'x-partner': 'rental-co' } })
        expect([
          url,
          ok.status,
          ok.headers.get('content-type'),
          ok.headers.get('cache-control'),
          ok.headers.get('vary'),
        ]).toEqual([url, 200, 'application/schema+json', 'no-store', 'Authorization'])
        expect(await ok.json()).toEqual(expected)
        const refused = await fetch(url, { headers: { 'x-partner': 'gone-co' } })
        expect([refused.status, (await refused.json()).type]).toEqual([
          403,
          'urn:datagate:problem:ERR_PARTNER_REVOKED',
        ])
        const anonymous = await fetch(url)
        expect(anonymous.status).toBe(401)
      }
    } finally {
      for (const s of servers) await s.close()
      await fastify.close()
    }
  })
})
