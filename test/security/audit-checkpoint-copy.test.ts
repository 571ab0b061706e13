// Threat: the checkpoint copies stop reaching their sink (a full bucket, an unmounted disk)
// while the gate goes on exporting. The copies are what shows a log cut short while the gate
// was stopped, so losing them must stop the gate, not pass silently.
import { describe, expect, it } from 'vitest'
import { memoryAuditSink } from '../../src/export/audit.js'
import type { CheckpointSink } from '../../src/export/checkpoint.js'
import { createGate } from '../../src/export/gate.js'
import { generateKeys } from '../../src/export/keys.js'
import { ISSUER, map, Outlet, policy, rows } from './audit-harness.js'

describe('a checkpoint copy that fails', () => {
  it('on the timer fails the next export closed instead of being dropped', async () => {
    let broken = false
    const copies: string[] = []
    const checkpointSink: CheckpointSink = {
      write: async (token) => {
        if (broken) throw new Error('bucket unavailable')
        copies.push(token)
      },
    }
    const gate = createGate({
      issuer: ISSUER,
      datasets: [Outlet],
      policy,
      keys: await generateKeys(),
      audit: memoryAuditSink(),
      checkpointSink,
      checkpointIntervalMs: 5,
    })
    await gate.export(rows(1), map)
    broken = true
    await new Promise((resolve) => setTimeout(resolve, 40)) // the timer signs; its copy fails
    await expect(gate.export(rows(1), map)).rejects.toMatchObject({
      code: 'ERR_AUDIT_WRITE_FAILED',
    })
    await expect(gate.export(rows(1), map)).rejects.toMatchObject({
      code: 'ERR_AUDIT_WRITE_FAILED',
    })
    broken = false
    await expect(gate.export(rows(1), map)).resolves.toMatchObject({ count: 1 })
    await gate.close()
  })

  it('at gate start fails the first export closed', async () => {
    const gate = createGate({
      issuer: ISSUER,
      datasets: [Outlet],
      policy,
      keys: await generateKeys(),
      audit: memoryAuditSink(),
      checkpointSink: { write: () => Promise.reject(new Error('bucket unavailable')) },
      checkpointIntervalMs: 0,
    })
    await expect(gate.export(rows(1), map)).rejects.toMatchObject({
      code: 'ERR_AUDIT_WRITE_FAILED',
    })
  })
})
