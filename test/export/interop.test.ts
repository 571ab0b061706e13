// Interop with independent implementations: jwcrypto (Debian python3-jwcrypto, run with the
// system /usr/bin/python3, not whatever `python3` is on PATH) verifies our compact and flattened
// JWS and decrypts our JWE; OpenSSL verifies the detached b64:false Ed25519 form (jwcrypto 1.1 has
// no detached-payload argument; test/docs/python-recipes.test.ts uses its flattened form) and signs
// one we verify. Missing tools fail the run under CI and skip it elsewhere.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KeyRing } from '../../src/export/key-ring.js'
import { generateKeys } from '../../src/export/keys.js'
import { type SignedEnvelope, signEnvelope } from '../../src/export/sign.js'
import { EXPORT_TYP } from '../../src/export/typ.js'
import { verifyExport } from '../../src/export/verify-export.js'
import { b64u, exportClaims, ISSUER, NOW, PARTNER } from './helpers.js'

const PYTHON = '/usr/bin/python3'
const OPENSSL = '/usr/bin/openssl'
const SCRIPT = fileURLToPath(new URL('../interop/jwcrypto_verify.py', import.meta.url))
const CI = Boolean(process.env.CI)

function missingJwcrypto(): string | undefined {
  if (!existsSync(PYTHON))
    return `${PYTHON} not found (install Debian python3 and python3-jwcrypto)`
  const probe = spawnSync(PYTHON, ['-c', 'import jwcrypto'], { encoding: 'utf8' })
  if (probe.status !== 0)
    return `jwcrypto is not importable by ${PYTHON} (apt-get install python3-jwcrypto): ${probe.stderr.trim()}`
  return undefined
}

function missingOpenssl(): string | undefined {
  if (!existsSync(OPENSSL)) return `${OPENSSL} not found (apt-get install openssl)`
  const probe = spawnSync(OPENSSL, ['version'], { encoding: 'utf8' })
  if (probe.status !== 0 || !/^OpenSSL 3\./.test(probe.stdout))
    return `${OPENSSL} is not OpenSSL 3 (needed for pkeyutl -rawin): ${probe.stdout.trim()}`
  return undefined
}

const noJwcrypto = missingJwcrypto()
const noOpenssl = missingOpenssl()

for (const [tool, reason] of [
  ['jwcrypto', noJwcrypto],
  ['openssl', noOpenssl],
] as const) {
  if (reason === undefined) continue
  describe(`interop with ${tool}`, () => {
    if (CI) it(`requires ${tool} under CI`, () => expect.fail(reason))
    else it.skip(`SKIPPED (not CI): ${reason}`, () => {})
  })
}

let dir: string
let edRing: KeyRing
let esRing: KeyRing
let partner: { publicJwk: JWK; privateJwk: JWK }

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'datagate-interop-'))
  edRing = await generateKeys({ alg: 'EdDSA' })
  esRing = await generateKeys({ alg: 'ES256' })
  const pair = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256', extractable: true })
  partner = {
    publicJwk: { ...(await exportJWK(pair.publicKey)), kid: 'rental-co-enc', use: 'enc' },
    privateJwk: { ...(await exportJWK(pair.privateKey)), kid: 'rental-co-enc', use: 'enc' },
  }
})

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

interface JwcryptoResult {
  payload?: string
  header?: Record<string, unknown>
  jwe_header?: Record<string, unknown>
  error?: string
}

function runJwcrypto(cases: { name: string; kind: 'jws' | 'jwe'; token: string }[]) {
  const job = join(dir, 'job.json')
  const jwks = { keys: [...edRing.jwks().keys, ...esRing.jwks().keys] }
  writeFileSync(job, JSON.stringify({ jwks, decryption_key: partner.privateJwk, cases }))
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify(jwks))
  writeFileSync(join(dir, 'partner-private.jwk.json'), JSON.stringify(partner.privateJwk))
  const run = spawnSync(PYTHON, [SCRIPT, job], { encoding: 'utf8', timeout: 30_000 })
  expect(run.status, `jwcrypto_verify.py failed: ${run.stderr}`).toBe(0)
  return JSON.parse(run.stdout) as { jwcrypto: string; results: Record<string, JwcryptoResult> }
}

