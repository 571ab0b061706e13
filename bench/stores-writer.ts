// A writer process of bench/stores.ts: `count` events in all, starting when the parent writes a
// line to stdin. Prints `ready`, then `done`. `each`: `connections` audit logs over one pool, one
// append in flight per log (no group commit). `group`: one log with 64 appends in flight, which
// its group commit hands the sink together. Args: url table connections count each|group
import pg from 'pg'
import { createAuditLog } from '../src/export/audit-log.js'
import { postgresAuditSink } from '../src/stores/postgres.js'

const [url, table, connectionsText, countText, mode = 'each'] = process.argv.slice(2)
const connections = Number(connectionsText)
const count = Number(countText)
const pool = new pg.Pool({ connectionString: url, max: connections })
const sink = postgresAuditSink({ pool, table: table!, lockTimeoutMs: 30_000 })
const logs = Array.from({ length: mode === 'group' ? 1 : connections }, () =>
  createAuditLog({ sink }),
)
const lanes = mode === 'group' ? 64 : 1
const event = (rows: number) =>
  ({
    type: 'release',
    partner: 'rental-co',
    dataset: 'after_sales_order',
    purpose: 'courtesy-car',
    agreement: 'courtesy-car-2026',
    fields: [{ path: 'city', operator: 'keep' }],
    rows,
    payloadDigest: `sha256:${'0'.repeat(64)}`,
    policyHash: 'sha256:11',
  }) as const
// Warm up: connect every pool client and resolve each log's head before the clock starts.
await Promise.all(logs.map((log) => log.append(event(0))))
process.stdout.write('ready\n')
await new Promise((resolve) => process.stdin.once('data', resolve))
let next = 0
await Promise.all(
  logs.flatMap((log) =>
    Array.from({ length: lanes }, async () => {
      while (next++ < count) await log.append(event(next))
    }),
  ),
)
process.stdout.write('done\n')
await pool.end()
