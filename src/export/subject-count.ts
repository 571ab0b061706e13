/**
 * Counting the data subjects a release gives a partner, per calendar year in Asia/Shanghai, and
 * refusing the release that would cross a threshold when the policy says `onThreshold: refuse`.
 *
 * A release of a records agreement over a dataset with a `subject` leaf reads that leaf of every
 * released row (validated, never released unless granted), adds its HMAC to fresh registers, and
 * merges them into the year's counters: the partner's, the handler's (every partner), and for a
 * partner outside CN the overseas total; each also for sensitive personal information when the
 * plan releases a field tagged `sensitivePI`. The estimates after the merge go into the release's
 * audit event (`subjects.*` details), which is where `datagate lint` and `datagate report` read
 * them: the chain is the record, the store only the running count.
 *
 * @packageDocumentation
 */
import { compileReader } from '../classify/dataset.js'
import { DatagateError, isDatagateError } from '../errors.js'
import { assertObject, invalidArgument } from '../lib/assert.js'
import { HLL_REGISTERS, keyedAdder } from '../lib/hyperloglog.js'
import { copyPseudonymKey } from '../lib/key-strength.js'
import type { ReleasePlan } from '../policy/plan.js'
import { isOverseas, regionOf } from '../policy/region.js'
import { type RecordSink, type ReleaseReport, runPlan } from '../policy/release.js'
import type { Thresholds } from '../policy/thresholds.js'
import {
  assertSubjectCounterStore,
  type SubjectCounterStore,
  type SubjectCountOutcome,
} from './subject-counter.js'

/**
 * The gate's `subjects` option: where the counters live and the key subjects are HMAC'd with
 * (at least 32 random bytes, `ERR_KEY_INVALID` otherwise; keep it apart from the pseudonym key,
 * and the same on every instance, or counts from two instances do not merge).
 *
 * @example
 * ```ts
 * import { memorySubjectCounterStore, type SubjectCounting } from 'datagate'
 *
 * const subjects: SubjectCounting = { store: memorySubjectCounterStore(), key: crypto.getRandomValues(new Uint8Array(32)) }
 * console.log(subjects.key.length) // 32
 * ```
 */
export interface SubjectCounting {
  readonly store: SubjectCounterStore
  readonly key: Uint8Array
}

const SHANGHAI_OFFSET_MS = 8 * 3_600_000

/**
 * The calendar year of a time in Asia/Shanghai. China Standard Time is UTC+8 all year (no
 * daylight saving since 1991), so a fixed offset is exact for every time this library handles
 * and no time-zone database is needed.
 *
 * @example
 * ```ts
 * import { shanghaiYear } from 'datagate'
 *
 * console.log(shanghaiYear(new Date('2026-12-31T15:59:59Z')), shanghaiYear(new Date('2026-12-31T16:00:00Z')))
 * // 2026 2027
 * ```
 */
export function shanghaiYear(time: Date | number): number {
  const ms = typeof time === 'number' ? time : time.getTime()
  return new Date(ms + SHANGHAI_OFFSET_MS).getUTCFullYear()
}

/**
 * The names of a year's counters: one partner's, that partner's sensitive personal information,
 * the overseas total and its sensitive part, and every partner's together.
 *
 * @example
 * ```ts
 * import { subjectCounterNames } from 'datagate'
 *
 * console.log(subjectCounterNames(2026, 'maps-co'))
 * // { partner: '2026/partner/maps-co', partnerSensitivePI: '2026/partner/maps-co/sensitive-pi', overseas: '2026/overseas', overseasSensitivePI: '2026/overseas/sensitive-pi', all: '2026/all' }
 * ```
 */
export function subjectCounterNames(year: number, partner: string) {
  return {
    partner: `${year}/partner/${partner}`,
    partnerSensitivePI: `${year}/partner/${partner}/sensitive-pi`,
    overseas: `${year}/overseas`,
    overseasSensitivePI: `${year}/overseas/sensitive-pi`,
    all: `${year}/all`,
  } as const
}

