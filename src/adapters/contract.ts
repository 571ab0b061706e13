// The runtime-neutral core of every adapter's `contractHandler`: authenticate the caller and
// serve the JSON Schema of what its agreements deliver now (src/export/contract.ts), or the
// problem. Adapters only translate their framework's request and response. No `node:` imports.
import type { DatagateError } from '../errors.js'
import { releaseContract } from '../export/contract.js'
import type { Gate } from '../export/gate.js'
import { assertFunction } from '../lib/assert.js'
import type { Authenticate } from './bearer.js'
import { type Reply, respond } from './reply.js'
import { authenticateShare, failure } from './share.js'
import {
  checkShareOptions,
  type ShareErrorContext,
  type ShareOptions,
  type ShareRequest,
} from './share-options.js'

/**
 * What `onError` of a contract handler learns: as for a share route, without dataset and purpose.
 *
 * @example
 * ```ts
 * import type { ContractErrorContext } from 'datagate/fetch'
 *
 * const ctx: ContractErrorContext = { method: 'GET', path: '/v1/contract', status: 401 }
 * console.log(ctx.status) // 401
 * ```
 */
export type ContractErrorContext = Omit<ShareErrorContext, 'dataset' | 'purpose'>

/**
 * Options of `contractHandler`.
 *
 * @example
 * ```ts
 * import type { ContractOptions } from 'datagate/fetch'
 *
 * const options: ContractOptions = { authenticate: async () => ({ partner: 'rental-co' }),
 *   onError: (error, ctx) => console.warn(error.code, ctx.status) }
 * console.log(typeof options.authenticate) // 'function'
 * ```
 */
export interface ContractOptions {
  /** Finds the partner from the request: `bearerPartner(...)` or your own. */
  readonly authenticate: Authenticate
  /** Called with every failure (never raw values); its own failures are ignored. */
  readonly onError?: (error: DatagateError, ctx: ContractErrorContext) => void | Promise<void>
}

/** The share options the shared authentication and problem paths run with. */
export function contractShareOptions(
  gate: Gate,
  options: ContractOptions,
  where: string,
): ShareOptions {
  const onError = options?.onError
  // Checked here: wrapped below, a non-function would pass checkShareOptions and fail only
  // when an error is reported (and such failures are ignored), so it would never be called.
  if (onError !== undefined) assertFunction(onError, `${where}: onError`)
  const shared: ShareOptions = {
    // Not a release: these two only satisfy the checks and are removed before onError sees them.
    dataset: 'contract',
    purpose: 'contract',
    authenticate: options?.authenticate,
    ...(onError === undefined
      ? {}
      : {
          onError: (
            error: DatagateError,
            { dataset: _d, purpose: _p, ...ctx }: ShareErrorContext,
          ) => onError(error, ctx),
        }),
  }
  checkShareOptions(gate, shared, where)
  return shared
}

/**
 * The contract reply for `request`: 200 `application/schema+json` for an authenticated
 * partner in good standing, else the problem (401, 403, 500). Never cached by anyone else.
 */
export async function contractReply(
  gate: Gate,
  options: ShareOptions,
  request: ShareRequest,
): Promise<Reply> {
  const who = await authenticateShare(options, request)
  if ('reply' in who) return who.reply
  try {
    const contract = releaseContract(gate, who.partner)
    return respond(200, JSON.stringify(contract), { 'content-type': 'application/schema+json' })
  } catch (error) {
    return failure(options, request, error, who.partner)
  }
}
