// Shared assertions of the operator tests.
import { expect } from 'vitest'
import type { Operator, OperatorContext } from '../../src/anonymize/operator.js'
import { DatagateError } from '../../src/errors.js'

export const context: OperatorContext = { partner: 'rental-co', path: 'customer.secretField' }

/** Binds `operator` to the shared test context. */
export function bound<In, Out>(operator: Operator<In, Out>): (value: In) => Out {
  return operator.bind(context)
}

/**
 * Expects `run` to throw ERR_OPERATOR_FAILED naming the context path and not containing
 * `secret` (the text of the value handed to the transform, or of something inside it).
 */
export function expectOperatorFailed(run: () => unknown, secret?: string | number): DatagateError {
  let caught: unknown
  try {
    run()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(DatagateError)
  const error = caught as DatagateError
  expect(error.code).toBe('ERR_OPERATOR_FAILED')
  expect(error.message).toContain(context.path)
  if (secret !== undefined) expect(error.message).not.toContain(String(secret))
  return error
}

/** Expects `run` to throw a DatagateError with `code`. */
export function expectCode(run: () => unknown, code: DatagateError['code']): void {
  let caught: unknown
  try {
    run()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(DatagateError)
  expect((caught as DatagateError).code).toBe(code)
}
