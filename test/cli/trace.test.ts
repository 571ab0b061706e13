// `datagate trace` as a user runs it: the built bin over a project whose gate exported the same
// source to five partners into a real audit log; a 5 % sample of one partner's export, leaked as
// NDJSON and as CSV, and another partner's whole token, are each attributed to their recipient.
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { TraceReportSchema } from '../../src/cli/schemas.js'
import { fileAuditSink } from '../../src/export/audit-file.node.js'
import { createGate, generateKeys, loadPolicy, verifyExport } from '../../src/index.js'
import {
  JUNE,
  Order,
  PSEUDONYM_KEY,
  sample,
  sourceRows,
  tracePolicyDocument,
  WATERMARK_KEY,
} from '../export/trace-fixture.js'
import { tempDir } from '../temp-dir.js'
import { runCli } from './run-cli.js'

const fixture = new URL('../export/trace-fixture.ts', import.meta.url).pathname
let dir: string
const leaker = 'insure-co'

function csv(records: readonly Record<string, unknown>[]): string {
  const flat = records.map((r) => {
    const out: Record<string, string> = {}
    const walk = (value: unknown, prefix: string) => {
      if (typeof value === 'object' && value !== null)
        for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k)
      else out[prefix] = String(value)
    }
    walk(r, '')
    return out
  })
  const header = [...new Set(flat.flatMap((r) => Object.keys(r)))]
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s)
  return [
    header.join(','),
    ...flat.map((r) => header.map((h) => quote(r[h] ?? '')).join(',')),
  ].join('\r\n')
}

beforeAll(async () => {
  dir = tempDir('datagate-cli-trace-')
  mkdirSync(join(dir, 'log'))
  mkdirSync(join(dir, 'secrets'))
  const document = tracePolicyDocument(60)
  writeFileSync(join(dir, 'policy.yaml'), stringify(document))
  writeFileSync(
    join(dir, 'datagate.config.yaml'),
    stringify({ datasets: fixture, policy: './policy.yaml', audit: './log/audit.jsonl' }),
  )
  writeFileSync(
    join(dir, 'nolog.config.yaml'),
    stringify({ datasets: fixture, policy: './policy.yaml' }),
  )
  writeFileSync(
    join(dir, 'secrets', 'pseudonym.key'),
    `${Buffer.from(PSEUDONYM_KEY).toString('hex')}\n`,
  )
  writeFileSync(
    join(dir, 'secrets', 'watermark.key'),
    Buffer.from(WATERMARK_KEY).toString('base64'),
  )
  writeFileSync(join(dir, 'log', 'watermark.key'), Buffer.from(WATERMARK_KEY).toString('base64'))
  const keys = await generateKeys()
  const policy = loadPolicy(document, { datasets: [Order] })
  const gate = createGate({
    issuer: 'oem-aftersales',
    datasets: [Order],
    policy,
    keys,
    audit: await fileAuditSink(join(dir, 'log', 'audit.jsonl')),
    pseudonymKey: PSEUDONYM_KEY,
    watermarkKey: WATERMARK_KEY,
    now: JUNE,
  })
  const source = sourceRows(2000)
  writeFileSync(join(dir, 'source.json'), JSON.stringify(source))
  for (const partner of policy.partners) {
    const signed = await gate.export(source, {
      partner: partner.id,
      dataset: 'repair_order',
      purpose: 'service',
    })
    if (partner.id === 'parts-co') writeFileSync(join(dir, 'parts.jws'), `${signed.token}\n`)
    if (partner.id === leaker) {
      const { records } = await verifyExport(signed.token, {
        jwks: gate.jwks(),
        issuer: 'oem-aftersales',
        audience: leaker,
        now: JUNE,
      })
      const leaked = sample(records, 0.05, 2026)
      writeFileSync(join(dir, 'leak.ndjson'), leaked.map((r) => JSON.stringify(r)).join('\n'))
      writeFileSync(join(dir, 'leak.csv'), csv(leaked))
    }
  }
  await gate.close()
})

const report = (stdout: string) => TraceReportSchema.parse(JSON.parse(stdout))

