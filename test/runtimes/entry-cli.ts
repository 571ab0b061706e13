// Entry for the runtimes that run a script (Node, Deno, Bun): the flow, the adapters in process
// and, under Bun, the adapters again over Bun.serve on 127.0.0.1. Prints one JSON document.

import { adapterApps, adapterRequests, adaptersInProcess, contractFlow } from './flow.js'

interface BunServer {
  readonly port: number
  stop(closeActiveConnections?: boolean): Promise<void> | void
}
interface BunGlobal {
  readonly version: string
  serve(options: {
    hostname: string
    port: number
    fetch: (request: Request) => Promise<Response>
  }): BunServer
}
interface DenoGlobal {
  readonly version: { readonly deno: string }
}
const runtime = globalThis as { Bun?: BunGlobal; Deno?: DenoGlobal; process?: NodeJS.Process }

function hashBackend(): string {
  // Which file the runtime's resolver picks for the package's `#hash` import (its conditions).
  try {
    return import.meta.resolve('#hash').replace(/^.*\/dist\//, 'dist/')
  } catch (error) {
    return `unresolved: ${(error as Error).message}`
  }
}

async function servedByBun(bun: BunGlobal) {
  const { app, gate, bearer } = await adapterApps()
  const server = bun.serve({ hostname: '127.0.0.1', port: 0, fetch: app })
  try {
    const send = (path: string, headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${server.port}${path}`, { headers })
    return await adapterRequests(send, bearer, gate.jwks())
  } finally {
    await server.stop(true)
    await gate.close()
  }
}

const name = runtime.Bun ? 'bun' : runtime.Deno ? 'deno' : 'node'
const version = runtime.Bun?.version ?? runtime.Deno?.version.deno ?? runtime.process?.version
const result = {
  runtime: { name, version, hash: hashBackend() },
  flow: await contractFlow(),
  adapters: await adaptersInProcess(),
  ...(runtime.Bun ? { served: await servedByBun(runtime.Bun) } : {}),
}
console.log(JSON.stringify(result))
