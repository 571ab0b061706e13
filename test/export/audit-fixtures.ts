// Shared inputs of the audit tests (not a test file itself).
import type { AuditEventBodies } from '../../src/export/audit.js'

type ReleaseInput = AuditEventBodies['release']

export const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`

export function input(rows = 1, extra: Partial<ReleaseInput> = {}): ReleaseInput {
  return {
    type: 'release',
    partner: 'rental-co',
    dataset: 'customer',
    purpose: 'courtesy-car',
    agreement: 'courtesy-car-2026',
    fields: [
      { path: 'city', operator: 'keep' },
      { path: 'customerId', operator: 'pseudonymize' },
    ],
    rows,
    payloadDigest: digest(rows),
    policyHash: digest(7),
    ...extra,
  }
}
