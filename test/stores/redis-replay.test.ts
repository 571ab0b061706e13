// The Redis replay cache against real Redis servers, with both clients (node-redis 5, ioredis 5):
// four verifier processes verifying the same tokens at once accept each jti exactly once; a jti
// may pass again only after its TTL; a verifier clock far from Redis's still holds the jti (the
// TTL is relative, never EXAT); and with Redis stopped, verification fails closed.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { isDatagateError } from '../../src/errors.js'
import { memoryAuditSink } from '../../src/export/audit.js'
import { createGate, type Gate } from '../../src/export/gate.js'
import { generateKeys } from '../../src/export/keys.js'
import { verifyExport } from '../../src/export/verify-export.js'
import { redisReplayCache } from '../../src/stores/redis.js'
import { startChild, tagged } from './children.js'
import { Outlet, policy } from './fixtures/outlet-policy.js'
import { redisConnector } from './fixtures/redis-connect.js'
import { describeWith, REDIS_URL, uniqueTable } from './services.js'

const request = { partner: 'maps-co', dataset: 'outlet', purpose: 'map' } as const

type Kind = 'node-redis' | 'ioredis'
const connect = redisConnector({ createClient, Redis })

describeWith(REDIS_URL, 'DATAGATE_TEST_REDIS', 'the Redis replay cache', () => {
  let gate: Gate
  const dir = mkdtempSync(join(tmpdir(), 'datagate-redis-'))
  beforeAll(async () => {
    gate = createGate({
      issuer: 'oem',
      datasets: [Outlet],
      policy,
      keys: await generateKeys(),
      audit: memoryAuditSink(),
    })
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const verify = () => ({ jwks: gate.jwks(), issuer: 'oem', audience: 'maps-co' })

  it('4 processes (2 node-redis, 2 ioredis) verify the same 200 tokens at once: each jti accepted exactly once', async () => {
    const tokens = []
    for (let i = 0; i < 200; i++) {
      const signed = await gate.export([{ id: `o-${i}` }], request)
      tokens.push({ token: signed.token, jti: signed.jti })
    }
    const tokensFile = join(dir, 'tokens.json')
    const jwksFile = join(dir, 'jwks.json')
    writeFileSync(tokensFile, JSON.stringify(tokens))
    writeFileSync(jwksFile, JSON.stringify(gate.jwks()))
    const prefix = `${uniqueTable('replay')}:`
    const kinds: Kind[] = ['node-redis', 'ioredis', 'node-redis', 'ioredis']
    const verifiers = kinds.map((kind) =>
      startChild('replay-verifier', [REDIS_URL!, prefix, kind, tokensFile, jwksFile], {
        stdin: true,
      }),
    )
    await Promise.all(verifiers.map((v) => v.until((lines) => lines.includes('ready'))))
    for (const v of verifiers) v.process.stdin?.end('go\n')
    expect(await Promise.all(verifiers.map((v) => v.exited))).toEqual([0, 0, 0, 0])
    const accepted = verifiers.flatMap((v) => tagged(v.lines, 'accepted'))
    const refused = verifiers.flatMap((v) => tagged(v.lines, 'refused'))
    expect(accepted.sort()).toEqual(tokens.map((t) => t.jti).sort())
    expect(refused).toHaveLength(600)
    expect(new Set(refused.map((line) => line.split(' ')[1]))).toEqual(
      new Set(['ERR_TOKEN_REPLAYED']),
    )
  })

  for (const kind of ['node-redis', 'ioredis'] as const)
    it(`${kind}: a jti is held for its TTL and may pass again after it; a clock far from Redis's still holds it`, async () => {
      const { client, close } = await connect(kind, REDIS_URL!)
      try {
        const cache = redisReplayCache({ client, prefix: `${uniqueTable('ttl')}:`, skewMs: 0 })
        const now = Math.floor(Date.now() / 1000)
        expect(await cache.claim('short', now + 0.5, now)).toBe(true)
        expect(await cache.claim('short', now + 0.5, now)).toBe(false)
        // ttl = max(1000, 500) + 0 = 1000 ms: after it the jti is gone and may be claimed again.
        await new Promise((resolve) => setTimeout(resolve, 1300))
        expect(await cache.claim('short', now + 0.5, now)).toBe(true)
        // A verifier whose clock reads 2020 (an archive check, a clock gone wrong): with EXAT,
        // Redis would judge 2020 + 60 s as past, reply OK and keep nothing.
        const past = 1_577_836_800
        expect(await cache.claim('archived', past + 60, past)).toBe(true)
        expect(await cache.claim('archived', past + 60, past + 1)).toBe(false)

        // Through verifyExport with an explicit clock: the second verification is a replay.
        const signed = await gate.export([{ id: 'x' }], request)
        const replayCache = redisReplayCache({ client, prefix: `${uniqueTable('verify')}:` })
        await verifyExport(signed.token, { ...verify(), replayCache })
        const error = await verifyExport(signed.token, { ...verify(), replayCache }).catch(
          (e: unknown) => e,
        )
        expect(isDatagateError(error, 'ERR_TOKEN_REPLAYED')).toBe(true)
      } finally {
        close()
      }
    })

  it('by default a jti is held a minute past its exp, so verifiers whose clocks drift apart by up to that cannot replay it', async () => {
    const client = createClient({ url: REDIS_URL! }).on('error', () => undefined)
    await client.connect()
    try {
      const prefix = `${uniqueTable('skew')}:`
      const cache = redisReplayCache({ client, prefix })
      const now = Math.floor(Date.now() / 1000)
      expect(await cache.claim('nearly-expired', now + 1, now)).toBe(true)
      const ttl = await client.pTTL(`${prefix}nearly-expired`)
      // max(1000, 1000) + the default 60,000 ms skew, less the milliseconds since the SET.
      expect(ttl).toBeGreaterThan(60_000)
      expect(ttl).toBeLessThanOrEqual(61_000)
    } finally {
      client.destroy()
    }
  })

  it('with Redis stopped, verification fails closed with ERR_REPLAY_CACHE_UNAVAILABLE (both clients); back up, it works', async () => {
    // A Redis server of this test's own, so stopping it disturbs no other test.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number }
        probe.close(() => resolve(port))
      })
    })
    const bin = process.env.DATAGATE_TEST_REDIS_BIN ?? 'redis-server'
    const startRedis = async (): Promise<ChildProcess> => {
      const server = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', ''], {
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      await new Promise<void>((resolve) => {
        server.stdout?.on('data', (data: Buffer) => {
          if (data.toString().includes('Ready to accept connections')) resolve()
        })
      })
      return server
    }
    let server = await startRedis()
    const url = `redis://127.0.0.1:${port}`
    const clients = await Promise.all([connect('node-redis', url), connect('ioredis', url)])
    try {
      const caches = clients.map(({ client }) => redisReplayCache({ client, timeoutMs: 500 }))
      for (const replayCache of caches) {
        const signed = await gate.export([{ id: 'up' }], request)
        await verifyExport(signed.token, { ...verify(), replayCache })
      }
      server.kill('SIGKILL')
      await new Promise((resolve) => server.once('exit', resolve))
      for (const replayCache of caches) {
        const signed = await gate.export([{ id: 'down' }], request)
        const error = await verifyExport(signed.token, { ...verify(), replayCache }).catch(
          (e: unknown) => e,
        )
        expect(isDatagateError(error, 'ERR_REPLAY_CACHE_UNAVAILABLE')).toBe(true)
      }
      server = await startRedis()
      for (const replayCache of caches) {
        // The clients reconnect on their own; until then a claim still fails closed. Each try
        // uses a new token: a SET that timed out may land once the client reconnects, and then
        // holds that jti (the token stays refused, as docs/operations.md says).
        for (let attempt = 0; ; attempt++) {
          const signed = await gate.export([{ id: `again-${attempt}` }], request)
          const outcome = await verifyExport(signed.token, { ...verify(), replayCache }).then(
            () => 'accepted',
            (e: unknown) => (isDatagateError(e) ? e.code : 'other'),
          )
          if (outcome === 'accepted') break
          expect(outcome).toBe('ERR_REPLAY_CACHE_UNAVAILABLE')
          expect(attempt).toBeLessThan(50)
          await new Promise((resolve) => setTimeout(resolve, 200))
        }
      }
    } finally {
      for (const { close } of clients) close()
      server.kill('SIGKILL')
    }
  })
})
