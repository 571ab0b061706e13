import { join } from 'node:path'
import { PolicyTestReportSchema } from 'datagate/cli'
import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { fixtures, runCli } from './run-cli.js'

const cwd = join(fixtures, 'clean')
const failing = '../policy-tests/failing.test.yaml'

describe('datagate test', () => {
  it('a passing suite (found beside the config) exits 0 and reports coverage', () => {
    const run = runCli(['test', '--format', 'json'], { cwd })
    expect(run.code).toBe(0)
    const report = PolicyTestReportSchema.parse(JSON.parse(run.stdout))
    expect(report.files).toEqual([join(cwd, 'policy.test.yaml')])
    expect(report).toMatchObject({ passed: 5, failed: 0 })
    expect(report.coverage.agreements.uncovered).toEqual(['maps-co/city-stats-2026'])
    expect(report.coverage.conditions).toMatchObject({ covered: 2, total: 2 })
  })

  it('a suite with one failing case exits 1 and says why', () => {
    const run = runCli(['test', failing], { cwd })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('FAIL maps-co receives masked phones (wrong)')
    expect(run.stdout).toContain('expected phone released, it is withheld (not_core, not_granted)')
    const report = PolicyTestReportSchema.parse(
      JSON.parse(runCli(['test', failing, '--format', 'json'], { cwd }).stdout),
    )
    expect(report.cases.map((c) => c.status)).toEqual(['pass', 'fail'])
  })

  it('JUnit output parses back to the same cases and failures', () => {
    const run = runCli(['test', 'policy.test.yaml', failing, '--format', 'junit'], { cwd })
    expect(run.code).toBe(1)
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
      run.stdout,
    )
    expect(doc.testsuites).toMatchObject({ tests: '7', failures: '1' })
    const suites = doc.testsuites.testsuite as {
      name: string
      tests: string
      failures: string
      testcase: { name: string; failure?: { message: string } }[]
    }[]
    expect(suites.map((s) => [s.name.split('/').at(-1), s.tests, s.failures])).toEqual([
      ['policy.test.yaml', '5', '0'],
      ['failing.test.yaml', '2', '1'],
    ])
    const failed = suites[1]?.testcase.find((t) => t.failure)
    expect(failed?.name).toBe('maps-co receives masked phones (wrong)')
    expect(failed?.failure?.message).toContain('phone')
  })

  it('a malformed case file is exit 2 naming the file', () => {
    const run = runCli(['test', '../sensitive/policy.yaml'], { cwd })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('policy.yaml')
  })
})
