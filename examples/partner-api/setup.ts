// What the three variants of the partner API share: the gate over the bundled sample data and
// policy, the partner identity provider whose bearer tokens name the partner (`sub`), and the
// routes: which dataset, purpose and mode each path serves.
//
// In production the gate's keys and pseudonym key come from a KMS, the audit log is
// `fileAuditSink` or `postgresAuditSink`, and partner tokens come from your identity provider
// (bearerPartner's `jwksUrl`). Here everything is made at start so the example runs anywhere.
import { readFileSync } from 'node:fs'
import {
  createGate,
  type Gate,
  generateKeys,
  loadPolicy,
  memoryAuditSink,
  memoryBudgetStore,
} from 'datagate'
import { type Authenticate, bearerPartner, type ShareMode } from 'datagate/fetch'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { datasets } from '../datasets.js'

const here = new URL('..', import.meta.url)
/** The sample rows of a dataset, as the data platform would return them. */
export function sampleRows(
  name: 'customers' | 'repair-orders' | 'outlets',
): Record<string, unknown>[] {
  return JSON.parse(readFileSync(new URL(`data/${name}.json`, here), 'utf8'))
}

/** The partner token issuer and this API's audience. */
export const TOKEN_ISSUER = 'oem-partner-idp'
export const API_AUDIENCE = 'oem-partner-api'

/** One shared route: path, dataset, purpose, mode, and where its rows come from. */
export interface PartnerRoute {
  readonly path: string
  readonly dataset: string
  readonly purpose: string
  readonly mode: ShareMode
  readonly stream?: boolean
  readonly rows: () => Record<string, unknown>[]
}

export const ROUTES: readonly PartnerRoute[] = [
  // rental-co: repair orders for courtesy cars, as a compact JWS (default), as RFC 9421 signed
  // JSON, and streamed as NDJSON chunks.
  {
    path: '/v1/repair-orders',
    dataset: 'repair_order',
    purpose: 'courtesy-car',
    mode: 'signed',
    rows: () => sampleRows('repair-orders'),
  },
  {
    path: '/v1/repair-orders.json',
    dataset: 'repair_order',
    purpose: 'courtesy-car',
    mode: 'json',
    rows: () => sampleRows('repair-orders'),
  },
  {
    path: '/v1/repair-orders/stream',
    dataset: 'repair_order',
    purpose: 'courtesy-car',
    mode: 'signed',
    stream: true,
    rows: () => sampleRows('repair-orders'),
  },
  // maps-co: outlets for its map.
  {
    path: '/v1/outlets',
    dataset: 'outlet',
    purpose: 'map-display',
    mode: 'json',
    rows: () => sampleRows('outlets'),
  },
  // insure-co: customers for claims (insure-co holds a yellow card: refused while suspended).
  {
    path: '/v1/customers/claims',
    dataset: 'customer',
    purpose: 'claims',
    mode: 'signed',
    rows: () => sampleRows('customers'),
  },
]

/** Async rows, as a database cursor gives them: served as an NDJSON stream. */
export async function* cursor(
  rows: readonly Record<string, unknown>[],
): AsyncGenerator<Record<string, unknown>> {
  for (const row of rows) yield row
}

export interface PartnerSetup {
  readonly gate: Gate
  readonly audit: ReturnType<typeof memoryAuditSink>
  readonly authenticate: Authenticate
  /** A bearer token for a partner, as the identity provider would issue it. */
  readonly token: (partner: string) => Promise<string>
  /** The clock everything runs on. */
  readonly now: () => Date
  /** Records per signed chunk of a stream. */
  readonly chunkSize: number
}

/**
 * The gate over the sample policy (examples/policy.yaml) and datasets, on a fixed clock inside
 * the sample agreements' validity so the example prints the same on any day.
 */
export async function partnerSetup(): Promise<PartnerSetup> {
  const now = () => new Date('2026-06-15T09:00:00Z')
  const policy = loadPolicy(readFileSync(new URL('policy.yaml', here), 'utf8'), { datasets })
  const audit = memoryAuditSink()
  const gate = createGate({
    issuer: policy.issuer,
    datasets,
    policy,
    keys: await generateKeys({ alg: 'EdDSA' }),
    pseudonymKey: new TextEncoder().encode('demo pseudonym master key, 32+ bytes long'),
    audit,
    budget: memoryBudgetStore(),
    now,
  })
  const idp = await generateKeyPair('EdDSA')
  const jwks = { keys: [{ ...(await exportJWK(idp.publicKey)), alg: 'EdDSA', kid: 'idp-1' }] }
  const authenticate = bearerPartner({ jwks, issuer: TOKEN_ISSUER, audience: API_AUDIENCE, now })
  const token = (partner: string) => {
    const iat = Math.floor(now().getTime() / 1000)
    return new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: 'idp-1' })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(API_AUDIENCE)
      .setSubject(partner)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 300)
      .sign(idp.privateKey)
  }
  return { gate, audit, authenticate, token, now, chunkSize: 50 }
}
