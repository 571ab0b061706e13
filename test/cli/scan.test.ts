import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Ajv from 'ajv-draft-04'
import { ScanReportSchema } from 'datagate/cli'
import { describe, expect, it } from 'vitest'
import { fixtures, runCli } from './run-cli.js'

const cwd = join(fixtures, 'scan')
const sarifSchema = JSON.parse(
  readFileSync(join(fixtures, '..', 'schemas', 'sarif-2.1.0-rtm.5.json'), 'utf8'),
)

const scan = (args: string[]) => {
  const run = runCli(['scan', ...args, '--format', 'json'], { cwd })
  return { code: run.code, report: ScanReportSchema.parse(JSON.parse(run.stdout)) }
}

describe('datagate scan', () => {
  it('finds planted valid ID numbers, phones and bank cards in JSON, NDJSON, JWS, CSV and text', () => {
    const { code, report } = scan(['planted'])
    expect(code).toBe(1)
    expect(report.files).toBe(5)
    expect(
      report.findings.map(
        (f) => `${f.detector} ${f.file} ${f.jsonPath ?? ''} ${f.line ?? ''}:${f.column ?? ''}`,
      ),
    ).toEqual([
      'resident_id planted/customers.json customers[0].idNumber :',
      'mobile planted/customers.json customers[0].contact.phone :',
      'bank_card planted/customers.json customers[1].card :',
      'mobile planted/export.csv phone 2:13',
      'bank_card planted/export.jws data[0].card :',
      'mobile planted/notes.txt  1:27',
      'mobile planted/orders.ndjson line 1.phone :',
    ])
  })

  it('never prints a match, only a masked excerpt', () => {
    const { report } = scan(['planted'])
    const out = runCli(['scan', 'planted'], { cwd }).stdout + JSON.stringify(report)
    for (const value of [
      '11010519491231002X',
      '13812345678',
      '4111111111111111',
      '5555555555554444',
      '13912345678',
      '1234 5678',
    ])
      expect(out).not.toContain(value)
    expect(report.findings.find((f) => f.file.endsWith('notes.txt'))?.excerpt).toBe(
      '…customer at ‹mobile› tomorrow.',
    )
  })

  it('ignores look-alikes whose check character, Luhn digit or prefix fails', () => {
    const { code, report } = scan(['lookalikes'])
    expect(report.findings).toEqual([])
    expect(code).toBe(0)
  })

  it('SARIF validates against the SARIF 2.1.0 schema and holds every finding', () => {
    const run = runCli(['scan', 'planted', '--format', 'sarif'], { cwd })
    expect(run.code).toBe(1)
    const log = JSON.parse(run.stdout)
    // unicodeRegExp off: the schema's language pattern has a stray ']' that only the u flag refuses.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false })
    const validate = ajv.compile(sarifSchema)
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true)
    expect(log.runs[0].results).toHaveLength(7)
    expect(log.runs[0].results[3]).toMatchObject({
      ruleId: 'pii_mobile',
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'planted/export.csv' },
            region: { startLine: 2, startColumn: 13 },
          },
        },
      ],
    })
    // The schema check can fail: a result without its message is refused.
    delete log.runs[0].results[0].message
    expect(validate(log)).toBe(false)
  })

  it('a missing path is exit 2', () => {
    expect(runCli(['scan', 'nope'], { cwd }).code).toBe(2)
  })
})
