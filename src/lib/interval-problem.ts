// What an interval audit is asked and answers: the problem (integer unknowns with lower bounds
// and linear equations, what an attacker knows of suppressed cells), each unknown's feasible
// range, and the auditor that computes them. In lib/ because lib/interval-protection.ts poses
// the problems and anonymize/interval-audit.ts solves them with HiGHS: lib must not import from
// anonymize (DESIGN.md's layering), so the shared vocabulary lives below both. The entry
// datagate/anonymize exports these types from interval-audit.ts, as before.

/**
 * One linear equation over the unknowns: `sum(coefficient * x[unknown]) = value`.
 *
 * @example
 * ```ts
 * import type { LinearEquation } from 'datagate/anonymize'
 *
 * const hiddenSum: LinearEquation = { terms: [[0, 1], [1, 1]], value: 2 } // x0 + x1 = 2
 * console.log(hiddenSum.terms.length) // 2
 * ```
 */
export interface LinearEquation {
  readonly terms: readonly (readonly [unknown: number, coefficient: number])[]
  readonly value: number
}

/**
 * What an attacker knows about the hidden values: each is an integer at least `lower[i]`, and the
 * equations hold.
 *
 * @example
 * ```ts
 * import type { IntervalProblem } from 'datagate/anonymize'
 *
 * // cells 1, 1, 10 with 10 and the total 12 published: x0 + x1 = 2, both non-empty
 * const problem: IntervalProblem = { unknowns: 2, lower: [1, 1], equations: [{ terms: [[0, 1], [1, 1]], value: 2 }] }
 * console.log(problem.unknowns) // 2
 * ```
 */
export interface IntervalProblem {
  readonly unknowns: number
  readonly lower: readonly number[]
  readonly equations: readonly LinearEquation[]
}

/**
 * The feasible range of one unknown; `max` is `Infinity` when nothing bounds it from above.
 *
 * @example
 * ```ts
 * import type { FeasibleRange } from 'datagate/anonymize'
 *
 * const range: FeasibleRange = { min: 1, max: Number.POSITIVE_INFINITY }
 * console.log(range.max - range.min) // Infinity
 * ```
 */
export interface FeasibleRange {
  readonly min: number
  readonly max: number
}

/**
 * Computes the feasible range of every unknown of an {@link IntervalProblem}. Synchronous, so
 * that `aggregate` stays synchronous; load the solver first (see {@link createHighsAuditor}).
 *
 * @example
 * ```ts
 * import type { IntervalAuditor } from 'datagate/anonymize'
 *
 * // An auditor for problems without equations, where every unknown is unbounded above.
 * const trivial: IntervalAuditor = {
 *   name: 'trivial',
 *   ranges: (problem) => problem.lower.map((min) => ({ min, max: Number.POSITIVE_INFINITY })),
 * }
 * console.log(trivial.ranges({ unknowns: 1, lower: [1], equations: [] })) // [{ min: 1, max: Infinity }]
 * ```
 */
export interface IntervalAuditor {
  readonly name: string
  /** The smallest and largest value each unknown can take under the problem's equations. */
  ranges(problem: IntervalProblem): readonly FeasibleRange[]
}