describe.skipIf(noJwcrypto !== undefined)('interop with jwcrypto', () => {
  it('verifies our compact and flattened JWS (EdDSA, ES256) and decrypts our JWE', async () => {
    const claims = exportClaims()
    const expectedText = JSON.stringify(claims)
    const envelopes: Record<string, SignedEnvelope> = {}
    for (const [label, ring] of [
      ['eddsa', edRing],
      ['es256', esRing],
    ] as const) {
      envelopes[`${label}-compact`] = await signEnvelope(claims, ring, { typ: EXPORT_TYP })
      envelopes[`${label}-flattened`] = await signEnvelope(claims, ring, {
        typ: EXPORT_TYP,
        format: 'flattened',
      })
      envelopes[`${label}-jwe`] = await signEnvelope(claims, ring, {
        typ: EXPORT_TYP,
        encryptTo: { keys: [partner.publicJwk] },
      })
    }
    const compact = envelopes['eddsa-compact']!.token.split('.')
    const tampered = `${compact[0]}.${b64u(expectedText.replace('Lyon', 'Lyom'))}.${compact[2]}`
    const cases = [
      ...Object.entries(envelopes).map(([name, envelope]) => ({
        name,
        kind: envelope.format === 'jwe' ? ('jwe' as const) : ('jws' as const),
        token: envelope.token,
      })),
      { name: 'tampered', kind: 'jws' as const, token: tampered },
    ]
    for (const { name, token } of cases) writeFileSync(join(dir, `${name}.token`), token)

    const { jwcrypto, results } = runJwcrypto(cases)
    expect(jwcrypto).toMatch(/^\d+\.\d+/)
    for (const [name, envelope] of Object.entries(envelopes)) {
      const result = results[name]
      expect(result?.error, `${name}: ${result?.error}`).toBeUndefined()
      expect(result?.payload, name).toBe(expectedText)
      expect(result?.header, name).toEqual({
        alg: envelope.alg,
        kid: envelope.kid,
        typ: EXPORT_TYP,
      })
      if (envelope.format === 'jwe') {
        expect(result?.jwe_header).toMatchObject({
          alg: 'ECDH-ES+A256KW',
          enc: 'A256GCM',
          cty: 'JWT',
          kid: 'rental-co-enc',
        })
        expect(result?.jwe_header).not.toHaveProperty('zip')
      }
      // and our own verifier agrees
      const jwks = envelope.alg === 'EdDSA' ? edRing.jwks() : esRing.jwks()
      const decryptionKey = envelope.format === 'jwe' ? { decryptionKey: partner.privateJwk } : {}
      const { records } = await verifyExport(envelope.token, {
        jwks,
        issuer: ISSUER,
        audience: PARTNER,
        now: () => NOW,
        ...decryptionKey,
      })
      expect(records).toEqual(claims.records)
    }
    expect(results.tampered?.error, 'jwcrypto must reject the tampered token').toMatch(
      /Signature|Verification/i,
    )
  })
})

function openssl(args: string[]) {
  return spawnSync(OPENSSL, args, { encoding: 'utf8', cwd: dir, timeout: 30_000 })
}

describe.skipIf(noOpenssl !== undefined)(
  'interop with OpenSSL (detached b64:false, Ed25519)',
  () => {
    it('openssl verifies our detached signature over ASCII(BASE64URL(header)) || "." || payload', async () => {
      const signed = await signEnvelope(exportClaims(), edRing, {
        typ: EXPORT_TYP,
        format: 'detached',
      })
      const [header, body, signature] = signed.token.split('.') as [string, string, string]
      expect(body).toBe('')
      writeFileSync(join(dir, 'pub.pem'), await exportSPKI(edRing.current.verifyKey))
      writeFileSync(join(dir, 'sig.bin'), Buffer.from(signature, 'base64url'))
      writeFileSync(
        join(dir, 'signing_input.bin'),
        Buffer.concat([Buffer.from(`${header}.`, 'ascii'), Buffer.from(signed.payload!, 'utf8')]),
      )
      const args = [
        'pkeyutl',
        '-verify',
        '-rawin',
        '-pubin',
        '-inkey',
        'pub.pem',
        '-sigfile',
        'sig.bin',
        '-in',
        'signing_input.bin',
      ]
      const ok = openssl(args)
      expect(ok.status, `${ok.stdout}${ok.stderr}`).toBe(0)
      expect(ok.stdout).toMatch(/Signature Verified Successfully/)

      writeFileSync(
        join(dir, 'signing_input.bin'),
        Buffer.from(`${header}.${signed.payload!.replace('Lyon', 'Lyom')}`),
      )
      const bad = openssl(args)
      expect(bad.status).not.toBe(0)
    })

    it('we verify a detached b64:false token whose signature openssl made', async () => {
      const claims = exportClaims()
      const payload = JSON.stringify(claims)
      const header = b64u(
        JSON.stringify({
          alg: 'EdDSA',
          kid: edRing.current.kid,
          typ: EXPORT_TYP,
          b64: false,
          crit: ['b64'],
        }),
      )
      writeFileSync(join(dir, 'priv.pem'), await exportPKCS8(edRing.current.privateKey!))
      writeFileSync(join(dir, 'input.bin'), Buffer.from(`${header}.${payload}`, 'utf8'))
      const run = openssl([
        'pkeyutl',
        '-sign',
        '-rawin',
        '-inkey',
        'priv.pem',
        '-in',
        'input.bin',
        '-out',
        'made.sig',
      ])
      expect(run.status, run.stderr).toBe(0)
      const signature = readFileSync(join(dir, 'made.sig')).toString('base64url')
      const { records } = await verifyExport(`${header}..${signature}`, {
        jwks: edRing.jwks(),
        issuer: ISSUER,
        audience: PARTNER,
        now: () => NOW,
        payload,
      })
      expect(records).toEqual(claims.records)
    })
  },
)
