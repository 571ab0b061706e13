// Progress of `log verify` goes to standard error, and only when it is a terminal: verifyLog
// run in-process over a real chain of 2,500 events with a terminal and a non-terminal stderr.
import { describe, expect, it } from 'vitest'
import type { CliState } from '../../src/cli/command.js'
import { verifyLog } from '../../src/cli/log-verify.js'
import { createAuditLog, memoryAuditSink } from '../../src/export/audit.js'

async function chain(n: number) {
  const sink = memoryAuditSink()
  const log = createAuditLog({ sink })
  for (let i = 0; i < n; i++)
    await log.append({
      type: 'denied',
      partner: 'p',
      dataset: 'd',
      purpose: 'u',
      policyHash: 'sha256:11',
      code: 'ERR_NOT_PERMITTED',
    })
  return sink.events
}

function state(tty: boolean) {
  const err: string[] = []
  const out: string[] = []
  const s: CliState = {
    io: {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t), isTTY: tty },
      env: {},
      cwd: '/',
    },
    exitCode: 0,
  }
  return { s, err, out }
}

describe('log verify progress', () => {
  it('writes progress to a terminal stderr only, never to stdout', async () => {
    const events = await chain(2500)
    const source = {
      name: 'memory',
      torn: undefined,
      locate: (i: number) => ({ line: i + 1 }),
      events: async function* () {
        yield* events
      },
    }
    const tty = state(true)
    const report = await verifyLog(source, {}, tty.s)
    expect(report).toMatchObject({
      ok: true,
      count: 2500,
      lastSeq: 2499,
      anchored: null,
      unanchored: { from: 0, through: 2499 },
    })
    expect(tty.err.join('')).toContain('verifying: 2000 events')
    expect(tty.err.join('')).toContain('verifying: 2500 events, done')
    expect(tty.out).toEqual([])
    const pipe = state(false)
    await verifyLog(source, {}, pipe.s)
    expect(pipe.err).toEqual([])
  })
})
