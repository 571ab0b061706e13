// Serves a large NDJSON stream through an HTTP adapter and consumes it with the partner's client
// in another process, recording both processes' peak resident set size and the throughput.
//
// The server (this process): the fetch adapter (`withShare`) on @hono/node-server, on 127.0.0.1,
// over the bench workload (bench/fixtures.ts); the handler returns an async generator of rows,
// so the response is `gate.exportStream` as NDJSON, one signed chunk a line, pulled as the
// socket drains. The client (a child process, this file with `--client`): `fetchSharedStream`,
// which verifies each chunk as it arrives and the manifest at the end, counting records and
// keeping none. Neither side holds the whole stream, so both peaks should stay flat however
// many records pass. Figures are recorded, not asserted (docs/benchmarks.md).
//
//   npm run bench:adapter-stream-memory -- [--records 1000000] [--chunk 10000]
//
// That script builds the package and bundles this file with datagate left external (the built
// package under plain node, as users run it). test/adapters/adapter-stream-memory.test.ts runs
// it from source under tsx with a small count, to check the count and the verification.
//
// Prints one line of JSON: { records, chunks, verified, seconds, recordsPerSecond,
// serverPeakRssMB, clientPeakRssMB, ... }.
import { spawn } from 'node:child_process'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { createAdaptorServer } from '@hono/node-server'
import { fetchSharedStream } from 'datagate/client'
import { withShare } from 'datagate/fetch'
import { hashBackend } from '#hash'
import {
  type AfterSalesRow,
  afterSalesOrders,
  benchGate,
  ISSUER,
  NOW,
  PASSING_HOURS,
  REQUEST,
} from './fixtures.js'

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    chunk: { type: 'string', default: '10000' },
    client: { type: 'string' },
    jwks: { type: 'string' },
  },
})

const peakRssMB = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10

interface ClientFigures {
  readonly records: number
  readonly chunks: number
  readonly verified: boolean
  readonly seconds: number
  readonly peakRssMB: number
  readonly error?: string
}

/** The partner's side: every chunk verified as it arrives, records counted, none kept. */
async function client(url: string, jwks: string): Promise<ClientFigures> {
  const started = performance.now()
  let records = 0
  let chunks = 0
  let error: string | undefined
  try {
    for await (const chunk of fetchSharedStream(url, {
      headers: { 'x-bench-partner': REQUEST.partner },
      jwks: JSON.parse(jwks),
      issuer: ISSUER,
      audience: REQUEST.partner,
      now: () => NOW,
    })) {
      records += chunk.length
      chunks++
    }
  } catch (caught) {
    error = (caught as { code?: string }).code ?? String(caught)
  }
  return {
    records,
    chunks,
    // The iterator ends without throwing only after the manifest verified every chunk.
    verified: error === undefined,
    seconds: Math.round(((performance.now() - started) / 1000) * 100) / 100,
    peakRssMB: peakRssMB(),
    ...(error === undefined ? {} : { error }),
  }
}

async function* lazyRows(count: number): AsyncGenerator<AfterSalesRow, void, undefined> {
  // Every order passes the agreement's condition, so every row is released.
  for (const row of afterSalesOrders(count, 20261201, PASSING_HOURS)) yield row
}

/** Runs this file again as the client, in its own process (the same loader flags: tsx or none). */
function runClient(url: string, jwks: string): Promise<ClientFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, process.argv[1] as string, '--client', url, '--jwks', jwks],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let out = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (data: string) => {
      out += data
    })
    child.on('error', reject)
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? ''
      if (code !== 0 || line === '') reject(new Error(`client exited with ${code}`))
      else resolve(JSON.parse(line) as ClientFigures)
    })
  })
}

async function server(count: number, chunkSize: number) {
  const loadBefore = loadavg()[0] as number
  const { gate } = await benchGate()
  // A stand-in for bearerPartner: the bench measures the stream, not token verification.
  const authenticate = async ({ headers }: { headers: Headers }) => ({
    partner: headers.get('x-bench-partner') ?? '',
  })
  const route = withShare(
    gate,
    { dataset: REQUEST.dataset, purpose: REQUEST.purpose, authenticate, chunkSize },
    () => lazyRows(count),
  )
  const http = createAdaptorServer({ fetch: route }) as Server
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  try {
    const figures = await runClient(`http://127.0.0.1:${port}/orders`, JSON.stringify(gate.jwks()))
    return {
      records: figures.records,
      chunks: figures.chunks,
      verified: figures.verified,
      ...(figures.error === undefined ? {} : { error: figures.error }),
      seconds: figures.seconds,
      recordsPerSecond: Math.round(figures.records / figures.seconds),
      serverPeakRssMB: peakRssMB(),
      clientPeakRssMB: figures.peakRssMB,
      chunkSize,
      load: [loadBefore, loadavg()[0] as number].map((l) => Math.round(l * 100) / 100),
      adapter: 'datagate/fetch on @hono/node-server',
      hashBackend,
      node: process.version,
    }
  } finally {
    http.closeAllConnections()
    await new Promise((resolve) => http.close(resolve))
    await gate.close()
  }
}

if (values.client !== undefined) {
  console.log(JSON.stringify(await client(values.client, values.jwks ?? '{"keys":[]}')))
} else {
  const count = Number(values.records)
  const chunkSize = Number(values.chunk)
  if (
    !Number.isSafeInteger(count) ||
    count < 1 ||
    !Number.isSafeInteger(chunkSize) ||
    chunkSize < 1
  )
    throw new RangeError('--records and --chunk must be positive integers')
  console.log(JSON.stringify(await server(count, chunkSize)))
}
