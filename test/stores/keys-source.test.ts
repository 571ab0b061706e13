// One key set for every instance: a private JWK set written once (exportPrivateJwks), read by each
// instance from a file or an environment variable (importKeysFrom). Two instances that imported it
// sign under the same kid, and what one signs the other's JWKS verifies; an independent verifier
// (python3-jwcrypto) checks a token with the published public key. Bad sources fail with
// ERR_KEY_INVALID, never quoting the secret.
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { isDatagateError } from '../../src/errors.js'
import { generateKeys, retireKey, rotateKeys } from '../../src/export/keys.js'
import { exportPrivateJwks, importKeysFrom } from '../../src/export/keys-source.node.js'
import { signEnvelope } from '../../src/export/sign.js'
import { verifyEnvelope } from '../../src/export/verify.js'

const dir = mkdtempSync(join(tmpdir(), 'datagate-keys-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const jwcrypto = fileURLToPath(new URL('../interop/jwcrypto_verify.py', import.meta.url))
const T = Math.floor(Date.now() / 1000)

describe('importKeysFrom', () => {
  it('two instances importing one set sign under the same kid; each verifies the other', async () => {
    const original = await rotateKeys(await generateKeys({ kid: 'k-2026-06' }), {
      kid: 'k-2026-12',
    })
    const file = join(dir, 'keys.json')
    writeFileSync(file, JSON.stringify(await exportPrivateJwks(original)))
    chmodSync(file, 0o600)
    const fromFile = await importKeysFrom({ file })
    const fromEnv = await importKeysFrom({
      env: 'GATE_KEYS',
      environment: { GATE_KEYS: JSON.stringify(await exportPrivateJwks(original)) },
    })
    expect(fromFile.current.kid).toBe('k-2026-12')
    expect(fromEnv.keys.map((k) => k.kid)).toEqual(['k-2026-12', 'k-2026-06'])
    expect(fromEnv.jwks()).toEqual(original.jwks())
    const claims = { iss: 'oem', aud: 'p', exp: T + 60, jti: 'j-1' }
    const signed = await signEnvelope(claims, fromFile, { typ: 'datagate-export+jwt' })
    const verified = await verifyEnvelope(signed.token, {
      jwks: fromEnv.jwks(),
      issuer: 'oem',
      audience: 'p',
      typ: 'datagate-export+jwt',
    })
    expect(verified.protectedHeader.kid).toBe('k-2026-12')

    const job = join(dir, 'job.json')
    writeFileSync(
      job,
      JSON.stringify({
        jwks: { keys: fromEnv.jwks().keys.filter((k) => k.kid === 'k-2026-12') },
        cases: [{ name: 'shared', kind: 'jws', token: signed.token }],
      }),
    )
    const out = JSON.parse(execFileSync('/usr/bin/python3', [jwcrypto, job], { encoding: 'utf8' }))
    expect(JSON.parse(out.results.shared.payload).jti).toBe('j-1')
    expect(out.results.shared.header.kid).toBe('k-2026-12')
  })

  it('keeps a verify-only key as verify-only', async () => {
    const rotated = await rotateKeys(await generateKeys({ kid: 'old' }), { kid: 'new' })
    const kept = retireKey(rotated, 'old', { verifyOnly: true })
    const set = await exportPrivateJwks(kept)
    expect(set.keys.map((k) => typeof k.d)).toEqual(['string', 'undefined'])
    const ring = await importKeysFrom({ env: 'K', environment: { K: JSON.stringify(set) } })
    expect(ring.get('old')?.privateKey).toBeUndefined()
    expect(ring.jwks().keys.map((k) => k.kid)).toEqual(['new', 'old'])
  })

  it('fails with ERR_KEY_INVALID naming the source, never its content', async () => {
    const secret = (await exportPrivateJwks(await generateKeys())).keys[0]!
    const broken = `{"keys":[${JSON.stringify(secret)}`
    const publicFirst = JSON.stringify({ keys: [{ ...secret, d: undefined }] })
    const cases = [
      () => importKeysFrom({ file: join(dir, 'missing.json') }),
      () => importKeysFrom({ env: 'UNSET', environment: {} }),
      () => importKeysFrom({ env: 'K', environment: { K: broken } }),
      () => importKeysFrom({ env: 'K', environment: { K: '{"keys": []}' } }),
      () => importKeysFrom({ env: 'K', environment: { K: publicFirst } }),
    ]
    for (const attempt of cases) {
      const error = await attempt().catch((e: unknown) => e)
      expect(isDatagateError(error, 'ERR_KEY_INVALID'), String(error)).toBe(true)
      const text = `${(error as Error).message} ${String((error as Error).cause ?? '')}`
      expect(text).not.toContain(String(secret.d))
    }
    const error = await importKeysFrom({ env: 'K', environment: {} }).catch((e: unknown) => e)
    expect((error as Error).message).toBe('environment variable K is not set')
  })

  it('refuses a set whose first key cannot sign, whatever other members it carries', async () => {
    // A public EC or OKP key with a stray "k" (an oct member) is still public: checking for "d"
    // or "k" by name let it through as the signing key of a ring that cannot sign.
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const [pub] = (await generateKeys({ alg, kid: 'p' })).jwks().keys
      const set = JSON.stringify({ keys: [{ ...pub, k: 'AAAA' }] })
      const error = await importKeysFrom({ env: 'K', environment: { K: set } }).catch(
        (e: unknown) => e,
      )
      expect(isDatagateError(error, 'ERR_KEY_INVALID'), String(error)).toBe(true)
      expect((error as Error).message).toContain('environment variable K')
    }
  })

  it('does not quote a secret that landed in kty, crv or alg', async () => {
    // A mis-edited secret: the private value pasted into another member. The error names the
    // member, never its value.
    const key = (await exportPrivateJwks(await generateKeys({ kid: 'x' }))).keys[0]!
    const secret = String(key.d)
    for (const member of ['kty', 'crv', 'alg']) {
      const set = JSON.stringify({ keys: [{ ...key, [member]: secret }] })
      const error = await importKeysFrom({ env: 'K', environment: { K: set } }).catch(
        (e: unknown) => e,
      )
      expect(error instanceof Error && isDatagateError(error), String(error)).toBe(true)
      const text = `${(error as Error).message} ${String((error as Error).cause ?? '')}`
      expect(text, member).not.toContain(secret.slice(0, 12))
    }
  })
})
