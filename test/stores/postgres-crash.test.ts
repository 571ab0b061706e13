// Writers that die or hang on the real PostgreSQL: killed with SIGKILL at random points (the chain
// stays whole, no acknowledged event is lost), stopped with SIGSTOP (the others go on), a session
// holding the chain's lock idle in a transaction (the server ends it after the timeout the append
// set for its transaction, or the role's with alterRole), a lock held past lockTimeoutMs (the append fails closed), and a reply lost after commit
// (the retry by event id returns the committed event; nothing is written twice).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { isDatagateError } from '../../src/errors.js'
import { type AuditEvent, createAuditLog, verifyAuditChain } from '../../src/export/audit.js'
import { generateKeys } from '../../src/export/keys.js'
import { exportPrivateJwks } from '../../src/export/keys-source.node.js'
import { migrate, postgresAuditSink, readPostgresAuditLog } from '../../src/stores/postgres.js'
import { chainLockKey } from '../../src/stores/postgres-migrate.js'
import { auditTableNames } from '../../src/stores/postgres-schema.js'
import { type Child, startChild, tagged } from './children.js'
import { describeWith, PG_URL, uniqueTable } from './services.js'

const denied = {
  type: 'denied',
  partner: 'p',
  dataset: 'd',
  purpose: 'u',
  policyHash: 'sha256:11',
  code: 'ERR_NOT_PERMITTED',
} as const

async function readAll(pool: pg.Pool, options: { table: string; schema?: string }) {
  const events: AuditEvent[] = []
  for await (const event of readPostgresAuditLog(pool, options)) events.push(event)
  return events
}

const ackCount = (child: Child) => tagged(child.lines, 'acked').length

