// Threat: a careless operator (or the insider) leaves something odd at the lock path: a
// directory, garbage, a lock of another host, a lock whose pid now belongs to another live
// process. Every case fails closed with ERR_AUDIT_LOCKED, never with a raw file-system error.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { fileAuditSink } from '../../src/export/audit-file.node.js'

const dir = mkdtempSync(join(tmpdir(), 'datagate-lock-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
const fresh = () => join(dir, `audit-${n++}.jsonl`)

describe('the audit file lock fails closed on odd lock paths', () => {
  it('a directory at the lock path is ERR_AUDIT_LOCKED, not a raw EISDIR', async () => {
    const path = fresh()
    mkdirSync(`${path}.lock`)
    await expect(fileAuditSink(path)).rejects.toMatchObject({ code: 'ERR_AUDIT_LOCKED' })
  })

  it('garbage in the lock file is ERR_AUDIT_LOCKED', async () => {
    const path = fresh()
    writeFileSync(`${path}.lock`, 'not json at all')
    await expect(fileAuditSink(path)).rejects.toMatchObject({ code: 'ERR_AUDIT_LOCKED' })
  })

  it('a dangling symlink at the lock path is ERR_AUDIT_LOCKED', async () => {
    const path = fresh()
    symlinkSync(join(dir, 'nowhere'), `${path}.lock`)
    await expect(fileAuditSink(path)).rejects.toMatchObject({ code: 'ERR_AUDIT_LOCKED' })
  })

  it('a lock whose pid now belongs to another live process is held, not taken over (PID reuse fails closed)', async () => {
    const path = fresh()
    const { hostname } = await import('node:os')
    // pid 1 is always alive: stands for a reused pid.
    writeFileSync(
      `${path}.lock`,
      JSON.stringify({ pid: 1, host: hostname(), started: '2020-01-01T00:00:00.000Z' }),
    )
    await expect(fileAuditSink(path)).rejects.toMatchObject({ code: 'ERR_AUDIT_LOCKED' })
  })
})
