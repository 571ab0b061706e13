// Node-only append-only file sink for the audit chain: one JSON line per event (JSON Lines),
// written with O_APPEND and, by default, fsync'd before the append resolves.
//
// A torn tail (a last line cut short by a crash or a full disk) is never accepted, skipped or
// overwritten: opening the sink throws ERR_AUDIT_LOG_TORN naming the line. There is
// deliberately no repair function. A torn tail means the last release may or may not have
// happened; a person must compare it with the release records, keep a copy of the file, and
// only then truncate it to its last complete line, before the service may write again.
//
// One writer per file, enforced by a lock file beside it (audit-lock.node.ts): a second live
// writer gets ERR_AUDIT_LOCKED naming the holder; a lock left by a process that is gone (on
// this host) is taken over, and the log's resume event names the writer it replaced.
import { open, readFile, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { DatagateError } from '../errors.js'
import { assertObject, assertString, invalidArgument } from '../lib/assert.js'
import {
  type AuditEvent,
  type AuditHead,
  type AuditLockHolder,
  type AuditSink,
  verifyAuditChain,
} from './audit.js'
import { acquireAuditLock } from './audit-lock.node.js'

/** Options of {@link fileAuditSink}. */
export interface FileAuditSinkOptions {
  /**
   * Flush each event to disk (`fsync`) before its append resolves. Default `true`. It costs one
   * disk flush per event: about 0.1-2 ms on a local SSD, 5-20 ms on a spinning disk or network
   * storage, which caps a single log at a few hundred to a few thousand events per second.
   * With `false` a power loss may lose the last events (a process crash does not), and may
   * leave a torn last line, which the next open reports; earlier lines are never rewritten.
   */
  readonly fsync?: boolean
}

/** The sink made by {@link fileAuditSink}. */
export interface FileAuditSink extends AuditSink {
  /** The file written to. */
  readonly path: string
  /** The last event in the file; `undefined` when the file is new or empty. */
  head(): AuditHead | undefined
  /** The writer whose stale lock this sink took over on opening, if any. */
  readonly takenOver?: AuditLockHolder
  /** Appends one line and, with `fsync`, flushes it before resolving. */
  append(event: AuditEvent): Promise<void>
  /** Waits for pending writes, closes the file and removes the lock; later appends throw. */
  close(): Promise<void>
}

/** Result of {@link readAuditLog}. */
export interface AuditLogContents {
  /** Parsed lines in order; a line that is not JSON (not at the end) appears as `null`. */
  readonly events: unknown[]
  /** Present when the last line is torn: not ended by a newline, or not JSON. 1-based. */
  readonly torn?: { readonly line: number }
}

/**
 * Reads an audit log file written by {@link fileAuditSink}, for the CLI and verifiers. A torn
 * last line is left out of `events` and reported as `torn`. A missing file reads as empty.
 * Reads the whole file into memory.
 *
 * @example
 * ```ts
 * import { readAuditLog } from 'datagate/node'
 * import { verifyAuditChain } from 'datagate/export'
 *
 * const { events, torn } = await readAuditLog('/tmp/datagate-example-audit.jsonl')
 * if (torn) console.log(`line ${torn.line} is torn`)
 * console.log(verifyAuditChain(events).ok)
 * ```
 */
export async function readAuditLog(path: string): Promise<AuditLogContents> {
  assertString(path, 'readAuditLog: path', { nonEmpty: true })
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (isMissing(error)) return { events: [] }
    throw error
  }
  if (text === '') return { events: [] }
  const complete = text.endsWith('\n')
  const lines = (complete ? text.slice(0, -1) : text).split('\n')
  const events = lines.map(parseLine)
  // A last line without its newline is torn even when it parses: the write was cut short.
  if (!complete || events.at(-1) === null)
    return { events: events.slice(0, -1), torn: { line: lines.length } }
  return { events }
}

