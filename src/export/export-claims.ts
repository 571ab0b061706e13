/**
 * What an export envelope carries, as the gate signs it and {@link verifyExport} returns it.
 *
 * @packageDocumentation
 */
import type { AuditReceiptClaim } from './audit-receipt.js'
import type { VerifyOptions } from './verify.js'

/**
 * The dataset an export carries.
 *
 * @example
 * ```ts
 * import type { ExportDataset } from 'datagate/export'
 *
 * const dataset: ExportDataset = { name: 'customer', version: '2026-11', schemaHash: 'ab12' }
 * console.log(dataset.name)
 * ```
 */
export interface ExportDataset {
  readonly name: string
  readonly version: string
  /** Hex SHA-256 of the dataset schema's canonical JSON. */
  readonly schemaHash: string
}

/**
 * Claims the gate puts in an export envelope (`typ` {@link EXPORT_TYP}).
 *
 * @example
 * ```ts
 * import type { ExportClaims } from 'datagate/export'
 *
 * const claims: ExportClaims = {
 *   iss: 'oem-aftersales', aud: 'rental-co', iat: 1_800_000_000, exp: 1_800_003_600,
 *   jti: 'f3a1', purpose: 'courtesy-car',
 *   dataset: { name: 'repair_order', version: '2026-11', schemaHash: 'ab12' },
 *   policyHash: 'cd34', agreement: 'courtesy-car-2026', count: 1,
 *   report: {}, records: [{ orderId: 'R-1' }],
 * }
 * console.log(claims.count === claims.records.length) // true
 * ```
 */
export interface ExportClaims<Row = Record<string, unknown>> {
  readonly iss: string
  /** The partner id. */
  readonly aud: string
  readonly iat: number
  readonly exp: number
  readonly jti: string
  readonly purpose: string
  readonly dataset: ExportDataset
  /** Hex SHA-256 of the policy's canonical JSON. */
  readonly policyHash: string
  /** Id of the agreement the release was made under. */
  readonly agreement: string
  /** The partner's receipt: an earlier audit chain position and the latest checkpoint. */
  readonly audit?: AuditReceiptClaim
  /** Number of records; equals `records.length`. */
  readonly count: number
  /** The release report (what was dropped, masked, suppressed; never raw values). */
  readonly report: Record<string, unknown>
  readonly records: readonly Row[]
}

/**
 * Every export claim except `records`, as {@link verifyExport} returns it (plus any extra claims).
 *
 * @example
 * ```ts
 * import type { ExportMeta } from 'datagate/export'
 *
 * const describe = (meta: ExportMeta) => `${meta.dataset.name}@${meta.dataset.version}: ${meta.count}`
 * console.log(typeof describe) // 'function'
 * ```
 */
export type ExportMeta = Omit<ExportClaims, 'records'> & Readonly<Record<string, unknown>>

/**
 * Options of {@link verifyExport}: those of {@link verifyEnvelope} without `typ`.
 *
 * @example
 * ```ts
 * import type { VerifyExportOptions } from 'datagate/export'
 *
 * const options: VerifyExportOptions = {
 *   jwks: { keys: [] }, issuer: 'oem-aftersales', audience: 'rental-co',
 * }
 * console.log(options.issuer)
 * ```
 */
export type VerifyExportOptions = Omit<VerifyOptions, 'typ'>

/**
 * What {@link verifyExport} returns.
 *
 * @example
 * ```ts
 * import type { VerifiedExport } from 'datagate/export'
 *
 * const rows = (result: VerifiedExport) => result.records.length
 * console.log(typeof rows) // 'function'
 * ```
 */
export interface VerifiedExport<Row = Record<string, unknown>> {
  readonly records: Row[]
  readonly meta: ExportMeta
}
