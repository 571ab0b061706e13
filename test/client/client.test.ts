// The partner's client against responses it must refuse: tampered, for another partner, cut
// short, not datagate's. Served by the fetch adapter through the client's `fetch` option.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withShare } from '../../src/adapters/fetch/index.js'
import { fetchShared, fetchSharedStream } from '../../src/client/index.js'
import { type Fixture, fixture, ISSUER, rows, slowRows } from '../adapters/helpers.js'

let fx: Fixture
beforeAll(async () => {
  fx = await fixture()
})
afterAll(() => fx.gate.close())

const as = (partner: string, mode?: 'filtered') =>
  withShare(fx.gate, { ...fx.options(mode), authenticate: async () => ({ partner }) }, () => rows())
const options = (
  fetch: (url: string | URL | Request) => Promise<Response>,
  audience = 'rental-co',
) => ({
  jwks: fx.gate.jwks(),
  issuer: ISSUER,
  audience,
  fetch,
})
const URL_ = 'https://api.example/v1/orders'

describe('fetchShared refuses what it cannot verify', () => {
  it('a response for another partner: ERR_AUDIENCE_MISMATCH', async () => {
    const api = as('insure-co')
    await expect(
      fetchShared(
        URL_,
        options(async (u) => api(new Request(u as string))),
      ),
    ).rejects.toMatchObject({
      code: 'ERR_AUDIENCE_MISMATCH',
    })
  })

  it('a tampered token: ERR_SIGNATURE_INVALID', async () => {
    const api = as('rental-co')
    const tampered = async (u: string | URL | Request) => {
      const response = await api(new Request(u as string))
      const [h, p, s] = (await response.text()).split('.')
      const payload = JSON.parse(atob(p!.replace(/-/g, '+').replace(/_/g, '/')))
      payload.records[0].city = 'Paris'
      const p2 = btoa(JSON.stringify(payload))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '')
      return new Response(`${h}.${p2}.${s}`, { headers: response.headers })
    }
    await expect(fetchShared(URL_, options(tampered))).rejects.toMatchObject({
      code: 'ERR_SIGNATURE_INVALID',
    })
  })

  it('a stream without its manifest: ERR_STREAM_INVALID', async () => {
    const api = withShare(
      fx.gate,
      { ...fx.options(), authenticate: async () => ({ partner: 'rental-co' }) },
      () => slowRows(5),
    )
    const cut = async (u: string | URL | Request) => {
      const response = await api(new Request(u as string))
      const lines = (await response.text()).trim().split('\n')
      return new Response(`${lines.slice(0, -1).join('\n')}\n`, { headers: response.headers })
    }
    await expect(fetchShared(URL_, options(cut))).rejects.toMatchObject({
      code: 'ERR_STREAM_INVALID',
    })
    const seen: number[] = []
    await expect(
      (async () => {
        for await (const chunk of fetchSharedStream(URL_, options(cut))) seen.push(chunk.length)
      })(),
    ).rejects.toMatchObject({ code: 'ERR_STREAM_INVALID' })
    expect(seen).toEqual([2, 2, 1]) // yielded, but provisional: the stream never completed
  })

  it('a response that is not datagate’s: ERR_CLAIM_INVALID; a problem with an unknown code too', async () => {
    const html = async () =>
      new Response('<h1>Bad gateway</h1>', {
        status: 502,
        headers: { 'content-type': 'text/html' },
      })
    await expect(fetchShared(URL_, options(html))).rejects.toMatchObject({
      code: 'ERR_CLAIM_INVALID',
    })
    const madeUp = async () =>
      new Response(JSON.stringify({ type: 'urn:datagate:problem:ERR_MADE_UP', status: 403 }), {
        status: 403,
        headers: { 'content-type': 'application/problem+json' },
      })
    await expect(fetchShared(URL_, options(madeUp))).rejects.toMatchObject({
      code: 'ERR_CLAIM_INVALID',
    })
  })

  it('an unsigned filtered response: ERR_SIGNATURE_INVALID', async () => {
    const api = as('rental-co', 'filtered')
    await expect(
      fetchShared(
        URL_,
        options(async (u) => api(new Request(u as string))),
      ),
    ).rejects.toMatchObject({
      code: 'ERR_SIGNATURE_INVALID',
    })
  })

  it('checks its options', async () => {
    await expect(
      fetchShared(URL_, { jwks: fx.gate.jwks(), issuer: '', audience: 'a' }),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    })
  })
})
