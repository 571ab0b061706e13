// `datagate log verify` and `datagate log report` on a real file log holding not-modified events
// (304s: the partner already held the view): the chain verifies with its signed checkpoints, and
// the report lists the 304s apart, never as records released.

import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { LogReportSchema } from 'datagate/cli'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { fileAuditSink } from '../../src/export/audit-file.node.js'
import { createGate } from '../../src/export/gate.js'
import { generateKeys } from '../../src/export/keys.js'
import { loadPolicy } from '../../src/policy/load.js'
import { tempDir } from '../temp-dir.js'
import { Customer, RepairOrder } from './fixtures/datasets.js'
import { fixtures, runCli } from './run-cli.js'

let dir: string
let held: string

const orders = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    orderId: `o${i}`,
    customerId: `c${i}`,
    customerPhone: '13812345678',
    city: 'Hangzhou',
    estimatedHours: 6,
    vehicle: { model: 'EX5' },
  }))

beforeAll(async () => {
  dir = tempDir('datagate-cli-not-modified-')
  const document = parse(readFileSync(join(fixtures, 'clean', 'policy.yaml'), 'utf8'))
  writeFileSync(join(dir, 'policy.yaml'), stringify(document))
  const keys = await generateKeys({ alg: 'EdDSA' })
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify(keys.jwks()))
  writeFileSync(
    join(dir, 'datagate.config.yaml'),
    stringify({
      datasets: join(fixtures, 'datasets.ts'),
      policy: './policy.yaml',
      audit: './audit.jsonl',
      jwks: './jwks.json',
    }),
  )
  const datasets = [Customer, RepairOrder]
  const gate = createGate({
    issuer: 'oem-aftersales',
    datasets,
    policy: loadPolicy(document, { datasets }),
    keys,
    pseudonymKey: crypto.getRandomValues(new Uint8Array(32)),
    audit: await fileAuditSink(join(dir, 'audit.jsonl')),
    now: () => new Date('2026-06-02T10:00:00Z'),
  })
  const courtesy = { partner: 'rental-co', dataset: 'repair_order', purpose: 'courtesy-car' }
  const signed = await gate.export(orders(5), courtesy)
  held = signed.payloadDigest
  const again = await gate.exportUnlessHeld(orders(5), courtesy, [held])
  expect(again).toEqual({ notModified: true, payloadDigest: held, count: 5 })
  const released = await gate.releaseJson(orders(3), courtesy)
  if ('notModified' in released) throw new Error('expected a release')
  await gate.releaseJson(orders(3), courtesy, { held: [released.payloadDigest] })
  await gate.close()
})

describe('not-modified events in the log commands', () => {
  it('log verify: the chain and its checkpoints verify', () => {
    const run = runCli(['log', 'verify', '--format', 'json'], { cwd: dir })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, issues: [] })
  })

  it('log report: 304s listed apart and counted with no records released', () => {
    const run = runCli(['log', 'report', '--format', 'json'], { cwd: dir })
    expect(run.code).toBe(0)
    const r = LogReportSchema.parse(JSON.parse(run.stdout))
    expect(r.entries.map((e) => `${e.type}:${e.records}`)).toEqual(['export:5', 'release:3'])
    expect(r.notModified.map((n) => `${n.partner}:${n.agreement}:${n.records}`)).toEqual([
      'rental-co:courtesy-car-2026:5',
      'rental-co:courtesy-car-2026:3',
    ])
    expect(r.notModified[0]?.payloadDigest).toBe(held)
    const totals = r.totals.byPartner.map((t) => `${t.type}:${t.events}:${t.records}`)
    expect(totals).toEqual(['export:1:5', 'not-modified:2:0', 'release:1:3'])
    const text = runCli(['log', 'report'], { cwd: dir }).stdout
    expect(text).toContain('Not modified, nothing released (2)')
    expect(text).toMatch(/not-modified\s+2\s+-/)
  })
})
