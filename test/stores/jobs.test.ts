// datagate/jobs on a real pg-boss 10 and PostgreSQL, in this process: two registrations (two
// workers) share one queue, one folder sink and one audit chain. The set verifies with
// verifyStreamSet; a failed attempt is retried by pg-boss and its output appears once; every
// listed stream has its stream-start and stream-end on the chain, then the stream-set event.
import { readdirSync, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'
import PgBoss from 'pg-boss'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { type AuditEvent, verifyAuditChain } from '../../src/export/audit.js'
import { createGate, type Gate } from '../../src/export/gate.js'
import type { KeyRing } from '../../src/export/key-ring.js'
import { generateKeys } from '../../src/export/keys.js'
import { verifyStreamSet } from '../../src/export/stream-set.js'
import { folderSink } from '../../src/jobs/folder-sink.js'
import { pgBossQueue } from '../../src/jobs/queue.js'
import { readExportSet } from '../../src/jobs/read.js'
import { registerExportJobs } from '../../src/jobs/register.js'
import { migrate, postgresAuditSink, readPostgresAuditLog } from '../../src/stores/postgres.js'
import { expectCode } from '../export/helpers.js'
import { tempDir } from '../temp-dir.js'
import {
  exportPolicy,
  exportRequest,
  PSEUDONYM_KEY,
  Vehicle,
  vehicleRows,
} from './fixtures/export-fixture.js'
import { describeWith, PG_URL, uniqueTable } from './services.js'

describeWith(PG_URL, 'DATAGATE_TEST_PG', 'datagate/jobs over pg-boss', () => {
  let pool: pg.Pool
  let keys: KeyRing
  const bosses: PgBoss[] = []
  const gates: Gate[] = []
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 4 })
    keys = await generateKeys()
  })
  afterAll(async () => {
    for (const boss of bosses) await boss.stop({ graceful: false, wait: true, timeout: 2000 })
    for (const gate of gates) await gate.close()
    await pool?.end()
  })

  async function worker(table: string, schema: string) {
    const boss = new PgBoss({
      connectionString: PG_URL as string,
      schema,
      max: 3,
      maintenanceIntervalSeconds: 1,
    })
    boss.on('error', () => undefined)
    await boss.start()
    bosses.push(boss)
    const gate = createGate({
      issuer: 'oem',
      datasets: [Vehicle],
      policy: exportPolicy,
      keys,
      pseudonymKey: PSEUDONYM_KEY,
      audit: postgresAuditSink({ pool, table }),
      checkpointIntervalMs: 0,
    })
    gates.push(gate)
    return { boss, gate }
  }

  async function chain(table: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = []
    for await (const event of readPostgresAuditLog(pool, { table })) events.push(event)
    return events
  }

  it('two workers, five partitions, one failed attempt retried: the set verifies, exact and once', async () => {
    const table = uniqueTable('jobs')
    const schema = uniqueTable('boss')
    await migrate(pool, { table, idleInTransactionTimeoutMs: false })
    const dir = tempDir('datagate-jobs-')
    const sink = folderSink(dir)
    const total = 5_003
    let failures = 0
    const options = {
      sink,
      pgBoss: { retryLimit: 2, retryDelay: 1, expireInSeconds: 30, pollingIntervalSeconds: 0.5 },
      // Partition 3 fails once half way through, as a source whose database dropped the cursor.
      *source(partition: number, of: number) {
        for (const row of vehicleRows(partition, of, total)) {
          if (partition === 3 && failures === 0 && row.id === 'V3500') {
            failures++
            throw new Error('cursor closed')
          }
          yield row
        }
      },
    }
    const [a, b] = [await worker(table, schema), await worker(table, schema)]
    const jobs = await registerExportJobs(a.boss, a.gate, options)
    await registerExportJobs(b.boss, b.gate, options)
    const request = { exportId: 'nightly-1', ...exportRequest, partitions: 5, chunkSize: 400 }
    await jobs.startExport(request)
    // Again with the same request: no new jobs; with another: refused.
    await jobs.startExport(request)
    await expectCode(jobs.startExport({ ...request, partitions: 6 }), 'ERR_INVALID_ARGUMENT')
    const done = await jobs.waitFor('nightly-1', {
      signal: AbortSignal.timeout(60_000),
      intervalMs: 100,
    })
    expect(done.done).toEqual([0, 1, 2, 3, 4])
    expect(failures).toBe(1)

    const { set, partitions } = await readExportSet(sink, 'nightly-1')
    const ids = new Set<string>()
    let records = 0
    const verifying = verifyStreamSet(set, partitions, {
      jwks: keys.jwks(),
      issuer: 'oem',
      audience: 'fleet-co',
    })
    let summary: Awaited<ReturnType<typeof verifying.next>>['value']
    for (;;) {
      const next = await verifying.next()
      if (next.done) {
        summary = next.value
        break
      }
      for (const record of next.value.records) {
        ids.add(String(record.id))
        records++
        expect(record).not.toHaveProperty('ownerName')
      }
    }
    expect(summary).toMatchObject({ set: 'nightly-1', count: total, partitions: 5 })
    expect(records).toBe(total)
    expect(ids.size).toBe(total)
    // One file per partition; the failed attempt left nothing (no temp file either).
    expect(readdirSync(join(dir, 'nightly-1')).sort()).toEqual([
      'export.json',
      ...[0, 1, 2, 3, 4].map((p) => `partition-00000${p}.ndjson`),
      'set.jwt',
    ])

    const events = await chain(table)
    expect(verifyAuditChain(events).ok).toBe(true)
    const listed = (
      JSON.parse(Buffer.from(set.split('.')[1] as string, 'base64url').toString()) as {
        partitions: { stream: string }[]
      }
    ).partitions.map((p) => p.stream)
    const starts = events.filter((e) => e.type === 'stream-start')
    const ends = events.filter((e) => e.type === 'stream-end')
    for (const stream of listed) {
      expect(starts.filter((e) => e.stream === stream)).toHaveLength(1)
      expect(ends.filter((e) => e.stream === stream)).toHaveLength(1)
    }
    // Six attempts started, five ended: the failed one has its start and no end, and no output.
    expect(starts).toHaveLength(6)
    expect(ends).toHaveLength(5)
    const orphan = starts.find((e) => !listed.includes(e.stream))
    expect(orphan).toBeDefined()
    expect(ends.some((e) => e.stream === orphan?.stream)).toBe(false)
    const setEvents = events.filter((e) => e.type === 'stream-set')
    expect(setEvents).toHaveLength(1)
    expect(setEvents[0]).toMatchObject({ set: 'nightly-1', rows: total, partitions: 5 })
    expect((await jobs.status('nightly-1')).set).toBe(set)
  }, 90_000)

  it('an attempt the queue gave up on, finishing after the set is signed, replaces nothing', async () => {
    const table = uniqueTable('jobs')
    const schema = uniqueTable('boss')
    await migrate(pool, { table, idleInTransactionTimeoutMs: false })
    const { boss, gate } = await worker(table, schema)
    const base = folderSink(tempDir('datagate-jobs-'))
    const refused: unknown[] = []
    const sink = {
      ...base,
      put: (key: string, body: Parameters<typeof base.put>[1]) =>
        base.put(key, body).catch((error: unknown) => {
          refused.push(error)
          throw error
        }),
    }
    let release!: () => void
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let attempts = 0
    const jobs = await registerExportJobs(boss, gate, {
      sink,
      // expireInSeconds 1: pg-boss gives up on the first attempt of partition 0 while it is held.
      pgBoss: { retryLimit: 2, retryDelay: 0, expireInSeconds: 1, pollingIntervalSeconds: 0.5 },
      async *source(partition, of) {
        const first = partition === 0 && ++attempts === 1
        for (const row of vehicleRows(partition, of, 300)) {
          if (first && row.id === 'V50') await held
          yield row
        }
      },
    })
    await jobs.startExport({ exportId: 'late', ...exportRequest, partitions: 2, chunkSize: 64 })
    const done = await jobs.waitFor('late', {
      signal: AbortSignal.timeout(60_000),
      intervalMs: 100,
    })
    const before = await readFile(join(base.root, 'late', 'partition-000000.ndjson'), 'utf8')
    release()
    await vi.waitFor(() => expect(refused).toHaveLength(1), { timeout: 20_000, interval: 50 })
    expect(refused[0]).toMatchObject({ code: 'ERR_STREAM_SET_DUPLICATE' })
    expect(attempts).toBe(2)
    expect(await readFile(join(base.root, 'late', 'partition-000000.ndjson'), 'utf8')).toBe(before)
    const { set, partitions } = await readExportSet(base, 'late')
    expect(set).toBe(done.set)
    let count = 0
    for await (const chunk of verifyStreamSet(set, partitions, {
      jwks: keys.jwks(),
      issuer: 'oem',
      audience: 'fleet-co',
    }))
      count += chunk.records.length
    expect(count).toBe(300)
  }, 90_000)

  it('a job row changed in the queue table (partition count, purpose) runs nothing and signs no set', async () => {
    const table = uniqueTable('jobs')
    const schema = uniqueTable('boss')
    await migrate(pool, { table, idleInTransactionTimeoutMs: false })
    const { boss, gate } = await worker(table, schema)
    const sink = folderSink(tempDir('datagate-jobs-'))
    const pgBoss = {
      retryLimit: 0,
      retryDelay: 0,
      expireInSeconds: 30,
      pollingIntervalSeconds: 0.5,
    }
    const ran: string[] = []
    const options = {
      sink,
      pgBoss,
      *source(partition: number, of: number, request: { partner: string }) {
        ran.push(`${partition}/${of}/${request.partner}`)
        yield* vehicleRows(partition, of, 90)
      },
    }
    // This process only enqueues; the rows are then changed by someone with access to the table.
    const starter = await registerExportJobs(boss, gate, { ...options, work: false })
    await starter.startExport({ exportId: 'tampered', ...exportRequest, partitions: 3 })
    const job = `${schema}.job`
    const changed = await pool.query(
      `UPDATE ${job} SET data = jsonb_set(data, '{of}', '4') WHERE data->>'exportId' = 'tampered' AND data->>'partition' = '2'`,
    )
    expect(changed.rowCount).toBe(1)
    await pool.query(
      `UPDATE ${job} SET data = jsonb_set(data, '{purpose}', '"other"') WHERE data->>'exportId' = 'tampered' AND data->>'partition' = '1'`,
    )
    await registerExportJobs(boss, gate, options)
    await vi.waitFor(
      async () => {
        const { rows } = await pool.query(
          `SELECT data->>'partition' AS partition, state FROM ${job} WHERE data->>'exportId' = 'tampered' ORDER BY 1`,
        )
        expect(rows).toEqual([
          { partition: '0', state: 'completed' },
          { partition: '1', state: 'failed' },
          { partition: '2', state: 'failed' },
        ])
      },
      { timeout: 30_000, interval: 200 },
    )
    // Only the untouched partition ran its source; the changed ones never reached the gate.
    expect(ran).toEqual(['0/3/fleet-co'])
    const status = await starter.status('tampered')
    expect(status.done).toEqual([0])
    expect(status.set).toBeUndefined()
  }, 90_000)

  it('four workers preparing the same queues at once on a fresh schema all succeed', async () => {
    const schema = `boss_${uniqueTable('prep')}`.slice(0, 50)
    const started: PgBoss[] = []
    // Started one by one (pg-boss's own first migration races), then prepared at once: pg-boss's
    // create_queue can deadlock between them (seen in CI: SQLSTATE 40P01), which prepare retries.
    for (let i = 0; i < 4; i++) started.push((await worker(uniqueTable('prep_audit'), schema)).boss)
    const names = Array.from({ length: 6 }, (_, i) => `datagate-prep-${i}`)
    await Promise.all(started.map((boss) => pgBossQueue(boss).prepare?.(names)))
    const queues = await pool.query(
      `SELECT name FROM "${schema}".queue WHERE name LIKE 'datagate-prep-%' ORDER BY name`,
    )
    expect(queues.rows.map((r) => r.name)).toEqual(names)
  })

  it('prepare retries a deadlocked or raced createQueue, and throws any other error at once', async () => {
    const calls: string[] = []
    const failing = (codes: (string | undefined)[]) => ({
      createQueue: async (name: string) => {
        calls.push(name)
        const code = codes.shift()
        if (code !== undefined) throw Object.assign(new Error(`create ${name}`), { code })
      },
      send: async () => null,
      work: async () => 'w',
    })
    await pgBossQueue(failing(['40P01', '23505'])).prepare?.(['q'])
    expect(calls).toEqual(['q', 'q', 'q'])
    calls.length = 0
    await expect(pgBossQueue(failing(['42P01'])).prepare?.(['q'])).rejects.toThrow('create q')
    expect(calls).toEqual(['q'])
    calls.length = 0
    await expect(
      pgBossQueue(failing(['40P01', '40P01', '40P01', '40P01', '40P01'])).prepare?.(['q']),
    ).rejects.toThrow('create q')
    expect(calls).toHaveLength(5)
  })

  it('refuses bad arguments with typed errors', async () => {
    const table = uniqueTable('jobs')
    await migrate(pool, { table, idleInTransactionTimeoutMs: false })
    const { boss, gate } = await worker(table, uniqueTable('boss'))
    const sink = folderSink(tempDir('datagate-jobs-'))
    const source = () => []
    await expectCode(
      registerExportJobs(boss, gate, { source, sink: {} as never }),
      'ERR_INVALID_ARGUMENT',
    )
    await expectCode(
      registerExportJobs(boss, gate, { source: undefined as never, sink }),
      'ERR_INVALID_ARGUMENT',
    )
    await expectCode(
      registerExportJobs(null as never, gate, { source, sink }),
      'ERR_INVALID_ARGUMENT',
    )
    await expectCode(
      registerExportJobs({ send: async () => {} } as never, gate, { source, sink }),
      'ERR_INVALID_ARGUMENT',
    )
    const jobs = await registerExportJobs(boss, gate, { source, sink, work: false })
    const request = { exportId: 'ok', ...exportRequest, partitions: 2 }
    for (const bad of [
      { exportId: '../etc' },
      { exportId: 'a/b' },
      { exportId: '' },
      { partitions: 0 },
      { partitions: 1.5 },
      { chunkSize: 0 },
      { partner: '' },
    ])
      await expectCode(jobs.startExport({ ...request, ...bad }), 'ERR_INVALID_ARGUMENT')
    await expectCode(jobs.status('..'), 'ERR_INVALID_ARGUMENT')
    await expectCode(readExportSet(sink, 'ok'), 'ERR_STREAM_SET_INCOMPLETE')
    // Something else stored in the place of an export's request is refused, not parsed blindly.
    await sink.put('other/export.json', '{"exportId":"other"')
    await expectCode(jobs.status('other'), 'ERR_STREAM_SET_INVALID')
    await sink.put('other/export.json', JSON.stringify({ exportId: 'not-other', of: 2 }))
    await expectCode(jobs.status('other'), 'ERR_STREAM_SET_INVALID')
    expect(await sink.list('missing/')).toEqual([])
    // An aborted wait rejects with the signal's reason.
    const aborted = jobs.waitFor('ok', { signal: AbortSignal.timeout(50), intervalMs: 10 })
    await expect(aborted).rejects.toMatchObject({ name: 'TimeoutError' })
  })
})

