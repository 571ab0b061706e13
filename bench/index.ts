// `npm run bench`: every comparison of issue 8 on the shared workload, each interleaved round by
// round in this process (bench/harness.ts), then every target with PASS or MISS, a table on
// stdout and bench/results/latest.json. Only ratios between cases of one comparison mean
// anything; the machines are shared and noisy.
//
//   npm run bench                       every comparison, then the targets
//   npm run bench -- --check            exit 1 when a target is missed (by hand, never in CI)
//   npm run bench -- --only release     only the named comparisons (comma-separated ids;
//                                       adapters: the HTTP adapters under load, issue 9;
//                                       adapter-stream-memory: 1M records over HTTP to
//                                       fetchSharedStream, run only when named)
//   npm run bench -- --rounds 5         timed rounds per comparison (default 9)
//
// A baseline whose output differs from ours is never timed, and makes the run exit 1.
import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import { hashBackend } from '#hash'
import { adaptersComparison } from './adapters.js'
import { deltaComparison } from './delta.js'
import { exportComparison } from './export.js'
import { afterSalesOrders, BATCH_ROWS, benchGate } from './fixtures.js'
import {
  type ComparisonReport,
  formatMs,
  formatRatio,
  median,
  type PairedRatio,
  printTable,
  setDefaultRounds,
} from './harness.js'
import { policyComparison } from './policy.js'
import { pseudonymizeComparison } from './pseudonymize.js'
import { releaseComparison } from './release.js'
import { verifyComparison } from './verify.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('..', import.meta.url))

/** A target of issue 8: a paired ratio of one comparison and the bound it must meet. */
interface Target {
  readonly what: string
  readonly comparison: string
  readonly ours: string
  readonly against: string
  /** `>=` for speed ratios (times as fast), `<=` for time ratios and memory. */
  readonly op: '>=' | '<='
  readonly bound: number
  readonly unit: 'x' | 'MB' | 'ms'
}

const TARGETS: readonly Target[] = [
  {
    what: 'gate.release vs CASL + pick + same operators',
    comparison: 'release',
    ours: 'gate.release',
    against: 'CASL + pick + operators',
    op: '>=',
    bound: 1.5,
    unit: 'x',
  },
  {
    what: 'gate.release vs hand projection + full zod parse',
    comparison: 'release',
    ours: 'gate.release',
    against: 'hand projection + zod parse',
    op: '>=',
    bound: 1.2,
    unit: 'x',
  },
  {
    what: 'gate.export (compact) vs the naive pipeline',
    comparison: 'export',
    ours: 'gate.export',
    against: 'naive export pipeline',
    op: '>=',
    bound: 2.0,
    unit: 'x',
  },
  {
    what: 'gate.export time / JSON.stringify of the raw batch',
    comparison: 'export',
    ours: 'gate.export',
    against: 'JSON.stringify(raw batch)',
    op: '<=',
    bound: 2.0,
    unit: 'x',
  },
  {
    what: 'pseudonymize per value vs createHmac (distinct values)',
    comparison: 'pseudonymize',
    ours: 'pseudonymize()',
    against: 'createHmac per value',
    op: '>=',
    bound: 1.0,
    unit: 'x',
  },
  {
    what: 'exportDelta vs naive delta',
    comparison: 'delta',
    ours: 'gate.exportDelta',
    against: 'naive delta',
    op: '>=',
    bound: 1.5,
    unit: 'x',
  },
  {
    what: 'applyDelta vs jose verify + applyPatch + the same two digests',
    comparison: 'delta',
    ours: 'applyDelta',
    against: 'jose verify + applyPatch + 2 digests',
    op: '>=',
    bound: 0.8,
    unit: 'x',
  },
  {
    what: 'verifyExport (jwks) vs jose jwtVerify',
    comparison: 'verify',
    ours: 'verifyExport (jwks)',
    against: 'jose jwtVerify',
    op: '>=',
    bound: 0.9,
    unit: 'x',
  },
  {
    what: 'stream of 1M records: peak RSS',
    comparison: 'stream-memory',
    ours: 'peakRssMB',
    against: '',
    op: '<=',
    bound: 150,
    unit: 'MB',
  },
  {
    what: 'stream throughput vs batch export',
    comparison: 'export',
    ours: 'gate.exportStream (625 a chunk, the default)',
    against: 'gate.export',
    op: '>=',
    bound: 1.0,
    unit: 'x',
  },
  {
    what: 'loadPolicy 200 x 5 (YAML) time / YAML.parse alone',
    comparison: 'policy',
    ours: 'loadPolicy (YAML)',
    against: 'YAML.parse',
    op: '<=',
    bound: 1.5,
    unit: 'x',
  },
]

