// A handler error whose name is not a string still becomes the 500 problem: the adapter does
// not throw while describing it (in Express that rejection would be unhandled).
import { describe, expect, it } from 'vitest'
import { withShare } from '../../src/adapters/fetch/index.js'
import { CANARY, fixture } from './helpers.js'

describe('a handler error with a non-string name', () => {
  it('is served as the 500 problem and reaches onError', async () => {
    const fx = await fixture()
    const handler = withShare(fx.gate, fx.options(), () => {
      throw Object.assign(new Error(CANARY), { name: 42 })
    })
    const response = await handler(
      new Request('http://127.0.0.1/orders', {
        headers: { authorization: `Bearer ${await fx.token({ sub: 'rental-co' })}` },
      }),
    )
    expect(response.status).toBe(500)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(fx.errors.map((e) => e.error.code)).toEqual(['ERR_RECORD_INVALID'])
    await fx.gate.close()
  })
})
