import {
  computeValues,
  drawNoisyStats,
  emptyStats,
  type MeasurePlan,
  mergeStats,
  type NoisyStats,
  planMeasures,
  type Stats,
} from '../lib/aggregate-stats.js'
import {
  assertFunction,
  assertNumber,
  assertObject,
  assertOneOf,
  invalidArgument,
} from '../lib/assert.js'
import {
  type MarginEquation,
  type SuppressionReason,
  suppressCells,
} from '../lib/cell-suppression.js'
import {
  type CompiledPath,
  compareTuples,
  compilePaths,
  encodeKey,
  readScalar,
  type ScalarValue,
} from '../lib/group-key.js'
import { type Protection, protectTable } from '../lib/interval-protection.js'
import type { IntervalAuditor } from './interval-audit.js'
import type { RandomSource } from './operator.js'

/**
 * A value a group is keyed by: a string, finite number, boolean, or null (also for an absent field).
 *
 * @example
 * ```ts
 * import type { GroupValue } from 'datagate/anonymize'
 *
 * const key: GroupValue[] = ['Berlin', 30, true, null]
 * console.log(key.length) // 4
 * ```
 */
export type GroupValue = ScalarValue

/**
 * One measure: a record count, or the sum, average, minimum or maximum of a numeric field path.
 *
 * @example
 * ```ts
 * import type { Measure } from 'datagate/anonymize'
 *
 * const longest: Measure = { op: 'max', field: 'repair.hours' }
 * console.log(longest.op) // max
 * ```
 */
export type Measure =
  | { readonly op: 'count' }
  | { readonly op: 'sum' | 'avg' | 'min' | 'max'; readonly field: string }

/**
 * Measures by output name; the names become the keys of each row's `values`.
 *
 * @example
 * ```ts
 * import type { Measures } from 'datagate/anonymize'
 *
 * const measures = {
 *   orders: { op: 'count' },
 *   hours: { op: 'sum', field: 'estimatedHours' },
 * } as const satisfies Measures
 * console.log(Object.keys(measures)) // ['orders', 'hours']
 * ```
 */
export type Measures = { readonly [name: string]: Measure }

/**
 * The values of a published row: counts are numbers; sums, averages, minima and maxima are
 * `null` when the group has no numeric value in the field (and minima and maxima of a total
 * that contains a suppressed cell, which could otherwise reveal a value from that cell).
 *
 * @example
 * ```ts
 * import type { MeasureValues } from 'datagate/anonymize'
 *
 * const values: MeasureValues<{ n: { op: 'count' }; avg: { op: 'avg'; field: 'age' } }> = { n: 12, avg: null }
 * console.log(values.n) // 12
 * ```
 */
export type MeasureValues<M extends Measures> = {
  readonly [K in keyof M]: M[K] extends { readonly op: 'count' } ? number : number | null
}

/**
 * What a row stands for: one group, a subtotal over the first `by` dimension, or the overall total.
 *
 * @example
 * ```ts
 * import type { AggregateRowKind } from 'datagate/anonymize'
 *
 * const kinds: AggregateRowKind[] = ['cell', 'subtotal', 'total']
 * console.log(kinds.length) // 3
 * ```
 */
export type AggregateRowKind = 'cell' | 'subtotal' | 'total'

/**
 * One output row. `key` holds the group values in `by` order (one value for a subtotal, none
 * for the total); `group` holds them by path. A suppressed row (only emitted with
 * `suppressedCells: 'mark'`) has every value `null`.
 *
 * @example
 * ```ts
 * import { aggregate } from 'datagate/anonymize'
 *
 * const records = [{ city: 'Kiel' }, { city: 'Kiel' }, { city: 'Ulm' }]
 * const { rows } = aggregate(records, { by: ['city'], measures: { n: { op: 'count' } }, k: 2, suppressedCells: 'mark' })
 * for (const row of rows) console.log(row.group.city, row.suppressed ? 'suppressed' : row.values.n)
 * // Kiel 2
 * // Ulm suppressed
 * ```
 */
export type AggregateRow<M extends Measures> = {
  readonly kind: AggregateRowKind
  readonly key: readonly GroupValue[]
  readonly group: { readonly [path: string]: GroupValue }
} & (
  | { readonly suppressed: false; readonly values: MeasureValues<M> }
  | { readonly suppressed: true; readonly values: { readonly [K in keyof M]: null } }
)