// Issue 9: the adapters with the memory audit sink, per framework.
const ADAPTER_TARGETS: readonly Target[] = ['express', 'fastify', 'hono', 'fetch'].flatMap(
  (framework): Target[] => [
    {
      what: `${framework} filtered req/s vs the bare route`,
      comparison: 'adapters',
      ours: `${framework} filtered`,
      against: `${framework} bare`,
      op: '>=',
      bound: 0.8,
      unit: 'x',
    },
    {
      what: `${framework} filtered p99 added`,
      comparison: 'adapters',
      ours: `${framework} filtered p99 added ms`,
      against: '',
      op: '<=',
      bound: 2,
      unit: 'ms',
    },
    {
      what: `${framework} signed req/s vs the bare route`,
      comparison: 'adapters',
      ours: `${framework} signed`,
      against: `${framework} bare`,
      op: '>=',
      bound: 0.6,
      unit: 'x',
    },
  ],
)

const STREAM_RECORDS = 1_000_000
/** exportStream's default chunk size. */
const STREAM_CHUNK = 625

interface StreamFigures {
  readonly records: number
  readonly chunks: number
  readonly peakRssMB: number
  readonly seconds: number
  readonly hashBackend: string
}

/** 1,000,000 records through exportStream and verifyStream in a child process under plain node. */
async function streamMemory(): Promise<ComparisonReport> {
  const loadBefore = loadavg()[0] as number
  const { stdout } = await run(
    'npm',
    [
      'run',
      '--silent',
      'bench:stream-memory',
      '--',
      '--records',
      String(STREAM_RECORDS),
      '--chunk',
      String(STREAM_CHUNK),
    ],
    { cwd: root, maxBuffer: 16 * 1024 * 1024, timeout: 600_000 },
  )
  const figures = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as StreamFigures
  // The issuer's side alone, from the bundle the run above built: parts drained, not verified.
  const issuerOnly = await run(
    'node',
    [
      'bench/.stream-memory.mjs',
      '--records',
      String(STREAM_RECORDS),
      '--chunk',
      String(STREAM_CHUNK),
      '--verify',
      'false',
    ],
    { cwd: root, maxBuffer: 16 * 1024 * 1024, timeout: 600_000 },
  )
  const issuer = JSON.parse(issuerOnly.stdout.trim().split('\n').at(-1) ?? '') as StreamFigures
  return {
    id: 'stream-memory',
    title: 'Stream memory (exportStream -> verifyStream, 1,000,000 records, child process)',
    checks: [
      {
        baseline: 'every record and chunk verified',
        ok: figures.records === STREAM_RECORDS && figures.chunks === STREAM_RECORDS / STREAM_CHUNK,
      },
      {
        baseline: 'issuer alone: every record and chunk signed',
        ok: issuer.records === STREAM_RECORDS && issuer.chunks === STREAM_RECORDS / STREAM_CHUNK,
      },
    ],
    timings: [],
    ratios: [],
    notes: [
      `peak RSS ${figures.peakRssMB} MB of the whole process, ${figures.seconds} s (#hash: ${figures.hashBackend}); built package under plain node, rows from a generator`,
      `the issuer's side alone (parts drained, not verified; not the target's figure): peak RSS ${issuer.peakRssMB} MB, ${issuer.seconds} s`,
    ],
    load: [loadBefore, loadavg()[0] as number],
    figures: { ...figures, issuerOnlyPeakRssMB: issuer.peakRssMB },
  }
}

