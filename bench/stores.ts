// `npm run bench:stores`: the shared stores of issue 11 on the real servers of
// scripts/test-services.sh (DATAGATE_TEST_PG, DATAGATE_TEST_REDIS); skipped with a message when
// they are not set. Measures:
//   - appends/s to one PostgreSQL chain from 1 and from 4 processes, with and without group
//     commit, under the server's fsync setting (reported);
//   - gate.release of 100-record requests at 500 releases/s, open loop, with the PostgreSQL sink
//     vs the memory sink: p50 and p99 latency, and what the PostgreSQL sink adds;
//   - replay-cache claims/s from 4 clients, node-redis 5 and ioredis 5.
// Results print as a table and go to bench/results/stores.json. Figures are from a shared 2-core
// machine: read them as orders of magnitude.
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import pg from 'pg'
import { createClient } from 'redis'
import {
  type AuditSink,
  createGate,
  type Gate,
  generateKeys,
  memoryAuditSink,
} from '../src/index.js'
import { migrate, postgresAuditSink } from '../src/stores/postgres.js'
import { redisReplayCache } from '../src/stores/redis.js'
import {
  type AfterSalesRow,
  afterSalesOrders,
  benchPolicy,
  datasets,
  ISSUER,
  NOW,
  PSEUDONYM_KEY,
  REQUEST,
} from './fixtures.js'

const PG = process.env.DATAGATE_TEST_PG
const REDIS = process.env.DATAGATE_TEST_REDIS
const results: Record<string, unknown> = {}
const rows: string[][] = []

async function appendRate(
  pool: pg.Pool,
  processes: number,
  perProcess: number,
  mode: 'each' | 'group',
): Promise<number> {
  const table = `bench_${Date.now()}_${processes}`
  await migrate(pool, { table, idleInTransactionTimeoutMs: false })
  const script = fileURLToPath(new URL('stores-writer.ts', import.meta.url))
  const children = Array.from({ length: processes }, () =>
    spawn(
      process.execPath,
      ['--import', 'tsx', script, PG!, table, '4', String(perProcess), mode],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    ),
  )
  const said = (child: (typeof children)[number], word: string) =>
    new Promise<void>((resolve) => {
      let text = ''
      child.stdout.on('data', (data: Buffer) => {
        text += data.toString()
        if (text.includes(word)) resolve()
      })
    })
  await Promise.all(children.map((c) => said(c, 'ready')))
  const done = children.map((c) => said(c, 'done'))
  const start = performance.now()
  for (const child of children) child.stdin.end('go\n')
  await Promise.all(done)
  const seconds = (performance.now() - start) / 1000
  await pool.query(`DROP TABLE "${table}"`)
  return (processes * perProcess) / seconds
}

