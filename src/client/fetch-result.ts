// What fetchShared gives back once a response is verified: the records and the export's claims
// or the stream's totals. Apart from the entry (src/client/index.ts) because the ETag cache keeps
// these results too, and the entry imports the cache.
import type { ExportMeta } from '../export/export-claims.js'

/**
 * What a whole NDJSON stream's manifest says.
 *
 * @example
 * ```ts
 * import type { StreamMeta } from 'datagate/client'
 *
 * const meta: StreamMeta = { count: 25, chunks: 3 }
 * console.log(meta.count / meta.chunks > 8) // true
 * ```
 */
export interface StreamMeta {
  readonly count: number
  readonly chunks: number
}

/**
 * What {@link fetchShared} returns: the verified records and the export's claims or the stream's totals.
 *
 * @example
 * ```ts
 * import type { FetchSharedResult } from 'datagate/client'
 *
 * const describe = (result: FetchSharedResult) =>
 *   result.kind === 'export' ? `export under ${result.meta.agreement}` : `stream of ${result.meta.chunks} chunks`
 * console.log(describe({ kind: 'stream', records: [], meta: { count: 0, chunks: 0 } })) // 'stream of 0 chunks'
 * ```
 */
export type FetchSharedResult =
  | {
      readonly kind: 'export'
      readonly records: Record<string, unknown>[]
      readonly meta: ExportMeta
    }
  | {
      /** A `mode: 'json'` response, verified by its RFC 9421 signature; `meta` holds the export's claims. */
      readonly kind: 'json'
      readonly records: Record<string, unknown>[]
      readonly meta: ExportMeta
    }
  | {
      readonly kind: 'stream'
      readonly records: Record<string, unknown>[]
      readonly meta: StreamMeta
    }
