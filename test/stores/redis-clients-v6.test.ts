// redisReplayCache with the clients' next majors, which the peer range allows (`redis ^5 || ^6`,
// `ioredis ^5 || ^6`): node-redis 6 and ioredis 6, installed as the aliased dev dependencies
// `redis6` and `ioredis6`, against a real Redis. A jti is claimed once, held for its TTL and then
// free again; verifyExport refuses a replay; with the server stopped, claims fail closed.
import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { Redis } from 'ioredis6'
import { createClient } from 'redis6'
import { expect, it } from 'vitest'
import { memoryAuditSink } from '../../src/export/audit.js'
import { createGate } from '../../src/export/gate.js'
import { generateKeys } from '../../src/export/keys.js'
import { verifyExport } from '../../src/export/verify-export.js'
import { redisReplayCache } from '../../src/stores/redis.js'
import { expectCode } from '../export/helpers.js'
import { Outlet, policy } from './fixtures/outlet-policy.js'
import { redisConnector } from './fixtures/redis-connect.js'
import { describeWith, REDIS_URL, uniqueTable } from './services.js'

type Kind = 'node-redis 6' | 'ioredis 6'
const connectAny = redisConnector({ createClient, Redis })
const connect = (kind: Kind, url: string) =>
  connectAny(kind === 'ioredis 6' ? 'ioredis' : 'node-redis', url)

describeWith(
  REDIS_URL,
  'DATAGATE_TEST_REDIS',
  'redisReplayCache with node-redis 6 and ioredis 6',
  () => {
    for (const kind of ['node-redis 6', 'ioredis 6'] as const) {
      it(`${kind}: claims once, holds for the TTL, refuses a replayed token`, async () => {
        const { client, close } = await connect(kind, REDIS_URL as string)
        try {
          const cache = redisReplayCache({ client, prefix: `${uniqueTable('v6')}:`, skewMs: 0 })
          const now = Math.floor(Date.now() / 1000)
          expect(await cache.claim('short', now + 0.5, now)).toBe(true)
          expect(await cache.claim('short', now + 0.5, now)).toBe(false)
          await new Promise((resolve) => setTimeout(resolve, 1300))
          expect(await cache.claim('short', now + 0.5, now)).toBe(true)

          const gate = createGate({
            issuer: 'oem',
            datasets: [Outlet],
            policy,
            keys: await generateKeys(),
            audit: memoryAuditSink(),
          })
          const { token } = await gate.export([{ id: 'o-1' }], {
            partner: 'maps-co',
            dataset: 'outlet',
            purpose: 'map',
          })
          const replayCache = redisReplayCache({ client, prefix: `${uniqueTable('v6verify')}:` })
          const options = { jwks: gate.jwks(), issuer: 'oem', audience: 'maps-co', replayCache }
          expect((await verifyExport(token, options)).records).toEqual([{ id: 'o-1' }])
          await expectCode(verifyExport(token, options), 'ERR_TOKEN_REPLAYED')
        } finally {
          close()
        }
      })

      it(`${kind}: with Redis stopped, a claim fails closed with ERR_REPLAY_CACHE_UNAVAILABLE`, async () => {
        const port = await new Promise<number>((resolve) => {
          const probe = createServer().listen(0, '127.0.0.1', () => {
            const { port } = probe.address() as { port: number }
            probe.close(() => resolve(port))
          })
        })
        const bin = process.env.DATAGATE_TEST_REDIS_BIN ?? 'redis-server'
        const server: ChildProcess = spawn(
          bin,
          ['--port', String(port), '--bind', '127.0.0.1', '--save', ''],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        )
        await new Promise<void>((resolve) => {
          let text = ''
          server.stdout?.on('data', (data: Buffer) => {
            text += data.toString()
            if (text.includes('Ready to accept connections')) resolve()
          })
        })
        const { client, close } = await connect(kind, `redis://127.0.0.1:${port}`)
        try {
          const cache = redisReplayCache({ client, prefix: 'down:', timeoutMs: 500 })
          const now = Math.floor(Date.now() / 1000)
          expect(await cache.claim('before', now + 60, now)).toBe(true)
          server.kill('SIGKILL')
          await new Promise((resolve) => server.once('exit', resolve))
          await expectCode(
            Promise.resolve(cache.claim('after', now + 60, now)),
            'ERR_REPLAY_CACHE_UNAVAILABLE',
          )
        } finally {
          close()
          if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL')
        }
      })
    }
  },
)
