// The adapter path in process, without HTTP: the fetch adapter's handler called in a loop, per
// mode, against the bare handler (`Response.json(rows)`), each response's body read whole. Cases
// are interleaved round by round (bench/harness.ts). For profiling (`--cpu-prof`) and for the
// per-request CPU cost the HTTP load bench cannot split out.
//
//   TSX_TSCONFIG_PATH=bench/tsconfig.node-hash.json node --import tsx bench/adapter-path.ts [rounds]
//
// BEFORE=<dir>/src adds the same modes served by another copy of datagate's sources (say an
// earlier commit's, `git archive <commit> src package.json | tar -x -C <dir>`, <dir>/node_modules
// linked to this one's, and bench/fixtures.ts copied to <dir>/bench/ importing ../src/index.ts),
// interleaved in the same rounds: a before/after ratio from one process.
import { createGate, generateKeys, memoryAuditSink } from 'datagate'
import { bearerPartner, type ShareMode, withShare } from 'datagate/fetch'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import {
  afterSalesOrders,
  benchPolicy,
  datasets,
  ISSUER,
  NOW,
  PASSING_HOURS,
  PSEUDONYM_KEY,
  REQUEST,
} from './fixtures.js'

const RECORDS = 100
const REQUESTS = 400
const rounds = Number(process.argv[2] ?? 7)

const gate = createGate({
  issuer: ISSUER,
  datasets,
  policy: benchPolicy(),
  keys: await generateKeys({ alg: 'EdDSA' }),
  pseudonymKey: PSEUDONYM_KEY,
  audit: memoryAuditSink(),
  now: () => NOW,
})
const idp = await generateKeyPair('EdDSA')
const jwks = { keys: [{ ...(await exportJWK(idp.publicKey)), alg: 'EdDSA', kid: 'idp' }] }
const authenticate = bearerPartner({
  jwks,
  issuer: 'partners',
  audience: 'oem-api',
  now: () => NOW,
})
const iat = Math.floor(NOW.getTime() / 1000)
const token = await new SignJWT({})
  .setProtectedHeader({ alg: 'EdDSA', kid: 'idp' })
  .setIssuer('partners')
  .setAudience('oem-api')
  .setSubject(REQUEST.partner)
  .setIssuedAt(iat)
  .setExpirationTime(iat + 86_400)
  .sign(idp.privateKey)
const rows = [...afterSalesOrders(RECORDS, 20261201, PASSING_HOURS)]
const headers = { authorization: `Bearer ${token}` }

const only = process.env.ONLY
const all: [string, (request: Request) => Promise<Response> | Response][] = [
  ['bare', () => Response.json(rows)],
  ...(['filtered', 'signed', 'json'] as ShareMode[]).map(
    (mode) =>
      [
        mode,
        withShare(
          gate,
          { dataset: REQUEST.dataset, purpose: REQUEST.purpose, authenticate, mode },
          () => rows,
        ),
      ] as [string, (request: Request) => Promise<Response>],
  ),
]
if (process.env.BEFORE !== undefined) {
  const before = process.env.BEFORE
  const old = (await import(`${before}/index.ts`)) as typeof import('datagate')
  const oldFetch = (await import(
    `${before}/adapters/fetch/index.ts`
  )) as typeof import('datagate/fetch')
  // The datasets and policy made by that copy too (a gate checks its datasets are its own kind).
  const oldFixtures = (await import(
    `${before}/../bench/fixtures.ts`
  )) as typeof import('./fixtures.js')
  const oldGate = old.createGate({
    issuer: ISSUER,
    datasets: oldFixtures.datasets,
    policy: oldFixtures.benchPolicy(),
    keys: await old.generateKeys({ alg: 'EdDSA' }),
    pseudonymKey: PSEUDONYM_KEY,
    audit: old.memoryAuditSink(),
    now: () => NOW,
  })
  const oldAuthenticate = oldFetch.bearerPartner({
    jwks,
    issuer: 'partners',
    audience: 'oem-api',
    now: () => NOW,
  })
  for (const mode of ['filtered', 'signed', 'json'] as ShareMode[])
    all.push([
      `before ${mode}`,
      oldFetch.withShare(
        oldGate,
        { dataset: REQUEST.dataset, purpose: REQUEST.purpose, authenticate: oldAuthenticate, mode },
        () => rows,
      ),
    ])
}
// ONLY=signed profiles one mode alone (bare is always kept, as the reference).
const handlers = all.filter(
  ([name]) => only === undefined || name === 'bare' || name.replace('before ', '') === only,
)

async function time(handler: (request: Request) => Promise<Response> | Response): Promise<number> {
  const started = process.cpuUsage()
  for (let i = 0; i < REQUESTS; i++) {
    const response = await handler(new Request('http://127.0.0.1/v1/orders', { headers }))
    if (response.status !== 200) throw new Error(`status ${response.status}`)
    await response.arrayBuffer()
  }
  const used = process.cpuUsage(started)
  return (used.user + used.system) / 1000 / REQUESTS
}

for (const [, handler] of handlers) await time(handler)
const perRound = new Map<string, number[]>(handlers.map(([name]) => [name, []]))
for (let round = 0; round < rounds; round++)
  for (let i = 0; i < handlers.length; i++) {
    const [name, handler] = handlers[(i + round) % handlers.length]!
    perRound.get(name)!.push(await time(handler))
  }
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const bare = perRound.get('bare')!
const range = (ratios: number[]) =>
  `${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`
for (const [name, values] of perRound) {
  const ratios = values.map((v, i) => bare[i]! / v)
  const earlier = perRound.get(`before ${name}`)
  const speedup = earlier ? `; before/after ${range(values.map((v, i) => earlier[i]! / v))}` : ''
  console.log(
    `${name.padEnd(16)} ${median(values).toFixed(3)} ms CPU a request; bare/this ${range(ratios)}${speedup}`,
  )
}
await gate.close()