// The folder is the operator's to create (with the permissions and the disk it needs): a sink
// never creates it, and a missing one is named as such rather than as a raw ENOENT on a lock file.
async function assertDirectory(path: string, what: string): Promise<void> {
  const directory = dirname(path)
  let isDirectory = false
  try {
    isDirectory = (await stat(directory)).isDirectory()
  } catch (cause) {
    throw new DatagateError(
      'ERR_AUDIT_WRITE_FAILED',
      `${what}: the directory ${directory} does not exist or cannot be read; create it first`,
      { cause },
    )
  }
  if (!isDirectory)
    throw new DatagateError('ERR_AUDIT_WRITE_FAILED', `${what}: ${directory} is not a directory`)
}

/**
 * Opens (or creates) an append-only audit log file and returns an {@link AuditSink} for
 * `createAuditLog`. The existing file is read to resume the chain: its last event becomes
 * `head()`. A torn last line throws `ERR_AUDIT_LOG_TORN` naming the line, and the file is left
 * untouched; see the module comment for what to do. One writer per file: opening takes the
 * lock `<path>.lock`; a second live writer (in this process or another) gets
 * `ERR_AUDIT_LOCKED` naming the holder, and a lock whose process is gone on this host is taken
 * over (`takenOver`; the log's resume event names it). `close()` releases the lock.
 *
 * @example
 * ```ts
 * import { fileAuditSink } from 'datagate/node'
 * import { createAuditLog, type AuditEventInput } from 'datagate/export'
 *
 * const sink = await fileAuditSink('/tmp/datagate-example-audit.jsonl')
 * const log = createAuditLog({ sink })
 * const input: AuditEventInput = {
 *   type: 'release', partner: 'rental-co', dataset: 'customer', purpose: 'courtesy-car',
 *   agreement: 'courtesy-car-2026', fields: [{ path: 'city', operator: 'keep' }], rows: 3,
 *   payloadDigest: 'sha256:00', policyHash: 'sha256:11',
 * }
 * await log.append(input)
 * await sink.close()
 * ```
 */
export async function fileAuditSink(
  path: string,
  options: FileAuditSinkOptions = {},
): Promise<FileAuditSink> {
  assertString(path, 'fileAuditSink: path', { nonEmpty: true })
  assertObject(options, 'fileAuditSink: options')
  const fsync = options.fsync ?? true
  await assertDirectory(path, 'fileAuditSink')
  // The lock comes first: reading the file while another writer appends would resume from a
  // head that is already stale.
  const lock = await acquireAuditLock(path)
  let head: AuditHead | undefined
  let handle: Awaited<ReturnType<typeof open>>
  try {
    const existing = await readAuditLog(path)
    if (existing.torn)
      throw new DatagateError(
        'ERR_AUDIT_LOG_TORN',
        `audit log ${path}: line ${existing.torn.line} is torn (incomplete or not JSON); a person must inspect it, nothing was written`,
      )
    head = lastHead(path, existing.events)
    handle = await open(path, 'a')
  } catch (error) {
    await lock.release()
    throw error
  }
  const existingEvents = head === undefined ? 0 : head.seq + 1
  if (existingEvents === 0 && fsync) await syncDirectory(path)
  let queue: Promise<unknown> = Promise.resolve()
  let failed = false
  let closed = false

  async function write(event: AuditEvent): Promise<void> {
    if (closed) throw new Error(`audit log ${path} is closed`)
    if (failed) throw new Error(`audit log ${path}: an earlier write failed; reopen the sink`)
    const expectedSeq = head === undefined ? 0 : head.seq + 1
    if (event.seq !== expectedSeq || (head !== undefined && event.prev !== head.hash))
      throw new Error(`audit log ${path}: event seq ${event.seq} does not continue the file`)
    const line = `${JSON.stringify(event)}\n`
    try {
      await handle.appendFile(line, 'utf8')
      if (fsync) await handle.sync()
    } catch (error) {
      // Part of the line may be on disk: refuse further writes so it stays the torn tail,
      // which the next open reports, instead of being buried under later lines.
      failed = true
      throw error
    }
    head = { seq: event.seq, hash: event.hash }
  }

  return {
    path,
    ...(lock.takenOver === undefined ? {} : { takenOver: lock.takenOver }),
    head: () => head,
    append(event: AuditEvent): Promise<void> {
      const result = queue.then(() => write(event))
      queue = result.catch(() => undefined)
      return result
    },
    async close(): Promise<void> {
      if (closed) return
      closed = true
      await queue
      await handle.close()
      await lock.release()
    },
  }
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown
  } catch {
    return null
  }
}

