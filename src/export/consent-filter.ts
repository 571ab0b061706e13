// The consent step of a release: before the plan sees a row (its conditions, the record cap, k),
// the row's data subject is read and validated, and the rows whose subject holds no consent of
// the agreement's scope at the release time are dropped, with one batched store call per release
// (per batch for streams). Only the count dropped is kept, for the audit event: the partner's
// report never says how many rows it did not receive.
import { compileReader } from '../classify/dataset.js'
import { DatagateError, isDatagateError } from '../errors.js'
import { assertFunction, assertObject } from '../lib/assert.js'
import type { Policy } from '../policy/load.js'
import type { ReleasePlan } from '../policy/plan.js'
import { type ConsentStore, isSubjectId } from './consent-store.js'

/** Rows per store call in a stream. */
const STREAM_BATCH = 1000

/** The first agreement of the policy that declares consent, as `partner/agreement`. */
function consentPart(policy: Policy): string | undefined {
  for (const partner of policy.partners)
    for (const agreement of partner.agreements)
      if (agreement.consent) return `${partner.id}/${agreement.id}`
  return undefined
}

/**
 * Checks the `consent` option of a gate against its policy: a store must have `has` and `filter`;
 * a policy with an agreement that declares consent needs one (`ERR_INVALID_ARGUMENT`), since
 * without it every such release would be refused.
 */
export function assertConsentStore(
  policy: Policy,
  store: ConsentStore | undefined,
  what: string,
): void {
  if (store !== undefined) {
    assertObject(store, `${what}: consent`)
    assertFunction(store.has, `${what}: consent.has`)
    assertFunction(store.filter, `${what}: consent.filter`)
    return
  }
  const part = consentPart(policy)
  if (part === undefined) return
  throw new DatagateError(
    'ERR_INVALID_ARGUMENT',
    `${what}: agreement ${part} releases only with each data subject's consent and no consent store was given; pass consent: memoryConsentStore(), jsonlConsentStore(path) from datagate/node or postgresConsentStore({ pool }) from datagate/postgres`,
  )
}

type SubjectReader = (row: unknown, index: number) => string | undefined
const readers = new WeakMap<ReleasePlan, SubjectReader>()

/**
 * Reads and validates the subject field of a row (sensitive or not: it is read here and never
 * released unless granted), as the string a store is asked about; `undefined` when the row has
 * none (no subject, no consent). Throws `ERR_RECORD_INVALID` naming the row index.
 */
function subjectReader(plan: ReleasePlan, path: string): SubjectReader {
  const cached = readers.get(plan)
  if (cached) return cached
  const read = compileReader(plan.dataset, [path])
  const segments = (plan.dataset.field(path) as { segments: readonly string[] }).segments
  const reader: SubjectReader = (row, index) => {
    let value: unknown
    try {
      value = read(row).record
    } catch (error) {
      if (isDatagateError(error, 'ERR_RECORD_INVALID'))
        throw new DatagateError('ERR_RECORD_INVALID', `row ${index}: ${error.message}`, {
          cause: error,
          findings: error.findings.map((f) => ({ ...f, path: `[${index}].${f.path}` })),
        })
      throw error
    }
    for (const segment of segments) {
      if (typeof value !== 'object' || value === null) return undefined
      value = (value as Record<string, unknown>)[segment]
    }
    const subject = typeof value === 'number' ? String(value) : value
    // An id no store can hold consent for (empty, too long, NUL, lone surrogate) holds none.
    return isSubjectId(subject) ? subject : undefined
  }
  readers.set(plan, reader)
  return reader
}

/**
 * A store failure as `ERR_CONSENT_UNAVAILABLE`. The store's own error is not kept as the cause,
 * only its name and code: its message could quote subject ids (personal information).
 */
function unavailable(error: unknown): DatagateError {
  if (isDatagateError(error, 'ERR_CONSENT_UNAVAILABLE')) return error
  const { name, code } = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown
    code?: unknown
  }
  const label = `${typeof name === 'string' ? name.slice(0, 64) : 'Error'}${typeof code === 'string' ? ` ${code.slice(0, 32)}` : ''}`
  return new DatagateError(
    'ERR_CONSENT_UNAVAILABLE',
    'the consent store could not answer; nothing was released',
    { cause: new Error(`consent store failed: ${label}`) },
  )
}

/** The subjects of `subjects` with consent `scope` at `at`, from one store call. */
async function consented(
  store: ConsentStore | undefined,
  subjects: readonly string[],
  scope: string,
  at: Date,
): Promise<ReadonlySet<string>> {
  if (store === undefined)
    throw new DatagateError(
      'ERR_CONSENT_UNAVAILABLE',
      'the gate has no consent store to ask; nothing was released',
    )
  if (subjects.length === 0) return new Set()
  let answer: Iterable<string>
  try {
    answer = await store.filter(subjects, scope, at)
  } catch (error) {
    throw unavailable(error)
  }
  if (answer === null || typeof answer !== 'object' || !(Symbol.iterator in answer))
    throw unavailable(new TypeError('filter did not return an iterable'))
  // Only subjects that were asked about count: a store that answers more widens nothing.
  const asked = new Set(subjects)
  const granted = new Set<string>()
  try {
    // A lazy answer (a generator, a driver's cursor) can still fail while it is read.
    for (const subject of answer) if (asked.has(subject)) granted.add(subject)
  } catch (error) {
    throw unavailable(error)
  }
  return granted
}

