// The load generator of bench/adapters.ts, in a worker thread so that it does not share an
// event loop with the servers it measures: `connections` keep-alive connections, each sending
// GET after GET for `durationMs`, reading every body whole. Posts the count of 200s, the count
// of anything else, and every latency in milliseconds.
import { Agent, request } from 'node:http'
import { parentPort } from 'node:worker_threads'

const agent = new Agent({ keepAlive: true, maxSockets: 64 })

function get(url, headers) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const req = request(url, { agent, headers }, (res) => {
      let bytes = 0
      res.on('data', (chunk) => {
        bytes += chunk.length
      })
      res.on('end', () =>
        resolve({ status: res.statusCode, bytes, ms: performance.now() - started }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

parentPort.on('message', async ({ url, headers, connections, durationMs }) => {
  const latencies = []
  let ok = 0
  let failed = 0
  const until = performance.now() + durationMs
  const loop = async () => {
    while (performance.now() < until) {
      try {
        const { status, ms } = await get(url, headers)
        if (status === 200) {
          ok++
          latencies.push(ms)
        } else failed++
      } catch {
        failed++
      }
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: connections }, loop))
  const seconds = (performance.now() - started) / 1000
  parentPort.postMessage({ ok, failed, seconds, latencies })
})
