// Runs gate.release, gate.export, gate.exportStream (drained) or gate.exportDelta on the bench workload under `node --cpu-prof`, and records
// the window of the measured calls (monotonic microseconds, the clock the profile's timestamps
// use) so bench/profile-summary.ts can leave out start-up, data generation and warm-up.
//
//   npm run bench:profile    all three, then the summary (docs/benchmarks.md records it)
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { changedRows, DELTA_ROWS } from './delta.js'
import { afterSalesOrders, BATCH_ROWS, benchGate, REQUEST } from './fixtures.js'

const { values } = parseArgs({
  options: {
    what: { type: 'string', default: 'release' },
    calls: { type: 'string' },
    window: { type: 'string' },
  },
})
const what = values.what
if (what !== 'release' && what !== 'export' && what !== 'stream' && what !== 'delta')
  throw new RangeError('--what release|export|stream|delta')
// A delta of 10,000 rows is short: more calls give the profile as many samples as the others.
const calls = Number(values.calls ?? (what === 'delta' ? 40 : 8))
const rows = [...afterSalesOrders(BATCH_ROWS)]
const before = rows.slice(0, DELTA_ROWS)
const after = changedRows(before)
const { gate } = await benchGate()
const drain = async () => {
  let length = 0
  for await (const part of gate.exportStream(rows, REQUEST)) length += part.token.length
  return length
}
const once = () =>
  what === 'release'
    ? gate.release(rows, REQUEST)
    : what === 'export'
      ? gate.export(rows, REQUEST)
      : what === 'stream'
        ? drain()
        : gate.exportDelta(before, after, REQUEST)
for (let i = 0; i < 2; i++) await once()
const micros = () => Number(process.hrtime.bigint() / 1000n)
const start = micros()
for (let i = 0; i < calls; i++) await once()
const end = micros()
if (values.window) writeFileSync(values.window, JSON.stringify({ what, calls, start, end }))
console.log(
  `${what}: ${calls} calls of ${what === 'delta' ? DELTA_ROWS : BATCH_ROWS} rows in ${((end - start) / 1e6).toFixed(1)} s`,
)
