// Threat: a token verified with an explicit `now` was accepted twice, because the memory cache
// expired entries by the wall clock while the verifier judged the token by its own clock.
import { describe, expect, it } from 'vitest'
import { applyDelta } from '../../src/export/delta.js'
import type { ReplayCache } from '../../src/export/replay-cache.js'
import { createMemoryReplayCache } from '../../src/export/replay-cache.js'
import { type StreamPart, verifyStream } from '../../src/export/stream.js'
import { verifyExport } from '../../src/export/verify-export.js'
import { expectCode } from '../export/helpers.js'
import { ISSUER, orderGate, orderRow, request, T0_S } from './helpers.js'

const at = (seconds: number) => new Date((T0_S + seconds) * 1000)

describe('replay cache', () => {
  it('a token verified twice with an explicit now far from the wall clock is refused the second time', async () => {
    const gate = await orderGate()
    const signed = await gate.export([orderRow()], request)
    // The old cache judged expiry by the wall clock; with that clock past exp it never stored the jti.
    const options = {
      jwks: gate.jwks(),
      issuer: ISSUER,
      audience: 'rental-co',
      now: () => at(5),
      replayCache: createMemoryReplayCache(),
    }
    await verifyExport(signed.token, options)
    await expectCode(verifyExport(signed.token, options), 'ERR_TOKEN_REPLAYED')
    await expectCode(
      verifyExport(signed.token, { ...options, now: () => at(3000) }),
      'ERR_TOKEN_REPLAYED',
    )
  })

  it('a replay inside the clock tolerance after exp is still refused (the jti lives exp + tolerance)', async () => {
    const gate = await orderGate()
    const signed = await gate.export([orderRow()], request)
    const calls: [string, number, number][] = []
    const memory = createMemoryReplayCache()
    const replayCache: ReplayCache = {
      claim: (jti, expiresAt, now) => {
        calls.push([jti, expiresAt, now])
        return memory.claim(jti, expiresAt, now)
      },
    }
    const options = { jwks: gate.jwks(), issuer: ISSUER, audience: 'rental-co', replayCache }
    const { meta } = await verifyExport(signed.token, {
      ...options,
      now: () => at(10),
      clockTolerance: 120,
      maxAge: 1_000_000,
    })
    const exp = meta.exp as number
    // Accepted past exp by the tolerance, so the entry must outlive exp by the tolerance too.
    await expectCode(
      verifyExport(signed.token, {
        ...options,
        now: () => new Date((exp + 60) * 1000),
        clockTolerance: 120,
        maxAge: 1_000_000,
      }),
      'ERR_TOKEN_REPLAYED',
    )
    expect(calls[0]).toEqual([meta.jti, exp + 120, T0_S + 10])
  })

  it('applyDelta and verifyStream claim through the same cache', async () => {
    const gate = await orderGate()
    const options = {
      jwks: gate.jwks(),
      issuer: ISSUER,
      audience: 'rental-co',
      now: () => at(5),
      replayCache: createMemoryReplayCache(),
    }
    const before = [orderRow()]
    const after = [orderRow(), orderRow({ orderId: 'R-2' })]
    const delta = await gate.exportDelta(before, after, request)
    const released = (await gate.release(before, request)).records
    await applyDelta(released, delta.token, options)
    await expectCode(applyDelta(released, delta.token, options), 'ERR_TOKEN_REPLAYED')

    const parts: StreamPart[] = []
    for await (const part of gate.exportStream(after, { ...request, chunkSize: 1 }))
      parts.push(part)
    const drain = async () => {
      for await (const _ of verifyStream(parts, options)) {
        // consume
      }
    }
    await drain()
    await expectCode(drain(), 'ERR_TOKEN_REPLAYED')
  })

  it('two verifiers sharing a cache with different maxAge: the lenient one refuses what the strict one took', async () => {
    const gate = await orderGate()
    const signed = await gate.export([orderRow()], request)
    const replayCache = createMemoryReplayCache()
    const base = { jwks: gate.jwks(), issuer: ISSUER, audience: 'rental-co', replayCache }
    // The strict verifier stored the jti only until iat + 30 s, its own maxAge horizon.
    await verifyExport(signed.token, { ...base, now: () => at(5), maxAge: 30 })
    await expectCode(
      verifyExport(signed.token, { ...base, now: () => at(100) }),
      'ERR_TOKEN_REPLAYED',
    )
  })

  it('a cache that answers anything but true, or throws, rejects the token', async () => {
    const gate = await orderGate()
    const signed = await gate.export([orderRow()], request)
    const base = { jwks: gate.jwks(), issuer: ISSUER, audience: 'rental-co', now: () => at(5) }
    for (const claim of [
      () => false,
      () => 'yes' as unknown as boolean,
      () => Promise.reject(new Error('store down')),
    ])
      await expectCode(
        verifyExport(signed.token, { ...base, replayCache: { claim } }),
        'ERR_TOKEN_REPLAYED',
      )
  })
})
