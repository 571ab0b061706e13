/**
 * `noise.laplace()`: discrete Laplace noise for numbers (the Laplace mechanism of differential
 * privacy, sampled exactly on a grid so that no floating-point low bits leak).
 *
 * @packageDocumentation
 */
import { assertFunction, assertNumber, assertObject } from '../lib/assert.js'
import { discreteLaplaceSampler } from '../lib/discrete-laplace.js'
import { operatorFailed } from '../lib/operator-error.js'
import type { Operator, RandomSource } from './operator.js'

/** Options of {@link noise}`.laplace`. */
export interface LaplaceOptions {
  /** Privacy budget ε of one released value, > 0; smaller is more private and noisier. */
  readonly epsilon: number
  /** How much one person can change the true value (L1 sensitivity), > 0. */
  readonly sensitivity: number
  /**
   * The grid of the output, > 0, default 1: values are rounded to a multiple of it and the noise
   * is a whole number of grid steps. Use e.g. 0.01 for amounts in cents.
   */
  readonly granularity?: number
}

/** Noise operators. */
export interface Noise {
  /** Adds discrete Laplace noise of scale sensitivity / epsilon to a number on a grid. */
  laplace(options: LaplaceOptions): Operator<number, number>
}

/**
 * Rounds each number to the grid (`granularity`, default 1) and adds discrete Laplace noise of
 * scale `ceil(sensitivity / granularity) / epsilon` grid steps (Canonne, Kamath and Steinke 2020),
 * drawn with exact integer arithmetic from `context.random` when the release plan injects one
 * (tests, replays) and from `crypto.getRandomValues` otherwise. The output is a whole number of
 * grid steps: floating-point Laplace noise leaks through its lowest bits (Mironov 2012), this does
 * not. Each value gets a fresh draw: releasing the same value twice spends ε twice, and averaging
 * many releases removes the noise.
 *
 * @throws DatagateError `ERR_INVALID_ARGUMENT` when `epsilon`, `sensitivity` or `granularity` is
 *   not a finite number > 0, or `context.random` is not a function; the transform throws
 *   `ERR_OPERATOR_FAILED` for a value that is not a finite number.
 *
 * @example
 * ```ts
 * import { noise } from 'datagate/anonymize'
 *
 * const transform = noise.laplace({ epsilon: 1, sensitivity: 1 }).bind({ partner: 'maps-co', path: 'visits' })
 * const noisy = transform(42) // 42 plus integer noise of scale 1: mostly within 42 ± 3
 * console.log(Number.isInteger(noisy)) // true
 * ```
 */
function laplace(options: LaplaceOptions): Operator<number, number> {
  assertObject(options, 'noise.laplace options')
  const { epsilon, sensitivity } = options
  const granularity = options.granularity ?? 1
  assertNumber(epsilon, 'noise.laplace epsilon', { exclusiveMin: 0 })
  assertNumber(sensitivity, 'noise.laplace sensitivity', { exclusiveMin: 0 })
  assertNumber(granularity, 'noise.laplace granularity', { exclusiveMin: 0 })
  // The tolerance keeps 0.05 / 0.01 (5.000000000000001 in doubles) at 5 grid steps.
  const steps = Math.max(1, Math.ceil(sensitivity / granularity - 1e-9))
  assertNumber(steps, 'noise.laplace sensitivity / granularity', { min: 1, max: 2 ** 53 })
  assertNumber(steps / epsilon, 'noise.laplace sensitivity / epsilon', { exclusiveMin: 0 })
  const draw = discreteLaplaceSampler(steps, epsilon)
  const name =
    options.granularity === undefined
      ? `noise.laplace(epsilon=${epsilon},sensitivity=${sensitivity})`
      : `noise.laplace(epsilon=${epsilon},sensitivity=${sensitivity},granularity=${granularity})`
  const operator: Operator<number, number> = {
    kind: 'noise',
    name,
    epsilon,
    // Whole grid steps: integers on the default grid of 1, multiples of a fraction otherwise
    // (not written as multipleOf: a float product need not pass a validator's exact division).
    outputSchema: Object.freeze({ type: granularity === 1 ? 'integer' : 'number' }),
    bind: ({ path, random }) => {
      if (random !== undefined) assertFunction(random, 'operator context random')
      // `undefined` lets the sampler fall back to crypto.getRandomValues.
      const source: RandomSource | undefined = random
      return (value) => {
        if (typeof value !== 'number' || !Number.isFinite(value))
          operatorFailed(name, path, 'a finite number', value)
        // Rounding to the grid is a fixed function of the value; the noise is whole grid steps.
        return (Math.round(value / granularity) + draw(source)) * granularity
      }
    },
  }
  return Object.freeze(operator)
}

/**
 * Noise operators: `noise.laplace({ epsilon, sensitivity })`.
 *
 * @example
 * ```ts
 * import { noise } from 'datagate/anonymize'
 *
 * console.log(noise.laplace({ epsilon: 0.5, sensitivity: 1 }).name) // noise.laplace(epsilon=0.5,sensitivity=1)
 * ```
 */
export const noise: Noise = Object.freeze({ laplace })
