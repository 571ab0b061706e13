// Builds a project with a real audit log for the log commands: a gate over the fixture datasets
// writes to a file sink with signed checkpoints (real Ed25519 keys) across two months, with a
// policy change, refusals, a delta and a stream; the partners' tokens are kept as receipts.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'
import type { AuditSink } from '../../src/export/audit-event.js'
import { fileAuditSink } from '../../src/export/audit-file.node.js'
import { createGate } from '../../src/export/gate.js'
import { generateKeys } from '../../src/export/keys.js'
import { loadPolicy } from '../../src/policy/load.js'
import { tempDir } from '../temp-dir.js'
import { Customer, RepairOrder } from './fixtures/datasets.js'
import { fixtures } from './run-cli.js'

export interface LogProject {
  readonly dir: string
  readonly log: string
  readonly jwks: string
  readonly receipts: string
  /** The policy documents in force: before and after the change of 2026-06-15. */
  readonly policies: readonly unknown[]
}

const orders = (n: number, hours = 6) =>
  Array.from({ length: n }, (_, i) => ({
    orderId: `o${i}`,
    customerId: `c${i}`,
    customerPhone: '13812345678',
    city: i % 2 === 0 ? 'Hangzhou' : 'Ningbo',
    estimatedHours: hours,
    vehicle: { model: 'EX5' },
  }))
const customers = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    customerId: `c${i}`,
    name: 'Zhang San',
    idNumber: '11010519491231002X',
    phone: '13812345678',
    city: 'Hangzhou',
    age: 30 + i,
    vehicle: { vin: 'LSVAU2180N2183294', model: 'EX5' },
  }))

/**
 * `store`: write the log to another sink (the PostgreSQL chain) and name it in the config as
 * `spec`, instead of the project's audit.jsonl.
 */
export async function makeLogProject(store?: {
  readonly sink: AuditSink
  readonly spec: unknown
}): Promise<LogProject> {
  const dir = tempDir('datagate-cli-log-')
  const keysDir = join(dir, 'keys')
  const receipts = join(dir, 'receipts')
  mkdirSync(keysDir)
  mkdirSync(receipts)
  const first = parse(readFileSync(join(fixtures, 'clean', 'policy.yaml'), 'utf8'))
  // From June 15, maps-co also receives the vehicle model and counts as an innovation partner:
  // a second policy in the log, against which later events are explained.
  const second = structuredClone(first)
  second.partners[1].category = 'innovation'
  second.partners[1].agreements[0].fields = ['city', 'vehicle.model']
  writeFileSync(join(dir, 'policy.yaml'), stringify(second))
  writeFileSync(
    join(dir, 'datagate.config.yaml'),
    stringify({
      datasets: join(fixtures, 'datasets.ts'),
      policy: './policy.yaml',
      audit: store ? store.spec : './audit.jsonl',
      jwks: './keys/jwks.json',
    }),
  )
  const keys = await generateKeys({ alg: 'EdDSA' })
  writeFileSync(join(keysDir, 'jwks.json'), JSON.stringify(keys.jwks()))
  let time = Date.parse('2026-05-04T09:00:00Z')
  const log = join(dir, 'audit.jsonl')
  const datasets = [Customer, RepairOrder]
  const gate = createGate({
    issuer: 'oem-aftersales',
    datasets,
    policy: loadPolicy(first, { datasets }),
    keys,
    pseudonymKey: crypto.getRandomValues(new Uint8Array(32)),
    audit: store ? store.sink : await fileAuditSink(log),
    checkpointEvery: 4,
    now: () => new Date(time),
  })
  const step = (hours: number) => {
    time += hours * 3_600_000
  }
  const courtesy = { partner: 'rental-co', dataset: 'repair_order', purpose: 'courtesy-car' }
  const stats = { partner: 'maps-co', dataset: 'customer', purpose: 'city-stats' }
  let n = 0
  const keep = (token: string) =>
    writeFileSync(join(receipts, `${String(n++).padStart(2, '0')}.jws`), `${token}\n`)
  await gate.release(orders(3), courtesy)
  step(24)
  keep((await gate.export(orders(5), courtesy)).token)
  step(24)
  await gate.release(orders(2), { ...courtesy, partner: 'maps-co' }).catch(() => undefined)
  step(24 * 10)
  keep((await gate.export(customers(4), stats)).token)
  step(24 * 20)
  keep((await gate.exportDelta(orders(2), orders(3), courtesy)).token)
  step(24 * 10)
  gate.setPolicy(loadPolicy(second, { datasets }))
  step(1)
  keep((await gate.export(customers(6), stats)).token)
  step(24)
  for await (const part of gate.exportStream(
    (async function* () {
      yield* orders(7)
    })(),
    { ...courtesy, chunkSize: 3 },
  ))
    if (part.kind === 'manifest') keep(part.token)
  step(24)
  await gate
    .release([], { partner: 'rental-co', dataset: 'customer', purpose: 'marketing' })
    .catch(() => undefined)
  await gate.close()
  return { dir, log, jwks: join(keysDir, 'jwks.json'), receipts, policies: [first, second] }
}
