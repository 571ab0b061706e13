// What a share route is made with and what its core reads, apart from the core itself
// (src/adapters/share.ts): the options every adapter takes (ShareOptions, checked once by
// checkShareOptions), what onError learns, and the parts of a request the core needs. The pieces
// the core composes (conditional.ts, json-mode.ts) name these too; kept here, they need not
// import the core that imports them. No `node:` imports.
import { DatagateError } from '../errors.js'
import type { Gate } from '../export/gate.js'
import {
  assertBoolean,
  assertFunction,
  assertNumber,
  assertObject,
  assertOneOf,
  assertString,
  invalidArgument,
} from '../lib/assert.js'
import type { Authenticate } from './bearer.js'
/**
 * How a release is served: `signed` (default) a compact JWS; `json` `{ data, meta }` signed with
 * RFC 9421 HTTP Message Signatures (Ed25519) over an RFC 9530 `Content-Digest`; `filtered`
 * unsigned `{ data, meta }`.
 *
 * @example
 * ```ts
 * import type { ShareMode } from 'datagate/fetch'
 *
 * const mode: ShareMode = 'filtered'
 * console.log(mode) // 'filtered'
 * ```
 */
export type ShareMode = (typeof SHARE_MODES)[number]

const SHARE_MODES = ['signed', 'json', 'filtered'] as const

/**
 * What `onError` learns about the request that failed: no values, no query string.
 *
 * @example
 * ```ts
 * import type { ShareErrorContext } from 'datagate/fetch'
 *
 * const log = (ctx: ShareErrorContext) => `${ctx.status} ${ctx.method} ${ctx.path} ${ctx.partner ?? '-'}`
 * console.log(log({ dataset: 'outlet', purpose: 'map', method: 'GET', path: '/v1/outlets', status: 401 })) // '401 GET /v1/outlets -'
 * ```
 */
export interface ShareErrorContext {
  /** The partner, once authenticated. */
  readonly partner?: string
  readonly dataset: string
  readonly purpose: string
  readonly method: string
  /** The URL's path, without its query. */
  readonly path: string
  /** The status served: 401, 403 or 500; 200 when a stream broke after its first chunk. */
  readonly status: number
  /** The request's `X-Request-Id`, when it has a well-formed one. */
  readonly requestId?: string
}

/**
 * Options shared by every adapter.
 *
 * @example
 * ```ts
 * import type { ShareOptions } from 'datagate/fetch'
 *
 * const options: ShareOptions = { dataset: 'repair_order', purpose: 'courtesy-car', mode: 'signed', chunkSize: 1000,
 *   authenticate: async () => ({ partner: 'rental-co' }),
 *   onError: (error, ctx) => console.warn(error.code, ctx.status, ctx.path) }
 * console.log(options.mode) // 'signed'
 * ```
 */
export interface ShareOptions {
  /** The dataset the handler's rows belong to. */
  readonly dataset: string
  /** The purpose of the release: the agreement's `purpose`. */
  readonly purpose: string
  /** Finds the partner from the request: {@link bearerPartner} or your own. */
  readonly authenticate: Authenticate
  /** `signed` (default), `json` (RFC 9421 signed JSON; needs an Ed25519 gate key) or `filtered`. */
  readonly mode?: ShareMode
  /**
   * Answer an `If-None-Match` holding the response's ETag with `304` (default `false`: always
   * 200). The gate computes the released view to compare its digest; when the partner holds it,
   * nothing is signed or sent and the chain records a `not-modified` event (durable before the
   * 304 is sent) instead of an export or release.
   */
  readonly conditional?: boolean
  /** Records per signed chunk when the handler gives an async iterable or a ReadableStream. */
  readonly chunkSize?: number
  /** Called with every failure (never raw values); its own failures are ignored. */
  readonly onError?: (error: DatagateError, ctx: ShareErrorContext) => void | Promise<void>
}

/** The parts of a request the core needs, whatever the framework. */
export interface ShareRequest {
  readonly headers: Headers
  readonly method: string
  readonly url: string
  /** The framework's own request, passed to `authenticate`. */
  readonly native: unknown
}

/** Checks options once, when the adapter is made: `ERR_INVALID_ARGUMENT`. */
export function checkShareOptions(gate: Gate, options: ShareOptions, where: string): void {
  // signingKey too: json mode calls it here, so a look-alike without it must not crash below.
  if (
    typeof gate !== 'object' ||
    gate === null ||
    typeof gate.export !== 'function' ||
    typeof gate.signingKey !== 'function'
  )
    invalidArgument('type', `${where}: gate`, 'a gate from createGate()')
  assertObject(options, `${where}: options`)
  assertString(options.dataset, `${where}: dataset`, { nonEmpty: true })
  assertString(options.purpose, `${where}: purpose`, { nonEmpty: true })
  if (typeof options.authenticate !== 'function')
    invalidArgument('type', `${where}: authenticate`, 'a function (bearerPartner(...) or your own)')
  if (options.mode !== undefined) assertOneOf(options.mode, `${where}: mode`, SHARE_MODES)
  if (options.mode === 'json') {
    const { alg } = gate.signingKey()
    if (alg !== 'EdDSA')
      throw new DatagateError(
        'ERR_KEY_UNSUPPORTED',
        `${where}: mode 'json' signs with RFC 9421 ed25519, and the gate's current key is ${alg}; use generateKeys({ alg: 'EdDSA' }) or another mode`,
      )
  }
  if (options.conditional !== undefined) assertBoolean(options.conditional, `${where}: conditional`)
  if (options.onError !== undefined) assertFunction(options.onError, `${where}: onError`)
  if (options.chunkSize !== undefined)
    assertNumber(options.chunkSize, `${where}: chunkSize`, { integer: true, min: 1 })
}