/**
 * Discrete Laplace noise on published counts and sums (exact integer sampling, Canonne, Kamath
 * and Steinke 2020). Suppression is then decided on the noisy counts, so the whole table is
 * post-processing of noisy values.
 *
 * @example
 * ```ts
 * import type { AggregateNoise } from 'datagate/anonymize'
 *
 * const noise: AggregateNoise = { epsilon: 0.5, sensitivity: 24 } // one record adds at most 24 hours
 * console.log(noise.epsilon) // 0.5
 * ```
 */
export interface AggregateNoise {
  /** Privacy budget per published statistic, > 0. Smaller is noisier. */
  readonly epsilon: number
  /**
   * The largest absolute value one record may add to a sum; required with `sum` or `avg`
   * measures. Field values are clamped to [-sensitivity, sensitivity] before summing, as the
   * guarantee requires. Counts always use sensitivity 1.
   */
  readonly sensitivity?: number
  /**
   * The grid sums are computed on, > 0, default 1: each value is rounded to a multiple of it
   * before summing, so sums are integers of grid units and take integer noise. Use e.g. 0.1 for
   * kWh with one decimal; the noise scale in grid units is ceil(sensitivity / granularity) / epsilon.
   */
  readonly granularity?: number
}

/**
 * Options of {@link aggregate}.
 *
 * @example
 * ```ts
 * import { type AggregateOptions, aggregate } from 'datagate/anonymize'
 *
 * const options = {
 *   by: ['city', 'vehicle.model'],
 *   measures: { orders: { op: 'count' } },
 *   k: 5,
 *   totals: 'margins',
 * } as const satisfies AggregateOptions<{ orders: { op: 'count' } }>
 * console.log(aggregate([], options).rows) // []
 * ```
 */
export interface AggregateOptions<M extends Measures> {
  /** Dot paths whose values form the group key, e.g. `['city', 'vehicle.model']`. */
  readonly by: readonly string[]
  /** The measures to compute per row, by output name. */
  readonly measures: M
  /** Minimum group size, an integer >= 2: smaller groups are suppressed. */
  readonly k: number
  /**
   * Which totals to publish: none (default), the overall total, or the overall total plus a
   * subtotal per value of the first `by` dimension (`'margins'`; equal to `'overall'` with one
   * dimension). With totals, complementary suppression keeps suppressed cells unrecoverable.
   */
  readonly totals?: 'none' | 'overall' | 'margins'
  /** Omit suppressed rows (default; even a group's existence can leak) or mark them. */
  readonly suppressedCells?: 'omit' | 'mark'
  /** Discrete Laplace noise on counts and sums; suppression is then decided on noisy counts. */
  readonly noise?: AggregateNoise
  /** Random source for noise; defaults to `crypto.getRandomValues`. Inject it in tests. */
  readonly random?: RandomSource
  /**
   * Audits every suppressed row of an exact table with totals: its feasible range given all
   * published values, non-negativity, integrality and non-emptiness, suppressing more rows until
   * each range is at least `protectionWidth` wide. Without an auditor, every total or subtotal
   * that covers a suppressed row is withheld instead (safe, but publishes fewer totals).
   */
  readonly auditor?: IntervalAuditor
  /** The smallest feasible-range width (max - min) of a suppressed row, an integer >= 1; default `k`. */
  readonly protectionWidth?: number
}

/**
 * What {@link aggregate} did. For the releasing side: `totalRecords` is exact and, shipped next
 * to the rows, would act as an unsuppressed total.
 *
 * @example
 * ```ts
 * import { aggregate } from 'datagate/anonymize'
 *
 * const { report } = aggregate([{ city: 'Kiel' }], { by: ['city'], measures: {}, k: 2 })
 * console.log(report) // { groups: 1, suppressed: { primary: 1, complementary: 0 }, k: 2, totalRecords: 1 }
 * ```
 */
