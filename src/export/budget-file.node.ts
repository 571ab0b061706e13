// Node-only privacy-budget ledger in a folder (typically the audit log's): `budget.json` holds
// every entry's total, replaced atomically (write a temporary file, fsync, rename, fsync the
// folder), so a crash leaves the old ledger or the new one, never half of one, and a restart
// reads back every spend. A lock file serialises spends across processes: `budget.lock` is
// created exclusively (O_EXCL) and holds the pid and host of its holder; a lock whose process is
// gone on this host is stale and is taken over. Within one process, spends queue on a promise.
import { randomBytes } from 'node:crypto'
import { lstat, mkdir, open, readFile, rename, unlink } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { DatagateError } from '../errors.js'
import { assertNumber, assertString } from '../lib/assert.js'
import {
  applyCharges,
  assertCharges,
  type BudgetCharge,
  type BudgetOutcome,
  type BudgetStore,
} from './budget.js'

/**
 * Options of {@link fileBudgetStore}.
 *
 * @example
 * ```ts
 * import type { FileBudgetStoreOptions } from 'datagate/node'
 *
 * const options: FileBudgetStoreOptions = { lockTimeoutMs: 2000 }
 * console.log(options.lockTimeoutMs) // 2000
 * ```
 */
export interface FileBudgetStoreOptions {
  /** How long a spend waits for another process's lock before it fails; default 10 000 ms. */
  readonly lockTimeoutMs?: number
}

/**
 * The store made by {@link fileBudgetStore}.
 *
 * @example
 * ```ts
 * import { mkdtemp } from 'node:fs/promises'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { type FileBudgetStore, fileBudgetStore } from 'datagate/node'
 *
 * const store: FileBudgetStore = fileBudgetStore(await mkdtemp(join(tmpdir(), 'datagate-budget-')))
 * await store.spend([{ key: 'k', amount: 2, limit: 5 }])
 * console.log(await store.read()) // { k: 2 }
 * ```
 */
export interface FileBudgetStore extends BudgetStore {
  /** The ledger file. */
  readonly path: string
  /** Every entry's total as the file holds it now. */
  read(): Promise<Readonly<Record<string, number>>>
}

function unavailable(message: string, cause?: unknown): never {
  throw new DatagateError('ERR_BUDGET_UNAVAILABLE', message, {
    cause: cause ?? new Error(message),
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function readLedger(path: string): Promise<Map<string, number>> {
  let link: boolean
  try {
    link = (await lstat(path)).isSymbolicLink()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map()
    return unavailable('budget ledger: the file cannot be read', error)
  }
  // The ledger is replaced by rename, which replaces a symlink rather than its target: spends
  // would silently stop reaching a ledger shared through a link (whose lock is in another folder
  // anyway). Share the folder instead.
  if (link)
    unavailable('budget ledger: budget.json is a symbolic link; share the folder, not the file')
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    return unavailable('budget ledger: the file cannot be read', error)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    // No cause: V8's JSON.parse message quotes the text around the error, and a damaged ledger
    // may hold anything.
    return unavailable('budget ledger: the file is not JSON')
  }
  const entries = (parsed as { entries?: unknown } | null)?.entries
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries))
    unavailable('budget ledger: the file has no entries object')
  const ledger = new Map<string, number>()
  for (const [key, total] of Object.entries(entries)) {
    if (!Number.isSafeInteger(total) || (total as number) < 0)
      unavailable('budget ledger: an entry is not a non-negative integer')
    ledger.set(key, total as number)
  }
  return ledger
}

