// The request headers of Node's http server (what Express and Fastify hand over) as the Web
// `Headers` the adapters' core and `authenticate` read.

/** Node's `IncomingHttpHeaders`: lower-case names, repeated ones as arrays. */
export type NodeHeaders = Readonly<Record<string, string | readonly string[] | undefined>>

/** The request's headers as the `Headers` the core and `authenticate` read, built once a request. */
export function headersOf(raw: NodeHeaders): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const one of value) headers.append(name, one)
    else if (typeof value === 'string') headers.set(name, value)
  }
  return headers
}
