// Three gate instances in three processes, one key set and one chain in PostgreSQL, each
// releasing to four partners at once: the single chain verifies with every partner's tokens as
// receipts, and each token's export event names the partner that instance released it to.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type AuditEvent, verifyAuditChain } from '../../src/export/audit.js'
import { verifyAuditLog } from '../../src/export/audit-verify-log.js'
import type { KeyRing } from '../../src/export/key-ring.js'
import { generateKeys } from '../../src/export/keys.js'
import { exportPrivateJwks } from '../../src/export/keys-source.node.js'
import { verifyExport } from '../../src/export/verify-export.js'
import { migrate, readPostgresAuditLog } from '../../src/stores/postgres.js'
import { startChild, tagged } from './children.js'
import { describeWith, PG_URL, uniqueTable } from './services.js'

describeWith(PG_URL, 'DATAGATE_TEST_PG', 'gate instances sharing one PostgreSQL chain', () => {
  let pool: pg.Pool
  let keys: KeyRing
  const dir = mkdtempSync(join(tmpdir(), 'datagate-gates-'))
  const keysFile = join(dir, 'keys.json')
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 2 })
    keys = await generateKeys({ kid: 'oem-2026-12' })
    writeFileSync(keysFile, JSON.stringify(await exportPrivateJwks(keys)), { mode: 0o600 })
  })
  afterAll(async () => {
    await pool?.end()
    rmSync(dir, { recursive: true, force: true })
  })

  it('three instances, four partners each: one chain, every event names its partner', async () => {
    const table = uniqueTable('gates')
    await migrate(pool, { table, idleInTransactionTimeoutMs: false })
    const instances = [0, 1, 2].map((i) =>
      startChild('gate-instance', [PG_URL!, table, keysFile, String(i), '120']),
    )
    expect(await Promise.all(instances.map((c) => c.exited))).toEqual([0, 0, 0])

    const released = instances.flatMap((c) =>
      tagged(c.lines, 'released').map((line) => {
        const [partner, token] = line.split(' ')
        return { partner: partner!, token: token! }
      }),
    )
    expect(released).toHaveLength(360)
    const events: AuditEvent[] = []
    for await (const event of readPostgresAuditLog(pool, { table })) events.push(event)
    expect(verifyAuditChain(events).ok).toBe(true)
    const exports = new Map(
      events.flatMap((e) => (e.type === 'export' ? [[e.jti, e] as const] : [])),
    )
    expect(exports.size).toBe(360)
    for (const { partner, token } of released) {
      // The partner verifies with the one published JWKS: every instance signed under its kid.
      const { meta } = await verifyExport(token, {
        jwks: keys.jwks(),
        issuer: 'oem',
        audience: partner,
      })
      const event = exports.get(String(meta.jti))
      expect(event?.partner).toBe(partner)
      expect(event?.rows).toBe(1)
    }
    const report = await verifyAuditLog(readPostgresAuditLog(pool, { table }), {
      jwks: keys.jwks(),
      issuer: 'oem',
      receipts: released.map((r) => r.token),
    })
    expect(report.issues).toEqual([])
    expect(report.ok).toBe(true)
    // Each instance wrote its policy event and its checkpoints to the one chain.
    expect(events.filter((e) => e.type === 'policy').length).toBeGreaterThanOrEqual(1)
    const kids = new Set(events.flatMap((e) => (e.type === 'checkpoint' ? [e.kid] : [])))
    expect(kids).toEqual(new Set(['oem-2026-12']))
  })
})
