// The HTTP adapters under load on loopback: the same route serving 100 after-sales orders, bare
// (the framework serialises the raw rows) and behind datagate (bearer token verified, release,
// and per mode: filtered JSON, a compact JWS, RFC 9421 signed JSON), for Express, Fastify, Hono
// (@hono/node-server) and the fetch adapter (same bridge). The load generator runs in a worker
// thread (bench/load-client.mjs) with keep-alive connections; the cases of one framework are
// interleaved round by round, rotating which goes first, and each ratio is formed within a round.
// A bounded loop rather than autocannon: one dependency less, and the same client for every case.
//
// With BEFORE=<dir>/src (another copy of datagate's sources, prepared as bench/adapter-path.ts
// says), each framework also serves /before-<mode> routes through that copy's adapters, in the
// same rounds, and the report adds a before/after ratio per mode (Fastify's before routes are on
// a second Fastify instance: two datagate plugins on one app would both wrap every route).
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { createAdaptorServer } from '@hono/node-server'
import { createGate, type Gate, generateKeys, memoryAuditSink, verifyExport } from 'datagate'
import { fetchShared } from 'datagate/client'
import { share as expressShare } from 'datagate/express'
import { datagate } from 'datagate/fastify'
import { bearerPartner, type ShareMode, withShare } from 'datagate/fetch'
import { share as honoShare } from 'datagate/hono'
import { fileAuditSink } from 'datagate/node'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import {
  afterSalesOrders,
  benchPolicy,
  datasets,
  ISSUER,
  NOW,
  PASSING_HOURS,
  PSEUDONYM_KEY,
  REQUEST,
} from './fixtures.js'
import { type ComparisonReport, median, type PairedRatio, scaledRounds } from './harness.js'

const RECORDS = 100
const CONNECTIONS = 8
const SAMPLE_MS = 1000
const MODES: readonly ShareMode[] = ['filtered', 'signed', 'json']
const FRAMEWORKS = ['express', 'fastify', 'hono', 'fetch'] as const
type Framework = (typeof FRAMEWORKS)[number]

interface Running {
  readonly url: string
  /** The URL of a path, when some paths are served elsewhere (Fastify's before routes). */
  readonly urlOf?: (path: string) => string
  readonly close: () => Promise<void>
}

const urlOf = (running: Running, path: string) => running.urlOf?.(path) ?? `${running.url}${path}`

async function listen(server: Server): Promise<Running> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Another copy of datagate's adapters and a gate of its own (BEFORE=...). */
interface Before {
  readonly gate: Gate
  readonly authenticate: ReturnType<typeof bearerPartner>
  readonly express: typeof import('datagate/express')
  readonly fastify: typeof import('datagate/fastify')
  readonly hono: typeof import('datagate/hono')
  readonly fetch: typeof import('datagate/fetch')
}

async function loadBefore(jwks: { keys: object[] }): Promise<Before | undefined> {
  const dir = process.env.BEFORE
  if (dir === undefined) return undefined
  const root = (await import(`${dir}/index.ts`)) as typeof import('datagate')
  const fixtures = (await import(`${dir}/../bench/fixtures.ts`)) as typeof import('./fixtures.js')
  const fetchEntry = (await import(
    `${dir}/adapters/fetch/index.ts`
  )) as typeof import('datagate/fetch')
  return {
    gate: root.createGate({
      issuer: ISSUER,
      datasets: fixtures.datasets,
      policy: fixtures.benchPolicy(),
      keys: await root.generateKeys({ alg: 'EdDSA' }),
      pseudonymKey: PSEUDONYM_KEY,
      audit: root.memoryAuditSink(),
      now: () => NOW,
    }),
    authenticate: fetchEntry.bearerPartner({
      jwks: jwks as never,
      issuer: 'partners',
      audience: 'oem-api',
      now: () => NOW,
    }),
    express: await import(`${dir}/adapters/express/index.ts`),
    fastify: await import(`${dir}/adapters/fastify/index.ts`),
    hono: await import(`${dir}/adapters/hono/index.ts`),
    fetch: fetchEntry,
  }
}

interface Setup {
  readonly before: Before | undefined
  readonly gate: Gate
  readonly fileGate: Gate
  readonly authenticate: ReturnType<typeof bearerPartner>
  readonly authorization: string
  readonly rows: Record<string, unknown>[]
  readonly close: () => Promise<void>
}

