/**
 * Leak tracing: which partner a leaked set of records was given to. Each partner's agreements on
 * the dataset are run again over the source rows (its own plan: its pseudonym key, its fields,
 * its condition), and the leaked records are compared with what each could have received, by
 * signal: whole records, keyed pseudonyms (only the recipient's key makes them), other masked or
 * generalised values, and the set of fields; the watermark rows of each (partner, period); and
 * the digests the audit log holds of every export. `datagate trace` is this over files.
 *
 * @packageDocumentation
 */
import type { Dataset } from '../classify/dataset.js'
import { DatagateError, isDatagateError } from '../errors.js'
import { assertArray, assertObject } from '../lib/assert.js'
import { canonicalJson } from '../lib/canonical-json.js'
import type { Policy } from '../policy/load.js'
import { compilePlan, type ReleasePlan } from '../policy/plan.js'
import { runRelease } from '../policy/release.js'
import { watermarkPeriod, watermarkProbes, watermarkSet } from './watermark.js'

/** What was leaked: the records, and digests of whole exports where the leak holds one. */
export interface LeakedData {
  readonly records: readonly unknown[]
  /** `sha256:` of `JSON.stringify(records)` of a whole leaked export (its `payloadDigest`). */
  readonly payloadDigests?: readonly string[]
  /** `sha256:` of the exact payload bytes of leaked tokens (their `signedDigest`). */
  readonly signedDigests?: readonly string[]
  /** The dataset, when the leak says (a token's `dataset.name`). */
  readonly dataset?: string | undefined
}

/** Options of {@link traceLeak}. */
export interface TraceOptions {
  readonly policy: Policy
  readonly datasets: readonly Dataset[]
  /** The dataset of the leaked records; default the leak's own, else the one whose fields fit best. */
  readonly dataset?: string
  /** The source rows, as the gate was given them: enables the record, pseudonym and masked signals. */
  readonly source?: Iterable<unknown>
  /** The gate's pseudonym master key: without it pseudonyms are not compared. */
  readonly pseudonymKey?: Uint8Array
  /**
   * The gate's watermark key: without it watermark rows are not looked for. Their released form
   * is recomputed through each partner's plan, so pseudonymised fields count in the match only
   * with `pseudonymKey` too.
   */
  readonly watermarkKey?: Uint8Array
  /** Watermark periods (`YYYY-MM`) to look in; default every month of each agreement's validity up to `now`. */
  readonly periods?: readonly string[]
  /** Audit events (the log's parsed lines): exports whose digests equal the leak's. */
  readonly events?: Iterable<unknown>
  /** Clock for the default periods; default `() => new Date()`. */
  readonly now?: () => Date
}

/** Leaked records each signal matched to one partner. */
export interface TraceSignals {
  /** Leaked records equal to one the partner would have received from the source. */
  readonly records: number
  /** Leaked records holding a pseudonym made with this partner's key. */
  readonly pseudonyms: number
  /** Leaked records whose masked or generalised values are all among the partner's. */
  readonly masked: number
  /** Leaked records whose fields are all among those the partner's agreements grant. */
  readonly fieldSet: number
  /** Leaked records that are watermark rows of this partner. */
  readonly watermarks: number
  /** Audit events of whole exports whose digest equals a leaked export's. */
  readonly exports: number
}

/** One partner in a trace. */
export interface TracedPartner {
  readonly partner: string
  readonly name: string
  /** 0 to 1: the strongest signal's weight times the share of leaked records it explains. */
  readonly score: number
  /** `conclusive` (a digest or watermark), `strong` (pseudonyms), `weak` (shared values only), `none`. */
  readonly confidence: 'conclusive' | 'strong' | 'weak' | 'none'
  readonly signals: TraceSignals
  /** Watermark rows found, by agreement and period. */
  readonly watermarkPeriods: readonly {
    readonly agreement: string
    readonly period: string
    readonly rows: number
  }[]
  /** Audit events whose digests equal the leak's. */
  readonly exportEvents: readonly {
    readonly seq: number
    readonly time: string
    readonly type: string
    readonly agreement: string
    readonly jti: string | null
  }[]
  /** When the partner received it, where known: the watermark periods and export times. */
  readonly period: { readonly from: string; readonly to: string } | null
}

/** The result of {@link traceLeak}: partners ranked, the most likely recipient first. */
export interface TraceResult {
  readonly dataset: string
  readonly leakedRecords: number
  /** What the trace could compare. */
  readonly basis: {
    readonly source: boolean
    readonly pseudonymKey: boolean
    readonly watermarkKey: boolean
    readonly auditEvents: number
    readonly periods: readonly string[]
  }
  readonly partners: readonly TracedPartner[]
}

