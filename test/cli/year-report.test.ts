// `datagate report --year` and the threshold findings of `datagate lint`, over a real audit log
// written by a counting gate across the Asia/Shanghai year boundary.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { LintReportSchema, YearReportSchema } from 'datagate/cli'
import { beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { readYear } from '../../src/cli/guardrails.js'
import { shanghaiYearRange } from '../../src/cli/year-report.js'
import { isDatagateError } from '../../src/errors.js'
import { memoryAuditSink } from '../../src/export/audit.js'
import { fileAuditSink } from '../../src/export/audit-file.node.js'
import { createGate } from '../../src/export/gate.js'
import {
  memorySubjectCounterStore,
  type SubjectCountUpdate,
} from '../../src/export/subject-counter.js'
import { loadPolicy } from '../../src/policy/load.js'
import { tempDir } from '../temp-dir.js'
import { Trip } from './fixtures/guardrails/datasets.js'
import { fixtures, runCli } from './run-cli.js'

const HOSTILE = '<img src=x onerror=alert(1)>'

const policy = {
  issuer: 'oem',
  crossBorder: { filing: 25 },
  partners: [
    {
      id: 'maps-eu',
      name: 'Maps EU',
      category: 'traffic',
      standing: 'gold',
      core: true,
      region: 'DE',
      agreements: [
        {
          id: 'eu-map-2026',
          dataset: 'trip',
          purpose: 'eu-map',
          fields: ['start', 'chargerLoad', 'km'],
          assessment: HOSTILE,
          validFrom: '2026-01-01',
          validUntil: '2027-12-31',
        },
      ],
    },
    {
      id: 'charge-cn',
      name: 'Charge CN',
      category: 'resource',
      standing: 'gold',
      core: true,
      agreements: [
        {
          id: 'cn-load-2026',
          dataset: 'trip',
          purpose: 'grid-planning',
          fields: ['chargerLoad', 'km'],
          validFrom: '2026-01-01',
          validUntil: '2027-12-31',
        },
        {
          id: 'cn-km-2026',
          dataset: 'trip',
          purpose: 'mileage',
          fields: ['km'],
          validFrom: '2026-01-01',
          validUntil: '2027-12-31',
        },
      ],
    },
  ],
}

const trips = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    vin: `LSVAU2180N${String(from + i).padStart(7, '0')}`,
    start: { lat: 31.23, lng: 121.47 },
    chargerLoad: 0.5,
    km: i,
  }))

let dir: string
beforeAll(async () => {
  dir = tempDir('datagate-cli-year-')
  writeFileSync(join(dir, 'policy.yaml'), stringify(policy))
  writeFileSync(
    join(dir, 'datagate.config.yaml'),
    stringify({
      datasets: join(fixtures, 'guardrails', 'datasets.ts'),
      policy: './policy.yaml',
      audit: './audit.jsonl',
    }),
  )
  let time = Date.parse('2026-03-01T00:00:00Z')
  const gate = createGate({
    issuer: 'oem',
    datasets: [Trip],
    policy: loadPolicy(policy, { datasets: [Trip] }),
    pseudonymKey: Uint8Array.from({ length: 32 }, (_, i) => i + 1),
    audit: await fileAuditSink(join(dir, 'audit.jsonl')),
    subjects: {
      store: memorySubjectCounterStore(),
      key: Uint8Array.from({ length: 32 }, (_, i) => (i * 71 + 13) & 0xff),
    },
    now: () => new Date(time),
  })
  const eu = { partner: 'maps-eu', dataset: 'trip', purpose: 'eu-map' }
  await gate.release(trips(0, 20), eu)
  time = Date.parse('2026-12-31T15:59:00Z')
  await gate.release(trips(10, 20), eu) // 30 people abroad in 2026: past the filing threshold of 25
  await gate.release(trips(0, 40), {
    partner: 'charge-cn',
    dataset: 'trip',
    purpose: 'grid-planning',
  })
  await gate.release(trips(0, 5), { partner: 'charge-cn', dataset: 'trip', purpose: 'mileage' })
  time = Date.parse('2026-12-31T16:00:00Z') // 2027 in Shanghai
  await gate.release(trips(100, 3), eu)
  await gate.close()
})

const cli = (args: string[]) => runCli(args, { cwd: dir })

