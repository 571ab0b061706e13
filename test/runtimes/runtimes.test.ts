// The cross-runtime suite: the contract flow (test/runtimes/flow.ts) runs against the built
// package in Node, Deno, Bun and workerd (through miniflare), and under Bun and workerd the fetch
// and Hono adapters also serve real requests. Pseudonyms, digests, tokens, verification results and
// adapter responses must be byte-identical across runtimes, and equal Node's.
//
// A runtime that is not installed skips its test with a loud message; under CI=true it fails.

import { execFile } from 'node:child_process'
import { createHmac, hkdfSync } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { adapterApps, adapterRequests, adaptersInProcess, contractFlow, ROWS } from './flow.js'
import {
  assertFreshDist,
  buildScript,
  buildWorker,
  findBun,
  findDeno,
  findWorkerd,
  ROOT,
} from './runtimes.js'

const run = promisify(execFile)
const CI = process.env.CI === 'true'

interface RuntimeResult {
  readonly runtime: { readonly name: string; readonly version?: string; readonly hash?: string }
  readonly flow: Awaited<ReturnType<typeof contractFlow>>
  readonly adapters: Awaited<ReturnType<typeof adaptersInProcess>>
  readonly served?: Awaited<ReturnType<typeof adaptersInProcess>>
}

let work = ''
let script = ''
let worker: Awaited<ReturnType<typeof buildWorker>>
let reference: RuntimeResult
const seen: string[] = []

/** Runs the flow script with `cmd`; its stdout is one JSON document. Records the time taken. */
async function runScript(
  name: string,
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<RuntimeResult> {
  const started = performance.now()
  const { stdout } = await run(cmd, [...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  })
  const result = JSON.parse(stdout) as RuntimeResult
  seen.push(`${name} ${result.runtime.version}: ${Math.round(performance.now() - started)} ms`)
  return result
}

function missing(ctx: TestContext, runtime: string): never {
  const message = [
    '',
    `!!!!! ${runtime} is not installed here: its leg of the cross-runtime suite is ${CI ? 'FAILED (CI=true)' : 'SKIPPED'}.`,
    '!!!!! It comes from the devDependencies: run `npm ci`. Under CI=true a missing runtime fails.',
    '',
  ].join('\n')
  if (CI) throw new Error(message)
  console.warn(message)
  ctx.skip(message)
  throw new Error('unreachable: ctx.skip() throws')
}

/** Byte-identical: the same JSON text, section by section (so a failure names the section). */
function expectSameBytes(actual: RuntimeResult, expected: RuntimeResult, what: string): void {
  for (const section of Object.keys(expected.flow) as (keyof RuntimeResult['flow'])[])
    expect(JSON.stringify(actual.flow[section]), `${what}: flow.${section}`).toBe(
      JSON.stringify(expected.flow[section]),
    )
  expect(JSON.stringify(actual.flow), `${what}: flow`).toBe(JSON.stringify(expected.flow))
  expect(JSON.stringify(actual.adapters), `${what}: adapters in process`).toBe(
    JSON.stringify(expected.adapters),
  )
}

beforeAll(async () => {
  assertFreshDist()
  mkdirSync(join(ROOT, '.vitest'), { recursive: true })
  // Inside the package, so that `datagate` resolves to dist/ (see buildScript).
  work = mkdtempSync(join(ROOT, '.vitest', 'runtimes-'))
  // Bun applies the nearest tsconfig.json's `paths` at run time, and the repository's map
  // `datagate` to src/: an empty one beside the script keeps Bun on dist/ like the others.
  writeFileSync(join(work, 'tsconfig.json'), '{}\n')
  script = await buildScript(work)
  worker = await buildWorker(work)
  reference = await runScript('node', process.execPath, [script])
}, 180_000)

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
  console.log(`cross-runtime suite, wall time per runtime:\n  ${seen.join('\n  ')}`)
})

describe('the contract flow in Node (the reference)', () => {
  it('runs from dist/ with the node:crypto backend and gives what the sources give', async () => {
    expect(reference.runtime.hash).toBe('dist/hash.node.js')
    expect(JSON.stringify(reference.flow)).toBe(JSON.stringify(await contractFlow()))
    expect(JSON.stringify(reference.adapters)).toBe(JSON.stringify(await adaptersInProcess()))
  })

  it('is a real flow: records released and verified, refusals refused, chain intact', () => {
    const { flow, adapters } = reference
    const adults = ROWS.filter((row) => row.age >= 18)
    expect(flow.export.records).toHaveLength(adults.length)
    const text = JSON.stringify({ flow, adapters })
    for (const row of ROWS) {
      expect(text).not.toContain(row.name)
      expect(text).not.toContain(row.phone)
      expect(text).not.toContain(`"${row.customerId}"`)
    }
    expect(flow.export.recordsDigestMatches).toBe(true)
    expect(flow.verification).toEqual({
      wrongAudience: 'ERR_AUDIENCE_MISMATCH',
      tampered: 'ERR_SIGNATURE_INVALID',
      expired: 'ERR_TOKEN_EXPIRED',
      deltaOnWrongBase: 'ERR_DIGEST_MISMATCH',
      refusedPartner: 'ERR_PARTNER_SUSPENDED',
    })
    expect(flow.delta.appliedIsDirectExport).toBe(true)
    expect(flow.delta.appliedDigest).toBe(flow.delta.resultDigest)
    expect(flow.delta.patch.length).toBeGreaterThan(0)
    expect(flow.auditChain.report.ok).toBe(true)
    expect(flow.mapsRecords.every((r) => Object.keys(r).join() === 'city,vehicle')).toBe(true)
    for (const adapter of [adapters.fetch, adapters.hono] as Record<string, { status: number }>[]) {
      expect(Object.fromEntries(Object.entries(adapter).map(([k, v]) => [k, v.status]))).toEqual({
        signed: 200,
        notModified: 304,
        filtered: 200,
        stream: 200,
        noToken: 401,
        suspended: 403,
      })
    }
    // The adapters release the same rows to the same partner: the very records of the flow.
    expect((adapters.fetch as { signed: { data: unknown } }).signed.data).toEqual(
      flow.export.records,
    )
  })

  it('pseudonyms are HKDF + HMAC-SHA-256 as node:crypto computes them independently', () => {
    const key = Buffer.from(Uint8Array.from({ length: 32 }, (_, i) => (i * 151 + 7) & 0xff))
    const expected = (label: string, id: string) => {
      const derived = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), label, 32))
      return `cus_${createHmac('sha256', derived).update(id, 'utf8').digest().subarray(0, 16).toString('base64url')}`
    }
    const ids = ['C-1000', 'C-1001', '42', '客户-001', '']
    const { pseudonyms } = reference.flow
    expect(pseudonyms['rental-co']).toEqual(
      ids.map((id) => expected('datagate/pseudonym/v1/partner/rental-co', id)),
    )
    expect(pseudonyms['maps-co']).toEqual(
      ids.map((id) => expected('datagate/pseudonym/v1/partner/maps-co', id)),
    )
    expect(pseudonyms['rental-co/vehicle']).toEqual(
      ids.map((id) => expected('datagate/pseudonym/v1/partner/rental-co/domain/vehicle', id)),
    )
  })
})