export interface AggregateReport {
  /** Number of non-empty groups (cells), published or not. */
  readonly groups: number
  /** Suppressed rows (cells, subtotals and total alike): below `k`, or suppressed to protect one. */
  readonly suppressed: { readonly primary: number; readonly complementary: number }
  readonly k: number
  readonly totalRecords: number
  readonly noise?: AggregateNoise
  /**
   * How suppressed rows of a table with totals were protected: by an interval audit (with the
   * auditor's name, the width reached and the rounds run) or by withholding covering margins.
   */
  readonly protection?: Protection
}

/**
 * The result of {@link aggregate}.
 *
 * @example
 * ```ts
 * import { type AggregateResult, aggregate } from 'datagate/anonymize'
 *
 * const result: AggregateResult<{ n: { op: 'count' } }> = aggregate([], { by: ['city'], measures: { n: { op: 'count' } }, k: 2 })
 * console.log(result.rows.length, result.report.groups) // 0 0
 * ```
 */
export interface AggregateResult<M extends Measures> {
  /** Cells in group-key order; with `'margins'`, each subtotal after its cells; the total last. */
  readonly rows: readonly AggregateRow<M>[]
  readonly report: AggregateReport
}

interface Node {
  readonly kind: AggregateRowKind
  readonly key: readonly GroupValue[]
  readonly stats: Stats
  /** Indexes of the cells a subtotal or total covers; empty for a cell. */
  readonly cells: readonly number[]
}

interface Tree {
  /** Nodes in output order: cells (each subtotal after its cells), the total last. */
  readonly nodes: readonly Node[]
  readonly equations: readonly MarginEquation[]
}

/**
 * Groups `records` by `by` and computes `measures` per group, suppressing every group with fewer
 * than `k` records, plus, when totals are published, further groups (smallest first) until no
 * suppressed count can be computed by subtracting published cells from a published total.
 *
 * Groups are sorted by key: null, then false and true, then numbers, then strings by code unit.
 * A group field that is not a string, finite number, boolean or null throws `ERR_INVALID_ARGUMENT`
 * naming the record index and path, never the value. Runs in linear time plus the sort of groups.
 *
 * @example
 * ```ts
 * import { aggregate } from 'datagate/anonymize'
 *
 * const orders = [
 *   { city: 'Berlin', hours: 2 }, { city: 'Berlin', hours: 4 }, { city: 'Berlin', hours: 6 },
 *   { city: 'Hamburg', hours: 1 },
 * ]
 * const { rows, report } = aggregate(orders, {
 *   by: ['city'],
 *   measures: { orders: { op: 'count' }, avgHours: { op: 'avg', field: 'hours' } },
 *   k: 3,
 * })
 * console.log(rows.map((row) => [row.key, row.values])) // [[['Berlin'], { orders: 3, avgHours: 4 }]]
 * console.log(report.suppressed) // { primary: 1, complementary: 0 }
 * ```
 */
export function aggregate<const M extends Measures>(
  records: readonly object[],
  options: AggregateOptions<M>,
): AggregateResult<M> {
  if (!Array.isArray(records)) invalidArgument('type', 'records', 'an array')
  assertObject(options, 'aggregate options')
  const by = compilePaths(options.by, 'by')
  assertNumber(options.k, 'k', { integer: true, min: 2 })
  const totals = options.totals ?? 'none'
  assertOneOf(totals, 'totals', ['none', 'overall', 'margins'])
  const suppressedCells = options.suppressedCells ?? 'omit'
  assertOneOf(suppressedCells, 'suppressedCells', ['omit', 'mark'])
  const plan = planMeasures(options.measures, options.noise)
  const width = options.protectionWidth ?? options.k
  assertNumber(width, 'protectionWidth', { integer: true, min: 1 })
  if (options.auditor !== undefined) {
    assertObject(options.auditor, 'auditor')
    assertFunction(options.auditor.ranges, 'auditor.ranges')
  }

  const cells = new Map<string, Node>()
  for (let index = 0; index < records.length; index++) {
    const record = records[index]
    if (typeof record !== 'object' || record === null)
      invalidArgument('type', `records[${index}]`, 'an object')
    const key = by.map((path) => readScalar(record, path, index))
    const encoded = encodeKey(key)
    let cell = cells.get(encoded)
    if (cell === undefined) {
      cell = { kind: 'cell', key, stats: emptyStats(plan), cells: [] }
      cells.set(encoded, cell)
    }
    plan.add(cell.stats, record, index)
  }

  const tree = buildTree([...cells.values()], by.length, totals, plan)
  const noisy =
    plan.noise && tree.nodes.map((node) => drawNoisyStats(plan, node.stats, options.random))
  // With noise, suppression sees only noisy counts: the published table is then a function of
  // noisy values alone (post-processing), and the exact counts leak nothing through the pattern.
  const counts = tree.nodes.map((node, i) => noisy?.[i]?.count ?? node.stats.count)
  const { reasons, protection } =
    noisy === undefined
      ? protectTable(
          counts,
          tree.equations,
          suppressCells(counts, tree.equations, options.k),
          tree.nodes.map((node) => node.kind !== 'cell'),
          options.auditor,
          width,
        )
      : { reasons: suppressCells(counts, tree.equations, options.k), protection: undefined }
  return {
    rows: emitRows(tree, reasons, by, plan, suppressedCells === 'mark', noisy),
    report: {
      groups: cells.size,
      suppressed: {
        primary: reasons.filter((reason) => reason === 'primary').length,
        complementary: reasons.filter((reason) => reason === 'complementary').length,
      },
      k: options.k,
      totalRecords: records.length,
      ...(plan.noise === undefined ? {} : { noise: plan.noise }),
      ...(protection === undefined ? {} : { protection }),
    },
  }
}