/** Checks the gate's `subjects` option; `false` opts out. */
export function checkSubjectCounting(
  counting: SubjectCounting | false | undefined,
  needed: string | undefined,
): SubjectCounting | undefined {
  if (counting === false) return undefined
  if (counting === undefined) {
    if (needed === undefined) return undefined
    throw new DatagateError(
      'ERR_INVALID_ARGUMENT',
      `createGate: ${needed} and no subjects counter was given; pass subjects: { store, key } (postgresSubjectCounterStore from datagate/postgres, or memorySubjectCounterStore() for tests), or subjects: false to release without counting`,
    )
  }
  assertObject(counting, 'createGate: subjects')
  assertSubjectCounterStore(counting.store, 'createGate: subjects.store')
  // The same checks as the pseudonym key (length, not obviously weak), and a private copy.
  const key = copyPseudonymKey(counting.key, 'createGate: subjects.key')
  if (key === undefined) invalidArgument('type', 'createGate: subjects.key', 'a Uint8Array')
  return { store: counting.store, key }
}

/** What a counted release records in its audit event. */
export type SubjectDetails = Readonly<Record<string, number | string>>

/** One release's tally: wraps the rows and the sink of a run, then merges. */
export interface SubjectTally {
  /** The rows, remembering the last one handed to the run. */
  rows(rows: Iterable<unknown>): Iterable<unknown>
  /** The sink, adding the subject of the row just released before each push. */
  sink(target: RecordSink): RecordSink
  /** Adds the subject of `row`, a row a record was released from (streams). */
  observe(row: unknown): void
  /** Merges into the counters at `time`; throws `ERR_THRESHOLD_EXCEEDED` when refused. */
  commit(time: Date): Promise<SubjectDetails>
}

/** Whether a plan's releases are counted: a records plan over a dataset with a subject. */
export function countsSubjects(plan: ReleasePlan): boolean {
  return plan.kind === 'records' && plan.dataset.subject !== undefined
}

/** A tally for one release of `plan`, or `undefined` when it is not counted. */
export function subjectTally(
  counting: SubjectCounting | undefined,
  plan: ReleasePlan,
  thresholds: Thresholds,
): SubjectTally | undefined {
  const path = plan.dataset.subject
  if (counting === undefined || path === undefined || plan.kind !== 'records') return undefined
  const read = compileReader(plan.dataset, [path])
  const segments = plan.dataset.field(path)?.segments ?? []
  const add = keyedAdder(counting.key)
  const registers = new Uint8Array(HLL_REGISTERS)
  let last: unknown
  let counted = 0
  const subjectOf = (row: unknown): string => {
    let value: unknown = read(row).record
    for (const segment of segments)
      value =
        typeof value === 'object' && value !== null
          ? (value as Record<string, unknown>)[segment]
          : undefined
    if (typeof value === 'string' && value !== '') return value
    if (typeof value === 'number' || typeof value === 'bigint') return String(value)
    throw new DatagateError(
      'ERR_RECORD_INVALID',
      `dataset ${plan.dataset.name}: a released row has no subject (${path}); its data subject cannot be counted, so nothing is released`,
      {
        findings: [{ code: 'subject_missing', path, message: `${path}: missing or empty` }],
      },
    )
  }
  // Sensitive when a granted field is tagged, or the row condition reads one: rows selected by
  // `minor: true` tell the partner that of every person it receives.
  const tagged = (path: string) => plan.dataset.field(path)?.sensitivePI !== undefined
  const sensitivePI =
    plan.fields.some((f) => tagged(f.path)) || Object.keys(plan.agreement.where ?? {}).some(tagged)
  return {
    rows(rows) {
      return {
        *[Symbol.iterator]() {
          for (const row of rows) {
            last = row
            yield row
          }
        },
      }
    },
    sink(target) {
      return {
        push(record) {
          add(registers, subjectOf(last))
          counted++
          return target.push(record)
        },
      }
    },
    observe(row) {
      add(registers, subjectOf(row))
      counted++
    },
    async commit(time) {
      const year = shanghaiYear(time)
      const partner = plan.partner
      const names = subjectCounterNames(year, partner.id)
      const overseas = isOverseas(partner.region)
      const assessed = plan.agreement.assessment !== undefined
      const { crossBorder, importantData } = thresholds
      const refuseAbroad = overseas && !assessed && crossBorder.onThreshold === 'refuse'
      const refuseImportant = overseas && !assessed && importantData.onThreshold === 'refuse'
      const roles: { role: string; counter: string; limit: number | null }[] = [
        { role: 'partner', counter: names.partner, limit: null },
        {
          role: 'all',
          counter: names.all,
          limit: refuseImportant ? importantData.individuals : null,
        },
      ]
      if (sensitivePI)
        roles.push({ role: 'partnerSensitivePI', counter: names.partnerSensitivePI, limit: null })
      if (overseas) {
        roles.push({
          role: 'overseas',
          counter: names.overseas,
          limit: refuseAbroad ? Math.min(crossBorder.filing, crossBorder.assessment) - 1 : null,
        })
        if (sensitivePI)
          roles.push({
            role: 'overseasSensitivePI',
            counter: names.overseasSensitivePI,
            limit: refuseAbroad ? crossBorder.sensitivePI - 1 : null,
          })
      }
      let outcome: SubjectCountOutcome
      try {
        outcome = await counting.store.merge({
          counters: roles.map((r) => r.counter),
          registers,
          limits: roles.map((r) => r.limit),
        })
      } catch (cause) {
        if (isDatagateError(cause)) throw cause
        throw new DatagateError(
          'ERR_COUNTER_UNAVAILABLE',
          'the subject counters could not be updated; nothing was released',
          { cause },
        )
      }
      if (outcome?.ok !== true || outcome.estimates.length !== roles.length) {
        const passed = roles.findIndex(
          (r, i) =>
            r.limit !== null && (outcome?.estimates[i] ?? Number.POSITIVE_INFINITY) > r.limit,
        )
        if (outcome?.ok === false && passed >= 0) {
          const role = roles[passed] as (typeof roles)[number]
          throw new DatagateError(
            'ERR_THRESHOLD_EXCEEDED',
            `release to ${partner.id} (${regionOf(partner)}) refused: it would bring the ${describeRole(role.role)} in ${year} (Asia/Shanghai) to about ${outcome.estimates[passed]}, past the limit of ${role.limit} (onThreshold: refuse); nothing was released or counted`,
          )
        }
        throw new DatagateError(
          'ERR_COUNTER_UNAVAILABLE',
          'the subject counter store gave no usable answer; nothing was released',
        )
      }
      const details: Record<string, number | string> = {
        'subjects.year': year,
        'subjects.released': counted,
      }
      roles.forEach((r, i) => {
        details[`subjects.${r.role}`] = outcome.estimates[i] as number
      })
      return details
    },
  }
}

