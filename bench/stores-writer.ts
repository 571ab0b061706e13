// A writer process of bench/stores.ts: `connections` audit logs over one pool append `count`
// events in all, starting when the parent writes a line to stdin. Prints `ready`, then `done`.
// Args: url table connections count
import pg from 'pg'
import { createAuditLog } from '../src/export/audit-log.js'
import { postgresAuditSink } from '../src/stores/postgres.js'

const [url, table, connectionsText, countText] = process.argv.slice(2)
const connections = Number(connectionsText)
const count = Number(countText)
const pool = new pg.Pool({ connectionString: url, max: connections })
const sink = postgresAuditSink({ pool, table: table!, lockTimeoutMs: 30_000 })
const logs = Array.from({ length: connections }, () => createAuditLog({ sink }))
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
  logs.map(async (log) => {
    while (next++ < count) await log.append(event(next))
  }),
)
process.stdout.write('done\n')
await pool.end()
