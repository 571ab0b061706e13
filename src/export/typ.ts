/**
 * The media types (`typ` header) of datagate's envelopes: one per kind of token, so that a chunk
 * or a delta is never accepted as another kind.
 *
 * @packageDocumentation
 */

/**
 * `typ` of a full export envelope (records plus report).
 *
 * @example
 * ```ts
 * import { EXPORT_TYP } from 'datagate/export'
 *
 * console.log(EXPORT_TYP) // 'datagate-export+jwt'
 * ```
 */
export const EXPORT_TYP = 'datagate-export+jwt'

/**
 * `typ` of a delta envelope (an RFC 6902 patch against a previous export).
 *
 * @example
 * ```ts
 * import { DELTA_TYP } from 'datagate/export'
 *
 * console.log(DELTA_TYP) // 'datagate-delta+jwt'
 * ```
 */
export const DELTA_TYP = 'datagate-delta+jwt'

/**
 * `typ` of one chunk of a streamed export.
 *
 * @example
 * ```ts
 * import { CHUNK_TYP } from 'datagate/export'
 *
 * console.log(CHUNK_TYP) // 'datagate-chunk+jwt'
 * ```
 */
export const CHUNK_TYP = 'datagate-chunk+jwt'

/**
 * `typ` of the signed manifest that lists the chunks of a streamed export.
 *
 * @example
 * ```ts
 * import { MANIFEST_TYP } from 'datagate/export'
 *
 * console.log(MANIFEST_TYP) // 'datagate-manifest+jwt'
 * ```
 */
export const MANIFEST_TYP = 'datagate-manifest+jwt'

/**
 * `typ` of the signed export-set manifest that lists the partition manifests of a bulk export
 * (`datagate/jobs`), each by digest, in partition order.
 *
 * @example
 * ```ts
 * import { STREAM_SET_TYP } from 'datagate/export'
 *
 * console.log(STREAM_SET_TYP) // 'datagate-stream-set+jwt'
 * ```
 */
export const STREAM_SET_TYP = 'datagate-stream-set+jwt'
