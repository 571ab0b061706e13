// A folder as an export sink. Each put writes a temp file beside its target, syncs it and renames
// it over the target: a reader (or a retried job) sees the old file or the whole new one. A
// writer killed mid-put leaves only its dot-named temp file, which `list` never shows.
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import { assertString } from '../lib/assert.js'
import { assertSinkKey, type ExportSink, type SinkBody } from './sink.js'

const encoder = new TextEncoder()

async function* pieces(body: SinkBody): AsyncGenerator<Uint8Array, void, undefined> {
  if (typeof body === 'string') yield encoder.encode(body)
  else if (body instanceof Uint8Array) yield body
  else for await (const part of body) yield typeof part === 'string' ? encoder.encode(part) : part
}

/**
 * An {@link ExportSink} over a folder (Node only): keys are paths under `root`, written
 * atomically (temp file, fsync, rename). Temp files of a writer that died stay as
 * `.<name>.<random>.tmp` beside their target until a person removes them.
 *
 * @example
 * ```ts
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { folderSink } from 'datagate/jobs'
 *
 * const sink = folderSink(mkdtempSync(join(tmpdir(), 'datagate-sink-')))
 * await sink.put('nightly-1/set.jwt', 'eyJ...')
 * console.log(await sink.list('nightly-1/')) // [ 'nightly-1/set.jwt' ]
 * ```
 */
export function folderSink(root: string): ExportSink & { readonly root: string } {
  assertString(root, 'folderSink: root', { nonEmpty: true })
  const pathOf = (key: string) => join(root, ...key.split('/'))
  return {
    root,
    async put(key, body) {
      assertSinkKey(key, 'folderSink.put: key')
      const target = pathOf(key)
      await mkdir(dirname(target), { recursive: true })
      const name = target.slice(dirname(target).length + 1)
      const temp = join(dirname(target), `.${name}.${randomBytes(6).toString('hex')}.tmp`)
      const file = await open(temp, 'wx', 0o600)
      try {
        for await (const piece of pieces(body)) await file.write(piece)
        await file.sync()
      } catch (error) {
        await file.close().catch(() => {})
        await rm(temp, { force: true })
        throw error
      }
      await file.close()
      await rename(temp, target)
    },
    async get(key) {
      assertSinkKey(key, 'folderSink.get: key')
      const path = pathOf(key)
      try {
        if (!(await stat(path)).isFile()) return undefined
      } catch {
        return undefined
      }
      return createReadStream(path) as AsyncIterable<Uint8Array>
    },
    async list(prefix) {
      assertString(prefix, 'folderSink.list: prefix')
      // Only the folder the prefix names is read (an export's own folder), not every export's.
      const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : ''
      if (folder !== '') assertSinkKey(folder, 'folderSink.list: prefix')
      const base = folder === '' ? root : pathOf(folder)
      let names: string[]
      try {
        names = await readdir(base, { recursive: true })
      } catch {
        return []
      }
      const keys: string[] = []
      for (const name of names) {
        const key = relative(root, join(base, name)).split(sep).join('/')
        if (key.split('/').some((segment) => segment.startsWith('.'))) continue
        if (!key.startsWith(prefix)) continue
        if ((await stat(join(base, name))).isFile()) keys.push(key)
      }
      return keys.sort()
    },
    async delete(key) {
      assertSinkKey(key, 'folderSink.delete: key')
      await rm(pathOf(key), { force: true })
    },
  }
}
