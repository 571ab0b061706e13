// Shared test helpers: catch the DatagateError a call throws, failing the test on anything else.
import { DatagateError } from '../src/errors.js'

/** The DatagateError `fn` throws; fails when it throws something else or nothing. */
export function thrown(fn: () => unknown): DatagateError {
  try {
    fn()
  } catch (error) {
    if (error instanceof DatagateError) return error
    throw new Error(`expected a DatagateError, got ${String(error)}`)
  }
  throw new Error('expected a DatagateError, nothing was thrown')
}

/** The DatagateError `promise` rejects with; fails when it rejects otherwise or resolves. */
export async function rejected(promise: Promise<unknown>): Promise<DatagateError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof DatagateError) return error
    throw new Error(`expected a DatagateError, got ${String(error)}`)
  }
  throw new Error('expected a DatagateError, the promise resolved')
}

/** The code of the DatagateError `promise` rejects with. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  return (await rejected(promise)).code
}
