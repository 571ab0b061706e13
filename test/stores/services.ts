// Where the store tests find their real servers (scripts/test-services.sh starts them and exports
// DATAGATE_TEST_PG and DATAGATE_TEST_REDIS). On a developer machine without them the suites skip
// with a loud message; under CI (CI=true, or DATAGATE_REQUIRE_SERVICES=1 from .ci/run) a missing
// server fails the run instead, so the stores are never silently untested.
import { randomBytes } from 'node:crypto'
import { describe, it } from 'vitest'

export const PG_URL = process.env.DATAGATE_TEST_PG
export const REDIS_URL = process.env.DATAGATE_TEST_REDIS
const required = process.env.CI === 'true' || process.env.DATAGATE_REQUIRE_SERVICES === '1'

/** `describe` when `url` is set; else a loud skip, or under CI a failing test. */
export function describeWith(
  url: string | undefined,
  variable: string,
  name: string,
  body: () => void,
): void {
  if (url !== undefined && url !== '') {
    describe(name, body)
    return
  }
  const message = `${variable} is not set: start the servers with \`. scripts/test-services.sh\``
  if (required) {
    describe(name, () => {
      it(`needs ${variable}`, () => {
        throw new Error(`${message} (required under CI)`)
      })
    })
    return
  }
  console.warn(`\n*** SKIPPED "${name}": ${message} ***\n`)
  describe.skip(name, body)
}

/** A fresh table name per test, so suites running at once never share a chain. */
export function uniqueTable(stem: string): string {
  return `${stem}_${randomBytes(5).toString('hex')}`
}
