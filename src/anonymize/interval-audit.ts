/**
 * Interval audit of suppressed cells: the range each hidden value can still take given everything
 * published, found by a linear-programming solver (min and max of each unknown). `aggregate`
 * suppresses more cells until every range is at least the protection width.
 *
 * The solver is injected, not imported: HiGHS compiled to WebAssembly (the `highs` package) is
 * about 3 MB, and edge bundles that aggregate without totals must not carry it.
 *
 * @packageDocumentation
 */
import { DatagateError } from '../errors.js'
import { assertFunction, assertObject } from '../lib/assert.js'

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

/**
 * The part of a loaded `highs` solver the auditor uses (its one-shot `solve` of CPLEX LP text).
 * Declared here so that datagate's types never name the optional `highs` package.
 *
 * @example
 * ```ts
 * import highs from 'highs'
 * import type { HighsSolver } from 'datagate/anonymize'
 *
 * const solver: HighsSolver = await highs()
 * const result = solver.solve('Maximize\n obj: x\nSubject To\n c: x <= 4\nEnd', { output_flag: false })
 * console.log(result.Status, result.ObjectiveValue) // Optimal 4
 * ```
 */
export interface HighsSolver {
  /** Solves one LP given as CPLEX LP text; `highs`'s own `solve`. */
  solve(
    problem: string,
    options?: Readonly<Record<string, string | number | boolean>>,
  ): {
    readonly Status: string
    readonly ObjectiveValue: number
  }
}

function auditFailed(message: string, cause?: unknown): never {
  throw new DatagateError('ERR_INTERVAL_AUDIT_FAILED', message, {
    cause: cause ?? new Error(message),
  })
}

// CPLEX LP text: coefficients and bounds are integers or finite doubles written by
// Number#toString, which HiGHS reads back exactly; names are generated, never data.
function lpText(problem: IntervalProblem, target: number, sense: 'Minimize' | 'Maximize'): string {
  const term = (coefficient: number, unknown: number) =>
    `${coefficient < 0 ? '-' : '+'} ${Math.abs(coefficient)} x${unknown}`
  const rows = problem.equations
    .filter((equation) => equation.terms.length > 0)
    .map((equation, i) => {
      const lhs = equation.terms.map(([unknown, coefficient]) => term(coefficient, unknown))
      return ` c${i}: ${lhs.join(' ')} = ${equation.value}`
    })
  const names = Array.from({ length: problem.unknowns }, (_, i) => `x${i}`)
  return [
    sense,
    ` obj: x${target}`,
    'Subject To',
    ...(rows.length > 0 ? rows : [` c0: x${target} >= ${problem.lower[target] ?? 0}`]),
    'Bounds',
    ...names.map((name, i) => ` ${name} >= ${problem.lower[i] ?? 0}`),
    'Generals',
    ` ${names.join(' ')}`,
    'End',
  ].join('\n')
}

/**
 * Creates an {@link IntervalAuditor} on HiGHS (the `highs` package, HiGHS compiled to
 * WebAssembly): two integer programs per unknown, minimising and maximising it. `load` is the
 * package's default export (or any function resolving to a loaded solver), called once here, so
 * the WebAssembly is fetched and compiled only by callers that audit.
 *
 * A solver status other than optimal or unbounded (infeasible, time limit, error) throws
 * `ERR_INTERVAL_AUDIT_FAILED`: the release fails closed rather than publish an unaudited table.
 *
 * @example
 * ```ts
 * import highs from 'highs'
 * import { createHighsAuditor } from 'datagate/anonymize'
 *
 * const auditor = await createHighsAuditor(highs)
 * // cells 1, 1, 10 with 10 and the total 12 published: both hidden cells are exactly 1
 * const ranges = auditor.ranges({ unknowns: 2, lower: [1, 1], equations: [{ terms: [[0, 1], [1, 1]], value: 2 }] })
 * console.log(ranges) // [{ min: 1, max: 1 }, { min: 1, max: 1 }]
 * ```
 */
export async function createHighsAuditor(
  load: () => Promise<HighsSolver>,
): Promise<IntervalAuditor> {
  assertFunction(load, 'createHighsAuditor: load')
  let solver: HighsSolver
  try {
    solver = await load()
  } catch (error) {
    auditFailed('createHighsAuditor: the solver failed to load', error)
  }
  assertObject(solver, 'createHighsAuditor: loaded solver')
  assertFunction(solver.solve, 'createHighsAuditor: loaded solver.solve')
  const bound = (problem: IntervalProblem, target: number, sense: 'Minimize' | 'Maximize') => {
    let result: ReturnType<HighsSolver['solve']>
    try {
      result = solver.solve(lpText(problem, target, sense), { output_flag: false })
    } catch (error) {
      auditFailed('interval audit: the solver failed', error)
    }
    if (result.Status === 'Optimal') return Math.round(result.ObjectiveValue)
    // The true table satisfies every constraint, so the problem is feasible and "infeasible or
    // unbounded" (presolve cannot tell which) means unbounded.
    const unbounded =
      result.Status === 'Unbounded' || result.Status === 'Primal infeasible or unbounded'
    if (unbounded && sense === 'Maximize') return Number.POSITIVE_INFINITY
    return auditFailed(`interval audit: the solver ended with status ${result.Status}`)
  }
  return Object.freeze({
    name: 'highs',
    ranges(problem: IntervalProblem): readonly FeasibleRange[] {
      return Array.from({ length: problem.unknowns }, (_, target) => ({
        min: bound(problem, target, 'Minimize'),
        max: bound(problem, target, 'Maximize'),
      }))
    },
  })
}
