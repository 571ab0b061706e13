// The lock that keeps one writer per audit file. Without it two processes appending to one
// file each continue their own head, and the file fills with duplicate seqs nobody notices.
//
// The lock file holds `{ pid, host, started }`. It is created with its content in one step
// (written to a private temporary file, then hard-linked into place, which fails if a lock
// exists), so a writer killed while locking never leaves an empty lock. A lock whose process
// is gone on this host is stale: it is renamed aside (only one contender's rename succeeds),
// checked to be the lock that was judged stale, and replaced. A lock from another host cannot
// be judged from here and is treated as live: fail closed, a person removes it.
import { randomBytes } from 'node:crypto'
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { z } from 'zod'
import { DatagateError } from '../errors.js'
import type { AuditLockHolder } from './audit-event.js'

const holderSchema = z.strictObject({
  pid: z.int().min(0),
  host: z.string().min(1).max(256),
  started: z.iso.datetime(),
})

/** A held lock. */
export interface AuditLock {
  readonly holder: AuditLockHolder
  /** The stale holder this lock replaced. */
  readonly takenOver?: AuditLockHolder
  release(): Promise<void>
}

function locked(lockPath: string, holder: AuditLockHolder | undefined): DatagateError {
  const who =
    holder === undefined
      ? 'an unreadable lock'
      : `process ${holder.pid} on ${holder.host}, started ${holder.started}`
  return new DatagateError(
    'ERR_AUDIT_LOCKED',
    `audit log is locked by ${who} (${lockPath}); one writer per file. If that writer is gone, remove the lock file`,
  )
}

async function readHolder(path: string): Promise<AuditLockHolder | undefined | null> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return null
    // A directory, a file we may not read: unreadable, so held (fail closed), never a raw error.
    return undefined
  }
  try {
    const parsed = holderSchema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as { code?: unknown }).code === 'EPERM'
  }
}

/** Takes the lock of the audit file at `path`, or throws `ERR_AUDIT_LOCKED`. */
export async function acquireAuditLock(path: string): Promise<AuditLock> {
  const lockPath = `${path}.lock`
  const holder: AuditLockHolder = {
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
  }
  const text = `${JSON.stringify(holder)}\n`
  let takenOver: AuditLockHolder | undefined
  for (let attempt = 0; attempt < 5; attempt++) {
    const temporary = `${lockPath}.${process.pid}.${randomBytes(6).toString('hex')}`
    await writeFile(temporary, text, { flag: 'wx' })
    try {
      await link(temporary, lockPath)
      const lock: AuditLock = {
        holder,
        ...(takenOver === undefined ? {} : { takenOver }),
        async release() {
          const current = await readHolder(lockPath)
          if (current && JSON.stringify(current) === JSON.stringify(holder)) await unlink(lockPath)
        },
      }
      return lock
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error
    } finally {
      await unlink(temporary).catch(() => undefined)
    }
    const current = await readHolder(lockPath)
    if (current === null) continue // released meanwhile: try again
    if (current === undefined || current.host !== holder.host || alive(current.pid))
      throw locked(lockPath, current)
    const aside = `${lockPath}.stale.${process.pid}.${randomBytes(6).toString('hex')}`
    try {
      await rename(lockPath, aside)
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') continue // another contender won
      throw error
    }
    const moved = await readHolder(aside)
    if (JSON.stringify(moved) !== JSON.stringify(current)) {
      // A contender replaced the stale lock between our read and our rename: give it back.
      await link(aside, lockPath).catch(() => undefined)
      await unlink(aside).catch(() => undefined)
      throw locked(lockPath, moved ?? undefined)
    }
    await unlink(aside)
    takenOver = current
  }
  throw locked(lockPath, undefined)
}
