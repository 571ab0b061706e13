// onError never sees raw values: an error the handler throws that only looks like a
// DatagateError (name and code, not this copy's class) is replaced like any foreign error.
import { describe, expect, it } from 'vitest'
import { withShare } from '../../src/adapters/fetch/index.js'
import { CANARY, fixture, rows } from './helpers.js'

describe('onError: a DatagateError look-alike thrown by the handler', () => {
  it('reaches onError without its message or cause, and the problem is the generic 500', async () => {
    const fx = await fixture()
    const handler = withShare(fx.gate, fx.options(), () => {
      throw Object.assign(new Error(`${CANARY} row ${JSON.stringify(rows(1))}`), {
        name: 'DatagateError',
        code: 'ERR_RECORD_INVALID',
        cause: new Error(`${CANARY} cause`),
      })
    })
    const response = await handler(
      new Request('http://127.0.0.1/orders', {
        headers: { authorization: `Bearer ${await fx.token({ sub: 'rental-co' })}` },
      }),
    )
    expect(response.status).toBe(500)
    expect(await response.text()).not.toContain(CANARY)
    expect(fx.errors).toHaveLength(1)
    const [{ error }] = fx.errors as [(typeof fx.errors)[number]]
    expect(error.code).toBe('ERR_RECORD_INVALID')
    expect(error.message).not.toContain(CANARY)
    expect(error.cause).toBeUndefined()
    await fx.gate.close()
  })
})
