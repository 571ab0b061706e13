// The runtime-neutral core of every HTTP adapter: authenticate the caller, hand the handler's
// rows to the gate and turn what the gate returns (or refuses) into a plain reply (src/adapters/reply.ts). Adapters
// only translate their framework's request and response to and from this (its options and the
// request it reads: src/adapters/share-options.ts). No `node:` imports.
import { DatagateError, isDatagateError } from '../errors.js'
import type { Gate } from '../export/gate.js'
import { partnerView } from '../export/partner-report.js'
import type { StreamPart } from '../export/stream.js'
import { utf8 } from '../lib/bytes.js'
import { describeType, typeName } from '../lib/describe-type.js'
import { heldDigests, notModifiedReply } from './conditional.js'
import { jsonReply } from './json-mode.js'
import { PROBLEM_STATUS, problemFor, problemReply } from './problem.js'
import { type Reply, respond } from './reply.js'
import type { ShareOptions, ShareRequest } from './share-options.js'

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

function requestId(headers: Headers): string | undefined {
  const id = headers.get('x-request-id')
  return id !== null && REQUEST_ID.test(id) ? id : undefined
}

function pathOf(url: string): string {
  try {
    return new URL(url, 'http://localhost').pathname
  } catch {
    return ''
  }
}

/** Reports `error` to `onError` (its failures swallowed) and returns the problem reply. */
export async function failure(
  options: ShareOptions,
  request: ShareRequest,
  error: unknown,
  partner?: string,
): Promise<Reply> {
  const id = requestId(request.headers)
  const failed = asDatagateError(error)
  const problem = problemFor(failed, id)
  await report(options, request, failed, problem.status, partner)
  return problemReply(problem)
}

/** Reports a failure that changes nothing on the wire (the response was already decided). */
export async function reportFailure(
  options: ShareOptions,
  request: ShareRequest,
  error: unknown,
  status: number,
  partner?: string,
): Promise<void> {
  await report(options, request, asDatagateError(error), status, partner)
}

async function report(
  options: ShareOptions,
  request: ShareRequest,
  error: DatagateError,
  status: number,
  partner: string | undefined,
): Promise<void> {
  if (!options.onError) return
  const id = requestId(request.headers)
  try {
    await options.onError(error, {
      ...(partner === undefined ? {} : { partner }),
      dataset: options.dataset,
      purpose: options.purpose,
      method: request.method,
      path: pathOf(request.url),
      status,
      ...(id === undefined ? {} : { requestId: id }),
    })
  } catch {
    // The hook is the service's; a failing hook must not change what the partner receives.
  }
}

/**
 * The error as `onError` and the problem see it. A `DatagateError` of this copy stays as it is
 * (its messages hold no values); a look-alike keeps only its code; any other error (the handler's, the rows source's) is replaced, keeping only
 * its class name: it may quote raw values, so it is not kept, not even as `cause`.
 */
function asDatagateError(
  error: unknown,
  message = 'share: the handler failed before its rows reached the gate',
  code: 'ERR_RECORD_INVALID' | 'ERR_INVALID_ARGUMENT' = 'ERR_RECORD_INVALID',
): DatagateError {
  if (error instanceof DatagateError) return error
  if (isDatagateError(error)) {
    // Not this copy's class: another copy of datagate, or anything the handler threw with that
    // name and a code. Its message and cause may quote values, so only a known code is kept.
    const known = Object.hasOwn(PROBLEM_STATUS, error.code) ? error.code : 'ERR_INVALID_ARGUMENT'
    return new DatagateError(known, `share: a ${known} from outside this copy of datagate`)
  }
  // The name is the thrower's: it need not be a string, and describing it must not throw.
  let name: unknown
  try {
    name = error instanceof Error ? (error as { name: unknown }).name : undefined
  } catch {
    name = undefined
  }
  const kind = typeof name === 'string' ? name.replace(/[^\w]/g, '').slice(0, 40) : typeName(error)
  return new DatagateError(code, `${message} (${kind})`)
}

/** Authenticates the caller: the partner id, or the 401/500 problem to send. */
export async function authenticateShare(
  options: ShareOptions,
  request: ShareRequest,
): Promise<{ readonly partner: string } | { readonly reply: Reply }> {
  try {
    const who = await options.authenticate({ headers: request.headers, request: request.native })
    if (
      typeof who !== 'object' ||
      who === null ||
      typeof who.partner !== 'string' ||
      who.partner === ''
    )
      throw new DatagateError('ERR_UNAUTHENTICATED', 'authenticate returned no partner id')
    return { partner: who.partner }
  } catch (error) {
    const failed = asDatagateError(error, 'share: authenticate failed', 'ERR_INVALID_ARGUMENT')
    return { reply: await failure(options, request, failed) }
  }
}

