// Child process of audit-memory.test.ts (run with --expose-gc): verifies a long log read lazily
// from a generator and prints how much the heap grew between an early and a late point.
import { linkEvent } from '../../src/export/audit-event.js'
import { verifyAuditLog } from '../../src/export/audit-verify-log.js'
import { signCheckpoint } from '../../src/export/checkpoint.js'
import { generateKeys } from '../../src/export/keys.js'

const total = Number(process.argv[2] ?? 120_000)
const every = Number(process.argv[3] ?? 1000)
const later = Number(process.argv[4] ?? 1)
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with --expose-gc')
const keys = await generateKeys()
const heap = () => {
  gc()
  return process.memoryUsage().heapUsed
}
const samples: number[] = []
const start = Date.parse('2026-06-01T00:00:00Z')

async function* log() {
  let head: { seq: number; hash: string } | undefined
  for (let i = 0; head === undefined || head.seq < total; i++) {
    const time = new Date(start + i).toISOString()
    const body =
      head !== undefined && i % every === 0
        ? await (async () => {
            const claims = { iss: 'oem', seq: head!.seq, head: head!.hash, time }
            const { token, kid } = await signCheckpoint(claims, keys)
            return {
              type: 'checkpoint',
              covers: { seq: claims.seq, head: claims.head },
              kid,
              token,
            }
          })()
        : {
            type: 'denied',
            partner: 'p',
            dataset: 'd',
            purpose: 'u',
            policyHash: 'sha256:11',
            code: 'ERR_NOT_PERMITTED',
          }
    const event = linkEvent(body, time, head)
    head = { seq: event.seq, hash: event.hash }
    if (event.seq === Math.floor(total / 3) || event.seq === total) samples.push(heap())
    yield event
  }
}

const report = await verifyAuditLog(log(), {
  jwks: keys.jwks(),
  issuer: 'oem',
  now: () => new Date(start + total + later),
})
process.stdout.write(
  `${JSON.stringify({ ok: report.ok, count: report.count, firstBroken: report.firstBroken, grew: (samples[1] ?? 0) - (samples[0] ?? 0) })}\n`,
)