/** The indices (in `rows`) of the rows of one batch kept; the read starts at row `offset`. */
async function keptIndices(
  plan: ReleasePlan,
  store: ConsentStore | undefined,
  rows: readonly unknown[],
  offset: number,
  at: Date,
): Promise<number[]> {
  const consent = plan.agreement.consent as { scope: string; subject: string }
  const read = subjectReader(plan, consent.subject)
  const subjects = rows.map((row, i) => read(row, offset + i))
  const distinct = [...new Set(subjects.filter((s): s is string => s !== undefined))]
  const granted = await consented(store, distinct, consent.scope, at)
  const kept: number[] = []
  subjects.forEach((subject, i) => {
    if (subject !== undefined && granted.has(subject)) kept.push(i)
  })
  return kept
}

/**
 * Runs a release over consented rows so that a row error names the row as the caller gave it:
 * the plan numbers only the rows it receives, and without this an `ERR_RECORD_INVALID` for the
 * caller's row 7 would say `row 2` when five rows before it lacked consent.
 */
export function inOriginalRows<T>(origin: readonly number[] | undefined, run: () => T): T {
  if (origin === undefined) return run()
  try {
    return run()
  } catch (error) {
    throw renumbered(error, (k) => origin[k])
  }
}

/** An `ERR_RECORD_INVALID` of the plan's row k renamed to the caller's row `original(k)`. */
function renumbered(error: unknown, original: (k: number) => number | undefined): unknown {
  if (!isDatagateError(error, 'ERR_RECORD_INVALID')) return error
  const match = /^row (\d+): /.exec(error.message)
  const index = match ? original(Number(match[1])) : undefined
  if (match === null || index === undefined) return error
  const from = `[${match[1]}]`
  return new DatagateError(
    'ERR_RECORD_INVALID',
    `row ${index}: ${error.message.slice(match[0].length)}`,
    {
      cause: error,
      findings: error.findings.map((f) => ({
        ...f,
        path: f.path.startsWith(from) ? `[${index}]${f.path.slice(from.length)}` : f.path,
      })),
    },
  )
}

/**
 * The parts of a consent-filtered stream, a row error renamed to the caller's row: the stream
 * releases each row as soon as it is pulled, so the failing row is the last one
 * {@link consentedStream} yielded (`counter.lastRow`).
 */
export async function* inOriginalStreamRows<T>(
  parts: AsyncGenerator<T, void, undefined>,
  counter: { readonly lastRow?: number },
): AsyncGenerator<T, void, undefined> {
  try {
    yield* parts
  } catch (error) {
    throw renumbered(error, () => counter.lastRow)
  }
}

/**
 * The rows of a release whose data subject holds the agreement's consent at `at`, and what the
 * audit event says of it: `consentDropped`, the rows dropped. Without `consent` on the
 * agreement, the rows as given (not even iterated) and nothing to audit.
 */
export async function consentedRows(
  plan: ReleasePlan,
  rows: Iterable<unknown>,
  store: ConsentStore | undefined,
  at: Date,
): Promise<{
  readonly rows: Iterable<unknown>
  readonly audit: { consentDropped?: number }
  /** For each row kept, its index among the rows given (for {@link inOriginalRows}). */
  readonly origin?: readonly number[]
}> {
  if (plan.agreement.consent === undefined) return { rows, audit: {} }
  if (rows === null || typeof rows !== 'object' || !(Symbol.iterator in rows))
    throw new DatagateError(
      'ERR_INVALID_ARGUMENT',
      'release: rows must be an array or iterable of records',
      { cause: new TypeError('rows not iterable') },
    )
  const all = Array.isArray(rows) ? rows : [...rows]
  const origin = await keptIndices(plan, store, all, 0, at)
  return {
    rows: origin.map((i) => all[i]),
    audit: { consentDropped: all.length - origin.length },
    origin,
  }
}

/**
 * A stream's rows filtered by consent, batch by batch (one store call per {@link STREAM_BATCH}
 * rows, each at the time `now()` gives then); `counter.dropped` grows as rows are dropped.
 */
export async function* consentedStream(
  plan: ReleasePlan,
  rows: AsyncIterable<unknown>,
  store: ConsentStore | undefined,
  now: () => Date,
  counter: { dropped: number; lastRow?: number },
): AsyncGenerator<unknown, void, undefined> {
  let batch: unknown[] = []
  let offset = 0
  const flush = async () => {
    let kept: number[]
    try {
      kept = await keptIndices(plan, store, batch, offset, now())
    } catch (error) {
      // Past the first batch, chunks may already have left: "nothing was released" would be false.
      if (offset === 0 || !isDatagateError(error, 'ERR_CONSENT_UNAVAILABLE')) throw error
      throw new DatagateError(
        'ERR_CONSENT_UNAVAILABLE',
        `the consent store could not answer for the batch from row ${offset}; the stream stops there: no further chunk and no manifest leave, and chunks already sent stay unconfirmed`,
        { cause: error },
      )
    }
    counter.dropped += batch.length - kept.length
    const rowsOfBatch = batch
    const start = offset
    offset += batch.length
    batch = []
    return { kept, rowsOfBatch, start }
  }
  async function* release(part: Awaited<ReturnType<typeof flush>>) {
    for (const i of part.kept) {
      counter.lastRow = part.start + i
      yield part.rowsOfBatch[i]
    }
  }
  for await (const row of rows) {
    batch.push(row)
    if (batch.length >= STREAM_BATCH) yield* release(await flush())
  }
  if (batch.length > 0) yield* release(await flush())
}
