// Node-only consent store over a JSONL file: one grant or withdraw event a line, appended by the
// consent platform (or by `grant` / `withdraw` here). The file is read again whenever its size,
// modification time or inode changed since the last read, so an appended withdrawal counts from
// the next release on, across processes. Any unreadable or malformed line fails closed: a torn
// or damaged withdrawal must never be read as no withdrawal.
import { appendFile, open, readFile, stat } from 'node:fs/promises'
import { DatagateError } from '../errors.js'
import { assertString } from '../lib/assert.js'
import {
  assertConsentQuery,
  type ConsentEvent,
  ConsentIndex,
  type ConsentStore,
  parseConsentEvent,
} from './consent-store.js'

/**
 * The store made by {@link jsonlConsentStore}.
 *
 * @example
 * ```ts
 * import { mkdtemp } from 'node:fs/promises'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { type JsonlConsentStore, jsonlConsentStore } from 'datagate/node'
 *
 * const store: JsonlConsentStore = jsonlConsentStore(join(await mkdtemp(join(tmpdir(), 'consent-')), 'consent.jsonl'))
 * await store.grant('C-1', 'share-with-insurers', new Date('2026-01-01T00:00:00Z'))
 * console.log(await store.has('C-1', 'share-with-insurers', new Date('2026-02-01T00:00:00Z'))) // true
 * ```
 */
export interface JsonlConsentStore extends ConsentStore {
  /** The file. */
  readonly path: string
  has(subject: string, scope: string, at: Date): Promise<boolean>
  filter(subjects: readonly string[], scope: string, at: Date): Promise<string[]>
  /** Appends a grant line (creates the file when missing). */
  grant(subject: string, scope: string, at: Date): Promise<void>
  /** Appends a withdraw line. */
  withdraw(subject: string, scope: string, at: Date): Promise<void>
}

/** Whether the file is empty, missing, or ends with a newline. */
async function endsWithNewline(path: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>> | undefined
  try {
    handle = await open(path, 'r')
    const { size } = await handle.stat()
    if (size === 0) return true
    const last = Buffer.alloc(1)
    await handle.read(last, 0, 1, size - 1)
    return last[0] === 0x0a
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return true
    throw error
  } finally {
    await handle?.close()
  }
}

function unavailable(message: string, code?: unknown): DatagateError {
  // Only the system error's code is kept (ENOENT, EACCES): never a parse message quoting the line.
  const cause =
    typeof code === 'string' ? new Error(`consent file: ${code.slice(0, 32)}`) : undefined
  return new DatagateError('ERR_CONSENT_UNAVAILABLE', message, cause ? { cause } : {})
}

/**
 * A consent store over a JSONL file: each line `{"subject":"C-1","scope":"share-with-insurers",
 * "at":"2026-01-01T00:00:00Z","event":"grant"}` (or `"withdraw"`); `at` an ISO date-time with a
 * zone. The last event at or before the asked time decides, and of two at the same time the later
 * line. A missing, unreadable or malformed file (any line) throws `ERR_CONSENT_UNAVAILABLE` naming
 * the line number, never its text, and the gate releases nothing.
 *
 * @example
 * ```ts
 * import { mkdtemp, writeFile } from 'node:fs/promises'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { jsonlConsentStore } from 'datagate/node'
 *
 * const path = join(await mkdtemp(join(tmpdir(), 'consent-')), 'consent.jsonl')
 * await writeFile(path, [
 *   '{"subject":"C-1","scope":"share-with-insurers","at":"2026-01-01T00:00:00Z","event":"grant"}',
 *   '{"subject":"C-2","scope":"share-with-insurers","at":"2026-01-01T00:00:00Z","event":"grant"}',
 *   '{"subject":"C-2","scope":"share-with-insurers","at":"2026-03-01T00:00:00Z","event":"withdraw"}',
 * ].join('\n') + '\n')
 * const store = jsonlConsentStore(path)
 * console.log(await store.filter(['C-1', 'C-2'], 'share-with-insurers', new Date('2026-02-01T00:00:00Z'))) // [ 'C-1', 'C-2' ]
 * console.log(await store.filter(['C-1', 'C-2'], 'share-with-insurers', new Date('2026-04-01T00:00:00Z'))) // [ 'C-1' ]
 * await writeFile(path, 'not json\n')
 * await store.has('C-1', 'share-with-insurers', new Date()).catch((e) => console.log(e.code)) // ERR_CONSENT_UNAVAILABLE
 * ```
 */
export function jsonlConsentStore(path: string): JsonlConsentStore {
  assertString(path, 'jsonlConsentStore: path', { nonEmpty: true })
  let cached: { key: string; index: ConsentIndex } | undefined

  async function load(): Promise<ConsentIndex> {
    let key: string
    let text: string
    try {
      const info = await stat(path)
      key = `${info.ino}:${info.size}:${info.mtimeMs}`
      if (cached?.key === key) return cached.index
      text = await readFile(path, 'utf8')
    } catch (error) {
      throw unavailable(
        `the consent file ${path} could not be read; nothing was released`,
        (error as { code?: unknown }).code,
      )
    }
    const index = new ConsentIndex()
    const lines = text.split('\n')
    for (let i = 0; i < lines.length; i++) {
      const line = (lines[i] as string).trim()
      if (line === '') continue
      let value: unknown
      try {
        value = JSON.parse(line)
      } catch {
        value = undefined
      }
      const event = parseConsentEvent(value)
      if (!event)
        throw unavailable(
          `the consent file ${path} has a malformed event on line ${i + 1}; nothing was released`,
        )
      index.add(event.subject, event.scope, event.at, event.granted)
    }
    cached = { key, index }
    return index
  }

  async function append(subject: string, scope: string, at: Date, event: ConsentEvent['event']) {
    assertConsentQuery([subject], scope, at, `consent.${event}`)
    const line: ConsentEvent = { subject, scope, at: at.toISOString(), event }
    try {
      // A file written by hand may end without a newline: the event must not join its last line.
      const separator = (await endsWithNewline(path)) ? '' : '\n'
      // One write per line, with its newline: appends from several processes do not interleave.
      await appendFile(path, `${separator}${JSON.stringify(line)}\n`, {
        encoding: 'utf8',
        flag: 'a',
      })
    } catch (error) {
      throw unavailable(
        `the consent file ${path} could not be written`,
        (error as { code?: unknown }).code,
      )
    }
  }

  return Object.freeze({
    path,
    async has(subject: string, scope: string, at: Date): Promise<boolean> {
      assertConsentQuery([subject], scope, at, 'consent.has')
      return (await load()).has(subject, scope, at.getTime())
    },
    async filter(subjects: readonly string[], scope: string, at: Date): Promise<string[]> {
      assertConsentQuery(subjects, scope, at, 'consent.filter')
      const index = await load()
      const time = at.getTime()
      return subjects.filter((subject) => index.has(subject, scope, time))
    },
    grant: (subject: string, scope: string, at: Date) => append(subject, scope, at, 'grant'),
    withdraw: (subject: string, scope: string, at: Date) => append(subject, scope, at, 'withdraw'),
  })
}
