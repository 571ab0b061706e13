// Streams a large export of the bench workload (bench/fixtures.ts) through gate.exportStream and straight into verifyStream in the same
// process, and reports the peak resident set size. Rows come from a generator one at a time and
// every part is verified as it is produced, so nothing holds the whole stream: memory should stay
// flat however many records pass. Run by bench/index.ts (which holds the bound) and by
// test/export/stream-memory.test.ts (which records the figure).
//
//   npm run bench:stream-memory -- [--records 1000000] [--chunk 10000] [--verify false]
//
// `--verify false` drains the parts without verifying them: the issuer's side alone, as a
// partner verifying in its own process would leave it (the target is on the default, both sides).
//
// That script builds the package and bundles this file with datagate left external, so the
// figure is that of the built package under plain node, as users run it (tsx adds ~45 MB).
//
// Prints one line of JSON: { records, chunks, peakRssMB, seconds, ... }.
import { parseArgs } from 'node:util'
import { verifyStream } from 'datagate'
import { hashBackend } from '#hash'
import {
  type AfterSalesRow,
  afterSalesOrders,
  benchGate,
  ISSUER,
  NOW,
  PASSING_HOURS,
  REQUEST,
} from './fixtures.js'

async function* lazyRows(count: number): AsyncGenerator<AfterSalesRow, void, undefined> {
  // Every order passes the agreement's condition, so every row is released.
  for (const row of afterSalesOrders(count, 20261201, PASSING_HOURS)) yield row
}

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    chunk: { type: 'string', default: '625' },
    verify: { type: 'string', default: 'true' },
  },
})
const count = Number(values.records)
const chunkSize = Number(values.chunk)
if (
  !Number.isSafeInteger(count) ||
  count < 1 ||
  !Number.isSafeInteger(chunkSize) ||
  chunkSize < 1
) {
  throw new RangeError('--records and --chunk must be positive integers')
}

const started = performance.now()
const { gate } = await benchGate()
const parts = gate.exportStream(lazyRows(count), { ...REQUEST, chunkSize })
const verify = values.verify !== 'false'
let records = 0
let chunks = 0
if (verify) {
  const verified = verifyStream(parts, {
    jwks: gate.jwks(),
    issuer: ISSUER,
    audience: REQUEST.partner,
    now: () => NOW,
  })
  for await (const chunk of verified) {
    records += chunk.records.length
    chunks++
  }
} else {
  for await (const part of parts) {
    if (part.kind !== 'chunk') continue
    records += part.count
    chunks++
  }
}
const seconds = (performance.now() - started) / 1000
console.log(
  JSON.stringify({
    records,
    chunks,
    peakRssMB: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
    seconds: Math.round(seconds * 10) / 10,
    chunkSize,
    verified: verify,
    hashBackend,
    node: process.version,
  }),
)
