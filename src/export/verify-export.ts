/**
 * Partner-side verification of a full export envelope.
 *
 * @packageDocumentation
 */
import type { JWTPayload } from 'jose'
import { DatagateError } from '../errors.js'
import type { ExportMeta, VerifiedExport, VerifyExportOptions } from './export-claims.js'
import { EXPORT_TYP } from './typ.js'
import { verifyEnvelopeWith } from './verify.js'

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function invalid(claim: string, expected: string): never {
  throw new DatagateError('ERR_CLAIM_INVALID', `claim "${claim}" must be ${expected}`)
}

function requireString(claims: JWTPayload, claim: string): void {
  const value = claims[claim]
  if (typeof value !== 'string' || value === '') invalid(claim, 'a non-empty string')
}

/** Checks the export claim shape (see ExportClaims); the generic claims are checked already. */
function checkExportClaims(claims: JWTPayload): void {
  for (const claim of ['aud', 'jti', 'purpose', 'policyHash', 'agreement'])
    requireString(claims, claim)
  if (typeof claims.iat !== 'number') invalid('iat', 'a NumericDate')
  const dataset = claims.dataset
  if (!isPlainObject(dataset)) invalid('dataset', 'an object { name, version, schemaHash }')
  for (const member of ['name', 'version', 'schemaHash']) {
    if (typeof dataset[member] !== 'string' || dataset[member] === '')
      invalid(`dataset.${member}`, 'a non-empty string')
  }
  if (!isPlainObject(claims.report)) invalid('report', 'an object')
  const records = claims.records
  if (!Array.isArray(records)) invalid('records', 'an array')
  if (!records.every(isPlainObject)) invalid('records', 'an array of objects')
  if (!Number.isSafeInteger(claims.count) || claims.count !== records.length)
    invalid('count', `the number of records (${records.length})`)
}

/**
 * Verifies an export envelope (`typ` {@link EXPORT_TYP}) as a partner: everything
 * {@link verifyEnvelope} checks, then the export claims: `records` is an array of objects and
 * `count` equals its length, and `jti`, `purpose`, `dataset { name, version, schemaHash }`,
 * `policyHash`, `agreement`, `report` and `iat` are present (else ERR_CLAIM_INVALID).
 * Returns the records and every other claim as `meta`. Records are not checked against any
 * schema; `Row` only names the type you expect.
 *
 * @example
 * ```ts
 * import { EXPORT_TYP, generateKeys, signEnvelope, verifyExport } from 'datagate/export'
 *
 * const ring = await generateKeys()
 * const now = Math.floor(Date.now() / 1000)
 * const signed = await signEnvelope({
 *   iss: 'oem-aftersales', aud: 'rental-co', iat: now, exp: now + 3600, jti: crypto.randomUUID(),
 *   purpose: 'courtesy-car', dataset: { name: 'repair_order', version: '2026-11', schemaHash: 'ab12' },
 *   policyHash: 'cd34', agreement: 'courtesy-car-2026', count: 1, report: {},
 *   records: [{ orderId: 'R-1', city: 'Lyon' }],
 * }, ring, { typ: EXPORT_TYP })
 *
 * // partner side: the issuer's JWKS, the issuer id and its own partner id
 * const { records, meta } = await verifyExport(signed.token, {
 *   jwks: ring.jwks(), issuer: 'oem-aftersales', audience: 'rental-co',
 * })
 * console.log(records.length, meta.dataset.name) // 1 'repair_order'
 * ```
 */
export async function verifyExport<Row = Record<string, unknown>>(
  token: string,
  options: VerifyExportOptions,
): Promise<VerifiedExport<Row>> {
  const { payload } = await verifyEnvelopeWith(
    token,
    { ...options, typ: EXPORT_TYP },
    checkExportClaims,
  )
  const { records, ...meta } = payload
  return { records: records as Row[], meta: meta as ExportMeta }
}
