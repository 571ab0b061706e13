// The partner's side: fetch what the OEM shares, verified before it is used. Any fetch runtime
// will do; datagate/client needs nothing of Node.
//
//   npx tsx examples/partner-client.ts <base URL> <bearer token> <partner id> [path]
//
// The gate's public keys come from the API's /.well-known/jwks.json (jose's createRemoteJWKSet,
// cached); the issuer is the policy's (`oem-aftersales`), the audience the partner's own id.
import { pathToFileURL } from 'node:url'
import { isDatagateError } from 'datagate'
import {
  createEtagCache,
  type FetchSharedResult,
  fetchShared,
  fetchSharedStream,
} from 'datagate/client'

export const ISSUER = 'oem-aftersales'

/** What a partner needs to fetch: where, as whom, and the clock (the example's is fixed). */
export interface PartnerClient {
  readonly baseUrl: string
  readonly token: string
  readonly partner: string
  readonly now?: () => Date
}

function options(client: PartnerClient) {
  return {
    headers: { authorization: `Bearer ${client.token}` },
    jwksUrl: `${client.baseUrl}/.well-known/jwks.json`,
    issuer: ISSUER,
    audience: client.partner,
    cache: createEtagCache(),
    ...(client.now ? { now: client.now } : {}),
  }
}

/** One verified fetch: the records and what kind of response carried them, or the refusal's code. */
export async function fetchVerified(
  client: PartnerClient,
  path: string,
): Promise<{ ok: true; result: FetchSharedResult } | { ok: false; code: string }> {
  try {
    return { ok: true, result: await fetchShared(`${client.baseUrl}${path}`, options(client)) }
  } catch (error) {
    if (isDatagateError(error)) return { ok: false, code: error.code }
    throw error
  }
}

/** A stream, chunk by chunk: the sizes of the verified chunks (provisional until it ends). */
export async function streamVerified(client: PartnerClient, path: string): Promise<number[]> {
  const sizes: number[] = []
  for await (const chunk of fetchSharedStream(`${client.baseUrl}${path}`, options(client)))
    sizes.push(chunk.length)
  return sizes
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [baseUrl, token, partner, path = '/v1/repair-orders'] = process.argv.slice(2)
  if (!baseUrl || !token || !partner) {
    console.error(
      'usage: tsx examples/partner-client.ts <base URL> <bearer token> <partner id> [path]',
    )
    process.exit(2)
  }
  const outcome = await fetchVerified({ baseUrl, token, partner }, path)
  if (outcome.ok)
    console.log(
      `${outcome.result.kind}: ${outcome.result.records.length} records`,
      outcome.result.records.slice(0, 3),
    )
  else console.log(`refused: ${outcome.code}`)
}
