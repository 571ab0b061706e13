// A small benchmark harness. Each measurement warms up first (so the JIT has compiled the hot
// path and the batch size is known), then takes timed samples of at least `sampleMs` each and
// reports the median rate with the spread over the samples. The machines are shared and noisy, so
// only ratios between measurements of the same run mean anything; absolute rates are context.

/** What a rate counts. */
export type Unit = 'ops/s' | 'records/s' | 'MB/s'

/** Options of a measurement. */
export interface MeasureOptions {
  /** Units of work one call does: records per release, MB per signature; default 1. */
  readonly workPerCall?: number
  readonly unit?: Unit
  /** Warm-up time; default 500 ms. */
  readonly warmupMs?: number
  /** Minimum length of one timed sample; default 300 ms. */
  readonly sampleMs?: number
  /** Timed samples; default 5. */
  readonly samples?: number
}

/** One measured rate. */
export interface Measurement {
  readonly name: string
  readonly unit: Unit
  /** Median rate over the samples. */
  readonly median: number
  readonly min: number
  readonly max: number
  /** (max - min) / median, in percent. */
  readonly spreadPct: number
  /** The rate of every sample, in order. */
  readonly samples: readonly number[]
  /** Calls timed in all samples together. */
  readonly calls: number
}

/** Calls in one timed batch are chosen so that a batch takes about this long. */
const BATCH_TARGET_MS = 20

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const upper = sorted[middle] ?? Number.NaN
  if (sorted.length % 2 === 1) return upper
  return ((sorted[middle - 1] ?? Number.NaN) + upper) / 2
}

function summarise(name: string, unit: Unit, rates: readonly number[], calls: number): Measurement {
  const mid = median(rates)
  const min = Math.min(...rates)
  const max = Math.max(...rates)
  return {
    name,
    unit,
    median: mid,
    min,
    max,
    spreadPct: ((max - min) / mid) * 100,
    samples: rates,
    calls,
  }
}

function settings(options: MeasureOptions) {
  return {
    work: options.workPerCall ?? 1,
    unit: options.unit ?? 'ops/s',
    warmupMs: options.warmupMs ?? 500,
    sampleMs: options.sampleMs ?? 300,
    samples: options.samples ?? 5,
  }
}

/**
 * Measures a synchronous function. Calls run in batches, and the clock is read between batches
 * only, so a call of a microsecond is not drowned by reading the clock.
 */
export function measure(
  name: string,
  fn: () => unknown,
  options: MeasureOptions = {},
): Measurement {
  const { work, unit, warmupMs, sampleMs, samples } = settings(options)
  let sink: unknown
  let calls = 0
  const warmupStart = performance.now()
  while (performance.now() - warmupStart < warmupMs || calls < 3) {
    sink = fn()
    calls++
  }
  const perCallMs = (performance.now() - warmupStart) / calls
  const batch = Math.max(1, Math.round(BATCH_TARGET_MS / perCallMs))
  const rates: number[] = []
  let timed = 0
  for (let s = 0; s < samples; s++) {
    let done = 0
    const start = performance.now()
    let elapsed = 0
    do {
      for (let i = 0; i < batch; i++) sink = fn()
      done += batch
      elapsed = performance.now() - start
    } while (elapsed < sampleMs)
    rates.push((done * work) / (elapsed / 1000))
    timed += done
  }
  keep(sink)
  return summarise(name, unit, rates, timed)
}

/** Measures an async function, one awaited call after another (meant for calls of a millisecond or more). */
export async function measureAsync(
  name: string,
  fn: () => Promise<unknown>,
  options: MeasureOptions = {},
): Promise<Measurement> {
  const { work, unit, warmupMs, sampleMs, samples } = settings(options)
  let sink: unknown
  let calls = 0
  const warmupStart = performance.now()
  while (performance.now() - warmupStart < warmupMs || calls < 3) {
    sink = await fn()
    calls++
  }
  const rates: number[] = []
  let timed = 0
  for (let s = 0; s < samples; s++) {
    let done = 0
    const start = performance.now()
    let elapsed = 0
    do {
      sink = await fn()
      done++
      elapsed = performance.now() - start
    } while (elapsed < sampleMs)
    rates.push((done * work) / (elapsed / 1000))
    timed += done
  }
  keep(sink)
  return summarise(name, unit, rates, timed)
}

let kept: unknown
/** Keeps a result reachable so the optimiser cannot drop the work that made it. */
function keep(value: unknown): void {
  kept = value
  if (kept === Symbol.for('never')) console.log(kept)
}

/** `a / b` of two measurements' medians. */
export function ratio(a: Measurement, b: Measurement): number {
  return a.median / b.median
}

/** A rate for a table: 3 significant digits with a thousands separator. */
export function formatRate(value: number): string {
  if (value >= 1000) return Math.round(value).toLocaleString('en-US')
  return value.toPrecision(3)
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

/** A comparison: `name` is `value` times as fast as `against`. */
export interface Comparison {
  readonly name: string
  readonly against: string
  readonly value: number
}

/** What one benchmark reports: its measurements, the ratios it stands for, and notes. */
export interface BenchSection {
  readonly title: string
  readonly measurements: readonly Measurement[]
  readonly comparisons: readonly Comparison[]
  readonly notes: readonly string[]
  /** Figures that are not rates (peak RSS, seconds). */
  readonly figures?: Readonly<Record<string, number | string | boolean>>
  /** Whether the benchmark's own checks passed (equal outputs, memory bound). */
  readonly ok: boolean
}

/** Compares two measurements by name. */
export function compare(a: Measurement, b: Measurement): Comparison {
  return { name: a.name, against: b.name, value: ratio(a, b) }
}