/** Probe rows drawn to size a watermark fingerprint (only for a period that matched). */
const PROBES = 1024
/** A fingerprint counts when the leak would match it by chance fewer than this many times. */
const MAX_CHANCE_MATCHES = 0.01

/**
 * How many records of a leak of `leaked` records would match one of `rows` watermark rows by
 * chance, estimated from probe rows: each fingerprint path's number of values by the birthday
 * count of its collisions among the probes (M probes over N even values collide in about
 * M^2 / 2N pairs; none seen gives the floor M^2 / 2), the paths taken as independent, as they
 * are drawn. A fingerprint of a few hundred values (hours and a status) is then no evidence.
 */
function chanceMatches(
  probes: readonly Record<string, unknown>[],
  print: readonly string[],
  rows: number,
  leaked: number,
): number {
  const m = probes.length
  if (m < 2) return Number.POSITIVE_INFINITY
  const fields = probes.map((probe) => leaves(probe))
  let space = 1
  for (const path of print) {
    const counts = new Map<string, number>()
    for (const probe of fields) {
      const value = canonicalJson(probe.get(path) ?? null)
      counts.set(value, (counts.get(value) ?? 0) + 1)
    }
    let pairs = 0
    for (const c of counts.values()) pairs += (c * (c - 1)) / 2
    space *= (m * (m - 1)) / 2 / Math.max(pairs, 1)
  }
  return (leaked * rows) / space
}

const WEIGHTS = {
  exports: 1,
  watermarks: 1,
  pseudonyms: 0.9,
  records: 0.5,
  masked: 0.3,
  fieldSet: 0.1,
} as const

/** A value as text, so records read back from CSV (all strings) compare with released ones. */
function scalar(value: unknown): string {
  if (value === null || value === undefined) return ''
  return typeof value === 'object' ? canonicalJson(value) : String(value)
}

/** Leaf paths of a record with their values as text (`vehicle.model`; arrays whole). */
function leaves(
  record: unknown,
  prefix = '',
  out = new Map<string, string>(),
): Map<string, string> {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    if (prefix !== '') out.set(prefix, scalar(record))
    return out
  }
  for (const [key, value] of Object.entries(record)) {
    const path = prefix === '' ? key : `${prefix}.${key}`
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      leaves(value, path, out)
    else out.set(path, scalar(value))
  }
  return out
}