function describeRole(role: string): string {
  if (role === 'overseasSensitivePI')
    return 'people whose sensitive personal information went abroad'
  if (role === 'overseas') return 'people whose personal information went abroad'
  return 'people whose personal information was shared'
}

/** Runs a plan into `sink`, through the tally when there is one (see {@link subjectTally}). */
export function runCounted(
  plan: ReleasePlan,
  rows: Iterable<unknown>,
  sink: RecordSink,
  tally: SubjectTally | undefined,
): { readonly report: ReleaseReport; readonly count: number } {
  return tally ? runPlan(plan, tally.rows(rows), tally.sink(sink)) : runPlan(plan, rows, sink)
}

/** Why a gate needs a subject counter: a dataset that declares a subject, or `undefined`. */
export function subjectCountingNeed(
  datasets: readonly { readonly name: string; readonly subject?: string }[],
): string | undefined {
  const named = datasets.find((d) => d.subject !== undefined)
  return named ? `dataset ${named.name} declares a subject (${named.subject})` : undefined
}

/**
 * Refuses a gate that does not count (`subjects: false`) over a dataset that declares a subject
 * when the policy says `onThreshold: refuse`: such a gate could never refuse, so the policy's
 * word would silently not hold.
 */
export function assertCountingForRefusal(
  counting: SubjectCounting | undefined,
  needed: string | undefined,
  thresholds: Thresholds,
  what: string,
): void {
  const refuses =
    thresholds.crossBorder.onThreshold === 'refuse' ||
    thresholds.importantData.onThreshold === 'refuse'
  if (counting === undefined && needed !== undefined && refuses)
    throw new DatagateError(
      'ERR_INVALID_ARGUMENT',
      `${what}: ${needed} and the policy refuses releases past its thresholds (onThreshold: refuse), but the gate does not count subjects (subjects: false), so it could never refuse; pass subjects: { store, key }`,
    )
}
