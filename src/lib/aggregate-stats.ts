// Measure plans for `aggregate`: validated once, then a per-record `add` that touches only the
// distinct numeric fields the measures need, and per row the noisy statistics (drawn once, before
// suppression decides on them) and `computeValues`.
import { assertNumber, assertObject, assertOneOf, invalidArgument } from './assert.js'
import { describeType } from './describe-type.js'
import { discreteLaplaceSampler } from './discrete-laplace.js'
import { isForbiddenKey } from './forbidden-keys.js'
import { type CompiledPath, compilePath, readPath } from './group-key.js'
import type { RandomSource } from './random.js'

type Op = 'count' | 'sum' | 'avg' | 'min' | 'max'

interface ResolvedMeasure {
  readonly name: string
  readonly op: Op
  /** Index into `fields`; -1 for `count`. */
  readonly field: number
}

/** Running statistics of one group; arrays are indexed by distinct field. */
export interface Stats {
  count: number
  readonly sum: number[]
  /** How many records had a number in the field (null and absent are skipped). */
  readonly n: number[]
  readonly min: number[]
  readonly max: number[]
}

/** Noise settings as validated; `granularity` is the grid sums are rounded to (default 1). */
export interface NoiseSettings {
  readonly epsilon: number
  readonly sensitivity?: number
  readonly granularity?: number
}

/** Validated measures and noise settings. */
export interface MeasurePlan {
  readonly measures: readonly ResolvedMeasure[]
  readonly fields: readonly CompiledPath[]
  readonly noise: NoiseSettings | undefined
  /** Number of noisy statistics drawn per row: the count, each summed field, each averaged field's n. */
  readonly noisyStatistics: number
  add(stats: Stats, record: object, index: number): void
}

/** The noisy statistics of one row, drawn once and shared by every measure that uses them. */
export interface NoisyStats {
  readonly count: number
  /** Noisy sum per field index (in field units, already multiplied back from the grid). */
  readonly sum: ReadonlyMap<number, number>
  readonly n: ReadonlyMap<number, number>
}

const OPS: readonly Op[] = ['count', 'sum', 'avg', 'min', 'max']

/** Validates `measures` and `noise`; `noise` needs a sensitivity for sums and forbids extremes. */
export function planMeasures(measures: unknown, noise: unknown): MeasurePlan {
  assertObject(measures, 'measures')
  const fields: CompiledPath[] = []
  const resolved: ResolvedMeasure[] = []
  for (const [name, spec] of Object.entries(measures)) {
    if (isForbiddenKey(name) || name.length === 0)
      invalidArgument(
        'range',
        `measures`,
        `output names other than "", __proto__, constructor, prototype`,
      )
    assertObject(spec, `measures.${name}`)
    assertOneOf(spec.op, `measures.${name}.op`, OPS)
    if (spec.op === 'count') {
      resolved.push({ name, op: 'count', field: -1 })
      continue
    }
    const path = compilePath(spec.field, `measures.${name}.field`)
    let field = fields.findIndex((known) => known.path === path.path)
    if (field === -1) field = fields.push(path) - 1
    resolved.push({ name, op: spec.op, field })
  }
  let settings: NoiseSettings | undefined
  if (noise !== undefined) {
    assertObject(noise, 'noise')
    assertNumber(noise.epsilon, 'noise.epsilon', { exclusiveMin: 0 })
    if (resolved.some(({ op }) => op === 'min' || op === 'max'))
      invalidArgument(
        'range',
        'noise',
        'no min or max measures (Laplace noise cannot protect them)',
      )
    const summed = resolved.some(({ op }) => op === 'sum' || op === 'avg')
    if (noise.sensitivity !== undefined || summed)
      assertNumber(noise.sensitivity, 'noise.sensitivity', { exclusiveMin: 0 })
    if (noise.granularity !== undefined)
      assertNumber(noise.granularity, 'noise.granularity', { exclusiveMin: 0 })
    settings = {
      epsilon: noise.epsilon,
      ...(noise.sensitivity === undefined ? {} : { sensitivity: noise.sensitivity as number }),
      ...(noise.granularity === undefined ? {} : { granularity: noise.granularity as number }),
    }
  }
  const grid = settings?.granularity ?? 1
  // With noise, each value is clamped and rounded to the grid in grid units, so a sum is an exact
  // integer and one record moves it by at most `unitBound` units: the sensitivity the discrete
  // Laplace is scaled to. The rounding is a fixed function of the value, so it costs no privacy.
  const unitBound =
    settings?.sensitivity === undefined
      ? 0
      : Math.max(1, Math.ceil(settings.sensitivity / grid - 1e-9))
  const summedFields = new Set<number>()
  const averagedFields = new Set<number>()
  for (const { op, field } of resolved) {
    if (op === 'sum' || op === 'avg') summedFields.add(field)
    if (op === 'avg') averagedFields.add(field)
  }
  const noisyStatistics = 1 + summedFields.size + averagedFields.size
  return {
    measures: resolved,
    fields,
    noise: settings,
    noisyStatistics,
    add(stats, record, index) {
      stats.count++
      for (let field = 0; field < fields.length; field++) {
        const path = fields[field]!
        const value = readPath(record, path.segments)
        if (value === null || value === undefined) continue
        if (typeof value !== 'number' || !Number.isFinite(value))
          invalidArgument(
            'range',
            `records[${index}].${path.path}`,
            `a finite number or null, got ${typeof value === 'number' ? 'a non-finite number' : describeType(value)}`,
          )
        const clamped =
          settings === undefined
            ? value
            : settings.sensitivity === undefined
              ? 0
              : Math.min(unitBound, Math.max(-unitBound, Math.round(value / grid)))
        stats.sum[field]! += clamped
        stats.n[field]!++
        if (clamped < stats.min[field]!) stats.min[field] = clamped
        if (clamped > stats.max[field]!) stats.max[field] = clamped
      }
    },
  }
}

