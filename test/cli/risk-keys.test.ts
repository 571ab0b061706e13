import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { KeysReportSchema, RiskReportSchema } from 'datagate/cli'
import { describe, expect, it } from 'vitest'
import { createGate, importKeys, loadPolicy, verifyExport } from '../../src/index.js'
import { tempDir } from '../temp-dir.js'
import { Customer } from './fixtures/datasets.js'
import { fixtures, runCli } from './run-cli.js'

describe('datagate risk', () => {
  const cwd = join(fixtures, 'risk')
  it('reports k, l, the smallest classes and the share at risk; exit 1 below the threshold', () => {
    const run = runCli(
      [
        'risk',
        'released.json',
        '--qi',
        'city,age,vehicle.model',
        '--sensitive',
        'diagnosis',
        '--k',
        '5',
        '--format',
        'json',
      ],
      { cwd },
    )
    expect(run.code).toBe(1)
    const r = RiskReportSchema.parse(JSON.parse(run.stdout))
    expect(r).toMatchObject({ k: 2, l: 1, classes: 3, records: 13, atRisk: { records: 2 } })
    expect(r.atRisk.share).toBeCloseTo(2 / 13, 10)
    expect(r.smallestClasses).toEqual([
      { size: 2, classes: 1 },
      { size: 5, classes: 1 },
      { size: 6, classes: 1 },
    ])
    expect(r.issues.map((i) => i.code)).toEqual([
      'k_anonymity_below_threshold',
      'l_diversity_below_threshold',
    ])
  })

  it('NDJSON works too; a table that meets k exits 0; bad flags exit 2', () => {
    const ok = runCli(['risk', 'released.ndjson', '--qi', 'city', '--k', '2', '--format', 'json'], {
      cwd,
    })
    expect(ok.code).toBe(0)
    expect(RiskReportSchema.parse(JSON.parse(ok.stdout)).k).toBe(2)
    expect(runCli(['risk', 'released.json', '--qi', 'city', '--k', '1'], { cwd }).code).toBe(2)
    expect(runCli(['risk', 'released.json'], { cwd }).code).toBe(2)
  })
})

describe('datagate keys generate', () => {
  it('writes a private JWK with mode 0600 and a public JWKS that verifies what the key signs', async () => {
    const out = join(tempDir('datagate-cli-keys-'), 'keys')
    const run = runCli(['keys', 'generate', '--alg', 'ES256', '--out', out, '--format', 'json'])
    expect(run.code).toBe(0)
    const report = KeysReportSchema.parse(JSON.parse(run.stdout))
    expect(statSync(report.privateKey).mode & 0o777).toBe(0o600)
    expect(statSync(out).mode & 0o777).toBe(0o700)
    const privateJwk = JSON.parse(readFileSync(report.privateKey, 'utf8'))
    const jwks = JSON.parse(readFileSync(report.jwks, 'utf8'))
    expect(privateJwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: report.kid, alg: 'ES256' })
    expect(typeof privateJwk.d).toBe('string')
    expect(jwks.keys).toHaveLength(1)
    expect(jwks.keys[0].d).toBeUndefined()
    expect(run.stdout).not.toContain(privateJwk.d)
    // An independent check: jwcrypto's RFC 7638 thumbprint of the private key is the kid.
    const thumbprint = execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        'import sys; from jwcrypto import jwk; print(jwk.JWK.from_json(open(sys.argv[1]).read()).thumbprint())',
        report.privateKey,
      ],
      { encoding: 'utf8' },
    ).trim()
    expect(thumbprint).toBe(report.kid)
    // The key signs an export that the published JWKS verifies.
    const keys = await importKeys([{ jwk: privateJwk }])
    const policy = loadPolicy(
      {
        issuer: 'oem',
        partners: [
          {
            id: 'maps-co',
            name: 'Maps Co',
            category: 'traffic',
            standing: 'gold',
            core: false,
            agreements: [
              {
                id: 'm1',
                dataset: 'customer',
                purpose: 'map',
                fields: ['city'],
                validFrom: '2026-01-01',
                validUntil: '2099-12-31',
              },
            ],
          },
        ],
      },
      { datasets: [Customer] },
    )
    const gate = createGate({ issuer: 'oem', datasets: [Customer], policy, keys, audit: false })
    const signed = await gate.export(
      [
        {
          customerId: 'c',
          name: 'n',
          idNumber: 'x',
          phone: 'p',
          city: 'Hangzhou',
          age: 3,
          vehicle: { vin: 'v', model: 'm' },
        },
      ],
      { partner: 'maps-co', dataset: 'customer', purpose: 'map' },
    )
    const verified = await verifyExport(signed.token, { jwks, issuer: 'oem', audience: 'maps-co' })
    expect(verified.records).toEqual([{ city: 'Hangzhou' }])
    // Never overwritten.
    const again = runCli(['keys', 'generate', '--alg', 'ES256', '--out', out])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('never overwritten')
    expect(readdirSync(out).sort()).toEqual([`${report.kid}.private.jwk.json`, 'jwks.json'].sort())
  })
})
