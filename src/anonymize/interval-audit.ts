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
import type { FeasibleRange, IntervalAuditor, IntervalProblem } from '../lib/interval-problem.js'

export type {
  FeasibleRange,
  IntervalAuditor,
  IntervalProblem,
  LinearEquation,
} from '../lib/interval-problem.js'

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
