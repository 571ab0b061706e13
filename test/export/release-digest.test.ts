// gate.release digests its records as it makes them, for the audit event's payloadDigest (the
// digest of JSON.stringify(records)). Without an audit sink nothing is serialised, so records
// JSON cannot write (a bigint leaf) release as they are; with one, such a release is refused
// with a typed error before anything is returned, at any count (the digest works 200 at a time).
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import { isDatagateError } from '../../src/errors.js'
import { memoryAuditSink } from '../../src/export/audit.js'
import { createGate } from '../../src/export/gate.js'
import { loadPolicy } from '../../src/policy/load.js'
import { ISSUER, singleAgreement } from '../policy/arbitraries.js'

const Ledger = defineDataset(
  'ledger',
  z.object({
    id: field.public(z.string()),
    cents: field.public(z.bigint()),
    note: field.public(z.string()),
  }),
  { version: '1' },
)
const request = { partner: 'partner-a', dataset: 'ledger', purpose: 'purpose-a' }
const rows = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `L-${i}`, cents: BigInt(i) * 10n, note: `第${i}条` }))

function gateWith(
  audit: ReturnType<typeof memoryAuditSink> | false,
  fields = ['id', 'cents', 'note'],
) {
  return createGate({
    issuer: ISSUER,
    datasets: [Ledger],
    policy: loadPolicy(singleAgreement('ledger', fields), { datasets: [Ledger] }),
    audit,
    subjects: false,
  })
}

describe('gate.release digest', () => {
  it.each([1, 199, 200, 201, 450])(
    'without an audit sink, %i records JSON cannot write are released',
    async (n) => {
      const gate = gateWith(false)
      const { records } = await gate.release(rows(n), request)
      expect(records).toHaveLength(n)
      expect(records.at(-1)).toStrictEqual({
        id: `L-${n - 1}`,
        cents: BigInt(n - 1) * 10n,
        note: `第${n - 1}条`,
      })
      await gate.close()
    },
  )

  it.each([1, 199, 200, 201, 450])(
    'with one, %i such records are refused with ERR_INVALID_ARGUMENT and no event',
    async (n) => {
      const audit = memoryAuditSink()
      const gate = gateWith(audit)
      const error = await gate.release(rows(n), request).catch((e: unknown) => e)
      expect(isDatagateError(error, 'ERR_INVALID_ARGUMENT')).toBe(true)
      expect((error as Error).message).toContain('not JSON-serialisable')
      expect(audit.events.some((e) => e.type === 'release')).toBe(false)
      await gate.close()
    },
  )

  it.each([0, 1, 199, 200, 201, 401])(
    'its payloadDigest is the digest of JSON.stringify of the %i records',
    async (n) => {
      const audit = memoryAuditSink()
      const gate = gateWith(audit, ['id', 'note'])
      const { records } = await gate.release(rows(n), request)
      const event = audit.events.find((e) => e.type === 'release')
      expect(event?.payloadDigest).toBe(
        `sha256:${createHash('sha256').update(JSON.stringify(records)).digest('hex')}`,
      )
      await gate.close()
    },
  )
})
