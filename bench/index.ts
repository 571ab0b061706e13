// `npm run bench`: every benchmark, a table on stdout and bench/results/latest.json.
// Only ratios between measurements of one run are meaningful; the machines are shared and noisy.
// Exits non-zero when a benchmark's own check fails (outputs that differ, the stream memory bound).
import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type BenchSection, formatRate, printTable } from './harness.js'
import { hmacBench } from './hmac.js'
import { signBench } from './sign.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('..', import.meta.url))
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url))

/** The stream memory bound the benchmark holds: peak RSS of the whole process, in MB. */
const STREAM_RSS_LIMIT_MB = 200
const STREAM_RECORDS = 1_000_000
const STREAM_CHUNK = 10_000

async function childJson(command: string, args: readonly string[]): Promise<unknown> {
  const { stdout } = await run(command, [...args], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 600_000,
  })
  const last = stdout.trim().split('\n').at(-1) ?? ''
  return JSON.parse(last)
}

/** The release benchmark in a fresh process, with `#hash` as one backend or the other. */
async function releaseIn(backend: 'node' | 'noble'): Promise<BenchSection> {
  const args =
    backend === 'node'
      ? ['--tsconfig', 'bench/tsconfig.node-hash.json', 'bench/release-child.ts']
      : ['bench/release-child.ts']
  const section = (await childJson(tsx, args)) as BenchSection
  const label =
    backend === 'node'
      ? 'node:crypto, as Node users get it'
      : '@noble/hashes, as edge runtimes get it'
  return { ...section, title: `${section.title}, #hash = ${label}` }
}

interface StreamFigures {
  readonly records: number
  readonly chunks: number
  readonly peakRssMB: number
  readonly seconds: number
  readonly hashBackend: string
}

async function streamMemory(): Promise<BenchSection> {
  const figures = (await childJson('npm', [
    'run',
    '--silent',
    'bench:stream-memory',
    '--',
    '--records',
    String(STREAM_RECORDS),
    '--chunk',
    String(STREAM_CHUNK),
  ])) as StreamFigures
  const complete =
    figures.records === STREAM_RECORDS && figures.chunks === STREAM_RECORDS / STREAM_CHUNK
  const underLimit = figures.peakRssMB < STREAM_RSS_LIMIT_MB
  const notes = [
    `${figures.records.toLocaleString('en-US')} records in ${figures.chunks} chunks, exported and verified in one process in ${figures.seconds} s (#hash: ${figures.hashBackend})`,
    `peak RSS ${figures.peakRssMB} MB, bound ${STREAM_RSS_LIMIT_MB} MB: ${underLimit ? 'within' : 'EXCEEDED'}`,
    'run with plain node on the built package (dist), as users run it; the figure includes the runtime and every loaded module (about 64 MB before the first row)',
  ]
  if (!complete) notes.push('CHECK FAILED: not every record was verified')
  return {
    title: 'Stream memory (exportStream -> verifyStream, 1,000,000 records)',
    measurements: [],
    comparisons: [],
    notes,
    figures: { ...figures, limitMB: STREAM_RSS_LIMIT_MB, underLimit },
    ok: complete && underLimit,
  }
}

function report(section: BenchSection): void {
  console.log(`\n## ${section.title}\n`)
  if (section.measurements.length > 0) {
    printTable(
      ['', 'median', 'unit', 'spread', 'min .. max'],
      section.measurements.map((m) => [
        m.name,
        formatRate(m.median),
        m.unit,
        `${m.spreadPct.toFixed(0)}%`,
        `${formatRate(m.min)} .. ${formatRate(m.max)}`,
      ]),
    )
    console.log('')
  }
  for (const c of section.comparisons) {
    console.log(`${c.name} / ${c.against}: ${c.value.toFixed(2)}x`)
  }
  for (const note of section.notes) console.log(`- ${note}`)
}

const started = performance.now()
const startedAt = new Date()
const load = loadavg()
console.log(
  `datagate benchmarks, ${startedAt.toISOString()}, node ${process.version}, ${cpus().length} cpus, load ${load.map((l) => l.toFixed(2)).join(' ')}`,
)
console.log('medians of 5 samples of >= 300 ms after a warm-up; spread = (max - min) / median')

const sections: BenchSection[] = []
for (const next of [
  () => releaseIn('node'),
  () => releaseIn('noble'),
  async () => hmacBench(),
  () => signBench(),
  () => streamMemory(),
]) {
  const section = await next()
  report(section)
  sections.push(section)
}

const seconds = (performance.now() - started) / 1000
const failed = sections.filter((s) => !s.ok).map((s) => s.title)
mkdirSync(new URL('results/', import.meta.url), { recursive: true })
writeFileSync(
  new URL('results/latest.json', import.meta.url),
  `${JSON.stringify(
    {
      date: startedAt.toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      loadAverageAtStart: load,
      seconds,
      failed,
      sections,
    },
    null,
    2,
  )}\n`,
)
console.log(`\n${seconds.toFixed(0)} s; results in bench/results/latest.json`)
if (failed.length > 0) {
  console.error(`FAILED: ${failed.join('; ')}`)
  process.exitCode = 1
}
