/**
 * Re-identification risk of a table before it is shared: k-anonymity over quasi-identifiers
 * and, optionally, l-diversity of a sensitive field.
 *
 * @packageDocumentation
 */
import type { Finding } from '../errors.js'
import { assertNumber, assertObject, invalidArgument } from '../lib/assert.js'
import { compilePath, compilePaths, encodeKey, readScalar } from '../lib/group-key.js'

/**
 * Options of {@link assessRisk}.
 *
 * @example
 * ```ts
 * import { type RiskOptions, assessRisk } from 'datagate/anonymize'
 *
 * const options: RiskOptions = { quasiIdentifiers: ['city', 'age'], sensitive: 'diagnosis', k: 10 }
 * console.log(assessRisk([], options).k) // 0
 * ```
 */
export interface RiskOptions {
  /** Dot paths that together could single a person out, e.g. `['city', 'age', 'vehicle.model']`. */
  readonly quasiIdentifiers: readonly string[]
  /** A dot path whose value must not be inferable from the class, e.g. `'diagnosis'`; enables `l`. */
  readonly sensitive?: string
  /** The group-size threshold: classes smaller than `k` put their records at risk; an integer >= 2, default 5. */
  readonly k?: number
  /** Classes with fewer distinct sensitive values than this are reported; integer >= 2, default 2. */
  readonly diversityThreshold?: number
}

/**
 * How many equivalence classes have a given size.
 *
 * @example
 * ```ts
 * import { assessRisk } from 'datagate/anonymize'
 *
 * const risk = assessRisk([{ zip: '10115' }, { zip: '10115' }, { zip: '20095' }], { quasiIdentifiers: ['zip'] })
 * console.log(risk.smallestClasses) // [{ size: 1, classes: 1 }, { size: 2, classes: 1 }]
 * ```
 */
export interface ClassSizeCount {
  readonly size: number
  readonly classes: number
}

/**
 * The result of {@link assessRisk}. Describes classes by size only, never by their values.
 *
 * @example
 * ```ts
 * import { type RiskAssessment, assessRisk } from 'datagate/anonymize'
 *
 * const risk: RiskAssessment = assessRisk([{ zip: '10115' }], { quasiIdentifiers: ['zip'] })
 * for (const issue of risk.issues) console.log(issue.code)
 * // k_anonymity_below_threshold
 * // unique_records
 * ```
 */
export interface RiskAssessment {
  /** The smallest equivalence class size: the table is k-anonymous for this k. 0 with no records. */
  readonly k: number
  /** Number of equivalence classes (distinct quasi-identifier tuples). */
  readonly classes: number
  /** Number of records assessed. */
  readonly records: number
  /** Records in classes smaller than the option `k`, and their share of all records (0 with none). */
  readonly atRisk: { readonly records: number; readonly share: number }
  /** Up to five smallest class sizes, ascending, with how many classes have each. */
  readonly smallestClasses: readonly ClassSizeCount[]
  /** With `sensitive`: the fewest distinct sensitive values in any class; 0 with no records. */
  readonly l?: number
  /** `k_anonymity_below_threshold`, `unique_records`, `l_diversity_below_threshold`. */
  readonly issues: readonly Finding[]
}

const SMALLEST_SIZES = 5

function plural(count: number, word: string, words = `${word}s`): string {
  return `${count} ${count === 1 ? word : words}`
}

const CLASS = 'equivalence class'
const CLASSES = 'equivalence classes'

/**
 * Measures k-anonymity (and l-diversity when `sensitive` is given) of `records` over the
 * quasi-identifier tuple, in linear time. Missing fields count as `null`; a quasi-identifier
 * or sensitive value that is not a string, finite number, boolean or null throws
 * `ERR_INVALID_ARGUMENT` naming the path. Findings name paths and sizes, never record values.
 *
 * @example
 * ```ts
 * import { assessRisk } from 'datagate/anonymize'
 *
 * const customers = [
 *   { city: 'Berlin', age: 30, diagnosis: 'a' },
 *   { city: 'Berlin', age: 30, diagnosis: 'b' },
 *   { city: 'Hamburg', age: 41, diagnosis: 'a' },
 * ]
 * const risk = assessRisk(customers, { quasiIdentifiers: ['city', 'age'], sensitive: 'diagnosis', k: 2 })
 * console.log(risk.k, risk.classes, risk.l, risk.atRisk) // 1 2 1 { records: 1, share: 0.3333333333333333 }
 * console.log(risk.issues.map((issue) => issue.code))
 * // ['k_anonymity_below_threshold', 'unique_records', 'l_diversity_below_threshold']
 * ```
 */
