import type { RequestHandler } from 'express'
import type { Gate } from '../../export/gate.js'
import { type ContractOptions, contractReply, contractShareOptions } from '../contract.js'
import { headersOf } from '../node-headers.js'
import { writeReply } from './write.js'

export type { ContractErrorContext, ContractOptions } from '../contract.js'

/**
 * An Express handler serving the authenticated partner's contract: a JSON Schema (draft 2020-12,
 * `application/schema+json`) with one schema per agreement in force now, in `$defs` by agreement
 * id; 401 without credentials, 403 for an unknown, suspended or revoked partner. `authenticate`
 * receives the Express `Request` as `request`.
 *
 * @example
 * ```ts no-run
 * import express from 'express'
 * import { bearerPartner, contractHandler } from 'datagate/express'
 *
 * const authenticate = bearerPartner({ jwksUrl: 'https://partners.example/jwks.json', issuer: 'partners', audience: 'oem-api' })
 * express().get('/v1/contract', contractHandler(gate, { authenticate })).listen(8080)
 * ```
 */
export function contractHandler(gate: Gate, options: ContractOptions): RequestHandler {
  const shared = contractShareOptions(gate, options, 'express contractHandler')
  return (req, res) => {
    void contractReply(gate, shared, {
      headers: headersOf(req.headers),
      method: req.method,
      url: `${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl}`,
      native: req,
    })
      .then((reply) => writeReply(res, reply))
      .catch(() => {
        // contractReply turns every failure into a problem; only the socket can fail here.
        res.destroy()
      })
  }
}
