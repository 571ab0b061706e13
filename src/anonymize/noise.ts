/**
 * `noise.laplace()`: Laplace noise for numbers (the Laplace mechanism of differential privacy).
 *
 * @packageDocumentation
 */
import { assertFunction, assertNumber, assertObject } from '../lib/assert.js'
import { laplaceNoise } from '../lib/laplace.js'
import { operatorFailed } from '../lib/operator-error.js'
import type { Operator, RandomSource } from './operator.js'

/** Options of {@link noise}`.laplace`. */
export interface LaplaceOptions {
  /** Privacy budget ε of one released value, > 0; smaller is more private and noisier. */
  readonly epsilon: number
  /** How much one person can change the true value (L1 sensitivity), > 0. */
  readonly sensitivity: number
}

/** Noise operators. */
export interface Noise {
  /** Adds Laplace(0, sensitivity / epsilon) noise to a number. */
  laplace(options: LaplaceOptions): Operator<number, number>
}

/**
 * Adds noise drawn from Laplace(0, `sensitivity / epsilon`) to each number, from
 * `context.random` when the release plan injects one (tests, replays) and from
 * `crypto.getRandomValues` otherwise. Each value gets a fresh draw: releasing the same value
 * twice spends ε twice, and averaging many releases removes the noise.
 *
 * The output is a plain double. Floating-point Laplace noise can leak through its lowest bits
 * (Mironov 2012); for strong guarantees, round the released values to a coarse grid.
 *
 * @throws DatagateError `ERR_INVALID_ARGUMENT` when `epsilon` or `sensitivity` is not a finite
 *   number > 0, or `context.random` is not a function; the transform throws `ERR_OPERATOR_FAILED`
 *   for a value that is not a finite number.
 *
 * @example
 * ```ts
 * import { noise } from 'datagate/anonymize'
 *
 * const transform = noise.laplace({ epsilon: 1, sensitivity: 1 }).bind({ partner: 'maps-co', path: 'visits' })
 * const noisy = transform(42) // 42 plus noise of scale 1: mostly within 42 ± 3
 * console.log(typeof noisy)   // number
 * ```
 */
function laplace(options: LaplaceOptions): Operator<number, number> {
  assertObject(options, 'noise.laplace options')
  const { epsilon, sensitivity } = options
  assertNumber(epsilon, 'noise.laplace epsilon', { exclusiveMin: 0 })
  assertNumber(sensitivity, 'noise.laplace sensitivity', { exclusiveMin: 0 })
  const scale = sensitivity / epsilon
  assertNumber(scale, 'noise.laplace sensitivity / epsilon', { exclusiveMin: 0 })
  const name = `noise.laplace(epsilon=${epsilon},sensitivity=${sensitivity})`
  const operator: Operator<number, number> = {
    kind: 'noise',
    name,
    bind: ({ path, random }) => {
      if (random !== undefined) assertFunction(random, 'operator context random')
      // `undefined` lets laplaceNoise fall back to crypto.getRandomValues.
      const source: RandomSource | undefined = random
      return (value) => {
        if (typeof value !== 'number' || !Number.isFinite(value))
          operatorFailed(name, path, 'a finite number', value)
        return value + laplaceNoise(scale, source)
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