function buildTree(
  cells: Node[],
  dimensions: number,
  totals: 'none' | 'overall' | 'margins',
  plan: MeasurePlan,
): Tree {
  cells.sort((a, b) => compareTuples(a.key, b.key))
  // Without records there is no total to publish: the sum of nothing says nothing.
  if (totals === 'none' || cells.length === 0) return { nodes: cells, equations: [] }
  const nodes: Node[] = []
  const equations: MarginEquation[] = []
  const topLevel: number[] = []
  const covered: number[] = []
  let start = 0
  while (start < cells.length) {
    let end = start + 1
    if (totals === 'margins' && dimensions > 1) {
      const first = cells[start]!.key[0] ?? null
      while (end < cells.length && compareTuples([cells[end]!.key[0] ?? null], [first]) === 0) end++
    }
    const children: number[] = []
    for (const cell of cells.slice(start, end)) {
      children.push(nodes.push(cell) - 1)
      covered.push(children.at(-1)!)
    }
    if (totals === 'margins' && dimensions > 1) {
      const stats = emptyStats(plan)
      for (const child of children) mergeStats(stats, nodes[child]!.stats)
      const key = [cells[start]!.key[0] ?? null]
      const parent = nodes.push({ kind: 'subtotal', key, stats, cells: children }) - 1
      equations.push({ parent, children })
      topLevel.push(parent)
    } else {
      topLevel.push(...children)
    }
    start = end
  }
  const stats = emptyStats(plan)
  for (const node of topLevel) mergeStats(stats, nodes[node]!.stats)
  const total = nodes.push({ kind: 'total', key: [], stats, cells: covered }) - 1
  equations.push({ parent: total, children: topLevel })
  return { nodes, equations }
}

function emitRows<M extends Measures>(
  tree: Tree,
  reasons: readonly (SuppressionReason | undefined)[],
  by: readonly CompiledPath[],
  plan: MeasurePlan,
  mark: boolean,
  noisy: readonly NoisyStats[] | undefined,
): AggregateRow<M>[] {
  const nullValues = Object.fromEntries(plan.measures.map(({ name }) => [name, null]))
  const rows: AggregateRow<M>[] = []
  for (const [index, node] of tree.nodes.entries()) {
    const suppressed = reasons[index] !== undefined
    if (suppressed && !mark) continue
    const group = Object.fromEntries(node.key.map((value, i) => [by[i]!.path, value]))
    const hideExtremes = node.cells.some((cell) => reasons[cell] !== undefined)
    const values = suppressed
      ? nullValues
      : computeValues(plan, node.stats, hideExtremes, noisy?.[index])
    // The values object is built from `plan`, which was validated from `M`.
    rows.push({ kind: node.kind, key: node.key, group, suppressed, values } as AggregateRow<M>)
  }
  return rows
}
