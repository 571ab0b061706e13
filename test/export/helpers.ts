// Shared fixtures for the export tests: a fixed clock, export claims, and error assertions.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { type DatagateErrorCode, isDatagateError } from '../../src/errors.js'

export const NOW = new Date('2026-11-25T12:00:00Z')
export const NOW_S = Math.floor(NOW.getTime() / 1000)
export const ISSUER = 'oem-aftersales'
export const PARTNER = 'rental-co'

/** Public conformance vectors live beside the repo, never in it (see /work/shared/vectors/README.md). */
export const VECTORS_DIR = fileURLToPath(
  new URL('../../../shared/vectors/jose-cookbook/', import.meta.url),
)
export const VECTORS_PRESENT = existsSync(VECTORS_DIR)

export function exportClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const records = [
    { orderId: 'R-1', city: 'Lyon', estimatedHours: 6 },
    { orderId: 'R-2', city: 'Nantes', estimatedHours: 9 },
  ]
  return {
    iss: ISSUER,
    aud: PARTNER,
    iat: NOW_S,
    exp: NOW_S + 3600,
    jti: crypto.randomUUID(),
    purpose: 'courtesy-car',
    dataset: { name: 'repair_order', version: '2026-11', schemaHash: 'a'.repeat(64) },
    policyHash: 'b'.repeat(64),
    agreement: 'courtesy-car-2026',
    count: records.length,
    report: { dropped: ['name'], masked: ['phone'] },
    records,
    ...overrides,
  }
}

/** Awaits `promise` and asserts it rejects with a DatagateError carrying `code`. */
export async function expectCode(
  promise: Promise<unknown>,
  code: DatagateErrorCode,
): Promise<unknown> {
  let caught: unknown
  try {
    await promise
  } catch (error) {
    caught = error
  }
  expect(caught, `expected rejection with ${code}`).toBeDefined()
  if (!isDatagateError(caught, code)) {
    const got = isDatagateError(caught) ? `${caught.code}: ${caught.message}` : String(caught)
    expect.fail(`expected ${code}, got ${got}`)
  }
  return caught
}

/** base64url of UTF-8 text or bytes. */
export function b64u(input: string | Uint8Array): string {
  return Buffer.from(input).toString('base64url')
}

/** UTF-8 text of base64url. */
export function unb64u(input: string): string {
  return Buffer.from(input, 'base64url').toString('utf8')
}
