// Finding the runtimes the suite runs, as installed from npm (devDependencies `bun`, `deno`,
// `miniflare` with `workerd`), and building what they run.
//
// The npm packages ship their binaries in per-platform packages (`@oven/bun-linux-x64`,
// `@deno/linux-x64-glibc`, `@cloudflare/workerd-linux-64`); a postinstall moves them next to the
// wrapper. Both places are tried, so the suite also runs when install scripts were not run.

import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type Metafile } from 'esbuild'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const modules = join(ROOT, 'node_modules')

/** The first candidate that runs and prints a version, with that version. */
function firstRunnable(candidates: readonly string[]): { path: string; version: string } | null {
  for (const path of candidates) {
    if (!existsSync(path)) continue
    try {
      const version = execFileSync(path, ['--version'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 30_000,
      })
        .trim()
        .split('\n')[0]
      if (version) return { path, version }
    } catch {
      // not this one (a placeholder left by a skipped postinstall, a wrong libc): try the next
    }
  }
  return null
}

const exe = process.platform === 'win32' ? '.exe' : ''
const os = process.platform === 'win32' ? 'windows' : process.platform
const arch = process.arch === 'arm64' ? 'aarch64' : 'x64'

export function findBun() {
  const variants = ['', '-baseline', '-musl', '-musl-baseline']
  return firstRunnable([
    join(modules, 'bun', 'bin', 'bun.exe'),
    ...variants.map((v) => join(modules, '@oven', `bun-${os}-${arch}${v}`, 'bin', `bun${exe}`)),
  ])
}

export function findDeno() {
  const platform = process.platform === 'win32' ? 'win32' : process.platform
  const cpu = process.arch === 'arm64' ? 'arm64' : 'x64'
  return firstRunnable([
    join(modules, 'deno', `deno${exe}`),
    join(modules, '@deno', `${platform}-${cpu}-glibc`, `deno${exe}`),
    join(modules, '@deno', `${platform}-${cpu}`, `deno${exe}`),
  ])
}

/** workerd's binary as miniflare finds it (the `workerd` package's main export). */
export function findWorkerd() {
  try {
    const workerd = createRequire(import.meta.url)('workerd') as {
      default: string
      version: string
    }
    const found = firstRunnable([workerd.default])
    return found && { ...found, version: `${found.version} (npm workerd ${workerd.version})` }
  } catch {
    return null
  }
}

/** Newest modification time under `dir`, in ms. */
function newest(dir: string): number {
  let time = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    time = Math.max(time, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }
  return time
}

/** Throws unless dist/ exists and is newer than src/: the runtimes run the built package. */
export function assertFreshDist(): void {
  const index = join(ROOT, 'dist', 'index.js')
  if (!existsSync(index)) throw new Error('dist/ is missing: run `npm run build` first')
  if (statSync(index).mtimeMs < newest(join(ROOT, 'src')))
    throw new Error('dist/ is older than src/: run `npm run build` first')
}

/**
 * The flow for the script runtimes: flow.ts and its entry in one ES module, with every package
 * (`datagate` included) left as an import for the runtime to resolve. It is written inside the
 * package, so `datagate` resolves to dist/ by the package's own `exports` (self-reference) and
 * `#hash` by its `imports`, with each runtime's own conditions.
 */
export async function buildScript(outdir: string): Promise<string> {
  const outfile = join(outdir, 'flow.mjs')
  await build({
    entryPoints: [join(ROOT, 'test/runtimes/entry-cli.ts')],
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'neutral',
    // Not the repository's tsconfig: its `paths` map `datagate` to src/.
    tsconfigRaw: {},
    outfile,
    logLevel: 'error',
  })
  return outfile
}

/**
 * The flow as a module worker, bundled the way a worker build does it (wrangler's conditions
 * `workerd`, `worker`, `browser`; no `node` condition, no Node built-ins, no nodejs_compat).
 */
export async function buildWorker(
  outdir: string,
): Promise<{ path: string; inputs: readonly string[] }> {
  const outfile = join(outdir, 'worker.mjs')
  const result = await build({
    entryPoints: [join(ROOT, 'test/runtimes/entry-worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    tsconfigRaw: {},
    outfile,
    metafile: true,
    // tsup's shared chunks are bare imports in a `sideEffects: false` package: dropped, rightly.
    logLevel: 'error',
  })
  return { path: outfile, inputs: Object.keys((result.metafile as Metafile).inputs) }
}