interface AdapterStreamFigures {
  readonly records: number
  readonly chunks: number
  readonly verified: boolean
  readonly seconds: number
  readonly recordsPerSecond: number
  readonly serverPeakRssMB: number
  readonly clientPeakRssMB: number
}

/**
 * 1,000,000 records served as NDJSON by the fetch adapter on @hono/node-server and consumed by
 * fetchSharedStream in a child process (bench/adapter-stream-memory.ts). Recorded, no target;
 * run only when named: `--only adapter-stream-memory`.
 */
async function adapterStreamMemory(): Promise<ComparisonReport> {
  const loadBefore = loadavg()[0] as number
  const { stdout } = await run(
    'npm',
    [
      'run',
      '--silent',
      'bench:adapter-stream-memory',
      '--',
      '--records',
      String(STREAM_RECORDS),
      '--chunk',
      String(STREAM_CHUNK),
    ],
    { cwd: root, maxBuffer: 16 * 1024 * 1024, timeout: 900_000 },
  )
  const figures = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as AdapterStreamFigures
  return {
    id: 'adapter-stream-memory',
    title:
      'Adapter stream memory (withShare NDJSON -> fetchSharedStream, 1,000,000 records, two processes)',
    checks: [
      {
        baseline: 'every record and chunk verified by the client',
        ok:
          figures.verified &&
          figures.records === STREAM_RECORDS &&
          figures.chunks === STREAM_RECORDS / STREAM_CHUNK,
      },
    ],
    timings: [],
    ratios: [],
    notes: [
      `server peak RSS ${figures.serverPeakRssMB} MB, client peak RSS ${figures.clientPeakRssMB} MB, ${figures.seconds} s, ${figures.recordsPerSecond} records/s over loopback (built package under plain node)`,
    ],
    load: [loadBefore, loadavg()[0] as number],
    figures: { ...figures },
  }
}

const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    only: { type: 'string' },
    rounds: { type: 'string' },
  },
})
const only = values.only?.split(',').map((s) => s.trim())
const wanted = (id: string) => only === undefined || only.includes(id)
if (values.rounds !== undefined) setDefaultRounds(Number(values.rounds))

const started = performance.now()
const startedAt = new Date()
const loadAtStart = loadavg()
console.log(
  `datagate benchmarks, ${startedAt.toISOString()}, node ${process.version}, ${cpus().length} cpus (${cpus()[0]?.model ?? 'unknown'}), #hash ${hashBackend}`,
)
console.log(`load average at start: ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`)
console.log(
  'each comparison: its cases interleaved round by round in this process, a full GC before every sample; ratios are the median of per-round paired ratios (min-max)',
)

const rows = [...afterSalesOrders(BATCH_ROWS)]
const { gate, keys } = await benchGate()
const comparisons: [string, () => Promise<ComparisonReport>][] = [
  ['release', () => releaseComparison(gate, rows)],
  ['export', () => exportComparison(gate, keys, rows)],
  ['pseudonymize', () => pseudonymizeComparison(rows)],
  ['delta', () => deltaComparison(gate, keys, rows)],
  ['verify', () => verifyComparison(gate, rows)],
  ['policy', () => policyComparison()],
  ['stream-memory', () => streamMemory()],
  ['adapters', () => adaptersComparison()],
  ['adapter-stream-memory', () => adapterStreamMemory()],
]
/** Comparisons that run only when `--only` names them. */
const OPT_IN = new Set(['adapter-stream-memory'])

