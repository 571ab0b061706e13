// The bench harness. The machines are shared and their speed drifts by a factor of two within
// minutes, so the cases of one comparison never run back to back: every round runs each case
// once (rotating which goes first), after a full GC, and a ratio is formed within each round,
// between samples taken seconds apart. The report is the median of those paired per-round ratios
// with their range; absolute times are context only.
//
// Each sample records wall time (what the targets are about) and the CPU time of the whole
// process (every thread: Web Crypto signing and GC helpers included). On a machine whose load
// average is several times its core count, wall time also counts the time other processes held
// the cores; the CPU-time ratio is printed beside it as the load-robust cross-check.

/** One way of doing the work a comparison measures. */
export interface BenchCase {
  readonly name: string
  /** Does the work once; may return a promise. */
  readonly run: () => unknown
}

/** Options of {@link interleave}. */
export interface InterleaveOptions {
  /** Timed rounds; default 9, or what {@link setDefaultRounds} set. */
  readonly rounds?: number
  /** Untimed rounds first, so every case is compiled and its batch size known; default 2. */
  readonly warmupRounds?: number
  /** A sample repeats a fast case until it lasts at least this long; default 150 ms. */
  readonly minSampleMs?: number
}

/** The timings of one case: milliseconds per call, one sample per round. */
export interface CaseTimings {
  readonly name: string
  readonly callsPerSample: number
  /** Wall time per call. */
  readonly msPerCall: readonly number[]
  /** CPU time of the process (user + system, all threads) per call. */
  readonly cpuMsPerCall: readonly number[]
}

/** Which time a ratio is formed from. */
export type Clock = 'wall' | 'cpu'

/** The raw result of one interleaved comparison. */
export interface Interleaved {
  readonly cases: readonly CaseTimings[]
  readonly rounds: number
}

let defaultRounds = 9
/**
 * Timed rounds for a comparison whose rounds are cheap: `factor` times the default, so that
 * `--rounds` still scales every comparison.
 */
export function scaledRounds(factor: number): number {
  return Math.max(1, Math.round(defaultRounds * factor))
}

/** Sets the timed rounds of every later comparison that does not name its own. */
export function setDefaultRounds(rounds: number): void {
  if (!Number.isSafeInteger(rounds) || rounds < 1)
    throw new RangeError('rounds: a positive integer')
  defaultRounds = rounds
}

/** `speed`: how many times as fast `ours` is (against / ours); `time`: ours / against. */
export type RatioKind = 'speed' | 'time'

/** The median of per-round ratios, their range and every one of them. */
export interface RatioSummary {
  readonly median: number
  readonly min: number
  readonly max: number
  /** The ratio of every round, in order. */
  readonly perRound: readonly number[]
}

/** A paired ratio over the rounds of one comparison, of wall time (and of CPU time in `cpu`). */
export interface PairedRatio extends RatioSummary {
  readonly ours: string
  readonly against: string
  readonly kind: RatioKind
  /** The same ratio formed from the process's CPU time. */
  readonly cpu: RatioSummary
}

type Collect = () => void

function collector(): Collect {
  const gc = (globalThis as { gc?: () => void }).gc
  if (typeof gc !== 'function') {
    throw new Error('run the benchmarks with node --expose-gc (npm run bench does)')
  }
  return gc
}

async function once(run: () => unknown): Promise<unknown> {
  const result = run()
  return result instanceof Promise ? await result : result
}

interface Sample {
  readonly wall: number
  readonly cpu: number
}

async function sample(run: () => unknown, calls: number, gc: Collect): Promise<Sample> {
  gc()
  let sink: unknown
  const cpuStart = process.cpuUsage()
  const start = performance.now()
  for (let i = 0; i < calls; i++) sink = await once(run)
  const elapsed = performance.now() - start
  const cpu = process.cpuUsage(cpuStart)
  keep(sink)
  return { wall: elapsed / calls, cpu: (cpu.user + cpu.system) / 1000 / calls }
}

