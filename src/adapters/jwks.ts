import type { Gate } from '../export/gate.js'
import { responseOf } from './raw-body.js'

/** The gate's public keys as a `Response` (`application/jwk-set+json`, cacheable five minutes). */
export function jwksResponse(gate: Gate): Response {
  return responseOf(JSON.stringify(gate.jwks()), {
    status: 200,
    headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' },
  })
}
