// Threat: a log too long to hold. A compliance officer verifies years of events read from a file
// or a cursor; verifyAuditLog must stream them, holding a bounded window, not a hash per event.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const worker = fileURLToPath(new URL('./audit-memory-worker.ts', import.meta.url))

function verifyInChild(...args: string[]) {
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', worker, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  })
  expect(run.stderr).toBe('')
  return JSON.parse(run.stdout) as {
    ok: boolean
    count: number
    firstBroken?: { seq: number; reason: string }
    grew: number
  }
}

describe('verifyAuditLog over a long log', () => {
  it('streams: the heap does not grow with the number of events once past its window', () => {
    const result = verifyInChild('120000', '1000')
    expect(result).toMatchObject({ ok: true, count: 120_001 })
    // Holding a hash and a time per event grew about 15 MB over these 80,000 events.
    expect(result.grew).toBeLessThan(3_000_000)
  })

  it('a long log no checkpoint signs is held in bounded memory and still fails from its first event', () => {
    const result = verifyInChild('60000', '100000000', String(3_600_000))
    expect(result).toMatchObject({
      ok: false,
      count: 60_001,
      firstBroken: { seq: 0, reason: 'unanchored_tail' },
    })
    expect(result.grew).toBeLessThan(3_000_000)
  })
})
