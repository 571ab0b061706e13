// Reading a stored export back: the lines of a partition (its chunk tokens, the manifest last)
// and the whole set as verifyStreamSet takes it.
import { DatagateError } from '../errors.js'
import { assertNumber } from '../lib/assert.js'
import { base64urlDecode } from '../lib/bytes.js'
import { assertExportId, assertSink, type ExportSink, partitionKey, setKey } from './sink.js'

/** Splits a body into its non-empty lines (a signed chunk is one line; lines may be megabytes). */
async function* linesOf(
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder()
  let rest = ''
  for await (const piece of body as AsyncIterable<Uint8Array>) {
    const text = rest + decoder.decode(piece, { stream: true })
    const lines = text.split('\n')
    rest = lines.pop() ?? ''
    for (const line of lines) if (line !== '') yield line
  }
  rest += decoder.decode()
  if (rest !== '') yield rest
}

/** The last non-empty line of a body: a partition's manifest token. */
export async function lastLine(
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<string | undefined> {
  let last: string | undefined
  for await (const line of linesOf(body)) last = line
  return last
}

/**
 * The stored lines of one partition: its chunk tokens, then its manifest token, as
 * `verifyStream` takes them. `ERR_STREAM_SET_INCOMPLETE` when the sink holds no such partition.
 *
 * @example
 * ```ts
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { folderSink, readPartition } from 'datagate/jobs'
 *
 * const sink = folderSink(mkdtempSync(join(tmpdir(), 'dg-')))
 * await sink.put('e1/partition-000000.ndjson', 'chunk-token\nmanifest-token\n')
 * const lines = []
 * for await (const line of readPartition(sink, 'e1', 0)) lines.push(line)
 * console.log(lines) // [ 'chunk-token', 'manifest-token' ]
 * ```
 */
export async function* readPartition(
  sink: ExportSink,
  exportId: string,
  partition: number,
): AsyncGenerator<string, void, undefined> {
  assertSink(sink, 'readPartition: sink')
  assertExportId(exportId, 'readPartition: exportId')
  assertNumber(partition, 'readPartition: partition', { integer: true, min: 0 })
  const body = await sink.get(partitionKey(exportId, partition))
  if (body === undefined)
    throw new DatagateError(
      'ERR_STREAM_SET_INCOMPLETE',
      `readPartition: export ${exportId} has no partition ${partition}`,
    )
  yield* linesOf(body)
}

/**
 * A stored export set as `verifyStreamSet` takes it: the set manifest token and, lazily, each
 * partition it lists in order. `ERR_STREAM_SET_INCOMPLETE` when the set is not signed yet.
 *
 * @example
 * ```ts
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { folderSink, readExportSet } from 'datagate/jobs'
 *
 * const sink = folderSink(mkdtempSync(join(tmpdir(), 'dg-')))
 * await readExportSet(sink, 'not-there').catch((e) => console.log(e.code)) // 'ERR_STREAM_SET_INCOMPLETE'
 * ```
 */
export async function readExportSet(
  sink: ExportSink,
  exportId: string,
): Promise<{ readonly set: string; readonly partitions: AsyncIterable<AsyncIterable<string>> }> {
  assertSink(sink, 'readExportSet: sink')
  assertExportId(exportId, 'readExportSet: exportId')
  const body = await sink.get(setKey(exportId))
  const set = body === undefined ? undefined : await lastLine(body)
  if (set === undefined)
    throw new DatagateError(
      'ERR_STREAM_SET_INCOMPLETE',
      `readExportSet: export ${exportId} has no signed set manifest yet`,
    )
  // How many partitions the set lists; verifyStreamSet checks its signature and each partition.
  // A malformed token yields no partitions here and fails there.
  let of = 0
  try {
    const payload = JSON.parse(
      new TextDecoder().decode(base64urlDecode(set.split('.')[1] ?? '')),
    ) as { of?: unknown }
    if (Number.isSafeInteger(payload.of)) of = payload.of as number
  } catch {
    of = 0
  }
  async function* partitions(): AsyncGenerator<AsyncIterable<string>, void, undefined> {
    for (let partition = 0; partition < of; partition++)
      yield readPartition(sink, exportId, partition)
  }
  return { set, partitions: partitions() }
}