it('folderSink: a put whose body throws keeps the old object and leaves no visible temp file', async () => {
  const dir = tempDir('datagate-sink-')
  const sink = folderSink(dir)
  await sink.put('e1/partition-000000.ndjson', 'old\n')
  async function* broken() {
    yield 'new line 1\n'
    throw new Error('source failed')
  }
  await expect(sink.put('e1/partition-000000.ndjson', broken())).rejects.toThrow('source failed')
  expect(readFileSync(join(dir, 'e1', 'partition-000000.ndjson'), 'utf8')).toBe('old\n')
  expect(readdirSync(join(dir, 'e1'))).toEqual(['partition-000000.ndjson'])
  expect(await sink.list('e1/')).toEqual(['e1/partition-000000.ndjson'])
  await sink.put('e1/partition-000000.ndjson', new TextEncoder().encode('new\n'))
  const got = await sink.get('e1/partition-000000.ndjson')
  const parts: Buffer[] = []
  for await (const part of got ?? []) parts.push(Buffer.from(part))
  expect(Buffer.concat(parts).toString()).toBe('new\n')
  expect(await sink.get('e1/none')).toBeUndefined()
  await sink.delete('e1/partition-000000.ndjson')
  expect(await sink.list('')).toEqual([])
  for (const key of ['../x', '/abs', 'a//b', '.hidden', 'a/./b'])
    await expectCode(sink.put(key, 'x'), 'ERR_INVALID_ARGUMENT')
})
