// A file sink pointed at a folder that does not exist says so with a DatagateError, instead of a
// raw ENOENT about its lock file; it creates nothing.
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileAuditSink, fileCheckpointSink } from 'datagate/node'
import { describe, expect, it } from 'vitest'
import { rejected } from '../errors.js'
import { tempDir } from '../temp-dir.js'

describe('file sinks on a missing directory', () => {
  it('fileAuditSink: ERR_AUDIT_WRITE_FAILED naming the directory, nothing created', async () => {
    const missing = join(tempDir('datagate-audit-dir-'), 'audit', 'logs')
    const error = await rejected(fileAuditSink(join(missing, 'audit.jsonl')))
    expect(error.code).toBe('ERR_AUDIT_WRITE_FAILED')
    expect(error.message).toBe(
      `fileAuditSink: the directory ${missing} does not exist or cannot be read; create it first`,
    )
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT')
    expect(existsSync(missing)).toBe(false)
  })

  it('fileAuditSink: a file where the directory should be', async () => {
    const file = join(tempDir('datagate-audit-dir-'), 'not-a-dir')
    writeFileSync(file, '')
    const error = await rejected(fileAuditSink(join(file, 'audit.jsonl')))
    expect(error.code).toBe('ERR_AUDIT_WRITE_FAILED')
    expect(error.message).toMatch(/does not exist or cannot be read|is not a directory/)
  })

  it('fileCheckpointSink: the same', async () => {
    const missing = join(tempDir('datagate-audit-dir-'), 'copies')
    const error = await rejected(fileCheckpointSink(join(missing, 'checkpoints.jsonl')))
    expect(error.code).toBe('ERR_AUDIT_WRITE_FAILED')
    expect(error.message).toContain(`the directory ${missing} does not exist`)
  })

  it('control: an existing directory opens', async () => {
    const sink = await fileAuditSink(join(tempDir('datagate-audit-dir-'), 'audit.jsonl'))
    expect(typeof sink.append).toBe('function')
    await sink.close()
  })
})
