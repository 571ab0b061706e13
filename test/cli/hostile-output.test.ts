// Output an attacker can shape (file names, file content, log fields) must not reach a terminal
// as control sequences: the review put an OSC retitle and a clear-screen in a scanned file name.
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ScanReportSchema } from 'datagate/cli'
import { describe, expect, it } from 'vitest'
import { makeLogProject } from './make-log.js'
import { fixtures, runCli } from './run-cli.js'

const hostile = 'x\u001b]0;PWNED\u0007\u001b[2J\u009b31m.txt'

describe('terminal escapes in what the CLI prints', () => {
  it('scan shows control characters in a file name and excerpt as visible text, never raw', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-hostile-'))
    mkdirSync(join(dir, 's'))
    writeFileSync(join(dir, 's', hostile), 'mail alice@example.com \u001b[8m now\n')
    for (const env of [{}, { FORCE_COLOR: '1' }]) {
      const text = runCli(['scan', 's'], { cwd: dir, env })
      expect(text.code).toBe(1)
      expect(text.stdout).toContain('x\\x1b]0;PWNED\\x07\\x1b[2J\\x9b31m.txt')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for raw controls
      expect(text.stdout).not.toMatch(/\u001b\]|\u0007|\u001b\[2J|\u001b\[8m|\u009b/)
    }
    const json = runCli(['scan', 's', '--format', 'json'], { cwd: dir })
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for raw controls
    expect(json.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
    // Still valid JSON holding the real file name.
    expect(ScanReportSchema.parse(JSON.parse(json.stdout)).findings[0]?.file).toBe(`s/${hostile}`)
  })
})

describe('a tampered audit log in log report', () => {
  it('prefixes a cell starting with tab or CR (a formula to spreadsheets) and exits 1 on a broken chain', async () => {
    const project = await makeLogProject()
    const lines = readFileSync(project.log, 'utf8').trimEnd().split('\n')
    const at = lines.findIndex((l) => JSON.parse(l).type === 'release')
    lines[at] = JSON.stringify({ ...JSON.parse(lines[at] as string), partner: '\t=1+1' })
    writeFileSync(project.log, `${lines.join('\n')}\n`)
    const csv = runCli(['log', 'report', '--format', 'csv'], { cwd: project.dir })
    expect(csv.stdout).toContain(`,release,"'\t=1+1",`)
    // The ledger of a log whose chain does not hold is not a clean result.
    expect(csv.code).toBe(1)
    const text = runCli(['log', 'report'], { cwd: project.dir })
    expect(text.stdout).toContain('chain BROKEN at seq')
    expect(text.code).toBe(1)
  })
})

describe('dates on the command line', () => {
  it('refuses a calendar day that does not exist instead of rolling it over (exit 2)', () => {
    const cwd = join(fixtures, 'clean')
    for (const at of ['2026-02-30', '2026-02-29T10:00:00Z', '2026-04-31']) {
      const run = runCli(['matrix', '--at', at], { cwd })
      expect(run.code).toBe(2)
      expect(run.stderr).toContain('ERR_INVALID_ARGUMENT')
    }
    expect(runCli(['matrix', '--at', '2028-02-29'], { cwd }).code).toBe(0)
  })
})

describe('hostile folders in scan', () => {
  it('walks a symlink loop once and reports an unreadable file (exit 2), not an internal error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-loop-'))
    mkdirSync(join(dir, 'loop'))
    symlinkSync('..', join(dir, 'loop', 'self'))
    symlinkSync('missing-target', join(dir, 'loop', 'dangling'))
    writeFileSync(join(dir, 'loop', 'a.txt'), 'mail alice@example.com\n')
    const run = runCli(['scan', 'loop', '--format', 'json'], { cwd: dir })
    expect(run.stderr).not.toContain('internal error')
    expect(run.code).toBe(2)
    const report = ScanReportSchema.parse(JSON.parse(run.stdout))
    expect(report.findings.map((f) => f.file)).toContain('loop/a.txt')
    expect(report.skipped).toContainEqual({ file: 'loop/dangling', reason: 'unreadable' })
  })
})
