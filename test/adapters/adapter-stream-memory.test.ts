// Runs bench/adapter-stream-memory.ts from source with a small count: an NDJSON stream served by
// the fetch adapter on @hono/node-server, consumed by fetchSharedStream in a child process. Checks
// the record count and that the client's verification passed; the peak RSS of both processes is
// recorded, not asserted (the figures for 1,000,000 records are in docs/benchmarks.md).
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../', import.meta.url))
const RECORDS = 20_000
const CHUNK = 1_000

interface Figures {
  readonly records: number
  readonly chunks: number
  readonly verified: boolean
  readonly serverPeakRssMB: number
  readonly clientPeakRssMB: number
  readonly recordsPerSecond: number
}

test('a stream served by the fetch adapter is consumed and verified by fetchSharedStream in another process', async () => {
  const { stdout } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/adapter-stream-memory.ts',
      '--records',
      String(RECORDS),
      '--chunk',
      String(CHUNK),
    ],
    {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: 'bench/tsconfig.node-hash.json' },
      timeout: 110_000,
      maxBuffer: 1024 * 1024,
    },
  )
  const figures = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Figures
  console.log(
    `adapter-stream-memory: ${figures.records} records, ${figures.chunks} chunks, server peak RSS ${figures.serverPeakRssMB} MB, client ${figures.clientPeakRssMB} MB, ${figures.recordsPerSecond} records/s`,
  )
  expect(figures.verified).toBe(true)
  expect(figures.records).toBe(RECORDS)
  expect(figures.chunks).toBe(RECORDS / CHUNK)
}, 120_000)
