// The Python recipes of docs/partners.md, run as written with the system /usr/bin/python3 and
// Debian's python3-jwcrypto against real datagate tokens: compact and detached (b64: false),
// and tampered ones, which they must refuse. Missing Python fails under CI and skips elsewhere,
// as test/export/interop.test.ts does.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  createGate,
  defineDataset,
  field,
  generateKeys,
  loadPolicy,
  mask,
  memoryAuditSink,
} from 'datagate'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { tempDir } from '../temp-dir.js'

const PYTHON = '/usr/bin/python3'
const CI = Boolean(process.env.CI) || process.env.DATAGATE_REQUIRE_SERVICES === '1'
const missing = !existsSync(PYTHON)
  ? `${PYTHON} not found`
  : spawnSync(PYTHON, ['-c', 'import jwcrypto'], { encoding: 'utf8' }).status !== 0
    ? `jwcrypto is not importable by ${PYTHON} (apt-get install python3-jwcrypto)`
    : undefined
if (missing && !CI) console.warn(`*** SKIPPED the Python recipes: ${missing} ***`)

const partners = readFileSync(new URL('../../docs/partners.md', import.meta.url), 'utf8')
const blocks = [...partners.matchAll(/^```python\n([\s\S]*?)^```$/gm)].map((m) => m[1]!)

const Customer = defineDataset(
  'customer',
  z.object({
    phone: field.desensitised(z.string(), mask.phone()),
    city: field.public(z.string()),
  }),
  { version: '1' },
)
const policy = loadPolicy(
  {
    issuer: 'oem',
    partners: [
      {
        id: 'insure-co',
        name: 'Insure Co',
        category: 'resource',
        standing: 'gold',
        core: true,
        agreements: [
          {
            id: 'claims',
            dataset: 'customer',
            purpose: 'claims',
            fields: ['phone', 'city'],
            validFrom: '2026-01-01',
            validUntil: '2099-12-31',
          },
        ],
      },
    ],
  },
  { datasets: [Customer] },
)

// Runs the documented blocks, then checks each case of `cases` with `verify` (compact) or
// `verify_detached`; prints one outcome per case.
const DRIVER = `import json, sys
from recipe import verify, verify_detached
job = json.load(open(sys.argv[1], encoding="utf-8"))
out = []
for case in job["cases"]:
    try:
        if case["kind"] == "compact":
            claims = verify(case["token"], job["jwks"], "oem", case["audience"])
        else:
            claims = verify_detached(case["token"], case["payload"], job["jwks"], "oem", case["audience"])
        out.append({"ok": True, "aud": claims["aud"], "count": len(claims["records"])})
    except Exception as error:
        out.append({"ok": False, "error": type(error).__name__})
print(json.dumps(out))
`

interface Case {
  readonly kind: 'compact' | 'detached'
  readonly token: string
  readonly payload?: string
  readonly audience: string
}

function runRecipes(jwks: string, cases: readonly Case[]): unknown {
  const dir = tempDir('datagate-python-recipes-')
  writeFileSync(join(dir, 'recipe.py'), blocks.join('\n\n'))
  writeFileSync(join(dir, 'driver.py'), DRIVER)
  writeFileSync(join(dir, 'job.json'), JSON.stringify({ jwks, cases }))
  const run = spawnSync(PYTHON, [join(dir, 'driver.py'), join(dir, 'job.json')], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 30_000,
  })
  if (run.status !== 0) throw new Error(`python failed: ${run.stderr}`)
  return JSON.parse(run.stdout)
}

describe.skipIf(missing !== undefined && !CI)('Python recipes of docs/partners.md', async () => {
  const gate = createGate({
    issuer: 'oem',
    datasets: [Customer],
    policy,
    keys: await generateKeys({ alg: 'EdDSA' }),
    pseudonymKey: new TextEncoder().encode('python recipes: a test key of 32+ bytes'),
    audit: memoryAuditSink(),
  })
  const rows = [{ phone: '13812345678', city: '杭州' }]
  const request = { partner: 'insure-co', dataset: 'customer', purpose: 'claims' }
  const jwks = JSON.stringify(gate.jwks())

  it('the docs hold the compact and the detached recipe', () => {
    expect(missing).toBeUndefined()
    expect(blocks.some((b) => b.includes('def verify('))).toBe(true)
    expect(blocks.some((b) => b.includes('def verify_detached('))).toBe(true)
  })

  it('verify_detached accepts a detached export and refuses a changed payload, audience or form', async () => {
    const detached = await gate.export(rows, { ...request, format: 'detached' })
    const compact = await gate.export(rows, request)
    expect(detached.token).toContain('..')
    const payload = detached.payload ?? ''
    expect(payload).toContain('杭州')
    const results = runRecipes(jwks, [
      { kind: 'detached', token: detached.token, payload, audience: 'insure-co' },
      {
        kind: 'detached',
        token: detached.token,
        payload: payload.replace('杭州', '上海'),
        audience: 'insure-co',
      },
      { kind: 'detached', token: detached.token, payload, audience: 'maps-co' },
      { kind: 'detached', token: compact.token, payload, audience: 'insure-co' },
      { kind: 'compact', token: compact.token, audience: 'insure-co' },
      { kind: 'compact', token: `${compact.token.slice(0, -4)}AAAA`, audience: 'insure-co' },
    ])
    expect(results).toEqual([
      { ok: true, aud: 'insure-co', count: 1 },
      { ok: false, error: 'InvalidJWSSignature' },
      { ok: false, error: 'ValueError' },
      { ok: false, error: 'ValueError' },
      { ok: true, aud: 'insure-co', count: 1 },
      { ok: false, error: 'InvalidJWSSignature' },
    ])
  })
})