/** Statistics of an empty group. */
export function emptyStats(plan: MeasurePlan): Stats {
  const width = plan.fields.length
  return {
    count: 0,
    sum: new Array<number>(width).fill(0),
    n: new Array<number>(width).fill(0),
    min: new Array<number>(width).fill(Number.POSITIVE_INFINITY),
    max: new Array<number>(width).fill(Number.NEGATIVE_INFINITY),
  }
}

/** Adds the statistics of `from` into `into` (for subtotals and totals). */
export function mergeStats(into: Stats, from: Stats): void {
  into.count += from.count
  for (let field = 0; field < into.sum.length; field++) {
    into.sum[field]! += from.sum[field]!
    into.n[field]! += from.n[field]!
    into.min[field] = Math.min(into.min[field]!, from.min[field]!)
    into.max[field] = Math.max(into.max[field]!, from.max[field]!)
  }
}

/**
 * Draws the noisy statistics of one row: the record count, and each summed field's sum and
 * (for averages) its number of values, each with discrete Laplace noise of scale
 * sensitivity / epsilon (1 for counts, the unit bound for sums). Counts are clamped at 0 and sums
 * multiplied back from the grid: post-processing, which costs no privacy.
 */
export function drawNoisyStats(
  plan: MeasurePlan,
  stats: Stats,
  random: RandomSource | undefined,
): NoisyStats {
  const noise = plan.noise
  if (noise === undefined) throw new TypeError('drawNoisyStats: plan has no noise')
  const samplers = noiseSamplers(plan)
  const count = Math.max(0, stats.count + samplers.count(random))
  const sum = new Map<number, number>()
  const n = new Map<number, number>()
  const grid = noise.granularity ?? 1
  for (const { op, field } of plan.measures) {
    if (op === 'count' || sum.has(field)) continue
    sum.set(field, (stats.sum[field]! + samplers.sum(random)) * grid)
    if (plan.measures.some((m) => m.op === 'avg' && m.field === field))
      n.set(field, Math.max(0, stats.n[field]! + samplers.count(random)))
  }
  return { count, sum, n }
}

const samplerCache = new WeakMap<MeasurePlan, { count: Sampler; sum: Sampler }>()
type Sampler = (random?: RandomSource) => number

function noiseSamplers(plan: MeasurePlan): { count: Sampler; sum: Sampler } {
  let samplers = samplerCache.get(plan)
  if (samplers === undefined) {
    const noise = plan.noise!
    const grid = noise.granularity ?? 1
    const units =
      noise.sensitivity === undefined ? 1 : Math.max(1, Math.ceil(noise.sensitivity / grid - 1e-9))
    samplers = {
      count: discreteLaplaceSampler(1, noise.epsilon),
      sum: discreteLaplaceSampler(units, noise.epsilon),
    }
    samplerCache.set(plan, samplers)
  }
  return samplers
}

/**
 * The published values of one row. With noise, `noisy` holds the statistics drawn for the row
 * and an average is noisy sum over noisy count. `hideExtremes` blanks minima and maxima of totals
 * that contain a suppressed cell.
 */
export function computeValues(
  plan: MeasurePlan,
  stats: Stats,
  hideExtremes: boolean,
  noisy: NoisyStats | undefined,
): Record<string, number | null> {
  const values: [string, number | null][] = []
  if (noisy === undefined) {
    for (const { name, op, field } of plan.measures) {
      const n = stats.n[field] ?? 0
      if (op === 'count') values.push([name, stats.count])
      else if (n === 0 || ((op === 'min' || op === 'max') && hideExtremes))
        values.push([name, null])
      else if (op === 'sum') values.push([name, stats.sum[field]!])
      else if (op === 'avg') values.push([name, stats.sum[field]! / n])
      else values.push([name, op === 'min' ? stats.min[field]! : stats.max[field]!])
    }
    return Object.fromEntries(values)
  }
  for (const { name, op, field } of plan.measures) {
    if (op === 'count') values.push([name, noisy.count])
    else if (op === 'sum') values.push([name, noisy.sum.get(field)!])
    else {
      const n = noisy.n.get(field)!
      values.push([name, n === 0 ? null : noisy.sum.get(field)! / n])
    }
  }
  return Object.fromEntries(values)
}
