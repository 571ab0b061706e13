import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { isDatagateError } from '../../src/errors.js'
import { type AuditEvent, verifyAuditChain } from '../../src/export/audit.js'
import { fileAuditSink, readAuditLog } from '../../src/export/audit-file.node.js'
import { type Child, startScript } from '../child-process.js'

const _root = fileURLToPath(new URL('../../', import.meta.url))
const writer = fileURLToPath(new URL('fixtures/audit-writer.ts', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'datagate-crash-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function start(mode: 'write' | 'hold', path: string): Child {
  return startScript(writer, [mode, path])
}

describe('a writer killed with SIGKILL mid-append', () => {
  it('loses no acknowledged event, never breaks the chain, and its stale lock is taken over with a resume', async () => {
    const path = join(dir, 'killed.jsonl')
    const acked = new Map<number, string>()
    const pids: number[] = []
    const ROUNDS = 12
    let torn = 0
    for (let round = 0; round < ROUNDS; round++) {
      const child = start('write', path)
      const target = acked.size + 5 + Math.floor(Math.random() * 40)
      await child.until(
        (lines) => lines.filter((l) => l.startsWith('acked')).length >= target - acked.size,
      )
      expect(
        child.lines.some((l) => l.startsWith('refused')),
        child.lines.join('\n'),
      ).toBe(false)
      // Kill at a random moment after the target: usually in the middle of an append.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5))
      child.process.kill('SIGKILL')
      await child.exited
      pids.push(child.process.pid!)
      for (const line of child.lines) {
        const [word, seq, hash] = line.split(' ')
        if (word === 'acked') acked.set(Number(seq), hash!)
      }
      const contents = await readAuditLog(path)
      if (contents.torn) {
        // What a person does after inspecting it: cut the torn last line, keep a copy aside.
        torn++
        const { readFileSync, writeFileSync } = await import('node:fs')
        const text = readFileSync(path, 'utf8')
        writeFileSync(`${path}.torn-${round}`, text)
        writeFileSync(path, text.slice(0, text.lastIndexOf('\n') + 1))
      }
      const events = (await readAuditLog(path)).events as AuditEvent[]
      expect(verifyAuditChain(events).ok).toBe(true)
      for (const [seq, hash] of acked) expect(events[seq]?.hash, `acked seq ${seq}`).toBe(hash)
    }
    // Each restart took over the killed writer's lock and said so in its resume event.
    const sink = await fileAuditSink(path)
    expect(sink.takenOver?.pid).toBe(pids.at(-1))
    await sink.close()
    const events = (await readAuditLog(path)).events as AuditEvent[]
    const takeovers = events.flatMap((e) =>
      e.type === 'resume' && e.takeover ? [e.takeover.pid] : [],
    )
    expect(takeovers).toEqual(pids.slice(0, -1))
    expect(acked.size).toBeGreaterThan(ROUNDS * 5)
    console.log(
      `SIGKILL rounds: ${ROUNDS}, events acknowledged: ${acked.size}, torn tails: ${torn}`,
    )
  }, 120_000)
})

describe('two writers on one file', () => {
  it('a second live writer, in another process, gets ERR_AUDIT_LOCKED naming the holder', async () => {
    const path = join(dir, 'two-processes.jsonl')
    const holder = start('hold', path)
    await holder.until((lines) => lines.includes('ready'))
    let caught: unknown
    try {
      await fileAuditSink(path)
    } catch (error) {
      caught = error
    } finally {
      setTimeout(() => holder.process.kill('SIGKILL'), 0)
    }
    expect(isDatagateError(caught, 'ERR_AUDIT_LOCKED')).toBe(true)
    expect(String(caught)).toContain(`process ${holder.process.pid} on `)
    holder.process.kill('SIGKILL')
    await holder.exited
    const sink = await fileAuditSink(path)
    expect(sink.takenOver?.pid).toBe(holder.process.pid)
    await sink.close()
  }, 60_000)

  it('a second writer in the same process is refused too, and the lock is released on close', async () => {
    const path = join(dir, 'one-process.jsonl')
    const first = await fileAuditSink(path)
    await expect(fileAuditSink(path)).rejects.toMatchObject({ code: 'ERR_AUDIT_LOCKED' })
    await first.close()
    const second = await fileAuditSink(path)
    expect(second.takenOver).toBeUndefined()
    await second.close()
  })

  it('two writers started at once never interleave: one writes, the other is refused', async () => {
    const path = join(dir, 'race.jsonl')
    const a = start('write', path)
    const b = start('write', path)
    await Promise.all([
      a.until((lines) => lines.length >= 20),
      b.until((lines) => lines.length >= 20),
    ])
    a.process.kill('SIGKILL')
    b.process.kill('SIGKILL')
    await Promise.all([a.exited, b.exited])
    const refused = [a, b].filter((c) =>
      c.lines.some((l) => l.startsWith('refused ERR_AUDIT_LOCKED')),
    )
    expect(refused).toHaveLength(1)
    const events = (await readAuditLog(path)).events as AuditEvent[]
    expect(verifyAuditChain(events).ok).toBe(true)
    expect(new Set(events.map((e) => e.seq)).size).toBe(events.length)
  }, 60_000)
})

describe('the checkpoint timer', () => {
  it('does not keep the process alive: a gate never closed still lets its process exit', async () => {
    const idle = fileURLToPath(new URL('fixtures/idle-gate.ts', import.meta.url))
    const started = Date.now()
    const child = startScript(idle, [])
    const code = await child.exited
    expect(child.lines.some((line) => line.startsWith('released'))).toBe(true)
    expect(code).toBe(0)
    // Far sooner than the 60 s interval the timer was set to.
    expect(Date.now() - started).toBeLessThan(30_000)
  }, 60_000)
})
