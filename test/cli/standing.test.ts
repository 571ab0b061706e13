// `datagate standing` as compliance staff run it: the built bin as a subprocess over a project in
// a temporary folder, monthly scores in CSV and JSON, the written policy loaded again and asked
// for a release, the audit log read back and verified.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DiffReportSchema, LogVerifyReportSchema, StandingReportSchema } from 'datagate/cli'
import { describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { fileAuditSink, readAuditLog } from '../../src/export/audit-file.node.js'
import { verifyAuditChain } from '../../src/export/audit-verify.js'
import { createGate } from '../../src/export/gate.js'
import { loadPolicy } from '../../src/policy/load.js'
import { tempDir } from '../temp-dir.js'
import { Customer, RepairOrder } from './fixtures/datasets.js'
import { makeLogProject } from './make-log.js'
import { fixtures, runCli } from './run-cli.js'

const datasets = [Customer, RepairOrder]
const HEADER =
  'partner,month,satisfaction,responseSpeed,complaintHandling,priceFairness,complaintRate'

// The clean fixture's policy with comments, blank lines and flow collections, as people write it.
const POLICY = `# Partners of the after-sales network. Standing is reviewed monthly (datagate standing).
issuer: oem-aftersales
partners:
  - id: rental-co
    name: Rental Co
    category: capability
    standing: gold # reviewed 2026-01
    core: true
    agreements:
      - id: courtesy-car-2026
        dataset: repair_order
        purpose: courtesy-car
        fields: [orderId, city, vehicle.model, estimatedHours, customerId]
        where: { estimatedHours: { $gt: 4 }, city: { $in: [Hangzhou, Ningbo] } }
        validFrom: 2026-01-01
        validUntil: 2026-12-31

  # Maps Co receives city statistics only.
  - id: maps-co
    name: Maps Co
    category: traffic
    standing: silver
    core: false
    agreements:
      - id: city-stats-2026
        dataset: customer
        purpose: city-stats
        fields: [city]
        validFrom: 2026-01-01
        validUntil: 2026-12-31
`

function project(policy = POLICY, options: { audit?: boolean; policyName?: string } = {}) {
  const dir = tempDir('datagate-standing-')
  const policyName = options.policyName ?? 'policy.yaml'
  writeFileSync(join(dir, policyName), policy)
  writeFileSync(
    join(dir, 'datagate.config.yaml'),
    stringify({
      datasets: join(fixtures, 'datasets.ts'),
      policy: `./${policyName}`,
      ...(options.audit === false ? {} : { audit: './audit.jsonl' }),
    }),
  )
  return { dir, policy: join(dir, policyName), audit: join(dir, 'audit.jsonl') }
}

/** One CSV line with all four metrics equal to `rating` (so the composite is `rating`). */
const line = (partner: string, month: string, rating: number, complaintRate: string) =>
  `${partner},${month},${rating},${rating},${rating},${rating},${complaintRate}`

const standing = (dir: string, args: string[]) => {
  const run = runCli(['standing', ...args, '--format', 'json'], { cwd: dir })
  return { ...run, report: run.stdout ? StandingReportSchema.parse(JSON.parse(run.stdout)) : null }
}

const orders = Array.from({ length: 4 }, (_, i) => ({
  orderId: `o${i}`,
  customerId: `c${i}`,
  customerPhone: '13812345678',
  city: 'Hangzhou',
  estimatedHours: 6,
  vehicle: { model: 'EX5' },
}))

/** What the next release to rental-co gives under the policy file: records or the refusal code. */
async function nextRelease(policyFile: string): Promise<string> {
  const policy = loadPolicy(readFileSync(policyFile, 'utf8'), { datasets })
  const gate = createGate({
    issuer: 'oem-aftersales',
    datasets,
    policy,
    pseudonymKey: crypto.getRandomValues(new Uint8Array(32)),
    now: () => new Date('2026-07-02T00:00:00Z'),
  })
  try {
    const { records } = await gate.release(orders, {
      partner: 'rental-co',
      dataset: 'repair_order',
      purpose: 'courtesy-car',
    })
    return `released ${records.length}`
  } catch (error) {
    return (error as { code: string }).code
  }
}

describe('datagate standing', () => {
  it('month by month, scores crossing each threshold to the third yellow month set the standing and the next release', async () => {
    const { dir, policy, audit } = project()
    // rental-co crosses every threshold; maps-co stays silver throughout.
    const rental: [string, number, string][] = [
      ['2026-01', 4.85, '0.4%'], // gold
      ['2026-02', 4.85, '0.5%'], // complaints not below 0.5 %: silver
      ['2026-03', 4.8, '0.1%'], // exactly 4.8 is not gold: silver
      ['2026-04', 4.5, '0.1%'], // exactly 4.5 is not silver: bronze
      ['2026-05', 4.0, '0.1%'], // exactly 4.0 is no tier: yellow 1
      ['2026-06', 4.3, '2%'], // complaints 2 %: yellow 2
      ['2026-07', 3.1, '0.1%'], // yellow 3: terminated
      ['2026-08', 4.95, '0%'], // a gold month: stays terminated
    ]
    const csv = [
      HEADER,
      ...rental.flatMap(([month, rating, rate]) => [
        line('rental-co', month, rating, rate),
        line('maps-co', month, 4.6, '0.2%'),
      ]),
    ].join('\n')
    writeFileSync(join(dir, 'scores.csv'), `${csv}\n`)
    const outcomes: string[] = []
    for (const [month] of rental) {
      const { code, report, stderr } = standing(dir, [
        '--scores',
        'scores.csv',
        '--month',
        month,
        '--write',
      ])
      expect(stderr).toBe('')
      expect(code).toBe(0)
      const row = report?.partners.find((p) => p.partner === 'rental-co')
      outcomes.push(`${month} ${row?.to} ${row?.yellowMonths} ${await nextRelease(policy)}`)
    }
    expect(outcomes).toEqual([
      '2026-01 gold 0 released 4',
      '2026-02 silver 0 released 4',
      '2026-03 silver 0 released 4',
      '2026-04 bronze 0 released 4',
      '2026-05 yellow 1 ERR_PARTNER_SUSPENDED',
      '2026-06 yellow 2 ERR_PARTNER_SUSPENDED',
      '2026-07 terminated 3 ERR_PARTNER_REVOKED',
      '2026-08 terminated 0 ERR_PARTNER_REVOKED',
    ])
    // One policy and one standing-change event per month that changed something (February,
    // April, May, July), each naming the scores' digest; the chain holds.
    const { events } = await readAuditLog(audit)
    expect(verifyAuditChain(events).ok).toBe(true)
    const changes = events.filter(
      (
        e,
      ): e is {
        type: 'standing-change'
        month: string
        changes: { partner: string; to: string }[]
      } => (e as { type: string }).type === 'standing-change',
    )
    expect(
      changes.map((e) => `${e.month} ${e.changes.map((c) => `${c.partner}:${c.to}`).join(' ')}`),
    ).toEqual([
      '2026-02 rental-co:silver',
      '2026-04 rental-co:bronze',
      '2026-05 rental-co:yellow',
      '2026-07 rental-co:terminated',
    ])
  })

  it('--write changes only the standing values: comments, blank lines, key order and flow style stay', () => {
    const { dir, policy } = project()
    writeFileSync(
      join(dir, 'scores.csv'),
      [
        HEADER,
        line('rental-co', '2026-06', 4.6, '0.8%'),
        line('maps-co', '2026-06', 3.2, '3%'),
      ].join('\r\n'),
    )
    const { code, report } = standing(dir, ['--scores', 'scores.csv', '--write'])
    expect(code).toBe(0)
    expect(report?.written).toBe(true)
    const written = readFileSync(policy, 'utf8')
    const before = POLICY.split('\n')
    const after = written.split('\n')
    expect(after.length).toBe(before.length)
    expect(
      after.flatMap((text, i) => (text === before[i] ? [] : [`${before[i]} => ${text}`])),
    ).toEqual([
      '    standing: gold # reviewed 2026-01 =>     standing: silver # reviewed 2026-01',
      '    standing: silver =>     standing: yellow',
    ])
    // The proposal is the diff `datagate diff` prints between the old and the written policy.
    writeFileSync(join(dir, 'before.yaml'), POLICY)
    const diff = runCli(['diff', 'before.yaml', 'policy.yaml', '--format', 'json'], { cwd: dir })
    const { changes, widened, narrowed, changed } = DiffReportSchema.parse(JSON.parse(diff.stdout))
    expect(report).toMatchObject({ changes, widened, narrowed, changed })
    expect(changes.map((c) => `${c.direction} ${c.partner} ${c.from}->${c.to}`)).toEqual([
      'change rental-co gold->silver',
      'narrow maps-co silver->yellow',
    ])
    expect(report?.new.policyHash).toBe(loadPolicy(written, { datasets }).hash)
    // Nothing else is left in the folder: no temporary file, no lock.
    expect(readdirSync(dir).sort()).toEqual([
      'audit.jsonl',
      'before.yaml',
      'datagate.config.yaml',
      'policy.yaml',
      'scores.csv',
    ])
  })

  it('without --write it proposes: the text shows the diff, the policy and the log stay untouched', () => {
    const { dir, policy, audit } = project()
    writeFileSync(
      join(dir, 'scores.csv'),
      [HEADER, line('rental-co', '2026-06', 4.8, '0.1%')].join('\n'),
    )
    const run = runCli(['standing', '--scores', 'scores.csv'], { cwd: dir })
    expect(run.code).toBe(0)
    const digest = run.stdout.match(/\(sha256:([0-9a-f]{12})…\)/)?.[1]
    expect(run.stdout.replace(/sha256:[0-9a-f]{12}…/g, 'sha256:…')).toBe(
      [
        'standing for 2026-06 from scores.csv (sha256:…)',
        '  rental-co  gold -> silver      rating 4.8, complaints 0.1 %',
        '  maps-co    silver (unchanged)  no scores',
        'warning maps-co has no scores for 2026-06; its standing silver is left as it is (no_scores)',
        '',
        'policy.yaml (sha256:…) -> policy.yaml (proposed) (sha256:…)',
        '',
        'partner rental-co',
        '  change standing gold to silver',
        '',
        '0 widening, 0 narrowing, 1 other change(s)',
        '',
        'proposed only: run with --write to apply it to policy.yaml',
        '',
      ].join('\n'),
    )
    // The digest is SHA-256 of the file's bytes, as openssl computes it.
    const openssl = execFileSync('openssl', ['dgst', '-sha256', '-r', join(dir, 'scores.csv')], {
      encoding: 'utf8',
    })
    expect(openssl.startsWith(digest as string)).toBe(true)
    expect(readFileSync(policy, 'utf8')).toBe(POLICY)
    expect(existsSync(audit)).toBe(false)
  })

  it("records the change in a gate's signed log, which still verifies with its keys and receipts", async () => {
    // The gate's own file sink, closed when the gate is done, so the log's lock is released as
    // it is when a service stops.
    const log = join(tempDir('datagate-standing-log-'), 'audit.jsonl')
    const sink = await fileAuditSink(log)
    const logProject = await makeLogProject({ sink, spec: log })
    await sink.close()
    const { dir } = logProject
    const scores = [
      {
        partner: 'rental-co',
        month: '2026-06',
        satisfaction: 4.2,
        responseSpeed: 4.1,
        complaintHandling: 4,
        priceFairness: 4.3,
        complaintRate: 0.015,
      },
      {
        partner: 'maps-co',
        month: '2026-06',
        satisfaction: 5,
        responseSpeed: 4.9,
        complaintHandling: 4.9,
        priceFairness: 4.8,
        complaintRate: 0.001,
      },
    ]
    const bytes = `${JSON.stringify(scores, null, 2)}\n`
    writeFileSync(join(dir, 'scores.json'), bytes)
    const before = await readAuditLog(log)
    const { code, report } = standing(dir, ['--scores', 'scores.json', '--write'])
    expect(code).toBe(0)
    expect(report?.partners.map((p) => `${p.partner} ${p.from}->${p.to} ${p.rating}`)).toEqual([
      'rental-co gold->bronze 4.15',
      'maps-co silver->gold 4.925',
    ])
    const { events } = await readAuditLog(log)
    const added = events.slice(before.events.length) as { type: string; seq: number }[]
    // The writer resumes the closed chain, logs the new policy, then the change.
    expect(added.map((e) => e.type)).toEqual(['resume', 'policy', 'standing-change'])
    const openssl = execFileSync('openssl', ['dgst', '-sha256', '-r', join(dir, 'scores.json')], {
      encoding: 'utf8',
    }).slice(0, 64)
    expect(added[2]).toMatchObject({
      seq: report?.audit?.seq,
      fromPolicyHash: report?.old.policyHash,
      toPolicyHash: report?.new.policyHash,
      scoresDigest: `sha256:${openssl}`,
      month: '2026-06',
      changes: [
        {
          partner: 'rental-co',
          from: 'gold',
          to: 'bronze',
          rating: 4.15,
          complaintRate: 0.015,
          yellowMonths: 0,
        },
        {
          partner: 'maps-co',
          from: 'silver',
          to: 'gold',
          rating: 4.925,
          complaintRate: 0.001,
          yellowMonths: 0,
        },
      ],
    })
    expect(added[1]).toMatchObject({ policyHash: report?.new.policyHash })
    const verify = runCli(
      [
        'log',
        'verify',
        '--jwks',
        logProject.jwks,
        '--receipts',
        logProject.receipts,
        '--format',
        'json',
      ],
      { cwd: dir },
    )
    expect(verify.code).toBe(0)
    const verified = LogVerifyReportSchema.parse(JSON.parse(verify.stdout))
    expect(verified).toMatchObject({ ok: true, count: events.length })
    expect(verified.issues.filter((i) => i.code === 'policy_not_logged')).toEqual([])
    const ledger = runCli(['log', 'report', '--format', 'json'], { cwd: dir })
    expect(ledger.code).toBe(0)
  })

  it('a JSON policy is rewritten as JSON, key order and indentation kept', () => {
    const document = parse(POLICY)
    const text = `${JSON.stringify(document, null, 4)}\n`
    const { dir, policy } = project(text, { policyName: 'policy.json' })
    writeFileSync(
      join(dir, 'scores.json'),
      JSON.stringify([
        {
          partner: 'maps-co',
          month: '2026-06',
          satisfaction: 4,
          responseSpeed: 4,
          complaintHandling: 4,
          priceFairness: 4,
          complaintRate: 0.001,
        },
      ]),
    )
    const { code, report } = standing(dir, ['--scores', 'scores.json', '--write'])
    expect(code).toBe(0)
    expect(report?.changes.map((c) => `${c.partner} ${c.to}`)).toEqual(['maps-co yellow'])
    document.partners[1].standing = 'yellow'
    expect(readFileSync(policy, 'utf8')).toBe(`${JSON.stringify(document, null, 4)}\n`)
  })

  it('a partner already terminated is never promoted; a partner the policy does not know is an error and nothing is written', () => {
    const { dir, policy, audit } = project(
      POLICY.replace('standing: silver', 'standing: terminated'),
    )
    writeFileSync(
      join(dir, 'scores.csv'),
      [
        HEADER,
        line('maps-co', '2026-06', 4.99, '0%'),
        line('rental-co', '2026-06', 4.9, '0.1%'),
      ].join('\n'),
    )
    const kept = standing(dir, ['--scores', 'scores.csv', '--write'])
    expect(kept.code).toBe(0)
    expect(kept.report?.partners.find((p) => p.partner === 'maps-co')).toMatchObject({
      from: 'terminated',
      to: 'terminated',
      basis: 'terminated',
      rating: 4.99,
    })
    expect(kept.report?.written).toBe(false)
    expect(existsSync(audit)).toBe(false)

    writeFileSync(
      join(dir, 'scores.csv'),
      [HEADER, line('rental-co', '2026-06', 3, '5%'), line('ride-co', '2026-06', 4.9, '0%')].join(
        '\n',
      ),
    )
    const refused = standing(dir, ['--scores', 'scores.csv', '--write'])
    expect(refused.code).toBe(1)
    expect(refused.report?.findings).toEqual([
      expect.objectContaining({ severity: 'error', code: 'unknown_partner', partner: 'ride-co' }),
      expect.objectContaining({ severity: 'warning', code: 'no_scores', partner: 'maps-co' }),
    ])
    expect(refused.report?.written).toBe(false)
    expect(readFileSync(policy, 'utf8')).toBe(
      POLICY.replace('standing: silver', 'standing: terminated'),
    )
    expect(existsSync(audit)).toBe(false)
  })

  it('fails closed: when the audit log cannot be written, the policy is not changed', async () => {
    const { dir, policy, audit } = project()
    writeFileSync(
      join(dir, 'scores.csv'),
      [HEADER, line('rental-co', '2026-06', 3, '5%')].join('\n'),
    )
    // A running gate holds the log's lock.
    const sink = await fileAuditSink(audit)
    try {
      const run = runCli(['standing', '--scores', 'scores.csv', '--write'], { cwd: dir })
      expect(run.code).toBe(2)
      expect(run.stderr).toContain('ERR_AUDIT_LOCKED')
    } finally {
      await sink.close()
    }
    expect(readFileSync(policy, 'utf8')).toBe(POLICY)
    expect(readdirSync(dir).sort()).toEqual([
      'audit.jsonl',
      'datagate.config.yaml',
      'policy.yaml',
      'scores.csv',
    ])
    expect((await readAuditLog(audit)).events).toEqual([])
  })

  it.each([
    [
      'a missing column',
      `partner,month,satisfaction,responseSpeed,complaintHandling,complaintRate\nrental-co,2026-06,4,4,4,0.01`,
      'header must name partner,month,satisfaction,responseSpeed,complaintHandling,priceFairness,complaintRate; missing priceFairness',
    ],
    [
      'a metric off the 0-5 scale',
      `${HEADER}\nrental-co,2026-06,4,4,4,50,0.01`,
      'line 2: priceFairness: Too big: expected number to be <=5',
    ],
    [
      'a rate above 1',
      `${HEADER}\nrental-co,2026-06,4,4,4,4,150%`,
      'line 2: complaintRate: Too big: expected number to be <=1',
    ],
    [
      'a malformed month',
      `${HEADER}\n\nrental-co,2026-6,4,4,4,4,0.01`,
      'line 3: month: expected YYYY-MM',
    ],
    [
      'a text where a number goes',
      `${HEADER}\nrental-co,2026-06,good,4,4,4,0.01`,
      'line 2: satisfaction: Invalid input: expected number, received string',
    ],
    [
      'a month twice',
      `${HEADER}\nrental-co,2026-06,4,4,4,4,0.01\nrental-co,2026-06,4,4,4,4,0.01`,
      'line 3: rental-co has 2026-06 twice',
    ],
    [
      'a ragged row',
      `${HEADER}\nrental-co,2026-06,4,4,4,4`,
      'not CSV: Invalid Record Length: expect 7, got 6 on line 2',
    ],
  ])('scores with %s are unreadable input (exit 2)', (_name, csv, message) => {
    const { dir, policy } = project()
    writeFileSync(join(dir, 'scores.csv'), csv)
    const run = runCli(['standing', '--scores', 'scores.csv', '--write'], { cwd: dir })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(message)
    expect(run.stdout).toBe('')
    expect(readFileSync(policy, 'utf8')).toBe(POLICY)
  })

  it('bad usage exits 2: --write without an audit log, a bad --month, a month the scores do not have, no --scores', () => {
    const withoutAudit = project(POLICY, { audit: false })
    writeFileSync(
      join(withoutAudit.dir, 'scores.csv'),
      [HEADER, line('rental-co', '2026-06', 3, '5%')].join('\n'),
    )
    const run = runCli(['standing', '--scores', 'scores.csv', '--write'], { cwd: withoutAudit.dir })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(
      '--write records the change in the audit log: set audit in the config',
    )
    expect(readFileSync(withoutAudit.policy, 'utf8')).toBe(POLICY)
    // Without --write no audit log is needed.
    expect(runCli(['standing', '--scores', 'scores.csv'], { cwd: withoutAudit.dir }).code).toBe(0)
    const bad = runCli(['standing', '--scores', 'scores.csv', '--month', '2026-13'], {
      cwd: withoutAudit.dir,
    })
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'datagate: --month: expected YYYY-MM, got 2026-13 (ERR_INVALID_ARGUMENT)\n',
    ])
    // A month no partner has scores for leaves every standing as it is, with a warning each.
    const none = standing(withoutAudit.dir, ['--scores', 'scores.csv', '--month', '2026-05'])
    expect(none.code).toBe(0)
    expect(none.report?.findings.map((f) => f.code)).toEqual(['no_scores', 'no_scores'])
    expect(none.report?.changes).toEqual([])
    expect(runCli(['standing'], { cwd: withoutAudit.dir }).code).toBe(2)
    expect(runCli(['standing', '--scores', 'missing.csv'], { cwd: withoutAudit.dir }).code).toBe(2)
  })

  it('a partner id with terminal escapes in the scores is printed as visible text', () => {
    const { dir } = project(POLICY, { audit: false })
    const hostile = 'x\u001b]0;PWNED\u0007\u001b[2J'
    writeFileSync(join(dir, 'scores.csv'), [HEADER, line(hostile, '2026-06', 4, '1%')].join('\n'))
    const run = runCli(['standing', '--scores', 'scores.csv'], {
      cwd: dir,
      env: { FORCE_COLOR: '1' },
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('the scores name x\\x1b]0;PWNED\\x07\\x1b[2J, which policy.yaml')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for raw controls
    expect(run.stdout).not.toMatch(/\u001b\]|\u0007|\u001b\[2J/)
  })

  it('a partner id with a line break in the scores cannot forge a line of the report', () => {
    const { dir } = project(POLICY, { audit: false })
    const hostile = 'x\n## all partners approved\r\nwarning forged'
    writeFileSync(
      join(dir, 'scores.json'),
      JSON.stringify([
        {
          partner: hostile,
          month: '2026-06',
          satisfaction: 4,
          responseSpeed: 4,
          complaintHandling: 4,
          priceFairness: 4,
          complaintRate: 0.01,
        },
      ]),
    )
    for (const format of ['text', 'md']) {
      const run = runCli(['standing', '--scores', 'scores.json', '--format', format], { cwd: dir })
      expect(run.code).toBe(1)
      expect(run.stdout).toContain(
        'the scores name x\\u000a## all partners approved\\u000d\\u000awarning forged, which',
      )
      const lines = run.stdout.split(/\r?\n/)
      expect(
        lines.some((l) => l.startsWith('## all partners') || l.startsWith('warning forged')),
      ).toBe(false)
    }
  })
})
