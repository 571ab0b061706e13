// `npm run bench:stores` (second part): bulk export throughput of datagate/jobs with 1, 2 and 4
// worker processes over pg-boss on the real PostgreSQL of scripts/test-services.sh
// (DATAGATE_TEST_PG); skipped with a message when it is not set. Each run exports the same
// generated records in 8 partitions, timed from startExport to the signed set manifest (workers
// started and connected before the clock starts), and reads each worker's CPU time from
// /proc/<pid>/stat to show what bounds it; a baseline runs the same records through one gate in
// this process, without queue or sink. Results go to bench/results/jobs.json.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import PgBoss from 'pg-boss'
import { exportPrivateJwks, importKeysFrom } from '../src/export/keys-source.node.js'
import { createGate, generateKeys, memoryAuditSink } from '../src/index.js'
import { folderSink } from '../src/jobs/folder-sink.js'
import { registerExportJobs } from '../src/jobs/register.js'
import { migrate } from '../src/stores/postgres.js'
import { startScript } from '../test/child-process.js'
import {
  exportPolicy,
  exportRequest,
  PSEUDONYM_KEY,
  Vehicle,
  vehicleRows,
} from '../test/stores/fixtures/export-fixture.js'

const PG = process.env.DATAGATE_TEST_PG
const TOTAL = Number(process.env.DATAGATE_BENCH_JOBS_TOTAL ?? 400_000)
const PARTITIONS = 8
const worker = fileURLToPath(new URL('../test/stores/fixtures/export-worker.ts', import.meta.url))

/** User plus system CPU seconds of a live process (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

async function run(pool: pg.Pool, keysFile: string, workers: number) {
  const stamp = `${Date.now()}_${workers}`
  const table = `bench_jobs_${stamp}`
  const schema = `bench_boss_${stamp}`
  await migrate(pool, { table, idleInTransactionTimeoutMs: false })
  const dir = mkdtempSync(join(tmpdir(), 'datagate-bench-jobs-'))
  const boss = new PgBoss({ connectionString: PG as string, schema, max: 2 })
  boss.on('error', () => undefined)
  await boss.start()
  const children = Array.from({ length: workers }, () =>
    startScript(worker, [PG as string, table, keysFile, dir, schema, String(TOTAL), '900']),
  )
  await Promise.all(children.map((c) => c.until((lines) => lines.includes('ready'))))
  const gate = createGate({
    issuer: 'oem',
    datasets: [Vehicle],
    policy: exportPolicy,
    audit: false,
  })
  const jobs = await registerExportJobs(boss, gate, {
    sink: folderSink(dir),
    source: () => [],
    work: false,
    pgBoss: { expireInSeconds: 900 },
  })
  const cpuBefore = children.map((c) => cpuSeconds(c.process.pid as number))
  const start = performance.now()
  await jobs.startExport({ exportId: 'bench', ...exportRequest, partitions: PARTITIONS })
  await jobs.waitFor('bench', { intervalMs: 20, signal: AbortSignal.timeout(600_000) })
  const seconds = (performance.now() - start) / 1000
  const cpu = children.reduce(
    (sum, c, i) => sum + cpuSeconds(c.process.pid as number) - (cpuBefore[i] as number),
    0,
  )
  for (const child of children) child.process.kill('SIGTERM')
  await Promise.all(children.map((c) => c.exited))
  await boss.stop({ graceful: false, wait: true, timeout: 2000 })
  await pool.query(`DROP TABLE "${table}"`)
  await pool.query(`DROP SCHEMA "${schema}" CASCADE`)
  rmSync(dir, { recursive: true, force: true })
  return {
    seconds,
    recordsPerSecond: TOTAL / seconds,
    workerCpuSeconds: cpu,
    coresBusy: cpu / seconds,
  }
}

/** The same records through one gate in this process, no queue and no sink: the baseline. */
async function inProcess(keysFile: string) {
  const gate = createGate({
    issuer: 'oem',
    datasets: [Vehicle],
    policy: exportPolicy,
    keys: await importKeysFrom({ file: keysFile }),
    pseudonymKey: PSEUDONYM_KEY,
    audit: memoryAuditSink(),
  })
  const cpu = process.cpuUsage()
  const start = performance.now()
  let bytes = 0
  for (let partition = 0; partition < PARTITIONS; partition++)
    for await (const part of gate.exportStream(vehicleRows(partition, PARTITIONS, TOTAL), {
      ...exportRequest,
      chunkSize: 10_000,
    }))
      bytes += part.token.length
  const seconds = (performance.now() - start) / 1000
  const used = process.cpuUsage(cpu)
  const cpuSeconds = (used.user + used.system) / 1e6
  return { seconds, recordsPerSecond: TOTAL / seconds, bytes, coresBusy: cpuSeconds / seconds }
}

if (!PG) {
  console.log('bench/jobs.ts: SKIPPED — DATAGATE_TEST_PG is not set (. scripts/test-services.sh)')
  process.exit(0)
}
const pool = new pg.Pool({ connectionString: PG, max: 2 })
const keysDir = mkdtempSync(join(tmpdir(), 'datagate-bench-keys-'))
const keysFile = join(keysDir, 'keys.json')
writeFileSync(keysFile, JSON.stringify(await exportPrivateJwks(await generateKeys())), {
  mode: 0o600,
})
const results: Record<string, unknown> = { records: TOTAL, partitions: PARTITIONS }
const rows: string[][] = []
const baseline = await inProcess(keysFile)
results['in process, no queue'] = baseline
rows.push([
  `one gate in this process, no queue, no sink (${TOTAL} records)`,
  `${baseline.recordsPerSecond.toFixed(0)} records/s, ${baseline.seconds.toFixed(1)} s, busy ${baseline.coresBusy.toFixed(2)} cores`,
])
for (const workers of [1, 2, 4]) {
  const r = await run(pool, keysFile, workers)
  results[`${workers} workers`] = r
  rows.push([
    `bulk export, ${workers} worker${workers === 1 ? '' : 's'} (${TOTAL} records, ${PARTITIONS} partitions)`,
    `${r.recordsPerSecond.toFixed(0)} records/s, ${r.seconds.toFixed(1)} s, workers busy ${r.coresBusy.toFixed(2)} cores`,
  ])
}
await pool.end()
rmSync(keysDir, { recursive: true, force: true })
const width = Math.max(...rows.map((r) => r[0]!.length))
for (const [what = '', value = ''] of rows) console.log(`${what.padEnd(width)}  ${value}`)
mkdirSync(fileURLToPath(new URL('results/', import.meta.url)), { recursive: true })
writeFileSync(
  fileURLToPath(new URL('results/jobs.json', import.meta.url)),
  `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`,
)
