// Threat: something leaves before its audit event is durable: a sink whose append resolves
// late or rejects after a delay, a stream consumer pulling its first chunk while the start is
// still being written, checkpoints racing exports, the checkpoint timer firing during close().
import { describe, expect, it } from 'vitest'
import {
  type AuditEvent,
  type AuditSink,
  memoryAuditSink,
  verifyAuditLog,
} from '../../src/export/audit.js'
import { createGate } from '../../src/export/gate.js'
import { generateKeys } from '../../src/export/keys.js'
import { ISSUER, map, Outlet, policy, rows, T0 } from './audit-harness.js'

/** A sink that holds each append until `release()`, and can fail the held one instead. */
function heldSink() {
  const events: AuditEvent[] = []
  const held: { event: AuditEvent; resolve: () => void; reject: (e: Error) => void }[] = []
  const sink: AuditSink = {
    append: (event) =>
      new Promise<void>((resolve, reject) => {
        held.push({
          event,
          resolve: () => {
            events.push(event)
            resolve()
          },
          reject,
        })
      }),
  }
  const settle = () => new Promise((r) => setTimeout(r, 20))
  return { sink, events, held, settle }
}

const gateOver = async (audit: AuditSink, extra = {}) =>
  createGate({
    issuer: ISSUER,
    datasets: [Outlet],
    policy,
    keys: await generateKeys(),
    audit,
    checkpointIntervalMs: 0,
    now: () => T0,
    ...extra,
  })

async function drain(h: ReturnType<typeof heldSink>, until: (e: AuditEvent) => boolean) {
  for (let i = 0; i < 50; i++) {
    await h.settle()
    const next = h.held.shift()
    if (next === undefined) continue
    if (until(next.event)) return next
    next.resolve()
  }
  throw new Error('event never came')
}

describe('nothing leaves before its event is durable', () => {
  it('export resolves only after its export event is appended, and fails when that append rejects late', async () => {
    const h = heldSink()
    const gate = await gateOver(h.sink)
    let done = false
    const pending = gate.export(rows(2), map).then((s) => {
      done = true
      return s
    })
    const exportEvent = await drain(h, (e) => e.type === 'export')
    await h.settle()
    expect(done).toBe(false)
    exportEvent.resolve()
    await expect(pending).resolves.toMatchObject({ count: 2 })

    const failing = gate.export(rows(2), map)
    const second = await drain(h, (e) => e.type === 'export')
    second.reject(new Error('disk full'))
    await expect(failing).rejects.toMatchObject({ code: 'ERR_AUDIT_WRITE_FAILED' })
  })

  it('the first chunk of a stream is not handed over while its stream-start is still being written', async () => {
    const h = heldSink()
    const gate = await gateOver(h.sink)
    const parts = gate.exportStream(rows(10), { ...map, chunkSize: 5 })
    let got = false
    const first = parts.next().then((r) => {
      got = true
      return r
    })
    const start = await drain(h, (e) => e.type === 'stream-start')
    await h.settle()
    expect(got).toBe(false)
    start.resolve()
    expect((await first).value?.kind).toBe('chunk')
    // A start that fails releases nothing.
    const again = gate.exportStream(rows(10), { ...map, chunkSize: 5 })
    const next = again.next()
    const start2 = await drain(h, (e) => e.type === 'stream-start')
    start2.reject(new Error('disk full'))
    await expect(next).rejects.toMatchObject({ code: 'ERR_AUDIT_WRITE_FAILED' })
    await parts.return(undefined)
  })

  it('exports racing checkpoint() and close() with a 1 ms timer keep one chain every receipt verifies against', async () => {
    const audit = memoryAuditSink()
    const keys = await generateKeys()
    const gate = createGate({
      issuer: ISSUER,
      datasets: [Outlet],
      policy,
      keys,
      audit,
      checkpointIntervalMs: 1,
      checkpointEvery: 3,
    })
    const exports: Promise<string>[] = []
    const checkpoints: Promise<unknown>[] = []
    for (let i = 0; i < 30; i++) {
      exports.push(gate.export(rows(1, `R${i}`), map).then((s) => s.token))
      if (i % 4 === 0) checkpoints.push(gate.checkpoint())
      if (i % 7 === 0) await new Promise((r) => setTimeout(r, 2))
    }
    const closing = gate.close()
    const settled = await Promise.allSettled(exports)
    await Promise.allSettled(checkpoints)
    await closing
    await new Promise((r) => setTimeout(r, 10)) // a timer tick after close writes nothing
    const receipts = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
    // Exports still in flight when close() ran fail closed; none is returned without its event.
    const report = await verifyAuditLog(audit.events, {
      jwks: keys.jwks(),
      issuer: ISSUER,
      receipts,
    })
    expect(report.issues).toEqual([])
    expect(audit.events.at(-1)?.type).toBe('checkpoint')
    const exported = audit.events.filter((e) => e.type === 'export').length
    expect(exported).toBeGreaterThanOrEqual(receipts.length)
  })
})
