// Threat: editing `policy.partners[0].agreements[0].where` after createGate inverted a row filter
// while `policyHash` stayed the same. A loaded policy is deeply frozen.
import { describe, expect, it } from 'vitest'
import { memoryAuditSink } from '../../src/export/audit.js'
import { createGate } from '../../src/export/gate.js'
import { generateKeys } from '../../src/export/keys.js'
import { loadPolicy } from '../../src/policy/load.js'
import {
  ISSUER,
  Order,
  orderPolicyDocument,
  orderRow,
  request,
  T0,
  TEST_PSEUDONYM_KEY,
} from './helpers.js'

describe('loaded policies are deeply frozen', () => {
  it('editing where, fields, partners or the document after load throws and changes nothing', async () => {
    const policy = loadPolicy(orderPolicyDocument({ hours: { $gt: 4 } }), { datasets: [Order] })
    const gate = createGate({
      issuer: ISSUER,
      datasets: [Order],
      policy,
      keys: await generateKeys(),
      pseudonymKey: TEST_PSEUDONYM_KEY,
      audit: memoryAuditSink(),
      now: () => T0,
    })
    const rows = [orderRow({ orderId: 'long', hours: 6 }), orderRow({ orderId: 'short', hours: 2 })]
    const before = await gate.release(rows, request)
    const agreement = policy.partners[0]?.agreements[0]
    const where = agreement?.where as Record<string, Record<string, unknown>>
    const fields = agreement?.fields as unknown as string[]
    const edits: (() => void)[] = [
      () => {
        where.hours = { $lte: 4 }
      },
      () => {
        ;(where.hours as Record<string, unknown>).$gt = -1
      },
      () => {
        fields.push('phone')
      },
      () => {
        ;(policy.partners as unknown[]).pop()
      },
      () => {
        const doc = policy.document.partners[0]?.agreements[0]?.where as Record<string, unknown>
        doc.hours = { $lte: 4 }
      },
      () => {
        ;(policy as { hash: string }).hash = 'sha256:forged'
      },
    ]
    for (const edit of edits) expect(edit).toThrow(TypeError)
    expect(Object.isFrozen(policy.partner('rental-co')?.agreements[0]?.where?.hours)).toBe(true)
    const after = await gate.release(rows, request)
    expect(after.records).toEqual(before.records)
    expect(after.records.map((r) => r.orderId)).toEqual(['long'])
  })

  it("loading an object does not freeze the caller's own object", () => {
    const doc = orderPolicyDocument({ hours: { $gt: 4 } })
    loadPolicy(doc, { datasets: [Order] })
    expect(Object.isFrozen(doc.partners[0]?.agreements[0])).toBe(false)
  })

  it('Date objects in the input are kept as their ISO text (a frozen Date still has setTime)', () => {
    const withDate = orderPolicyDocument() as unknown as {
      partners: { agreements: Record<string, unknown>[] }[]
    }
    const agreement = withDate.partners[0]?.agreements[0] as Record<string, unknown>
    agreement.validFrom = new Date('2026-01-01T00:00:00.000Z')
    const policy = loadPolicy(withDate, { datasets: [Order] })
    const written = policy.document.partners[0]?.agreements[0]?.validFrom
    expect(written).toBe('2026-01-01T00:00:00.000Z')
    const text = orderPolicyDocument()
    Object.assign(text.partners[0]?.agreements[0] as object, {
      validFrom: '2026-01-01T00:00:00.000Z',
    })
    expect(loadPolicy(text, { datasets: [Order] }).hash).toBe(policy.hash)
  })
})