describeWith(PG_URL, 'DATAGATE_TEST_PG', 'PostgreSQL chain writers that crash or hang', () => {
  let pool: pg.Pool
  const dir = mkdtempSync(join(tmpdir(), 'datagate-pg-crash-'))
  const keysFile = join(dir, 'keys.json')
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 4 })
    pool.on('error', () => undefined)
    writeFileSync(keysFile, JSON.stringify(await exportPrivateJwks(await generateKeys())))
  })
  afterAll(async () => {
    await pool?.end()
    rmSync(dir, { recursive: true, force: true })
  })

  it('writers killed with SIGKILL at random points: chain whole, no acknowledged event lost', async () => {
    const table = uniqueTable('killed')
    await migrate(pool, { table, idleInTransactionTimeoutMs: false })
    const acked = new Map<number, string>()
    for (let round = 0; round < 8; round++) {
      // Two writers at once, one of them killed: the survivor's appends interleave with the kill.
      const victim = startChild('pg-writer', [PG_URL!, table, keysFile, '3', 'forever', '7'])
      const other = startChild('pg-writer', [PG_URL!, table, keysFile, '2', '40', '7'])
      const target = 5 + Math.floor(Math.random() * 60)
      await victim.until(() => ackCount(victim) >= target)
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 8))
      victim.process.kill('SIGKILL')
      await victim.exited
      expect(await other.exited).toBe(0)
      for (const child of [victim, other])
        for (const line of tagged(child.lines, 'acked')) {
          const [seq, hash] = line.split(' ')
          acked.set(Number(seq), hash!)
        }
    }
    const events = await readAll(pool, { table })
    expect(verifyAuditChain(events).ok).toBe(true)
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i))
    const bySeq = new Map(events.map((e) => [e.seq, e.hash]))
    for (const [seq, hash] of acked) expect(bySeq.get(seq), `acked seq ${seq}`).toBe(hash)
    // Every writer after the first opened an existing chain and said so.
    expect(events.filter((e) => e.type === 'resume').length).toBeGreaterThanOrEqual(15)
  })

  it('a writer stopped with SIGSTOP does not hold up the others; resumed, it goes on', async () => {
    const table = uniqueTable('stopped')
    await migrate(pool, { table, idleInTransactionTimeoutMs: false })
    const stopped = startChild('pg-writer', [PG_URL!, table, keysFile, '4', 'forever'])
    const runner = startChild('pg-writer', [PG_URL!, table, keysFile, '2', 'forever'])
    try {
      await stopped.until(() => ackCount(stopped) >= 20)
      await runner.until(() => ackCount(runner) >= 20)
      for (let round = 0; round < 5; round++) {
        stopped.process.kill('SIGSTOP')
        const before = ackCount(runner)
        // While it is stopped (its last appends possibly half-sent), the other writes on.
        await runner.until(() => ackCount(runner) >= before + 100)
        expect(runner.process.exitCode).toBe(null)
        stopped.process.kill('SIGCONT')
        const resumedFrom = ackCount(stopped)
        await stopped.until(() => ackCount(stopped) >= resumedFrom + 10)
      }
    } finally {
      stopped.process.kill('SIGKILL')
      runner.process.kill('SIGKILL')
      await Promise.all([stopped.exited, runner.exited])
    }
    const events = await readAll(pool, { table })
    expect(verifyAuditChain(events).ok).toBe(true)
  })

  // A role of its own per test, so what migrate does (or does not do) to the role is this test's.
  async function holdIdle(options: { alterRole: boolean; mode: 'function' | 'raw' }) {
    const role = uniqueTable('holder_role')
    await pool.query(`CREATE ROLE ${role} LOGIN`)
    await pool.query(`CREATE SCHEMA ${role} AUTHORIZATION ${role}`)
    const url = new URL(PG_URL!)
    url.username = role
    const rolePool = new pg.Pool({ connectionString: url.href, max: 1 })
    const table = 'chain'
    const writer = startChild('pg-writer', [PG_URL!, table, keysFile, '2', 'forever', '100', role])
    let roleSettings: unknown[] = []
    try {
      await migrate(rolePool, {
        table,
        schema: role,
        idleInTransactionTimeoutMs: 1500,
        alterRole: options.alterRole,
      })
      ;({ rows: roleSettings } = await pool.query(
        `SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
         WHERE r.rolname = $1`,
        [role],
      ))
      await writer.until(() => ackCount(writer) >= 10)
      const holder = startChild('pg-lock-holder', [url.href, table, role, options.mode])
      await holder.until((lines) => tagged(lines, 'holding').length > 0)
      const [pid, timeout] = tagged(holder.lines, 'holding')[0]!.split(' ')
      expect(timeout).toBe('1500ms')
      holder.process.kill('SIGSTOP')
      // The writer is blocked on the lock until the server ends the holder's session; then it
      // goes on, and the holder's session is gone although its process still exists.
      const before = ackCount(writer)
      await writer.until(() => ackCount(writer) >= before + 50)
      const { rows } = await pool.query(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1',
        [Number(pid)],
      )
      expect(rows[0].n).toBe(0)
      expect(holder.process.exitCode).toBe(null)
      holder.process.kill('SIGKILL')
      await holder.exited
    } finally {
      writer.process.kill('SIGKILL')
      await writer.exited
      await rolePool.end()
    }
    const events = await readAll(pool, { table, schema: role })
    expect(verifyAuditChain(events).ok).toBe(true)
    await pool.query(`DROP SCHEMA ${role} CASCADE`)
    await pool.query(`ALTER ROLE ${role} RESET ALL`)
    await pool.query(`DROP ROLE ${role}`)
    return { roleSettings, events }
  }

  it('a transaction idle after an append holds the lock until the server ends it; migrate leaves the role alone', async () => {
    const { roleSettings, events } = await holdIdle({ alterRole: false, mode: 'function' })
    // The timeout came from the append's own transaction, not from the role.
    expect(roleSettings).toEqual([])
    // The holder's uncommitted event was rolled back with its session.
    expect(events.filter((e) => e.type === 'denied')).toEqual([])
  })

  it('with alterRole, a session of the role idle holding the raw lock is ended after the timeout', async () => {
    const { roleSettings } = await holdIdle({ alterRole: true, mode: 'raw' })
    expect(roleSettings).toEqual([{ setconfig: ['idle_in_transaction_session_timeout=1500ms'] }])
  })

  it('an append sets the timeout for its own transaction only, and keeps a stricter one', async () => {
    const table = uniqueTable('idle_local')
    await migrate(pool, { table, idleInTransactionTimeoutMs: 1500 })
    const client = await pool.connect()
    const show = async () =>
      (await client.query('SHOW idle_in_transaction_session_timeout')).rows[0]
        .idle_in_transaction_session_timeout
    try {
      const before = await show()
      await createAuditLog({ sink: postgresAuditSink({ pool: client, table }) }).append(denied)
      expect(await show()).toBe(before)
      await client.query("SET idle_in_transaction_session_timeout = '700ms'")
      await client.query('BEGIN')
      await createAuditLog({ sink: postgresAuditSink({ pool: client, table }) }).append(denied)
      expect(await show()).toBe('700ms')
      await client.query('ROLLBACK')
      await client.query('RESET idle_in_transaction_session_timeout')
    } finally {
      client.release()
    }
  })

  it('migrate run again by a starting instance while a report reads the table does not stop appends', async () => {
    // Re-creating the append-only trigger took an ACCESS EXCLUSIVE lock on the table: behind a
    // reader's open transaction, migrate waited holding the chain's lock, and every append
    // failed on lockTimeoutMs for as long as the report ran.
    const table = uniqueTable('migrate_again')
    await migrate(pool, { table })
    const log = createAuditLog({ sink: postgresAuditSink({ pool, table, lockTimeoutMs: 2000 }) })
    await log.append(denied)
    const reader = await pool.connect()
    try {
      await reader.query('BEGIN')
      await reader.query(`SELECT count(*) FROM "${table}"`)
      await migrate(pool, { table })
      expect((await log.append(denied)).seq).toBe(1)
      await reader.query('COMMIT')
    } finally {
      reader.release()
    }
    // The trigger is still there: the table stays append-only.
    const error = await pool.query(`DELETE FROM "${table}"`).catch((e: unknown) => e)
    expect(String(error)).toMatch(/append-only/)
  })

  it('an append that cannot get the lock within lockTimeoutMs fails closed, and nothing is written', async () => {
    const table = uniqueTable('lock_timeout')
    await migrate(pool, { table, idleInTransactionTimeoutMs: false })
    const sink = postgresAuditSink({ pool, table, lockTimeoutMs: 200 })
    const log = createAuditLog({ sink })
    await log.append(denied)
    const holder = await pool.connect()
    try {
      await holder.query('BEGIN')
      await holder.query(
        `SELECT pg_advisory_xact_lock(${chainLockKey(auditTableNames(table, undefined, 'test'))})`,
      )
      const error = await log.append(denied).catch((e: unknown) => e)
      expect(isDatagateError(error, 'ERR_AUDIT_WRITE_FAILED')).toBe(true)
      expect((error as { cause?: { code?: string } }).cause?.code).toBe('55P03')
      await holder.query('COMMIT')
    } finally {
      holder.release(true)
    }
    // The chain was not advanced by the failed append; the next one links after the first.
    const event = await log.append(denied)
    expect(event.seq).toBe(1)
    expect(verifyAuditChain(await readAll(pool, { table })).ok).toBe(true)
  })

  it('a reply lost after commit: the retry by event id returns the committed event, written once', async () => {
    const table = uniqueTable('lost_reply')
    await migrate(pool, { table, idleInTransactionTimeoutMs: false })
    // A real TCP proxy in front of PostgreSQL that, when armed, cuts the connection on the first
    // bytes the server sends back after an append: the append has committed, its answer is lost.
    const target = new URL(PG_URL!)
    let armed = false
    let cut = 0
    const sockets = new Set<Socket>()
    const proxy: Server = createServer((client) => {
      const server = new Socket()
      sockets.add(client).add(server)
      let appending = false
      server.connect(Number(target.port), target.hostname)
      client.on('data', (data: Buffer) => {
        if (armed && data.includes('_append')) appending = true
        server.write(data)
      })
      server.on('data', (data: Buffer) => {
        if (appending) {
          appending = false
          armed = false
          cut++
          client.destroy()
          server.destroy()
          return
        }
        client.write(data)
      })
      for (const socket of [client, server]) {
        socket.on('error', () => undefined)
        socket.on('close', () => {
          client.destroy()
          server.destroy()
        })
      }
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    const via = new URL(PG_URL!)
    via.host = `127.0.0.1:${(proxy.address() as { port: number }).port}`
    const proxied = new pg.Pool({ connectionString: via.href, max: 2 })
    proxied.on('error', () => undefined)
    try {
      const log = createAuditLog({ sink: postgresAuditSink({ pool: proxied, table }) })
      const returned: AuditEvent[] = []
      for (let i = 0; i < 10; i++) {
        armed = i % 2 === 1
        returned.push(await log.append(denied))
      }
      expect(cut).toBe(5)
      const events = await readAll(pool, { table })
      expect(events.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      expect(returned.map((e) => e.hash)).toEqual(events.map((e) => e.hash))
      expect(verifyAuditChain(events).ok).toBe(true)
    } finally {
      await proxied.end()
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => proxy.close(resolve))
    }
  })
})