describe('datagate report --year', () => {
  it('summarises important data and sensitive PI per partner, purpose and region, with the year counts and the crossed threshold', () => {
    const run = cli(['report', '--year', '2026', '--format', 'json'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(1) // the filing threshold is an error finding
    const r = YearReportSchema.parse(JSON.parse(run.stdout))
    expect(r).toMatchObject({
      year: 2026,
      timeZone: 'Asia/Shanghai',
      from: '2025-12-31T16:00:00.000Z',
      to: '2026-12-31T15:59:59.999Z',
      chainOk: true,
    })
    expect(r.sharing.map((s) => [s.partner, s.purpose, s.region, s.events, s.records])).toEqual([
      ['charge-cn', 'grid-planning', 'CN', 1, 40],
      ['maps-eu', 'eu-map', 'DE', 2, 40],
    ])
    const eu = r.sharing[1]
    expect(eu?.important).toEqual([{ path: 'chargerLoad', kind: 'charging_network' }])
    expect(eu?.sensitivePI).toEqual([{ path: 'start', kind: 'location' }])
    expect(eu?.assessments).toEqual([HOSTILE])
    // The counts are the largest estimates the year's events recorded (read here from the file),
    // each near the true count (30 abroad, 40 in all; a HyperLogLog estimate, so within 2).
    const recorded = (key: string, partner?: string) =>
      Math.max(
        ...readFileSync(join(dir, 'audit.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line))
          .filter((e) => e.details?.['subjects.year'] === 2026)
          .filter((e) => partner === undefined || e.partner === partner)
          .map((e) => e.details[key] ?? Number.NEGATIVE_INFINITY),
      )
    expect(r.subjects.overseas).toBe(recorded('subjects.overseas'))
    expect(r.subjects.overseasSensitivePI).toBe(recorded('subjects.overseasSensitivePI'))
    expect(r.subjects.all).toBe(recorded('subjects.all'))
    expect(Math.abs((r.subjects.overseas as number) - 30)).toBeLessThanOrEqual(2)
    expect(Math.abs((r.subjects.all as number) - 40)).toBeLessThanOrEqual(2)
    expect(r.subjects.partners).toEqual([
      {
        partner: 'charge-cn',
        subjects: recorded('subjects.partner', 'charge-cn'),
        sensitivePI: null,
      },
      {
        partner: 'maps-eu',
        subjects: recorded('subjects.partner', 'maps-eu'),
        sensitivePI: recorded('subjects.partnerSensitivePI', 'maps-eu'),
      },
    ])
    expect(r.findings.map((f) => f.code)).toEqual(['cross_border_filing_threshold'])
  })

  it('the next Shanghai year starts from zero: 2026-12-31T16:00Z is in 2027', () => {
    const r = YearReportSchema.parse(
      JSON.parse(cli(['report', '--year', '2027', '--format', 'json']).stdout),
    )
    expect(r.subjects.overseas).toBe(3)
    expect(r.sharing.map((s) => [s.partner, s.records])).toEqual([['maps-eu', 3]])
    expect(r.findings).toEqual([])
  })

  it('renders text, Markdown and HTML (markup from the policy stays text)', () => {
    const text = cli(['report', '--year', '2026', '--format', 'text']).stdout
    expect(text).toContain('shared in 2026 (Asia/Shanghai)')
    expect(text).toContain('chargerLoad (charging_network)')
    expect(text).toContain('cross_border_filing_threshold')
    const md = cli(['report', '--year', '2026', '--format', 'md']).stdout
    expect(md).toContain('## Shared, per partner, purpose and region')
    expect(md).toContain('| maps-eu |')
    const run = cli(['report', '--year', '2026', '--format', 'html', '--out', 'year.html'])
    expect(run.stderr).toContain('report written to year.html')
    const html = readFileSync(join(dir, 'year.html'), 'utf8')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html).not.toContain(HOSTILE)
    expect(html).not.toMatch(/<script/i)
  })

  it('bad usage exits 2', () => {
    expect(cli(['report', '--year', '26']).code).toBe(2)
    expect(cli(['report', '--year', '0000']).code).toBe(2)
    expect(cli(['report', '--year', '2026', '--month', '2026-06']).code).toBe(2)
    expect(cli(['report', '--month', '2026-06', '--format', 'text']).code).toBe(2)
  })
})

describe('datagate lint: thresholds', () => {
  it('reports the crossing of the year --at falls in, from the audit log', () => {
    const run = cli(['lint', '--at', '2026-12-31T15:59:30Z', '--format', 'json'])
    const r = LintReportSchema.parse(JSON.parse(run.stdout))
    expect(run.code).toBe(1)
    expect(r.findings.map((f) => [f.severity, f.code])).toEqual([
      ['error', 'cross_border_filing_threshold'],
    ])
    expect(r.findings[0]?.message).toMatch(/about (28|29|30|31|32) people/)
    const next = LintReportSchema.parse(
      JSON.parse(cli(['lint', '--at', '2027-01-02', '--format', 'json']).stdout),
    )
    expect(next.findings.filter((f) => f.code.startsWith('cross_border'))).toEqual([])
  })
})

describe('the year of a count', () => {
  it('a release counted at 15:59:59.999Z and audited at 16:00Z counts in the year its merge named', async () => {
    // The merge and the event take the clock apart; here the store's answer crosses midnight.
    let time = Date.parse('2026-12-31T15:59:59.999Z')
    const memory = memorySubjectCounterStore()
    const store = {
      merge(update: SubjectCountUpdate) {
        const outcome = memory.merge(update)
        time = Date.parse('2026-12-31T16:00:00Z')
        return outcome
      },
      read: (counters: readonly string[]) => memory.read(counters),
    }
    const audit = memoryAuditSink()
    const gate = createGate({
      issuer: 'oem',
      datasets: [Trip],
      policy: loadPolicy(policy, { datasets: [Trip] }),
      pseudonymKey: Uint8Array.from({ length: 32 }, (_, i) => i + 1),
      audit,
      subjects: { store, key: Uint8Array.from({ length: 32 }, (_, i) => (i * 71 + 13) & 0xff) },
      now: () => new Date(time),
    })
    await gate.release(trips(0, 30), { partner: 'maps-eu', dataset: 'trip', purpose: 'eu-map' })
    const event = audit.events.find((e) => e.type === 'release')
    expect(event?.details?.['subjects.year']).toBe(2026)
    expect(event?.time).toBe('2026-12-31T16:00:00.000Z')
    const source = {
      name: 'memory',
      events: async function* () {
        yield* audit.events
      },
      locate: () => ({}),
      torn: undefined,
    }
    const year = await readYear(source, 2026, [Trip])
    expect(year.counts.overseas).toBe(event?.details?.['subjects.overseas'])
    expect((await readYear(source, 2027, [Trip])).counts.overseas).toBeNull()
  })

  it('--year before 1970 is bad usage, not a range in the 1900s', () => {
    expect(shanghaiYearRange('2026').from).toBe(Date.parse('2025-12-31T16:00:00Z'))
    for (const year of ['0000', '0099', '1969']) {
      let error: unknown
      try {
        shanghaiYearRange(year)
      } catch (e) {
        error = e
      }
      expect(isDatagateError(error, 'ERR_INVALID_ARGUMENT')).toBe(true)
      expect((error as Error).message).toMatch(/--year/)
    }
  })
})

describe('a log without its policy events', () => {
  it('reports the region as unknown, not CN: a partner abroad is not shown as domestic', async () => {
    const audit = memoryAuditSink()
    const gate = createGate({
      issuer: 'oem',
      datasets: [Trip],
      policy: loadPolicy(policy, { datasets: [Trip] }),
      pseudonymKey: Uint8Array.from({ length: 32 }, (_, i) => i + 1),
      audit,
      subjects: {
        store: memorySubjectCounterStore(),
        key: Uint8Array.from({ length: 32 }, (_, i) => (i * 71 + 13) & 0xff),
      },
      now: () => new Date('2026-06-01T00:00:00Z'),
    })
    await gate.release(trips(0, 3), { partner: 'maps-eu', dataset: 'trip', purpose: 'eu-map' })
    const source = (skipPolicy: boolean) => ({
      name: 'memory',
      events: async function* () {
        for (const event of audit.events) if (!skipPolicy || event.type !== 'policy') yield event
      },
      locate: () => ({}),
      torn: undefined,
    })
    const whole = await readYear(source(false), 2026, [Trip])
    expect(whole.sharing.map((s) => [s.region, s.overseas])).toEqual([['DE', true]])
    const cut = await readYear(source(true), 2026, [Trip])
    expect(cut.sharing.map((s) => [s.region, s.overseas])).toEqual([['unknown', null]])
  })
})
