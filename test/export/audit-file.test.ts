import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { isDatagateError } from '../../src/errors.js'
import {
  type AuditEvent,
  auditEventHash,
  createAuditLog,
  verifyAuditChain,
} from '../../src/export/audit.js'
import { fileAuditSink, readAuditLog } from '../../src/export/audit-file.node.js'
import { input } from './audit-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'datagate-audit-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let counter = 0
const freshPath = () => join(dir, `audit-${counter++}.jsonl`)

async function writeLog(path: string, count: number, fsync = false): Promise<void> {
  const sink = await fileAuditSink(path, { fsync })
  const log = createAuditLog({ sink })
  for (let i = 0; i < count; i++) await log.append(input(i))
  await sink.close()
}

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').slice(0, -1)
const writeLines = (path: string, content: readonly string[]) =>
  writeFileSync(path, `${content.join('\n')}\n`)

async function verifyFile(path: string) {
  const { events, torn } = await readAuditLog(path)
  expect(torn).toBeUndefined()
  return verifyAuditChain(events)
}

async function openError(path: string): Promise<unknown> {
  try {
    await fileAuditSink(path)
  } catch (error) {
    return error
  }
  throw new Error('expected fileAuditSink to refuse the file')
}

describe('fileAuditSink', () => {
  it('writes 1,000 events as JSON lines that verify, and resumes the chain on reopen', async () => {
    const path = freshPath()
    await writeLog(path, 1000)
    await writeLog(path, 5, true)
    // The second writer's first event is its resume.
    expect(lines(path)).toHaveLength(1006)
    expect(JSON.parse(lines(path)[1000]!)).toMatchObject({ type: 'resume', from: { seq: 999 } })
    const report = await verifyFile(path)
    expect(report).toEqual({ ok: true, count: 1006, issues: [] })
    const sink = await fileAuditSink(path)
    expect(sink.head()?.seq).toBe(1005)
    await sink.close()
  })

  it('reads a missing file as empty and creates it on open', async () => {
    const path = freshPath()
    expect(await readAuditLog(path)).toEqual({ events: [] })
    await writeLog(path, 1, true)
    expect((await verifyFile(path)).ok).toBe(true)
  })

  it('keeps a valid chain with 50 concurrent appends', async () => {
    const path = freshPath()
    const sink = await fileAuditSink(path)
    const log = createAuditLog({ sink })
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(input(i))))
    await sink.close()
    const { events } = await readAuditLog(path)
    expect(
      (events as AuditEvent[]).map((event) => (event.type === 'release' ? event.rows : -1)),
    ).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(verifyAuditChain(events).ok).toBe(true)
  })

  it('finds an edited line, a deleted line, two swapped lines and a forged line', async () => {
    const path = freshPath()
    await writeLog(path, 20)
    const original = lines(path)

    const edited = [...original]
    edited[7] = edited[7]!.replace('"rows":7', '"rows":70')
    writeLines(path, edited)
    expect((await verifyFile(path)).firstBroken).toEqual({
      index: 7,
      seq: 7,
      reason: 'hash_mismatch',
    })

    writeLines(
      path,
      original.filter((_, i) => i !== 12),
    )
    expect((await verifyFile(path)).firstBroken).toEqual({
      index: 12,
      seq: 13,
      reason: 'prev_mismatch',
    })

    const swapped = [...original]
    ;[swapped[3], swapped[4]] = [swapped[4]!, swapped[3]!]
    writeLines(path, swapped)
    expect((await verifyFile(path)).firstBroken).toEqual({
      index: 3,
      seq: 4,
      reason: 'prev_mismatch',
    })

    // A forger who recomputes the forged line's own hash and links it to line 10: the line after
    // it no longer links.
    const { hash: _hash, ...template } = JSON.parse(original[10]!) as AuditEvent
    const forgedBody = {
      ...template,
      seq: 10,
      rows: 0,
      prev: (JSON.parse(original[9]!) as AuditEvent).hash,
    }
    const forged = JSON.stringify({ ...forgedBody, hash: auditEventHash(forgedBody) })
    writeLines(path, [...original.slice(0, 10), forged, ...original.slice(10)])
    expect((await verifyFile(path)).firstBroken).toEqual({
      index: 11,
      seq: 10,
      reason: 'prev_mismatch',
    })

    writeLines(path, original)
    expect((await verifyFile(path)).ok).toBe(true)
  })

  it('reports a file truncated mid-line as torn and refuses to open it, untouched', async () => {
    const path = freshPath()
    await writeLog(path, 5)
    const size = readFileSync(path).length
    truncateSync(path, size - 30)
    const before = readFileSync(path)

    const contents = await readAuditLog(path)
    expect(contents.torn).toEqual({ line: 5 })
    expect(contents.events).toHaveLength(4)
    expect(verifyAuditChain(contents.events).ok).toBe(true)

    const error = await openError(path)
    expect(isDatagateError(error, 'ERR_AUDIT_LOG_TORN')).toBe(true)
    expect(String(error)).toContain('line 5')
    expect(readFileSync(path).equals(before)).toBe(true)
  })

  it('treats a complete last line without a newline, or a last line that is not JSON, as torn', async () => {
    const path = freshPath()
    await writeLog(path, 3)
    const text = readFileSync(path, 'utf8')
    writeFileSync(path, text.slice(0, -1))
    expect((await readAuditLog(path)).torn).toEqual({ line: 3 })
    expect(isDatagateError(await openError(path), 'ERR_AUDIT_LOG_TORN')).toBe(true)

    writeFileSync(path, `${text}{"seq":3,"ti\n`)
    expect((await readAuditLog(path)).torn).toEqual({ line: 4 })
    expect(isDatagateError(await openError(path), 'ERR_AUDIT_LOG_TORN')).toBe(true)
  })

  it('refuses a last line that is JSON but not a valid event', async () => {
    const path = freshPath()
    await writeLog(path, 2)
    const content = lines(path)
    content[1] = content[1]!.replace('"rows":1', '"rows":2')
    writeLines(path, content)
    const error = await openError(path)
    expect(isDatagateError(error, 'ERR_AUDIT_LOG_TORN')).toBe(true)
    expect(String(error)).toContain('line 2')
  })

  it('fails the append without advancing the chain when the sink cannot write', async () => {
    const path = freshPath()
    const sink = await fileAuditSink(path, { fsync: false })
    const log = createAuditLog({ sink })
    await log.append(input(0))
    await sink.close()
    let caught: unknown
    try {
      await log.append(input(1))
    } catch (error) {
      caught = error
    }
    expect(isDatagateError(caught, 'ERR_AUDIT_WRITE_FAILED')).toBe(true)
    expect(log.head()?.seq).toBe(0)
    expect(lines(path)).toHaveLength(1)
  })
})
