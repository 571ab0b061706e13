import type { Gate } from '../export/gate.js'
import type { Reply } from './reply.js'

/** The gate's public keys as a reply (`application/jwk-set+json`, cacheable five minutes). */
export function jwksReply(gate: Gate): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' },
    body: JSON.stringify(gate.jwks()),
  }
}
