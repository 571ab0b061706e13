// The partner API over HTTP, end to end: starts the Express example on 127.0.0.1 (a free port),
// makes real requests as partners through examples/partner-client.ts, prints what each
// received or why it was refused, and stops the server.
//
//   npx tsx examples/partner-demo.ts
import { startExpress } from './partner-api/express.js'
import { partnerSetup } from './partner-api/setup.js'
import { fetchVerified, streamVerified } from './partner-client.js'

const setup = await partnerSetup()
const api = await startExpress(setup)
console.log(`partner API (Express) listening on ${api.url}`)
try {
  const as = async (partner: string) => ({
    baseUrl: api.url,
    token: await setup.token(partner),
    partner,
    now: setup.now,
  })

  const rental = await as('rental-co')
  for (const path of ['/v1/repair-orders', '/v1/repair-orders.json']) {
    const outcome = await fetchVerified(rental, path)
    if (!outcome.ok) throw new Error(`rental-co was refused ${path}: ${outcome.code}`)
    const { result } = outcome
    const fields = [...new Set(result.records.flatMap((r) => Object.keys(r)))].sort()
    console.log(
      `rental-co GET ${path}: ${result.kind}, ${result.records.length} records, fields ${fields.join(', ')}`,
    )
    if (result.kind !== 'stream') {
      const receipt = result.meta.audit ? `seq ${result.meta.audit.seq}` : 'none'
      console.log(`  agreement ${result.meta.agreement}, audit receipt ${receipt}`)
    }
  }
  const sizes = await streamVerified(rental, '/v1/repair-orders/stream')
  console.log(
    `rental-co GET /v1/repair-orders/stream: ${sizes.length} verified chunks of ${sizes.join(', ')} records`,
  )

  const maps = await fetchVerified(await as('maps-co'), '/v1/outlets')
  if (maps.ok) {
    const fields = [...new Set(maps.result.records.flatMap((r) => Object.keys(r)))].sort()
    console.log(
      `maps-co GET /v1/outlets: ${maps.result.kind}, ${maps.result.records.length} records, fields ${fields.join(', ')}`,
    )
  }

  // insure-co holds a yellow card: every release is suspended, and the refusal is audited.
  const insure = await fetchVerified(await as('insure-co'), '/v1/customers/claims')
  console.log(
    `insure-co GET /v1/customers/claims: refused, ${insure.ok ? 'NOT REFUSED' : insure.code}`,
  )
  // rental-co has no agreement for customers' claims.
  const wrong = await fetchVerified(rental, '/v1/customers/claims')
  console.log(
    `rental-co GET /v1/customers/claims: refused, ${wrong.ok ? 'NOT REFUSED' : wrong.code}`,
  )
  // No token at all.
  const anonymous = await fetchVerified({ ...rental, token: 'not-a-jwt' }, '/v1/repair-orders')
  console.log(
    `no valid token GET /v1/repair-orders: refused, ${anonymous.ok ? 'NOT REFUSED' : anonymous.code}`,
  )

  const counts = new Map<string, number>()
  for (const event of setup.audit.events) counts.set(event.type, (counts.get(event.type) ?? 0) + 1)
  console.log(`audit events: ${[...counts].map(([type, n]) => `${n} ${type}`).join(', ')}`)
} finally {
  await api.close()
  await setup.gate.close()
  console.log('partner API stopped')
}
