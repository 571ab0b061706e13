// Measure plans for `aggregate`: validated once, then a per-record `add` that touches only the
// distinct numeric fields the measures need, and a per-row `computeValues` that applies noise.
import type { RandomSource } from '../anonymize/operator.js'
import { DatagateError } from '../errors.js'
import { assertNumber, assertObject, assertOneOf } from './assert.js'
import { type CompiledPath, compilePath, describeType, readPath } from './group-key.js'
import { laplaceNoise } from './laplace.js'

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

/** Validated measures and noise settings. */
export interface MeasurePlan {
  readonly measures: readonly ResolvedMeasure[]
  readonly fields: readonly CompiledPath[]
  readonly noise: { readonly epsilon: number; readonly sensitivity?: number } | undefined
  add(stats: Stats, record: object, index: number): void
}

const OPS: readonly Op[] = ['count', 'sum', 'avg', 'min', 'max']
const RESERVED_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

function invalid(message: string): never {
  throw new DatagateError('ERR_INVALID_ARGUMENT', message, { cause: new RangeError(message) })
}

/** Validates `measures` and `noise`; `noise` needs a sensitivity for sums and forbids extremes. */
export function planMeasures(measures: unknown, noise: unknown): MeasurePlan {
  assertObject(measures, 'measures')
  const fields: CompiledPath[] = []
  const resolved: ResolvedMeasure[] = []
  for (const [name, spec] of Object.entries(measures)) {
    if (RESERVED_NAMES.has(name) || name.length === 0)
      invalid(`measures: expected output names other than "", __proto__, constructor, prototype`)
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
  let settings: MeasurePlan['noise']
  if (noise !== undefined) {
    assertObject(noise, 'noise')
    assertNumber(noise.epsilon, 'noise.epsilon', { exclusiveMin: 0 })
    if (resolved.some(({ op }) => op === 'min' || op === 'max'))
      invalid('noise: min and max measures cannot be protected by Laplace noise; remove them')
    const summed = resolved.some(({ op }) => op === 'sum' || op === 'avg')
    if (noise.sensitivity !== undefined || summed)
      assertNumber(noise.sensitivity, 'noise.sensitivity', { exclusiveMin: 0 })
    settings =
      noise.sensitivity === undefined
        ? { epsilon: noise.epsilon }
        : { epsilon: noise.epsilon, sensitivity: noise.sensitivity as number }
  }
  const bound = settings?.sensitivity ?? Number.POSITIVE_INFINITY
  return {
    measures: resolved,
    fields,
    noise: settings,
    add(stats, record, index) {
      stats.count++
      for (let field = 0; field < fields.length; field++) {
        const path = fields[field]!
        const value = readPath(record, path.segments)
        if (value === null || value === undefined) continue
        if (typeof value !== 'number' || !Number.isFinite(value))
          invalid(
            `records[${index}].${path.path}: expected a finite number or null, got ${typeof value === 'number' ? 'a non-finite number' : describeType(value)}`,
          )
        const clamped = Math.min(bound, Math.max(-bound, value))
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

function noisyCount(count: number, scale: number, random: RandomSource | undefined): number {
  return Math.max(0, Math.round(count + laplaceNoise(scale, random)))
}

/**
 * The published values of one row. With noise, each count and each field's sum is drawn once
 * per row and shared by the measures that use it; an average is noisy sum over noisy count.
 * `hideExtremes` blanks minima and maxima of totals that contain a suppressed cell.
 */
export function computeValues(
  plan: MeasurePlan,
  stats: Stats,
  hideExtremes: boolean,
  random: RandomSource | undefined,
): Record<string, number | null> {
  const noise = plan.noise
  const values: [string, number | null][] = []
  if (noise === undefined) {
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
  const countScale = 1 / noise.epsilon
  const sumScale = (noise.sensitivity ?? 1) / noise.epsilon
  let count: number | undefined
  const sums = new Map<number, number>()
  const ns = new Map<number, number>()
  for (const { name, op, field } of plan.measures) {
    if (op === 'count') {
      count ??= noisyCount(stats.count, countScale, random)
      values.push([name, count])
      continue
    }
    let sum = sums.get(field)
    if (sum === undefined) {
      sum = stats.sum[field]! + laplaceNoise(sumScale, random)
      sums.set(field, sum)
    }
    if (op === 'sum') {
      values.push([name, sum])
      continue
    }
    let n = ns.get(field)
    if (n === undefined) {
      n = noisyCount(stats.n[field]!, countScale, random)
      ns.set(field, n)
    }
    values.push([name, n === 0 ? null : sum / n])
  }
  return Object.fromEntries(values)
}
