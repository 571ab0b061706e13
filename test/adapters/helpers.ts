// One fixture for every adapter test: a repair-order dataset, partners with different
// agreements and standings, a partner-token issuer, and a small set of routes each framework
// builds the same way, served on 127.0.0.1.

import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { z } from 'zod'
import { bearerPartner } from '../../src/adapters/bearer.js'
import type {
  ShareErrorContext,
  ShareMode,
  ShareOptions,
} from '../../src/adapters/share-options.js'
import type { DatagateError } from '../../src/errors.js'
import { memoryAuditSink } from '../../src/export/audit.js'
import { createGate, type Gate } from '../../src/export/gate.js'
import { generateKeys } from '../../src/export/keys.js'
import { defineDataset, field, mask } from '../../src/index.js'
import { loadPolicy } from '../../src/policy/load.js'

export const CANARY = 'CANARY-7d41'
export const ISSUER = 'oem-aftersales'
export const TOKEN_ISSUER = 'partners'
export const API_AUDIENCE = 'oem-api'

export const RepairOrder = defineDataset(
  'repair_order',
  z.object({
    orderId: field.public(z.string()),
    city: field.public(z.string()),
    phone: field.desensitised(z.string(), mask.phone()),
    owner: field.sensitive(z.string()),
    estimatedHours: field.public(z.number()),
  }),
  { version: '2026-11' },
)

const agreement = (id: string, fields: string[], validUntil = '2099-12-31') => ({
  id,
  dataset: 'repair_order',
  purpose: 'courtesy-car',
  fields,
  validFrom: '2020-01-01',
  validUntil,
})
const partner = (id: string, standing: string, agreements: unknown[]) => ({
  id,
  name: id,
  category: 'capability',
  standing,
  core: true,
  agreements,
})

export const policy = loadPolicy(
  {
    issuer: ISSUER,
    partners: [
      partner('rental-co', 'gold', [agreement('rc', ['orderId', 'city', 'estimatedHours'])]),
      partner('insure-co', 'gold', [agreement('ic', ['orderId', 'phone'])]),
      partner('yellow-co', 'yellow', [agreement('yc', ['orderId'])]),
      partner('gone-co', 'terminated', [agreement('gc', ['orderId'])]),
      partner('old-co', 'gold', [agreement('oc', ['orderId'], '2021-12-31')]),
    ],
  },
  { datasets: [RepairOrder] },
)

export const rows = (n = 3) =>
  Array.from({ length: n }, (_, i) => ({
    orderId: `R-${i}`,
    city: 'Lyon',
    phone: '13812345678',
    owner: `${CANARY}-owner-${i}`,
    estimatedHours: 5 + i,
  }))

export async function* slowRows(n: number, failAfter?: number) {
  for (let i = 0; i < n; i++) {
    if (failAfter !== undefined && i === failAfter) {
      // Long enough for the first chunk to reach the partner before the source breaks.
      await new Promise((resolve) => setTimeout(resolve, 150))
      throw new Error(`${CANARY} source broke`)
    }
    yield rows(1).map((r) => ({ ...r, orderId: `R-${i}` }))[0]
  }
}

export interface Fixture {
  readonly gate: Gate
  readonly audit: ReturnType<typeof memoryAuditSink>
  /** Event types the gate's sink refuses to write (as a full disk would), until emptied. */
  readonly failing: Set<string>
  readonly token: (claims: {
    sub?: string
    aud?: string
    exp?: number
    iss?: string
  }) => Promise<string>
  readonly options: (mode?: ShareMode, conditional?: boolean) => ShareOptions
  readonly errors: { error: DatagateError; ctx: ShareErrorContext }[]
}

export async function fixture(keys: { alg?: 'EdDSA' | 'ES256' } = {}): Promise<Fixture> {
  const audit = memoryAuditSink()
  const failing = new Set<string>()
  const gate = createGate({
    issuer: ISSUER,
    datasets: [RepairOrder],
    policy,
    keys: await generateKeys(keys),
    audit: {
      append(event) {
        if (failing.has(event.type)) throw new Error('disk full')
        audit.append?.(event)
      },
    },
  })
  const issuerKeys = await generateKeyPair('EdDSA')
  const jwks = { keys: [{ ...(await exportJWK(issuerKeys.publicKey)), alg: 'EdDSA', kid: 'p1' }] }
  const authenticate = bearerPartner({ jwks, issuer: TOKEN_ISSUER, audience: API_AUDIENCE })
  const errors: Fixture['errors'] = []
  const token: Fixture['token'] = async ({ sub, aud = API_AUDIENCE, exp, iss = TOKEN_ISSUER }) => {
    const jwt = new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: 'p1' })
      .setIssuer(iss)
      .setAudience(aud)
      .setIssuedAt()
      .setExpirationTime(exp ?? Math.floor(Date.now() / 1000) + 300)
    if (sub !== undefined) jwt.setSubject(sub)
    return jwt.sign(issuerKeys.privateKey)
  }
  return {
    gate,
    audit,
    failing,
    token,
    errors,
    options: (mode, conditional) => ({
      dataset: 'repair_order',
      purpose: 'courtesy-car',
      authenticate,
      chunkSize: 2,
      ...(mode ? { mode } : {}),
      ...(conditional === undefined ? {} : { conditional }),
      onError: (error, ctx) => {
        errors.push({ error, ctx })
      },
    }),
  }
}

/** One route of the shared app: a path, a mode and the handler's result. */
export interface Route {
  readonly path: string
  readonly mode?: ShareMode
  /** Answer If-None-Match with 304 (the `conditional` option). */
  readonly conditional?: boolean
  readonly body: () => unknown
}

export const ROUTES: readonly Route[] = [
  { path: '/orders', body: () => rows() },
  { path: '/orders-filtered', mode: 'filtered', body: () => rows() },
  { path: '/orders-json', mode: 'json', body: () => rows() },
  { path: '/orders-json-copy', mode: 'json', body: () => rows() },
  { path: '/orders-conditional', conditional: true, body: () => rows() },
  { path: '/orders-json-conditional', mode: 'json', conditional: true, body: () => rows() },
  {
    path: '/orders-filtered-conditional',
    mode: 'filtered',
    conditional: true,
    body: () => rows(),
  },
  { path: '/orders-stream', body: () => slowRows(5) },
  { path: '/orders-stream-breaks', body: () => slowRows(6, 3) },
  {
    path: '/throws',
    body: () => {
      throw new Error(`${CANARY} database down: ${JSON.stringify(rows(1))}`)
    },
  },
  { path: '/not-records', body: () => `${CANARY} not rows` },
]

export interface Running {
  readonly url: (path: string) => string
  readonly close: () => Promise<void>
}

export async function listen(server: Server): Promise<Running> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