async function writeLedger(folder: string, path: string, ledger: Map<string, number>) {
  const temporary = join(folder, `.budget.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  const body = `${JSON.stringify({ version: 1, entries: Object.fromEntries(ledger) })}\n`
  const file = await open(temporary, 'wx')
  try {
    await file.writeFile(body, 'utf8')
    await file.sync()
  } finally {
    await file.close()
  }
  await rename(temporary, path)
  // The rename is durable only once the folder's entry is flushed.
  const directory = await open(folder, 'r')
  try {
    await directory.sync()
  } finally {
    await directory.close()
  }
}

/** The holder a lock file names; `undefined` while it is being written or when unreadable. */
function parseHolder(text: string | undefined): { pid: number; host: string } | undefined {
  if (text === undefined) return undefined
  try {
    const holder = JSON.parse(text) as { pid?: unknown; host?: unknown }
    if (typeof holder.pid !== 'number' || typeof holder.host !== 'string') return undefined
    return { pid: holder.pid, host: holder.host }
  } catch {
    return undefined
  }
}

async function acquire(lock: string, timeoutMs: number): Promise<void> {
  // Elapsed time on the monotonic clock: a wall clock set back while waiting must not turn the
  // timeout into a wait of however far it went back.
  const started = performance.now()
  const me = hostname()
  for (let attempt = 0; ; attempt++) {
    try {
      const file = await open(lock, 'wx')
      await file.writeFile(JSON.stringify({ pid: process.pid, host: me, since: Date.now() }))
      await file.close()
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
        unavailable('budget ledger: the lock file cannot be created', error)
    }
    const text = await readFile(lock, 'utf8').catch(() => undefined)
    const holder = parseHolder(text)
    const stale =
      holder !== undefined && holder.host === me && holder.pid !== process.pid && !alive(holder.pid)
    // Taking over is not atomic: two processes that both see the same stale lock could each
    // remove it. Removing it only while it still holds the dead holder's text narrows that to a
    // window after a crash, never in normal operation, where only the holder removes its lock.
    if (stale && (await readFile(lock, 'utf8').catch(() => undefined)) === text) {
      await unlink(lock).catch(() => undefined)
      continue
    }
    if (performance.now() - started > timeoutMs)
      unavailable('budget ledger: another writer holds the lock past the timeout')
    await sleep(Math.min(50, 2 + attempt))
  }
}

/**
 * A privacy-budget ledger in `folder` (created if missing), shared by every gate and process that
 * opens the same folder, and surviving restarts. Each spend takes the lock, reads the ledger,
 * applies all charges or none, and replaces the file atomically before it resolves. A ledger that
 * cannot be read or parsed throws `ERR_BUDGET_UNAVAILABLE`: no release goes ahead on a budget it
 * cannot check.
 *
 * @example
 * ```ts
 * import { mkdtemp } from 'node:fs/promises'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { fileBudgetStore } from 'datagate/node'
 *
 * const folder = await mkdtemp(join(tmpdir(), 'datagate-budget-'))
 * const once = { key: 'once/charge-net/2026-06', amount: 1, limit: 1 }
 * console.log((await fileBudgetStore(folder).spend([once])).ok) // true
 * console.log((await fileBudgetStore(folder).spend([once])).ok) // false
 * ```
 */
export function fileBudgetStore(
  folder: string,
  options: FileBudgetStoreOptions = {},
): FileBudgetStore {
  assertString(folder, 'fileBudgetStore: folder', { nonEmpty: true })
  const timeoutMs = options.lockTimeoutMs ?? 10_000
  assertNumber(timeoutMs, 'fileBudgetStore: lockTimeoutMs', { min: 0 })
  const path = join(folder, 'budget.json')
  const lock = join(folder, 'budget.lock')
  let queue: Promise<unknown> = Promise.resolve()
  const ready = mkdir(folder, { recursive: true })

  const spendNow = async (charges: readonly BudgetCharge[]): Promise<BudgetOutcome> => {
    await ready
    await acquire(lock, timeoutMs)
    try {
      const ledger = await readLedger(path)
      const outcome = applyCharges(ledger, charges)
      if (outcome.ok) await writeLedger(folder, path, ledger)
      return outcome
    } finally {
      await unlink(lock).catch(() => undefined)
    }
  }

  return Object.freeze({
    path,
    spend(charges: readonly BudgetCharge[]): Promise<BudgetOutcome> {
      assertCharges(charges)
      const copy = charges.map((charge) => ({ ...charge }))
      const result = queue.then(() => spendNow(copy))
      queue = result.catch(() => undefined)
      return result
    },
    async read() {
      await ready
      return Object.freeze(Object.fromEntries(await readLedger(path)))
    },
  })
}