export function assessRisk(records: readonly object[], options: RiskOptions): RiskAssessment {
  if (!Array.isArray(records)) invalidArgument('type', 'records', 'an array')
  assertObject(options, 'risk options')
  const qis = compilePaths(options.quasiIdentifiers, 'quasiIdentifiers')
  const sensitive =
    options.sensitive === undefined ? undefined : compilePath(options.sensitive, 'sensitive')
  const threshold = options.k ?? 5
  assertNumber(threshold, 'k', { integer: true, min: 2 })
  const diversityThreshold = options.diversityThreshold ?? 2
  assertNumber(diversityThreshold, 'diversityThreshold', { integer: true, min: 2 })

  const sizes = new Map<string, number>()
  const values = new Map<string, Set<string>>()
  for (let index = 0; index < records.length; index++) {
    const record = records[index]
    if (typeof record !== 'object' || record === null)
      invalidArgument('type', `records[${index}]`, 'an object')
    const key = encodeKey(qis.map((path) => readScalar(record, path, index)))
    sizes.set(key, (sizes.get(key) ?? 0) + 1)
    if (sensitive !== undefined) {
      const value = encodeKey([readScalar(record, sensitive, index)])
      const seen = values.get(key)
      if (seen === undefined) values.set(key, new Set([value]))
      else seen.add(value)
    }
  }

  const histogram = new Map<number, number>()
  let atRisk = 0
  let riskyClasses = 0
  for (const size of sizes.values()) {
    histogram.set(size, (histogram.get(size) ?? 0) + 1)
    if (size < threshold) {
      atRisk += size
      riskyClasses++
    }
  }
  const bySize = [...histogram].sort(([a], [b]) => a - b)
  const k = bySize[0]?.[0] ?? 0
  const qiList = qis.map(({ path }) => path).join(', ')
  const issues: Finding[] = []
  if (records.length > 0 && k < threshold)
    issues.push({
      code: 'k_anonymity_below_threshold',
      path: qiList,
      message: `${plural(atRisk, 'record')} in ${plural(riskyClasses, CLASS, CLASSES)} over ${qiList} are below the threshold of ${threshold}; the smallest class has ${plural(k, 'record')}`,
    })
  const unique = histogram.get(1) ?? 0
  if (unique > 0)
    issues.push({
      code: 'unique_records',
      path: qiList,
      message: `${plural(unique, 'record')} ${unique === 1 ? 'is' : 'are'} unique over ${qiList}`,
    })

  let l: number | undefined
  if (sensitive !== undefined) {
    let lowDiversity = 0
    l = records.length === 0 ? 0 : Number.POSITIVE_INFINITY
    for (const seen of values.values()) {
      l = Math.min(l, seen.size)
      if (seen.size < diversityThreshold) lowDiversity++
    }
    if (lowDiversity > 0)
      issues.push({
        code: 'l_diversity_below_threshold',
        path: sensitive.path,
        message: `${plural(lowDiversity, CLASS, CLASSES)} over ${qiList} ${lowDiversity === 1 ? 'has' : 'have'} fewer than ${diversityThreshold} distinct values of ${sensitive.path}; the least diverse has ${l}`,
      })
  }

  return {
    k,
    classes: sizes.size,
    records: records.length,
    atRisk: { records: atRisk, share: records.length === 0 ? 0 : atRisk / records.length },
    smallestClasses: bySize.slice(0, SMALLEST_SIZES).map(([size, classes]) => ({ size, classes })),
    ...(l === undefined ? {} : { l }),
    issues,
  }
}
