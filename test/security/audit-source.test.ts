// Threat: the log handed to verifyAuditLog is not a clean sequence of events: the reader (a file,
// a database cursor) fails part-way with an error that quotes what it read, or yields things
// that are not events. The report must fail closed and never quote the source.
import { describe, expect, it } from 'vitest'
import { createAuditLog, memoryAuditSink, verifyAuditLog } from '../../src/export/audit.js'

async function sample() {
  const sink = memoryAuditSink()
  const log = createAuditLog({ sink })
  for (const code of ['ERR_NOT_PERMITTED', 'ERR_PARTNER_SUSPENDED', 'ERR_NOT_PERMITTED'])
    await log.append({
      type: 'denied',
      partner: 'p',
      dataset: 'd',
      purpose: 'u',
      policyHash: 'sha256:11',
      code,
    })
  return sink.events
}

describe('verifyAuditLog over a source that misbehaves', () => {
  it('a source that throws part-way resolves to a failed report that does not quote the error', async () => {
    const events = await sample()
    async function* failing() {
      yield events[0]
      yield events[1]
      throw new Error('line 3: {"name":"Zhang San 110105199001011234"}')
    }
    const report = await verifyAuditLog(failing())
    expect(report.ok).toBe(false)
    expect(report.count).toBe(2)
    expect(report.firstBroken).toMatchObject({ seq: 2, reason: 'unreadable' })
    expect(JSON.stringify(report)).not.toContain('Zhang')
  })

  it('values that are not events are malformed, not thrown', async () => {
    const events = await sample()
    for (const junk of [42, null, 'x', [], undefined]) {
      const report = await verifyAuditLog([events[0], junk, events[1]])
      expect(report.ok).toBe(false)
      expect(report.firstBroken?.reason).toBe('malformed')
    }
  })
})