async function appends(pool: pg.Pool): Promise<void> {
  // The server's own setting, reported as it is: a server started with `-c fsync=off` (as the
  // CI script does) ignores ALTER SYSTEM, so run the bench against a server started with fsync on
  // (DATAGATE_TEST_PG_FSYNC=on . scripts/test-services.sh) for that row.
  const { rows: settings } = await pool.query(
    "SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync",
  )
  const mode = `fsync ${settings[0].fsync}, synchronous_commit ${settings[0].sync}`
  for (const group of ['each', 'group'] as const)
    for (const processes of [1, 4]) {
      const rate = await appendRate(pool, processes, 6000 / processes, group)
      const how =
        group === 'group'
          ? 'group commit (1 log, 64 appends in flight)'
          : 'no group commit (4 logs, 1 append in flight each)'
      const what = `appends/s from ${processes} process(es), ${mode}, ${how}`
      results[what] = Math.round(rate)
      rows.push([what, rate.toFixed(0)])
    }
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

/** Open loop: a release of 100 rows every 2 ms (500/s), each timed from its own start. */
async function paced(
  gate: Gate,
  batch: readonly AfterSalesRow[],
  count: number,
): Promise<number[]> {
  const latencies: number[] = []
  const inFlight: Promise<void>[] = []
  const start = performance.now()
  for (let i = 0; i < count; i++) {
    const due = start + i * 2
    const wait = due - performance.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    const began = performance.now()
    inFlight.push(
      gate.release(batch, REQUEST).then(() => {
        latencies.push(performance.now() - began)
      }),
    )
  }
  await Promise.all(inFlight)
  return latencies.sort((a, b) => a - b)
}

async function releases(pool: pg.Pool): Promise<void> {
  const table = `bench_release_${Date.now()}`
  await migrate(pool, { table, idleInTransactionTimeoutMs: false })
  const keys = await generateKeys()
  const batch = [...afterSalesOrders(100)]
  const gateWith = (audit: AuditSink) =>
    createGate({
      issuer: ISSUER,
      datasets,
      policy: benchPolicy(),
      keys,
      pseudonymKey: PSEUDONYM_KEY,
      audit,
      now: () => NOW,
    })
  const memory = gateWith(memoryAuditSink())
  const postgres = gateWith(postgresAuditSink({ pool, table }))
  // A server's steady state: a fresh cluster has one WAL segment, and each further 16 MB one is
  // created and zero-filled by the backend that needs it, which stalled appends for 16-23 ms with
  // fsync on (measured: the runs that created one had a p99 of 4.8-5.3 ms against 3.2-4.6 ms).
  // A server that has run a while recycles the segments of WAL before its last checkpoint; the
  // append-rate part above wrote about 40 MB of WAL, and this checkpoint recycles them.
  const recycled = await pool.query('CHECKPOINT').then(
    () => true,
    () => false,
  )
  results['WAL recycled by a CHECKPOINT before the release loop'] = recycled
  // Warm both (JIT, connections, the startup events) before measuring.
  await paced(memory, batch, 200)
  await paced(postgres, batch, 200)
  const measured: Record<string, number[]> = { memory: [], postgres: [] }
  // 6,000 releases a sink: the p99 is then the 60th slowest, not the 30th.
  for (let round = 0; round < 4; round++)
    for (const [name, gate] of [
      ['memory', memory],
      ['postgres', postgres],
    ] as const)
      measured[name]!.push(...(await paced(gate, batch, 1500)))
  const stats = Object.fromEntries(
    Object.entries(measured).map(([name, values]) => {
      const sorted = values.sort((a, b) => a - b)
      return [name, { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) }]
    }),
  ) as Record<'memory' | 'postgres', { p50: number; p99: number }>
  const added = {
    p50: stats.postgres.p50 - stats.memory.p50,
    p99: stats.postgres.p99 - stats.memory.p99,
  }
  results['release 100 rows at 500/s'] = { ...stats, added }
  if (!recycled)
    rows.push(['CHECKPOINT refused (no pg_checkpoint role): WAL segments may be created', '-'])
  rows.push([
    'release p50 / p99 ms, memory sink',
    `${stats.memory.p50.toFixed(2)} / ${stats.memory.p99.toFixed(2)}`,
  ])
  rows.push([
    'release p50 / p99 ms, PostgreSQL sink',
    `${stats.postgres.p50.toFixed(2)} / ${stats.postgres.p99.toFixed(2)}`,
  ])
  rows.push([
    'added by PostgreSQL, p50 / p99 ms',
    `${added.p50.toFixed(2)} / ${added.p99.toFixed(2)}`,
  ])
  await Promise.all([memory.close(), postgres.close()])
  await pool.query(`DROP TABLE "${table}"`)
}

async function replay(): Promise<void> {
  for (const kind of ['node-redis', 'ioredis'] as const) {
    const clients = await Promise.all(
      Array.from({ length: 4 }, async () => {
        if (kind === 'ioredis') {
          const client = new Redis(REDIS!, { lazyConnect: true })
          await client.connect()
          return { client, close: () => client.disconnect() }
        }
        const client = await createClient({ url: REDIS! }).connect()
        return { client, close: () => client.destroy() }
      }),
    )
    const prefix = `bench:${kind}:${Date.now()}:`
    const caches = clients.map(({ client }) => redisReplayCache({ client, prefix }))
    const now = Math.floor(Date.now() / 1000)
    const perClient = 20_000
    const start = performance.now()
    await Promise.all(
      caches.map(async (cache, c) => {
        // 32 claims in flight per client.
        let next = 0
        await Promise.all(
          Array.from({ length: 32 }, async () => {
            while (next < perClient) await cache.claim(`${c}-${next++}`, now + 60, now)
          }),
        )
      }),
    )
    const rate = (4 * perClient) / ((performance.now() - start) / 1000)
    results[`replay claims/s, 4 ${kind} clients`] = Math.round(rate)
    rows.push([`replay claims/s from 4 ${kind} clients`, rate.toFixed(0)])
    for (const { close } of clients) close()
  }
}

if (!PG && !REDIS) {
  console.log(
    'bench/stores.ts: SKIPPED — DATAGATE_TEST_PG and DATAGATE_TEST_REDIS are not set (. scripts/test-services.sh)',
  )
  process.exit(0)
}
if (PG) {
  const pool = new pg.Pool({ connectionString: PG, max: 4 })
  await appends(pool)
  await releases(pool)
  await pool.end()
} else console.log('bench/stores.ts: PostgreSQL part SKIPPED — DATAGATE_TEST_PG is not set')
if (REDIS) await replay()
else console.log('bench/stores.ts: Redis part SKIPPED — DATAGATE_TEST_REDIS is not set')

const width = Math.max(...rows.map((r) => r[0]!.length))
for (const [what = '', value = ''] of rows) console.log(`${what.padEnd(width)}  ${value}`)
mkdirSync(fileURLToPath(new URL('results/', import.meta.url)), { recursive: true })
writeFileSync(
  fileURLToPath(new URL('results/stores.json', import.meta.url)),
  `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`,
)