describe('datagate trace', () => {
  it('attributes a leaked 5 % sample by pseudonyms recomputed from --source', () => {
    const run = runCli(
      [
        'trace',
        'leak.ndjson',
        '--source',
        'source.json',
        '--pseudonym-key-file',
        'secrets/pseudonym.key',
        '--format',
        'json',
      ],
      { cwd: dir },
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const r = report(run.stdout)
    expect(r).toMatchObject({ input: 'ndjson', dataset: 'repair_order', leakedRecords: 103 })
    expect(r.basis).toMatchObject({
      source: 'source.json',
      pseudonymKey: true,
      watermarkKey: false,
      audit: 'log/audit.jsonl',
    })
    expect(r.partners[0]).toMatchObject({ partner: leaker, confidence: 'strong' })
    expect(r.partners[0]?.signals.pseudonyms).toBeGreaterThan(90)
    for (const p of r.partners.slice(1)) expect(p.signals.pseudonyms).toBe(0)
  })

  it('attributes the same sample as CSV by watermark rows alone, key from the environment, month from the log', () => {
    const run = runCli(['trace', 'leak.csv', '--format', 'json'], {
      cwd: dir,
      env: { DATAGATE_WATERMARK_KEY_FILE: join(dir, 'secrets', 'watermark.key') },
    })
    expect(run.stderr).toBe('')
    const r = report(run.stdout)
    expect(r.input).toBe('csv')
    expect(r.basis).toMatchObject({
      source: null,
      pseudonymKey: false,
      watermarkKey: true,
      periods: ['2026-06'],
    })
    const [first, ...rest] = r.partners
    expect(first).toMatchObject({ partner: leaker, confidence: 'conclusive' })
    expect(first?.watermarkPeriods).toEqual([
      { agreement: `${leaker}-2026`, period: '2026-06', rows: first?.signals.watermarks },
    ])
    for (const p of rest) expect(p.signals.watermarks).toBe(0)
    const text = runCli(['trace', 'leak.csv'], {
      cwd: dir,
      env: { DATAGATE_WATERMARK_KEY_FILE: join(dir, 'secrets', 'watermark.key') },
    })
    expect(text.stdout).toContain(`1. ${leaker} (insure Co): conclusive`)
    expect(text.stdout).toContain(`watermark rows of ${leaker}-2026 for 2026-06:`)
  })

  it("names a leaked token's export event by its digest", () => {
    const run = runCli(['trace', 'parts.jws', '--format', 'json'], { cwd: dir })
    const r = report(run.stdout)
    expect(r.input).toBe('token')
    expect(r.partners[0]).toMatchObject({
      partner: 'parts-co',
      confidence: 'conclusive',
      signals: { exports: 1 },
    })
    expect(r.partners[0]?.exportEvents[0]).toMatchObject({
      type: 'export',
      agreement: 'parts-co-2026',
      time: JUNE().toISOString(),
    })
    expect(r.partners.slice(1).every((p) => p.signals.exports === 0)).toBe(true)
  })

  it("refuses a key file in the audit log's folder, and bad usage, with exit 2", () => {
    const inLog = runCli(['trace', 'leak.csv', '--watermark-key-file', 'log/watermark.key'], {
      cwd: dir,
    })
    expect(inLog.code).toBe(2)
    expect(inLog.stderr).toContain("in the audit log's folder")
    expect(
      runCli(['trace', 'leak.csv', '--from', '2026-13', '--to', '2026-12'], { cwd: dir }).code,
    ).toBe(2)
    expect(runCli(['trace', 'missing.csv'], { cwd: dir }).code).toBe(2)
  })

  it('refuses a key file that is a device or too long, and a log symlinked out of its folder, with exit 2', () => {
    // /dev/zero never ends: read whole, it hung the command.
    const zero = runCli(['trace', 'leak.csv', '--watermark-key-file', '/dev/zero'], { cwd: dir })
    expect(zero.code).toBe(2)
    expect(zero.stderr).toContain('is not a file')
    writeFileSync(join(dir, 'secrets', 'long.key'), 'a'.repeat(10_000))
    const long = runCli(['trace', 'leak.csv', '--pseudonym-key-file', 'secrets/long.key'], {
      cwd: dir,
    })
    expect(long.code).toBe(2)
    expect(long.stderr).toContain('is over 4096 bytes')
    // The log named through a symlink in another folder: its real folder holds the key.
    mkdirSync(join(dir, 'elsewhere'))
    symlinkSync(join(dir, 'log', 'audit.jsonl'), join(dir, 'elsewhere', 'audit.jsonl'))
    const linked = runCli(
      [
        'trace',
        'leak.csv',
        '--audit',
        'elsewhere/audit.jsonl',
        '--watermark-key-file',
        'log/watermark.key',
      ],
      { cwd: dir, env: { DATAGATE_CONFIG: join(dir, 'nolog.config.yaml') } },
    )
    expect(linked.stderr).toContain("in the audit log's folder")
    expect(linked.code).toBe(2)
  })

  it('says a leak with nothing to trace, or a flattened token that is not one, with exit 2', () => {
    writeFileSync(join(dir, 'empty.ndjson'), '\n')
    const empty = runCli(['trace', 'empty.ndjson'], { cwd: dir })
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('holds no records to trace')
    writeFileSync(join(dir, 'flat.json'), JSON.stringify({ payload: '@@', signature: 'x' }))
    const flat = runCli(['trace', 'flat.json'], { cwd: dir })
    expect(flat.code).toBe(2)
    expect(flat.stderr).toContain('payload is not base64url')
  })

  it('refuses a leak nested past any record, and a CSV header that would write a prototype, with exit 2', () => {
    // 20,000 levels overflowed the stack in the matching (an internal error, exit 3).
    writeFileSync(join(dir, 'deep.json'), `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`)
    const deep = runCli(['trace', 'deep.json'], { cwd: dir })
    expect(deep.code).toBe(2)
    expect(deep.stderr).toContain('nested deeper than 64 levels')
    for (const name of ['__proto__.polluted', 'constructor.prototype.polluted']) {
      writeFileSync(join(dir, 'proto.csv'), `${name},city\nyes,Hangzhou\n`)
      const proto = runCli(['trace', 'proto.csv'], { cwd: dir })
      expect(proto.code).toBe(2)
      expect(proto.stderr).toContain('names a prototype key')
    }
  })

  it('refuses a leak too large to parse whole before reading it, with exit 2', () => {
    // A sparse 300 MB file: read whole it was 300 MB of text in memory, then parsed.
    writeFileSync(join(dir, 'huge.json'), '')
    truncateSync(join(dir, 'huge.json'), 300 * 1024 * 1024)
    const huge = runCli(['trace', 'huge.json'], { cwd: dir })
    expect(huge.code).toBe(2)
    expect(huge.stderr).toContain('over the 268435456 bytes trace reads')
  })
})