/**
 * Runs the cases of one comparison round by round in this process: in round `r` the cases run
 * in order starting at case `r mod n`, each sample after a full GC.
 */
export async function interleave(
  cases: readonly BenchCase[],
  options: InterleaveOptions = {},
): Promise<Interleaved> {
  const gc = collector()
  const rounds = options.rounds ?? defaultRounds
  const warmupRounds = options.warmupRounds ?? 2
  const minSampleMs = options.minSampleMs ?? 150
  const calls = cases.map(() => 1)
  for (let w = 0; w < warmupRounds; w++) {
    for (const [i, c] of cases.entries()) {
      const { wall } = await sample(c.run, calls[i] as number, gc)
      calls[i] = Math.max(calls[i] as number, Math.ceil(minSampleMs / Math.max(wall, 1e-6)))
    }
  }
  const timings = cases.map(() => [] as Sample[])
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (r + k) % cases.length
      const c = cases[i] as BenchCase
      ;(timings[i] as Sample[]).push(await sample(c.run, calls[i] as number, gc))
    }
  }
  return {
    rounds,
    cases: cases.map((c, i) => ({
      name: c.name,
      callsPerSample: calls[i] as number,
      msPerCall: (timings[i] as Sample[]).map((t) => t.wall),
      cpuMsPerCall: (timings[i] as Sample[]).map((t) => t.cpu),
    })),
  }
}

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const upper = sorted[middle] ?? Number.NaN
  if (sorted.length % 2 === 1) return upper
  return ((sorted[middle - 1] ?? Number.NaN) + upper) / 2
}

function timingsOf(result: Interleaved, name: string, clock: Clock): readonly number[] {
  const found = result.cases.find((c) => c.name === name)
  if (!found) throw new Error(`no case named ${name}`)
  return clock === 'wall' ? found.msPerCall : found.cpuMsPerCall
}

function summary(perRound: readonly number[]) {
  return {
    median: median(perRound),
    min: Math.min(...perRound),
    max: Math.max(...perRound),
    perRound,
  }
}

/** The paired per-round ratio of two cases of one interleaved comparison. */
export function paired(
  result: Interleaved,
  ours: string,
  against: string,
  kind: RatioKind = 'speed',
): PairedRatio {
  const perRound = (clock: Clock) => {
    const a = timingsOf(result, ours, clock)
    const b = timingsOf(result, against, clock)
    return a.map((oursMs, r) => {
      const againstMs = b[r] as number
      return kind === 'speed' ? againstMs / oursMs : oursMs / againstMs
    })
  }
  return { ours, against, kind, ...summary(perRound('wall')), cpu: summary(perRound('cpu')) }
}

/** `1.23x (1.10-1.31)`. */
export function formatRatio(ratio: RatioSummary): string {
  return `${ratio.median.toFixed(2)}x (${ratio.min.toFixed(2)}-${ratio.max.toFixed(2)})`
}

/** Milliseconds for a table: 3 significant digits. */
export function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(0)
  if (ms >= 1) return ms.toPrecision(3)
  return ms.toPrecision(2)
}

/** Prints rows as an aligned plain-text table. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
  console.log(line(headers))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of rows) console.log(line(row))
}

/** An equality check a baseline passed or failed before anything was timed. */
export interface BaselineCheck {
  readonly baseline: string
  readonly ok: boolean
}

/** What one comparison reports. */
export interface ComparisonReport {
  readonly id: string
  readonly title: string
  readonly checks: readonly BaselineCheck[]
  readonly timings: readonly CaseTimings[]
  readonly ratios: readonly PairedRatio[]
  readonly notes: readonly string[]
  /** Load average (1 min) before the first and after the last round. */
  readonly load: readonly [number, number]
  /** Figures that are not times (peak RSS). */
  readonly figures?: Readonly<Record<string, number | string | boolean>>
}

let kept: unknown
/** Keeps a result reachable so the optimiser cannot drop the work that made it. */
export function keep(value: unknown): void {
  kept = value
  if (kept === Symbol.for('never')) console.log(kept)
}
