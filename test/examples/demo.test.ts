// The demo is the README's first command: it must keep working and keep proving what it says.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
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
  expect(output).toMatch(/events: .*\d+ checkpoint.*\d+ denied/)
  expect(output).not.toMatch(/\bBAD\b/)
  // 7: the partner API over HTTP, one partner served, refusals refused.
  expect(output).toMatch(/rental-co GET \/v1\/repair-orders: export, \d+ records/)
  expect(output).toContain('insure-co GET /v1/customers/claims: refused, ERR_PARTNER_SUSPENDED')
  expect(output).toContain('partner API stopped')
  // 8: the CLI over the demo's own output: the chain proven, the HTML report written.
  expect(output).toMatch(/\$ datagate --config .*datagate\.config\.json log verify/)
  expect(output).toMatch(/chain intact\nanchored: {3}seq 0 to \d+\nunanchored: none/)
  expect(output).toMatch(/The monthly compliance report \(self-contained HTML\): .*report\.html/)
  // 9: a 5 % sample of rental-co's export is traced back to rental-co by its pseudonyms alone.
  const traced = output.slice(output.indexOf('9. A leak traced'))
  expect(traced).toMatch(
    /\d+ leaked repair_order records, partners ranked:\n {2}rental-co {2}strong {3}score 0\.9\d\d, pseudonyms (\d+)\/\1\n/,
  )
  expect(traced).not.toMatch(/\n {2}(?!rental-co)\S+ +strong/)
  const html = readFileSync(join(out, 'report.html'), 'utf8')
  expect(html).toMatch(/^<!doctype html>/i)
  expect(html).toContain('insure-co')
  expect(html).not.toMatch(/<script|\bsrc=|\bhref=/i)
  const files = readdirSync(out).sort()
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