function lastHead(path: string, events: readonly unknown[]): AuditHead | undefined {
  if (events.length === 0) return undefined
  const last = events.at(-1)
  // Only the last line is checked here (cheap); verifyAuditChain over readAuditLog checks all.
  const report = verifyAuditChain([last])
  const broken = report.firstBroken
  if (broken !== undefined && (broken.reason === 'malformed' || broken.reason === 'hash_mismatch'))
    throw new DatagateError(
      'ERR_AUDIT_LOG_TORN',
      `audit log ${path}: line ${events.length} is not a valid audit event (${broken.reason}); a person must inspect it, nothing was written`,
    )
  const event = last as AuditEvent
  return { seq: event.seq, hash: event.hash }
}

async function syncDirectory(path: string): Promise<void> {
  // Makes a new file's directory entry durable. Best effort: not every platform can open a
  // directory (Windows cannot), and the events themselves are fsync'd regardless.
  try {
    const directory = await open(dirname(path), 'r')
    try {
      await directory.sync()
    } finally {
      await directory.close()
    }
  } catch {
    // ignored on purpose, see above
  }
}

function isMissing(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT'
  )
}

/**
 * A checkpoint sink that appends each checkpoint token as one line to a file (fsync'd), for a
 * copy on another disk or mount the log's writers cannot change. Read it back with
 * {@link readCheckpoints} and pass the tokens to `verifyAuditLog({ checkpoints })`.
 *
 * @example
 * ```ts
 * import { fileCheckpointSink, readCheckpoints } from 'datagate/node'
 *
 * const copies = await fileCheckpointSink('/tmp/datagate-example-checkpoints.txt')
 * await copies.write('header.payload.signature')
 * await copies.close()
 * console.log((await readCheckpoints('/tmp/datagate-example-checkpoints.txt')).includes('header.payload.signature')) // true
 * ```
 */
export async function fileCheckpointSink(path: string): Promise<{
  /** Appends one token as a line, flushed before resolving. */
  write(token: string): Promise<void>
  /** Closes the file. */
  close(): Promise<void>
}> {
  assertString(path, 'fileCheckpointSink: path', { nonEmpty: true })
  await assertDirectory(path, 'fileCheckpointSink')
  const handle = await open(path, 'a')
  let queue: Promise<unknown> = Promise.resolve()
  return {
    write(token: string): Promise<void> {
      assertString(token, 'checkpoint token', { nonEmpty: true })
      if (/\s/.test(token))
        invalidArgument('range', 'checkpoint token', 'a token without whitespace')
      const result = queue.then(async () => {
        await handle.appendFile(`${token}\n`, 'utf8')
        await handle.sync()
      })
      queue = result.catch(() => undefined)
      return result
    },
    async close(): Promise<void> {
      await queue
      await handle.close()
    },
  }
}

/**
 * Reads the checkpoint tokens a {@link fileCheckpointSink} wrote (complete lines only). A
 * missing file reads as none.
 *
 * @example
 * ```ts
 * import { readCheckpoints } from 'datagate/node'
 *
 * console.log(await readCheckpoints('/tmp/datagate-no-such-file.txt')) // []
 * ```
 */
export async function readCheckpoints(path: string): Promise<string[]> {
  assertString(path, 'readCheckpoints: path', { nonEmpty: true })
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (isMissing(error)) return []
    throw error
  }
  const lines = text.split('\n')
  lines.pop() // the part after the last newline: empty, or a line cut short
  return lines.filter((line) => line !== '')
}
