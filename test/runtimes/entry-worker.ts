// Entry for workerd (driven by miniflare): a module worker. `/__flow` runs the flow and the
// adapters in process inside workerd; every other path is served by the fetch and Hono adapters,
// so the test's requests go through workerd's own HTTP stack.

import { adapterApps, adaptersInProcess, contractFlow } from './flow.js'

let apps: ReturnType<typeof adapterApps> | undefined

export default {
  async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname
    if (path === '/__flow') {
      return Response.json({
        runtime: { name: 'workerd', version: navigator.userAgent },
        flow: await contractFlow(),
        adapters: await adaptersInProcess(),
      })
    }
    apps ??= adapterApps()
    return (await apps).app(request)
  },
}