describe('the same bytes in every runtime', () => {
  it('Deno', async (ctx) => {
    const deno = findDeno() ?? missing(ctx, 'deno')
    const result = await runScript(
      'deno',
      deno.path,
      [
        'run',
        '--quiet',
        '--no-prompt',
        // package.json and node_modules as npm left them; nothing fetched.
        '--node-modules-dir=manual',
        `--allow-read=${ROOT}`,
        // yaml's Node build reads these two (debug switches) on every parse.
        '--allow-env=LOG_TOKENS,LOG_STREAM',
        script,
      ],
      { DENO_DIR: join(work, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1' },
    )
    expect(result.runtime.name).toBe('deno')
    // Deno resolves packages with the `node` condition too: the node:crypto backend, via Deno's node compat.
    expect(result.runtime.hash).toBe('dist/hash.node.js')
    expectSameBytes(result, reference, 'deno')
  })

  it("Deno without --allow-env: a YAML policy fails with Deno's own error naming the permission", async (ctx) => {
    const deno = findDeno() ?? missing(ctx, 'deno')
    const refused = await run(
      deno.path,
      [
        'run',
        '--quiet',
        '--no-prompt',
        '--node-modules-dir=manual',
        `--allow-read=${ROOT}`,
        script,
      ],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', DENO_DIR: join(work, 'deno-dir') } },
    ).then(
      () => null,
      (error: { code?: number; stderr?: string }) => error,
    )
    expect(refused?.code).toBe(1)
    expect(refused?.stderr).toMatch(/NotCapable: Requires env access to "LOG_TOKENS"/)
    // Not blamed on the policy text (it is valid): that was the message before the fix.
    expect(refused?.stderr).not.toMatch(/ERR_POLICY_INVALID|not valid YAML/)
  })

  it('Bun, also serving the fetch and Hono adapters over Bun.serve on 127.0.0.1', async (ctx) => {
    const bun = findBun() ?? missing(ctx, 'bun')
    const result = await runScript('bun', bun.path, ['--no-install', script])
    expect(result.runtime.name).toBe('bun')
    // Bun takes the `node` condition of `#hash`: the node:crypto backend, as in Node.
    expect(result.runtime.hash).toBe('dist/hash.node.js')
    expectSameBytes(result, reference, 'bun')
    expect(JSON.stringify(result.served), 'bun: adapters over Bun.serve').toBe(
      JSON.stringify(reference.adapters),
    )
  })

  it('workerd (miniflare), also serving the fetch and Hono adapters', async (ctx) => {
    const workerd = findWorkerd() ?? missing(ctx, 'workerd')
    // No node: import and no Node built-in in the bundle: `#hash` is @noble/hashes there.
    expect(worker.inputs).toContain('dist/hash.js')
    expect(worker.inputs.some((input) => input.includes('@noble/hashes'))).toBe(true)
    expect(worker.inputs.filter((input) => /hash\.node|^node:/.test(input))).toEqual([])
    // The newest compatibility date this workerd knows; no compatibility flags (no nodejs_compat).
    const compatibilityDate = /\d{4}-\d{2}-\d{2}/.exec(workerd.version)?.[0]
    expect(compatibilityDate).toBeDefined()
    const started = performance.now()
    const mf = new Miniflare({
      modules: true,
      scriptPath: worker.path,
      compatibilityDate: compatibilityDate as string,
    })
    try {
      const response = await mf.dispatchFetch('http://datagate.test/__flow')
      expect(response.status).toBe(200)
      const result = (await response.json()) as RuntimeResult
      expectSameBytes(result, reference, 'workerd')
      // Served by workerd, requested (and verified) from here over miniflare's loopback socket.
      const { gate, bearer } = await adapterApps()
      const send = async (path: string, headers: Record<string, string>) =>
        (await mf.dispatchFetch(`http://datagate.test${path}`, { headers })) as unknown as Response
      const served = await adapterRequests(send, bearer, gate.jwks())
      await gate.close()
      expect(JSON.stringify(served), 'workerd: adapters served').toBe(
        JSON.stringify(reference.adapters),
      )
    } finally {
      await mf.dispose()
      seen.push(`workerd ${workerd.version}: ${Math.round(performance.now() - started)} ms`)
    }
  })
})