function recordKey(fields: ReadonlyMap<string, string>): string {
  return canonicalJson([...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

function monthsBetween(from: number, to: number): string[] {
  const out: string[] = []
  const start = new Date(from)
  let y = start.getUTCFullYear()
  let m = start.getUTCMonth()
  for (let i = 0; i < 240; i++) {
    const time = Date.UTC(y, m, 1)
    if (time > to) break
    out.push(watermarkPeriod(new Date(time)))
    m++
    if (m === 12) {
      m = 0
      y++
    }
  }
  return out
}

function pickDataset(
  leaked: readonly Map<string, string>[],
  options: TraceOptions,
  named?: string,
): Dataset {
  const wanted = options.dataset ?? named
  if (wanted !== undefined) {
    const found = options.datasets.find((d) => d.name === wanted)
    if (!found)
      throw new DatagateError(
        'ERR_UNKNOWN_DATASET',
        `traceLeak: no dataset ${JSON.stringify(wanted)}`,
      )
    return found
  }
  let best: { dataset: Dataset; fit: number } | undefined
  for (const dataset of options.datasets) {
    const paths = new Set(dataset.fields.map((f) => f.path))
    let fit = 0
    for (const record of leaked) for (const path of record.keys()) if (paths.has(path)) fit++
    if (!best || fit > best.fit) best = { dataset, fit }
  }
  return (best as { dataset: Dataset }).dataset
}

interface Exported {
  readonly seq: number
  readonly time: string
  readonly type: string
  readonly partner: string
  readonly agreement: string
  readonly jti: string | null
}

function matchingEvents(
  events: Iterable<unknown> | undefined,
  leak: LeakedData,
): { count: number; found: Exported[] } {
  const digests = new Set([...(leak.payloadDigests ?? []), ...(leak.signedDigests ?? [])])
  const found: Exported[] = []
  let count = 0
  for (const raw of events ?? []) {
    count++
    if (typeof raw !== 'object' || raw === null) continue
    const e = raw as Record<string, unknown>
    if (typeof e.partner !== 'string' || typeof e.agreement !== 'string') continue
    const hit =
      (typeof e.payloadDigest === 'string' && digests.has(e.payloadDigest)) ||
      (typeof e.signedDigest === 'string' && digests.has(e.signedDigest))
    if (!hit) continue
    found.push({
      seq: typeof e.seq === 'number' ? e.seq : -1,
      time: typeof e.time === 'string' ? e.time : '',
      type: typeof e.type === 'string' ? e.type : '',
      partner: e.partner,
      agreement: e.agreement,
      jti: typeof e.jti === 'string' ? e.jti : null,
    })
  }
  return { count, found }
}

/** What one agreement would have released from the source, as comparable sets. */
function received(plan: ReleasePlan, source: readonly unknown[]) {
  const records = new Set<string>()
  const byPath = new Map<string, Set<string>>()
  for (const record of runRelease(plan, source).records) {
    const fields = leaves(record)
    records.add(recordKey(fields))
    for (const [path, value] of fields) {
      let set = byPath.get(path)
      if (set === undefined) {
        set = new Set()
        byPath.set(path, set)
      }
      set.add(value)
    }
  }
  return { records, byPath }
}

/**
 * Ranks the policy's partners by how well the leaked records match what each could have
 * received. Throws `ERR_UNKNOWN_DATASET` for a dataset the options do not hold, and
 * `ERR_RECORD_INVALID` when a source row does not fit the dataset.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { createGate, defineDataset, field, loadPolicy, pseudonymize, traceLeak } from 'datagate'
 *
 * const Order = defineDataset('order', z.object({
 *   customerId: field.desensitised(z.string(), pseudonymize()),
 *   city: field.public(z.string()),
 * }), { version: '1' })
 * const agreement = { dataset: 'order', purpose: 'service', fields: ['customerId', 'city'],
 *   validFrom: '2026-01-01', validUntil: '2026-12-31' }
 * const partner = (id: string) => ({ id, name: id, category: 'capability', standing: 'gold', core: true,
 *   agreements: [{ ...agreement, id: `${id}-2026` }] })
 * const policy = loadPolicy({ issuer: 'oem', partners: [partner('rental-co'), partner('tow-co')] },
 *   { datasets: [Order] })
 * const pseudonymKey = new TextEncoder().encode('pseudonym master key: 32 bytes or more')
 * const gate = createGate({ issuer: 'oem', datasets: [Order], policy, pseudonymKey, audit: false })
 * const source = Array.from({ length: 20 }, (_, i) => ({ customerId: `c${i}`, city: 'Hangzhou' }))
 * const { records } = await gate.release(source, { partner: 'tow-co', dataset: 'order', purpose: 'service' })
 *
 * const trace = traceLeak({ records: records.slice(0, 3) }, { policy, datasets: [Order], source, pseudonymKey })
 * console.log(trace.partners.map((p) => [p.partner, p.signals.pseudonyms, p.confidence]))
 * // [ [ 'tow-co', 3, 'strong' ], [ 'rental-co', 0, 'weak' ] ]
 * ```
 */
export function traceLeak(leak: LeakedData, options: TraceOptions): TraceResult {
  assertObject(leak, 'traceLeak: leak')
  assertArray(leak.records, 'traceLeak: leak.records')
  assertObject(options, 'traceLeak: options')
  const leaked = leak.records.map((r) => leaves(r))
  const total = leaked.length
  const dataset = pickDataset(leaked, options, leak.dataset)
  const source = options.source === undefined ? undefined : [...options.source]
  const now = options.now ?? (() => new Date())
  const { count: auditEvents, found: exported } = matchingEvents(options.events, leak)
  // Without the master key, plans still need one to compile: a throwaway key, whose pseudonyms
  // are never compared.
  const pseudonymKey = options.pseudonymKey ?? crypto.getRandomValues(new Uint8Array(32))
  const leakedKeys = leaked.map(recordKey)
  const periodsSeen = new Set<string>()
  const partners: TracedPartner[] = []
  for (const partner of options.policy.partners) {
    const agreements = partner.agreements.filter((a) => a.dataset === dataset.name && !a.aggregate)
    const uncapped = { ...partner, maxRecordsPerRelease: undefined }
    const plans = agreements.map((a) =>
      compilePlan(uncapped, a, dataset, { pseudonymKey, policyHash: options.policy.hash }),
    )
    const granted = new Set(plans.flatMap((p) => p.fields.map((f) => f.path)))
    const pseudonymPaths = new Set(
      plans.flatMap((p) =>
        p.fields.filter((f) => f.operator.startsWith('pseudonymize')).map((f) => f.path),
      ),
    )
    const maskedPaths = new Set(
      plans.flatMap((p) =>
        p.fields
          .filter((f) => f.class === 'desensitised' && !pseudonymPaths.has(f.path))
          .map((f) => f.path),
      ),
    )
    const sets = source === undefined ? [] : plans.map((p) => received(p, source))
    const has = (path: string, value: string) =>
      sets.some((s) => s.byPath.get(path)?.has(value) === true)
    let records = 0
    let pseudonyms = 0
    let masked = 0
    let fieldSet = 0
    leaked.forEach((fields, i) => {
      if (fields.size > 0 && [...fields.keys()].every((p) => granted.has(p))) fieldSet++
      if (sets.some((s) => s.records.has(leakedKeys[i] as string))) records++
      if (
        options.pseudonymKey &&
        [...fields].some(([p, v]) => pseudonymPaths.has(p) && v !== '' && has(p, v))
      )
        pseudonyms++
      const own = [...fields].filter(([p]) => maskedPaths.has(p))
      if (sets.length > 0 && own.length > 0 && own.every(([p, v]) => has(p, v))) masked++
    })
    // Watermark rows: a leaked record matches one when every fingerprint field is there, equal.
    const watermarkPeriods: { agreement: string; period: string; rows: number }[] = []
    let watermarks = 0
    if (options.watermarkKey) {
      plans.forEach((plan, index) => {
        const agreement = agreements[index]
        if (!agreement?.watermark) return
        const periods =
          options.periods ??
          monthsBetween(agreement.validFrom, Math.min(agreement.validUntil, now().getTime()))
        for (const period of periods) {
          let set: ReturnType<typeof watermarkSet>
          try {
            set = watermarkSet(plan, options.watermarkKey as Uint8Array, period)
          } catch (error) {
            if (isDatagateError(error, 'ERR_WATERMARK_UNAVAILABLE')) continue
            throw error
          }
          periodsSeen.add(period)
          // Pseudonyms made with the throwaway key are not the partner's: left out without the key.
          const print = options.pseudonymKey
            ? set.fingerprint
            : set.fingerprint.filter((p) => !pseudonymPaths.has(p))
          if (print.length === 0) continue
          const prints = new Set(
            set.released.map((row) => {
              const fields = leaves(row)
              return canonicalJson(print.map((p) => fields.get(p) ?? null))
            }),
          )
          let rows = 0
          for (const fields of leaked)
            if (
              print.every((p) => fields.has(p)) &&
              prints.has(canonicalJson(print.map((p) => fields.get(p) ?? null)))
            )
              rows++
          // A match by chance is no evidence: a fingerprint too small for this leak is skipped.
          if (
            rows > 0 &&
            chanceMatches(
              watermarkProbes(plan, options.watermarkKey as Uint8Array, period, PROBES),
              print,
              set.released.length,
              leaked.length,
            ) > MAX_CHANCE_MATCHES
          )
            rows = 0
          if (rows > 0) {
            watermarks += rows
            watermarkPeriods.push({ agreement: agreement.id, period, rows })
          }
        }
      })
    }
    const exportEvents = exported
      .filter((e) => e.partner === partner.id)
      .map(({ partner: _p, ...event }) => event)
    const signals = {
      records,
      pseudonyms,
      masked,
      fieldSet,
      watermarks,
      exports: exportEvents.length,
    }
    const share = (n: number) => (total === 0 ? 0 : n / total)
    const score = Math.max(
      exportEvents.length > 0 ? WEIGHTS.exports : 0,
      watermarks > 0 ? WEIGHTS.watermarks : 0,
      WEIGHTS.pseudonyms * share(pseudonyms),
      WEIGHTS.records * share(records),
      WEIGHTS.masked * share(masked),
      WEIGHTS.fieldSet * share(fieldSet),
    )
    const confidence =
      exportEvents.length > 0 || watermarks > 0
        ? 'conclusive'
        : pseudonyms > 0
          ? 'strong'
          : score > 0
            ? 'weak'
            : 'none'
    const times = [
      ...watermarkPeriods.flatMap((w) => [`${w.period}-01T00:00:00.000Z`, endOfMonth(w.period)]),
      ...exportEvents.map((e) => e.time).filter((t) => t !== ''),
    ].sort()
    partners.push({
      partner: partner.id,
      name: partner.name,
      score: Math.round(score * 1000) / 1000,
      confidence,
      signals,
      watermarkPeriods,
      exportEvents,
      period:
        times.length === 0
          ? null
          : { from: times[0] as string, to: times[times.length - 1] as string },
    })
  }
  const order = (p: TracedPartner) => [
    p.score,
    p.signals.exports,
    p.signals.watermarks,
    p.signals.pseudonyms,
    p.signals.records,
    p.signals.masked,
    p.signals.fieldSet,
  ]
  partners.sort((a, b) => {
    const x = order(a)
    const y = order(b)
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (y[i] as number) - (x[i] as number)
    return a.partner < b.partner ? -1 : 1
  })
  return {
    dataset: dataset.name,
    leakedRecords: total,
    basis: {
      source: source !== undefined,
      pseudonymKey: options.pseudonymKey !== undefined,
      watermarkKey: options.watermarkKey !== undefined,
      auditEvents,
      periods: [...periodsSeen].sort(),
    },
    partners,
  }
}

function endOfMonth(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number]
  return new Date(Date.UTC(y, m, 1) - 1).toISOString()
}
