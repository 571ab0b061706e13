// Streams 1,000,000 records through gate.exportStream and verifyStream in a child process
// (bench/stream-memory.ts) and checks that every record arrived verified. The peak RSS is
// recorded, not asserted: timing and memory bounds belong to `npm run bench`, since the test
// machines are shared and noisy.
import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../', import.meta.url))
const RECORDS = 1_000_000
const CHUNK = 10_000

interface StreamFigures {
  readonly records: number
  readonly chunks: number
  readonly peakRssMB: number
  readonly seconds: number
}

test('a stream of 1,000,000 records is exported and verified chunk by chunk', async () => {
  const { stdout } = await run(
    'npm',
    [
      'run',
      '--silent',
      'bench:stream-memory',
      '--',
      '--records',
      String(RECORDS),
      '--chunk',
      String(CHUNK),
    ],
    { cwd: root, timeout: 230_000, maxBuffer: 1024 * 1024 },
  )
  const figures = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as StreamFigures
  console.log(
    `stream-memory: ${figures.records} records, ${figures.chunks} chunks, peak RSS ${figures.peakRssMB} MB, ${figures.seconds} s`,
  )
  mkdirSync(join(root, '.vitest'), { recursive: true })
  writeFileSync(
    join(root, '.vitest', 'stream-memory.json'),
    `${JSON.stringify({ date: new Date().toISOString(), ...figures }, null, 2)}\n`,
  )
  expect(figures.records).toBe(RECORDS)
  expect(figures.chunks).toBe(RECORDS / CHUNK)
}, 240_000)