type Body =
  | { readonly kind: 'rows'; readonly rows: Iterable<unknown> }
  | { readonly kind: 'stream'; readonly rows: AsyncIterable<unknown> | ReadableStream<unknown> }

function classify(body: unknown): Body {
  if (typeof body === 'object' && body !== null) {
    if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream)
      return { kind: 'stream', rows: body }
    if (Symbol.asyncIterator in body)
      return { kind: 'stream', rows: body as AsyncIterable<unknown> }
    if (Symbol.iterator in body) return { kind: 'rows', rows: body as Iterable<unknown> }
  }
  throw new DatagateError(
    'ERR_RECORD_INVALID',
    `share: the handler gave ${describeType(body)}, not an array, iterable, async iterable or ReadableStream of records`,
  )
}

/**
 * The reply for an authenticated partner and the handler's result (`produce` runs the
 * handler, or returns what it already gave). Every failure is a problem reply with no data.
 */
export async function releaseReply(
  gate: Gate,
  options: ShareOptions,
  request: ShareRequest,
  partner: string,
  produce: () => unknown,
): Promise<Reply> {
  const release = { partner, dataset: options.dataset, purpose: options.purpose }
  try {
    const body = classify(await produce())
    if (body.kind === 'stream') return await streamReply(gate, options, request, partner, body.rows)
    const mode = options.mode ?? 'signed'
    // With `conditional: true` and an If-None-Match, the gate compares the view's digest and,
    // when the partner holds it, writes a `not-modified` event (durable first) and signs nothing.
    const held = heldDigests(options, request.headers)
    if (mode === 'json') return await jsonReply(gate, request, body.rows, release, held)
    if (mode === 'signed') {
      const signed =
        held === undefined
          ? await gate.export(body.rows, release)
          : await gate.exportUnlessHeld(body.rows, release, held)
      if ('notModified' in signed) return notModifiedReply(signed)
      return respond(200, signed.token, {
        'content-type': 'application/jose',
        etag: `W/"${signed.payloadDigest}"`,
      })
    }
    // One serialisation of the records, by the gate, for the body, the ETag and the release
    // event's payloadDigest: the digest of `data` as served.
    const released = await gate.releaseJson(body.rows, release, held === undefined ? {} : { held })
    if ('notModified' in released) return notModifiedReply(released)
    const meta = {
      dataset: options.dataset,
      purpose: options.purpose,
      count: released.count,
      report: partnerView(released.report),
    }
    return respond(
      200,
      concatBytes(DATA_OPEN, released.json, utf8(`,"meta":${JSON.stringify(meta)}}`)),
      {
        'content-type': 'application/json',
        etag: `W/"${released.payloadDigest}"`,
      },
    )
  } catch (error) {
    return failure(options, request, error, partner)
  }
}

const encoder = new TextEncoder()
const DATA_OPEN = utf8('{"data":')

function concatBytes(...parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

async function streamReply(
  gate: Gate,
  options: ShareOptions,
  request: ShareRequest,
  partner: string,
  rows: AsyncIterable<unknown> | ReadableStream<unknown>,
): Promise<Reply> {
  const parts = gate.exportStream(rows, {
    partner,
    dataset: options.dataset,
    purpose: options.purpose,
    ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
  })
  // The first part decides the status: a refusal before any data is a problem reply.
  let first: IteratorResult<StreamPart, void>
  try {
    first = await parts.next()
  } catch (error) {
    return failure(options, request, error, partner)
  }
  let pending: IteratorResult<StreamPart, void> | undefined = first
  // Set when the partner goes away: a chunk still being made then has nowhere to go, and that
  // is not a failure of the rows to report.
  let cancelled = false
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = pending ?? (await parts.next())
          pending = undefined
          if (cancelled) return
          if (next.done) controller.close()
          else controller.enqueue(encoder.encode(`${next.value.token}\n`))
        } catch (error) {
          if (cancelled) return
          // Data has gone out: the connection is aborted, without a manifest.
          const failed = asDatagateError(error, 'share: the rows failed after the stream began')
          await report(options, request, failed, 200, partner)
          controller.error(failed)
        }
      },
      async cancel() {
        cancelled = true
        await parts.return(undefined)
      },
    },
    { highWaterMark: 0 },
  )
  return respond(200, body, { 'content-type': 'application/x-ndjson' })
}