async function setup(): Promise<Setup> {
  const keys = await generateKeys({ alg: 'EdDSA' })
  const gate = createGate({
    issuer: ISSUER,
    datasets,
    policy: benchPolicy(),
    keys,
    pseudonymKey: PSEUDONYM_KEY,
    audit: memoryAuditSink(),
    now: () => NOW,
  })
  const dir = mkdtempSync(join(tmpdir(), 'datagate-bench-audit-'))
  const fileGate = createGate({
    issuer: ISSUER,
    datasets,
    policy: benchPolicy(),
    keys,
    pseudonymKey: PSEUDONYM_KEY,
    audit: await fileAuditSink(join(dir, 'audit.jsonl')),
    now: () => NOW,
  })
  const idp = await generateKeyPair('EdDSA')
  const jwks = { keys: [{ ...(await exportJWK(idp.publicKey)), alg: 'EdDSA', kid: 'idp' }] }
  const authenticate = bearerPartner({
    jwks,
    issuer: 'partners',
    audience: 'oem-api',
    now: () => NOW,
  })
  const iat = Math.floor(NOW.getTime() / 1000)
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'EdDSA', kid: 'idp' })
    .setIssuer('partners')
    .setAudience('oem-api')
    .setSubject(REQUEST.partner)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 86_400)
    .sign(idp.privateKey)
  const before = await loadBefore(jwks)
  return {
    before,
    gate,
    fileGate,
    authenticate,
    authorization: `Bearer ${token}`,
    rows: [...afterSalesOrders(RECORDS, 20261201, PASSING_HOURS)] as Record<string, unknown>[],
    close: async () => {
      await gate.close()
      await fileGate.close()
      await before?.gate.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The routes of one framework: /bare, one per mode, and /signed-file (file audit sink). */
async function serve(framework: Framework, s: Setup): Promise<Running> {
  const options = (mode: ShareMode) => ({
    dataset: REQUEST.dataset,
    purpose: REQUEST.purpose,
    authenticate: s.authenticate,
    mode,
  })
  const rows = () => s.rows
  if (framework === 'express') {
    const app = express()
    app.get('/bare', (_req, res) => {
      res.json(rows())
    })
    for (const mode of MODES)
      app.get(`/${mode}`, expressShare(s.gate, options(mode)), (_req, res) => {
        res.json(rows())
      })
    app.get('/signed-file', expressShare(s.fileGate, options('signed')), (_req, res) => {
      res.json(rows())
    })
    const b = s.before
    if (b)
      for (const mode of MODES)
        app.get(
          `/before-${mode}`,
          b.express.share(b.gate, { ...options(mode), authenticate: b.authenticate }),
          (_req, res) => {
            res.json(rows())
          },
        )
    return listen(createServer(app))
  }
  if (framework === 'fastify') {
    const app = Fastify()
    await app.register(datagate, { gate: s.gate, authenticate: s.authenticate })
    app.get('/bare', async () => rows())
    for (const mode of MODES)
      app.get(
        `/${mode}`,
        { config: { share: { dataset: REQUEST.dataset, purpose: REQUEST.purpose, mode } } },
        async () => rows(),
      )
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    const b = s.before
    if (!b) return { url, close: () => app.close() }
    const old = Fastify()
    await old.register(b.fastify.datagate, { gate: b.gate, authenticate: b.authenticate })
    for (const mode of MODES)
      old.get(
        `/before-${mode}`,
        { config: { share: { dataset: REQUEST.dataset, purpose: REQUEST.purpose, mode } } },
        async () => rows(),
      )
    const oldUrl = await old.listen({ port: 0, host: '127.0.0.1' })
    return {
      url,
      urlOf: (path: string) => (path.startsWith('/before-') ? oldUrl : url) + path,
      close: async () => {
        await app.close()
        await old.close()
      },
    }
  }
  if (framework === 'hono') {
    const app = new Hono()
    app.get('/bare', (c) => c.json(rows()))
    for (const mode of MODES)
      app.get(`/${mode}`, honoShare(s.gate, options(mode)), (c) => c.json(rows()))
    const b = s.before
    if (b)
      for (const mode of MODES)
        app.get(
          `/before-${mode}`,
          b.hono.share(b.gate, { ...options(mode), authenticate: b.authenticate }),
          (c) => c.json(rows()),
        )
    return listen(createAdaptorServer({ fetch: app.fetch }) as Server)
  }
  const handlers = new Map<string, (request: Request) => Promise<Response> | Response>([
    ['/bare', () => Response.json(rows())],
    ...MODES.map((mode) => [`/${mode}`, withShare(s.gate, options(mode), rows)] as const),
    ...(s.before
      ? MODES.map((mode) => {
          const b = s.before as Before
          return [
            `/before-${mode}`,
            b.fetch.withShare(b.gate, { ...options(mode), authenticate: b.authenticate }, rows),
          ] as const
        })
      : []),
  ])
  return listen(
    createAdaptorServer({
      fetch: (request: Request) =>
        handlers.get(new URL(request.url).pathname)?.(request) ??
        new Response(null, { status: 404 }),
    }) as Server,
  )
}

/** What each route serves must be the gate's release of the rows (bare: the rows themselves). */
async function checkRoutes(running: Running, s: Setup, paths: readonly string[]): Promise<boolean> {
  const { records: expected } = await s.gate.release(s.rows, REQUEST)
  const headers = { authorization: s.authorization }
  for (const path of paths) {
    const url = urlOf(running, path)
    // A before route is the other copy's gate: its own keys, the same release.
    const before = path.startsWith('/before-')
    const jwks = before && s.before ? s.before.gate.jwks() : s.gate.jwks()
    const route = before ? `/${path.slice('/before-'.length)}` : path
    if (route === '/bare') {
      if (JSON.stringify(await (await fetch(url)).json()) !== JSON.stringify(s.rows)) return false
    } else if (route === '/filtered') {
      const body = (await (await fetch(url, { headers })).json()) as { data: unknown }
      if (JSON.stringify(body.data) !== JSON.stringify(expected)) return false
    } else if (route === '/signed' || route === '/signed-file') {
      const token = await (await fetch(url, { headers })).text()
      const { records } = await verifyExport(token, {
        jwks,
        issuer: ISSUER,
        audience: REQUEST.partner,
        now: () => NOW,
      })
      if (JSON.stringify(records) !== JSON.stringify(expected)) return false
    } else {
      const client = { headers, jwks, issuer: ISSUER, audience: REQUEST.partner, now: () => NOW }
      const { kind, records } = await fetchShared(url, client)
      if (kind !== 'json' || JSON.stringify(records) !== JSON.stringify(expected)) return false
    }
  }
  return true
}

interface Sample {
  readonly rps: number
  readonly p99: number
  readonly failed: number
  /**
   * CPU time of the whole process (servers and the load generator's thread) per 200, in ms:
   * less swayed than requests/s by other processes taking the cores, since time spent waiting
   * for a core is not counted. The client's share is about the same per request for every case.
   */
  readonly cpuMs: number
}

function p99(latencies: number[]): number {
  const sorted = latencies.sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? Number.NaN
}

function sample(worker: Worker, url: string, authorization: string): Promise<Sample> {
  return new Promise((resolve) => {
    const started = process.cpuUsage()
    worker.once(
      'message',
      (m: { ok: number; failed: number; seconds: number; latencies: number[] }) => {
        const used = process.cpuUsage(started)
        resolve({
          rps: m.ok / m.seconds,
          p99: p99(m.latencies),
          failed: m.failed,
          cpuMs: (used.user + used.system) / 1000 / Math.max(1, m.ok),
        })
      },
    )
    worker.postMessage({
      url,
      headers: { authorization },
      connections: CONNECTIONS,
      durationMs: SAMPLE_MS,
    })
  })
}

function summary(values: readonly number[]) {
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    perRound: values,
  }
}

/** The adapters comparison: requests/s and p99 with and without the adapter, per framework and mode. */
export async function adaptersComparison(): Promise<ComparisonReport> {
  const loadBefore = loadavg()[0] as number
  const rounds = scaledRounds(5 / 9)
  const s = await setup()
  const worker = new Worker(new URL('./load-client.mjs', import.meta.url))
  const ratios: PairedRatio[] = []
  const notes: string[] = []
  const checks: { baseline: string; ok: boolean }[] = []
  const figures: Record<string, number> = {}
  try {
    for (const framework of FRAMEWORKS) {
      const running = await serve(framework, s)
      try {
        const paths = [
          '/bare',
          ...MODES.map((m) => `/${m}`),
          ...(framework === 'express' ? ['/signed-file'] : []),
          ...(s.before ? MODES.map((m) => `/before-${m}`) : []),
        ]
        const ok = await checkRoutes(running, s, paths)
        checks.push({
          baseline: `${framework}: every route serves the gate's release of the rows (bare: the rows)`,
          ok,
        })
        if (!ok) continue
        // Warm-up: one short sample of each route.
        for (const path of paths) await sample(worker, urlOf(running, path), s.authorization)
        const samples = new Map<string, Sample[]>(paths.map((p) => [p, []]))
        for (let round = 0; round < rounds; round++) {
          const order = paths.map((_, i) => paths[(i + round) % paths.length] as string)
          for (const path of order)
            samples.get(path)?.push(await sample(worker, urlOf(running, path), s.authorization))
        }
        const bare = samples.get('/bare') ?? []
        for (const path of paths.slice(1)) {
          const mine = samples.get(path) ?? []
          const rps = mine.map((m, i) => m.rps / (bare[i]?.rps ?? Number.NaN))
          const cpu = mine.map((m, i) => (bare[i]?.cpuMs ?? Number.NaN) / m.cpuMs)
          const added = mine.map((m, i) => m.p99 - (bare[i]?.p99 ?? Number.NaN))
          const name = `${framework} ${path.slice(1)}`
          const earlier = samples.get(`/before-${path.slice(1)}`)
          if (earlier) {
            const speedup = mine.map((m, i) => m.rps / (earlier[i]?.rps ?? Number.NaN))
            const cpuSpeedup = mine.map((m, i) => (earlier[i]?.cpuMs ?? Number.NaN) / m.cpuMs)
            ratios.push({
              ours: name,
              against: `${framework} before-${path.slice(1)}`,
              kind: 'speed',
              ...summary(speedup),
              cpu: summary(cpuSpeedup),
            })
          }
          ratios.push({
            ours: name,
            against: `${framework} bare`,
            kind: 'speed',
            ...summary(rps),
            cpu: summary(cpu),
          })
          figures[`${name} CPU ms a request`] = Number(median(mine.map((m) => m.cpuMs)).toFixed(3))
          figures[`${name} p99 added ms`] = Number(median(added).toFixed(2))
          figures[`${name} req/s`] = Math.round(median(mine.map((m) => m.rps)))
          figures[`${name} p99 ms`] = Number(median(mine.map((m) => m.p99)).toFixed(2))
          const failed = mine.reduce((n, m) => n + m.failed, 0)
          notes.push(
            `${name}: ${Math.round(median(mine.map((m) => m.rps)))} req/s, p99 ${median(mine.map((m) => m.p99)).toFixed(2)} ms; bare ${Math.round(median(bare.map((m) => m.rps)))} req/s, p99 ${median(bare.map((m) => m.p99)).toFixed(2)} ms; p99 added ${median(added).toFixed(2)} ms (${Math.min(...added).toFixed(2)}-${Math.max(...added).toFixed(2)})${failed > 0 ? `; ${failed} non-200` : ''}`,
          )
        }
        figures[`${framework} bare req/s`] = Math.round(median(bare.map((m) => m.rps)))
        figures[`${framework} bare CPU ms a request`] = Number(
          median(bare.map((m) => m.cpuMs)).toFixed(3),
        )
      } finally {
        await running.close()
      }
    }
    notes.push(
      `${RECORDS} records a response, ${CONNECTIONS} keep-alive connections, ${SAMPLE_MS} ms a sample, ${rounds} interleaved rounds; the load generator is a worker thread of this process, so client and server share the 2 cores`,
      "signed-file: the file audit sink fsyncs every event before the append resolves, and appends to one chain serialise: its rate is bounded by the disk's fsync latency (one fsync per response), not by the adapter",
      'ratios are requests/s of the route behind datagate over the bare route in the same round; "CPU time" is the bare route\'s CPU time per request (the whole process: servers and load generator) over the route\'s, in the same round',
    )
  } finally {
    await worker.terminate()
    await s.close()
  }
  return {
    id: 'adapters',
    title: `HTTP adapters under load (loopback, ${RECORDS} records a response): with and without datagate, per framework and mode`,
    checks,
    timings: [],
    ratios,
    notes,
    load: [loadBefore, loadavg()[0] as number],
    figures,
  }
}
