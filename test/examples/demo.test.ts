// The demo is the README's first command: it must keep working and keep proving what it says.
import { execFileSync, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import stringWidth from 'string-width'
import { afterAll, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
const out = mkdtempSync(join(tmpdir(), 'datagate-demo-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

it('runs the whole flow on the sample data and verifies every file it writes', () => {
  const tsx = join(root, 'node_modules', '.bin', 'tsx')
  const output = execFileSync(tsx, ['examples/demo.ts', out], { cwd: root, encoding: 'utf8' })
  expect(output).toContain('ERR_PARTNER_SUSPENDED')
  expect(output).toMatch(/PII scan of the released records: 0 findings/)
  expect(output).toMatch(/ok {2}audit\.jsonl: \d+ events, chain intact/)
  // A signed checkpoint, and the log proven against the copies and the partners' receipts.
  expect(output).toMatch(/checkpoint: seq \d+ head sha256:[0-9a-f]{12}… signed by kid/)
  expect(output).toMatch(
    /ok {2}audit\.jsonl against [1-9]\d* checkpoint copies and [1-9]\d* partner receipts: every event anchored through seq \d+ by signed checkpoints/,
  )
  // The events by type, each with why it is there (unsigned releases build the tables).
  const byType = /(\d+) audit events, by type:\n(?:.*\n){2}((?: {2}[a-z-]+ +\d+ +.+\n)+)/.exec(
    output,
  )
  expect(byType).not.toBeNull()
  const typeRows = (byType?.[2] ?? '')
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/ {2,}/))
  expect(typeRows.reduce((sum, row) => sum + Number(row[1]), 0)).toBe(Number(byType?.[1]))
  expect(typeRows).toContainEqual([
    'release',
    expect.stringMatching(/^\d+$/),
    'unsigned gate.release calls that built the tables of steps 3 and 4 (no file)',
  ])
  expect(typeRows.map((row) => row[0])).toEqual(expect.arrayContaining(['checkpoint', 'denied']))
  for (const row of typeRows) expect(row[2]?.length ?? 0).toBeGreaterThan(0)
  // Step 1: absent values say so, sensitive ones are dropped, and CJK names keep the columns
  // aligned (display width, not code points).
  expect(output).not.toContain('(dropped)')
  expect(output).toMatch(/email +desensitised +mask\.email +.* absent/)
  // The display column where a row's fifth cell (customer 2) starts.
  const secondCustomer = (line: string) => {
    const cells = line.split(/ {2,}/)
    const fourth = line.indexOf(cells[4] ?? '', line.indexOf(cells[3] ?? ''))
    return stringWidth(
      line.slice(0, line.indexOf(cells[5] ?? '', fourth + (cells[4]?.length ?? 0))),
    )
  }
  const [header, name, city] = output
    .split('\n')
    .filter((line) => /^ {2}(field|name|city) /.test(line))
  expect(name).toMatch(/张磊 -> dropped/)
  expect(secondCustomer(name ?? '')).toBe(secondCustomer(header ?? ''))
  expect(secondCustomer(city ?? '')).toBe(secondCustomer(header ?? ''))
  // Step 4: the risk check is labelled advisory, with what to do.
  expect(output).toMatch(/advisory: the risk check does not block a release.*To act on it: /)
  expect(output).not.toMatch(/\bBAD\b/)
  // 7: the partner API over HTTP, one partner served, refusals refused.
  expect(output).toMatch(/rental-co GET \/v1\/repair-orders: export, \d+ records/)
  expect(output).toContain('insure-co GET /v1/customers/claims: refused, ERR_PARTNER_SUSPENDED')
  expect(output).toContain('partner API stopped')
  // 8: the CLI over the demo's own output: the chain proven, the HTML report written.
  expect(output).toMatch(/\$ datagate --config .*datagate\.config\.json log verify/)
  expect(output).toMatch(/chain intact\nanchored: {3}seq 0 to \d+\nunanchored: none/)
  expect(output).toMatch(/The monthly compliance report \(self-contained HTML\): .*report\.html/)
  // 9: a consent-filtered release: 10 % of customers without consent, their rows dropped and
  // counted in the audit event, not in the partner's report.
  const consent =
    /(\d+) of (\d+) customers gave no consent: (\d+) of (\d+) repair orders are theirs\n {2}ok {2}dropped before the release: audit event release consentDropped (\d+)\n {2}ok {2}the partner's report counts only the (\d+) rows/.exec(
      output,
    )
  expect(consent, 'step 9 output').not.toBeNull()
  const [, lacking, customers, theirs, orders, dropped, received] = (consent ?? []).map(Number)
  expect(lacking).toBe(Math.floor((customers as number) / 10))
  expect(dropped).toBe(theirs)
  expect(dropped).toBeGreaterThan(0)
  expect(received).toBe((orders as number) - (dropped as number))
  const grants = readFileSync(join(out, 'consent.jsonl'), 'utf8').trim().split('\n')
  expect(grants).toHaveLength((customers as number) - (lacking as number))
  // 10: a 5 % sample of rental-co's export is traced back to rental-co by its pseudonyms alone.
  const traced = output.slice(output.indexOf('10. A leak traced'))
  expect(traced).toMatch(
    /\d+ leaked repair_order records, partners ranked:\n {2}rental-co {2}strong {3}score 0\.9\d\d, pseudonyms (\d+)\/\1\n/,
  )
  expect(traced).not.toMatch(/\n {2}(?!rental-co)\S+ +strong/)
  const html = readFileSync(join(out, 'report.html'), 'utf8')
  expect(html).toMatch(/^<!doctype html>/i)
  expect(html).toContain('insure-co')
  expect(html).not.toMatch(/<script|\bsrc=|\bhref=/i)
  // The folder's README names every file, states the fixed clock, and its jose and Python
  // recipes verify an export as written.
  const files = readdirSync(out).sort()
  const readme = readFileSync(join(out, 'README.md'), 'utf8')
  for (const file of files) expect(readme).toContain(`| \`${file}\` |`)
  expect(readme).not.toContain('(undescribed)')
  expect(readme).toContain('2026-06-15T09:00:00.000Z')
  const js = /```js\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''
  expect(js).toContain('currentDate')
  const cache = join(root, 'node_modules', '.cache', 'datagate-demo-readme')
  mkdirSync(cache, { recursive: true })
  const script = join(cache, 'verify.mjs')
  writeFileSync(script, js)
  const jose = spawnSync(process.execPath, [script], { cwd: out, encoding: 'utf8' })
  expect(jose.stderr).toBe('')
  expect(jose.stdout).toMatch(/^\d+ records verified\n$/)
  const python = /```python\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''
  if (existsSync('/usr/bin/python3')) {
    const run = spawnSync('/usr/bin/python3', ['-c', python], { cwd: out, encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(run.stdout).toMatch(/^\d+ records verified\n$/)
  }
  expect(files).toEqual(
    expect.arrayContaining([
      'audit.jsonl',
      'checkpoints.txt',
      'budget.json',
      'jwks.json',
      'maps-co.outlet.jws',
      'rental-co.repair_order.jws',
    ]),
  )
  const jwks = JSON.parse(readFileSync(join(out, 'jwks.json'), 'utf8')) as {
    keys: Record<string, unknown>[]
  }
  expect(jwks.keys.length).toBeGreaterThan(0)
  for (const key of jwks.keys) expect(key).not.toHaveProperty('d')
  // The once-a-month aggregate is charged to the ledger on disk, so a restart cannot repeat it.
  const ledger = JSON.parse(readFileSync(join(out, 'budget.json'), 'utf8')) as {
    entries: Record<string, number>
  }
  expect(Object.keys(ledger.entries).some((key) => key.startsWith('["once",'))).toBe(true)
})