function report(section: ComparisonReport): void {
  console.log(`\n## ${section.title}\n`)
  console.log(
    `load average (1 min): ${section.load[0].toFixed(2)} -> ${section.load[1].toFixed(2)}`,
  )
  for (const check of section.checks) {
    console.log(`${check.ok ? 'equal' : 'CHECK FAILED, output differs'}: ${check.baseline}`)
  }
  if (section.timings.length > 0) {
    console.log('')
    printTable(
      ['case', 'wall ms/call: median', 'min', 'max', 'CPU ms/call: median', 'calls/sample'],
      section.timings.map((t) => [
        t.name,
        formatMs(median(t.msPerCall)),
        formatMs(Math.min(...t.msPerCall)),
        formatMs(Math.max(...t.msPerCall)),
        formatMs(median(t.cpuMsPerCall)),
        String(t.callsPerSample),
      ]),
    )
    console.log('')
  }
  for (const r of section.ratios) {
    const sense = r.kind === 'speed' ? 'as fast as' : 'the time of'
    console.log(
      `${r.ours}: ${formatRatio(r)} ${sense} ${r.against} (CPU time: ${formatRatio(r.cpu)})`,
    )
  }
  for (const note of section.notes) console.log(`- ${note}`)
}

const sections: ComparisonReport[] = []
for (const [id, next] of comparisons) {
  if (!wanted(id) || (OPT_IN.has(id) && only === undefined)) continue
  const section = await next()
  report(section)
  sections.push(section)
}

interface TargetResult {
  readonly target: Target
  readonly value: string
  readonly cpu: string
  readonly pass: boolean | undefined
}

function evaluate(target: Target): TargetResult {
  const section = sections.find((s) => s.id === target.comparison)
  if (!section) return { target, value: 'not run', cpu: '', pass: undefined }
  if (target.unit === 'MB' || target.unit === 'ms') {
    const mb = Number(section.figures?.[target.ours])
    return {
      target,
      value: `${mb} ${target.unit}`,
      cpu: '',
      pass: target.op === '<=' ? mb <= target.bound : mb >= target.bound,
    }
  }
  const ratio = section.ratios.find(
    (r: PairedRatio) => r.ours === target.ours && r.against === target.against,
  )
  if (!ratio) return { target, value: 'not measured', cpu: '', pass: undefined }
  const pass = target.op === '>=' ? ratio.median >= target.bound : ratio.median <= target.bound
  return { target, value: formatRatio(ratio), cpu: formatRatio(ratio.cpu), pass }
}

const results = [...TARGETS, ...ADAPTER_TARGETS].map(evaluate)
const loadAtEnd = loadavg()
console.log(
  '\n## Targets (issues 8 and 9; PASS when the median wall-time ratio meets the bound; CPU time as a cross-check)\n',
)
printTable(
  ['what', 'target', 'wall: median (min-max)', '', 'CPU time: median (min-max)'],
  results.map((r) => [
    r.target.what,
    `${r.target.op} ${r.target.bound}${r.target.unit === 'x' ? 'x' : ` ${r.target.unit}`}`,
    r.value,
    r.pass === undefined ? '-' : r.pass ? 'PASS' : 'MISS',
    r.cpu,
  ]),
)
console.log(`\nload average at end: ${loadAtEnd.map((l) => l.toFixed(2)).join(' ')}`)

const seconds = (performance.now() - started) / 1000
const failedChecks = sections.flatMap((s) =>
  s.checks.filter((c) => !c.ok).map((c) => `${s.id}: ${c.baseline}`),
)
const missed = results.filter((r) => r.pass === false).map((r) => r.target.what)
mkdirSync(new URL('results/', import.meta.url), { recursive: true })
writeFileSync(
  new URL('results/latest.json', import.meta.url),
  `${JSON.stringify(
    {
      date: startedAt.toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      hashBackend,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadAtEnd,
      seconds,
      targets: results.map((r) => ({ ...r.target, value: r.value, cpu: r.cpu, pass: r.pass })),
      failedChecks,
      sections,
    },
    null,
    2,
  )}\n`,
)
console.log(`${seconds.toFixed(0)} s; every sample in bench/results/latest.json`)
if (failedChecks.length > 0) {
  console.error(`CHECK FAILED: ${failedChecks.join('; ')}`)
  process.exitCode = 1
}
if (values.check && missed.length > 0) {
  console.error(`MISS: ${missed.join('; ')}`)
  process.exitCode = 1
}
