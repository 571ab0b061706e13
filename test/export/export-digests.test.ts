// The export's audit digests are over the bytes it signed, built once: signedDigest is the
// sha256 of the signed payload, payloadDigest that of its `records` array, which a partner
// recomputes from the verified records as sha256(JSON.stringify(records)).
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { memoryAuditSink } from '../../src/export/audit.js'
import { verifyExport } from '../../src/export/verify-export.js'
import { ISSUER, orderGate, orderRow, request, T0 } from '../security/helpers.js'

const sha = (data: string | Uint8Array) =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`

describe('export digests', () => {
  it.each(['compact', 'flattened', 'detached'] as const)(
    '%s: signedDigest is of the signed bytes, payloadDigest of the records as signed',
    async (format) => {
      const audit = memoryAuditSink()
      const gate = await orderGate({ audit })
      const rows = [
        orderRow(),
        orderRow({ orderId: 'R-2', city: '杭州', extra: 1 }),
        { ...orderRow(), hours: 1 },
      ]
      const signed = await gate.export(rows, { ...request, format })
      const event = audit.events.find((e) => e.type === 'export')
      if (event?.type !== 'export') throw new Error('no export event')
      const payload =
        format === 'detached'
          ? (signed.payload as string)
          : Buffer.from(
              format === 'flattened'
                ? (JSON.parse(signed.token) as { payload: string }).payload
                : (signed.token.split('.')[1] as string),
              'base64url',
            ).toString('utf8')
      expect(event.signedDigest).toBe(sha(payload))
      const claims = JSON.parse(payload) as { records: unknown[]; report: Record<string, unknown> }
      expect(event.payloadDigest).toBe(sha(JSON.stringify(claims.records)))
      expect(signed.payloadDigest).toBe(event.payloadDigest)
      expect(event.details).toMatchObject({ unknownKeys: 1 })
      expect(claims.report).not.toHaveProperty('unknownKeysDropped')
      if (format === 'compact') {
        const { records } = await verifyExport(signed.token, {
          jwks: gate.jwks(),
          issuer: ISSUER,
          audience: request.partner,
          now: () => T0,
        })
        expect(sha(JSON.stringify(records))).toBe(signed.payloadDigest)
        expect(records).toHaveLength(signed.count)
      }
    },
  )
})
