/**
 * Watermark rows: an agreement with `watermark: { rows: n }` has n synthetic records added to
 * each release, export and delta view, generated with the gate's watermark key for the partner,
 * the agreement and the period (a calendar month, UTC), so a leaked copy names its recipient and
 * month. They are the same all month, so two exports of one month do not single them out.
 *
 * How a row is made: a synthetic source row drawn from the schema (classify/synthesize.ts) with
 * keyed draws, redrawn until the dataset's schema and the agreement's condition accept it, then
 * released through the partner's own plan (so it is masked and pseudonymised like the real ones).
 * Its quasi-identifiers are then copied from the largest equivalence class of the real records
 * released with it, so it joins a class that exists and never lowers k (`assessRisk`); its other
 * fields are the fingerprint. Each sits right after a keyed anchor record (the real record whose
 * keyed hash of its released values follows its slot), so a delta moves it only when that record itself changes.
 *
 * @packageDocumentation
 */
import { hkdfSha256 } from '#hash'
import { type Draws, synthesizeRecord } from '../classify/synthesize.js'
import { DatagateError, isDatagateError } from '../errors.js'
import { utf8 } from '../lib/bytes.js'
import { canonicalJson } from '../lib/canonical-json.js'
import { textHmac } from '../lib/hmac-sha256.js'
import { copyPseudonymKey } from '../lib/key-strength.js'
import type { ReleasePlan } from '../policy/plan.js'

const SALT = utf8('datagate watermark v1')
const MAX_ATTEMPTS = 64

/**
 * The watermark period of an instant: its calendar month in UTC, `YYYY-MM`. Watermark rows are
 * the same for one partner and agreement throughout a period and differ from one to the next.
 *
 * @example
 * ```ts
 * import { watermarkPeriod } from 'datagate'
 *
 * console.log(watermarkPeriod(new Date('2026-06-30T23:59:59Z'))) // 2026-06
 * console.log(watermarkPeriod(new Date('2026-07-01T00:00:00Z'))) // 2026-07
 * ```
 */
export function watermarkPeriod(at: Date): string {
  return at.toISOString().slice(0, 7)
}

/**
 * The id of a watermark key, as audit events record it (`details.watermarkKeyId`): `wm-` and 16
 * hex digits of an HMAC of the key, so the log names the key without holding it.
 *
 * @example
 * ```ts
 * import { watermarkKeyId } from 'datagate'
 *
 * const key = new TextEncoder().encode('watermark master key of at least 32 bytes')
 * console.log(/^wm-[0-9a-f]{16}$/.test(watermarkKeyId(key))) // true
 * ```
 */
export function watermarkKeyId(key: Uint8Array): string {
  const mac = textHmac(key).bytes('datagate watermark key id')
  let hex = ''
  for (const byte of mac.subarray(0, 8)) hex += byte.toString(16).padStart(2, '0')
  return `wm-${hex}`
}

/** The synthetic rows of one (partner, agreement, period): their source form and released form. */
export interface WatermarkSet {
  readonly period: string
  /** The synthetic source rows (valid under the schema, meeting the condition). */
  readonly source: readonly Record<string, unknown>[]
  /** Each source row released through the plan, before its quasi-identifiers are copied. */
  readonly released: readonly Record<string, unknown>[]
  /** Released paths that are the fingerprint: every released leaf but the quasi-identifiers. */
  readonly fingerprint: readonly string[]
  /** Released paths copied from a real record's class. */
  readonly quasiIdentifiers: readonly string[]
}

function keyedDraws(mac: (text: string) => Uint8Array, label: string): Draws {
  let block: Uint8Array = new Uint8Array(0)
  let offset = 0
  let counter = 0
  return {
    next() {
      if (offset + 4 > block.length) {
        block = mac(`${label}:${counter++}`)
        offset = 0
      }
      const value =
        ((block[offset] as number) << 24) |
        ((block[offset + 1] as number) << 16) |
        ((block[offset + 2] as number) << 8) |
        (block[offset + 3] as number)
      offset += 4
      return value >>> 0
    },
  }
}

function uint32(bytes: Uint8Array): number {
  return (
    (((bytes[0] as number) << 24) |
      ((bytes[1] as number) << 16) |
      ((bytes[2] as number) << 8) |
      (bytes[3] as number)) >>>
    0
  )
}

function periodMac(
  key: Uint8Array,
  plan: ReleasePlan,
  period: string,
): (text: string) => Uint8Array {
  const info = utf8(canonicalJson([plan.partner.id, plan.dataset.name, plan.agreement.id, period]))
  const mac = textHmac(hkdfSha256(key, SALT, info, 32))
  return (text) => mac.bytes(text)
}

function unavailable(plan: ReleasePlan, why: string, cause?: unknown): DatagateError {
  return new DatagateError(
    'ERR_WATERMARK_UNAVAILABLE',
    `agreement ${plan.agreement.id} of partner ${plan.partner.id} has watermark rows, but ${why}`,
    cause === undefined ? undefined : { cause },
  )
}

function readPath(record: unknown, segments: readonly string[]): unknown {
  let value = record
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null) return undefined
    value = Object.hasOwn(value, segment) ? (value as Record<string, unknown>)[segment] : undefined
  }
  return value
}

function writePath(
  record: Record<string, unknown>,
  segments: readonly string[],
  value: unknown,
): void {
  let node = record
  for (const segment of segments.slice(0, -1)) {
    const next = node[segment]
    if (typeof next !== 'object' || next === null) node[segment] = {}
    node = node[segment] as Record<string, unknown>
  }
  const last = segments[segments.length - 1] as string
  if (value === undefined) delete node[last]
  else node[last] = value
}

/**
 * What a record's anchor hash is taken over: its released values in plan order, each as JSON
 * (an object or array as its canonical JSON), the same text whether the record
 * is the projected object (releases, exports) or parsed back from its canonical JSON (deltas),
 * and cheaper than the canonical JSON of the whole record.
 */
function anchorText(plan: Pick<ReleasePlan, 'fields'>): (record: unknown) => string {
  const paths = [
    ...new Set(
      plan.fields.map((f) => {
        const cut = f.path.indexOf('[]')
        return cut < 0 ? f.path : f.path.slice(0, cut)
      }),
    ),
  ].map((path) => path.split('.'))
  return (record) => {
    let text = ''
    for (const segments of paths) {
      const value = readPath(record, segments)
      // Objects and arrays in canonical form: a delta's record comes back with sorted keys.
      text += `${typeof value === 'object' && value !== null ? canonicalJson(value) : (JSON.stringify(value) ?? '')}\u0001`
    }
    return text
  }
}

function split(plan: ReleasePlan): { fingerprint: string[]; quasiIdentifiers: string[] } {
  const fingerprint: string[] = []
  const quasiIdentifiers: string[] = []
  for (const f of plan.fields) {
    const leaf = plan.dataset.field(f.path)
    if (leaf?.quasiIdentifier && !f.path.includes('[]')) quasiIdentifiers.push(f.path)
    else fingerprint.push(f.path)
  }
  return { fingerprint, quasiIdentifiers }
}

/**
 * Generates the watermark rows of `plan` for `period` with `key`. Throws
 * `ERR_WATERMARK_UNAVAILABLE` when the agreement has none, when every released field is a
 * quasi-identifier (nothing would fingerprint them), or when no synthetic row meets the schema
 * and the condition within 64 draws.
 */
export function watermarkSet(plan: ReleasePlan, key: Uint8Array, period: string): WatermarkSet {
  const rows = plan.agreement.watermark?.rows
  if (rows === undefined) throw unavailable(plan, 'none are configured')
  const { fingerprint, quasiIdentifiers } = split(plan)
  if (fingerprint.length === 0)
    throw unavailable(
      plan,
      'every field it grants is a quasi-identifier: nothing would fingerprint them',
    )
  const mac = periodMac(key, plan, period)
  const conditions = new Map(Object.entries(plan.agreement.where ?? {}))
  const source: Record<string, unknown>[] = []
  const released: Record<string, unknown>[] = []
  // Rows must differ in their fingerprint: their quasi-identifiers are all copied from one class,
  // so two rows apart only there would be twin records in the release.
  const printOf = anchorText({
    fields: plan.fields.filter((f) => fingerprint.includes(f.path)),
  })
  const prints = new Set<string>()
  for (let j = 0; j < rows; j++) {
    let made = false
    let last: unknown
    for (let attempt = 0; attempt < MAX_ATTEMPTS && !made; attempt++) {
      const row = synthesizeRecord(plan.dataset, conditions, keyedDraws(mac, `row:${j}:${attempt}`))
      try {
        plan.dataset.parse(row)
        const parsed = plan.read(row)
        if (!plan.predicate(parsed.record)) continue
        const out = plan.project(parsed.record)
        const print = printOf(out)
        if (prints.has(print)) continue
        prints.add(print)
        source.push(row)
        released.push(out)
        made = true
      } catch (error) {
        if (!isDatagateError(error)) throw error
        last = error
      }
    }
    if (!made)
      throw unavailable(
        plan,
        `no synthetic record met its schema and condition in ${MAX_ATTEMPTS} draws`,
        last,
      )
  }
  return { period, source, released, fingerprint, quasiIdentifiers }
}

/**
 * `count` more synthetic rows of `plan` for `period`, drawn like its watermark rows but from
 * other labels and never released: a sample of what the rows look like, by which a tracer
 * tells how often a record matches a watermark fingerprint by chance. Rows the schema or the
 * plan refuse are left out.
 */
export function watermarkProbes(
  plan: ReleasePlan,
  key: Uint8Array,
  period: string,
  count: number,
): Record<string, unknown>[] {
  const mac = periodMac(key, plan, period)
  const conditions = new Map(Object.entries(plan.agreement.where ?? {}))
  const out: Record<string, unknown>[] = []
  for (let i = 0; i < count; i++) {
    const row = synthesizeRecord(plan.dataset, conditions, keyedDraws(mac, `probe:${i}`))
    try {
      plan.dataset.parse(row)
      out.push(plan.project(plan.read(row).record))
    } catch (error) {
      if (!isDatagateError(error)) throw error
    }
  }
  return out
}

/** Marks releases of the gate: `undefined` key means none (createGate refuses such agreements). */
export interface Watermarker {
  /** `wm-…` id of the key, or `undefined` without one. */
  readonly keyId: string | undefined
  /** Fails closed when a watermarked agreement of `plan` cannot get its rows now. */
  check(plan: ReleasePlan, at: Date): void
  /**
   * The records with the period's watermark rows inserted (a new array), or `records` itself and
   * `rows` 0 when the plan has none or nothing real was released.
   */
  mark(
    plan: ReleasePlan,
    records: Record<string, unknown>[],
    at: Date,
  ): { readonly records: Record<string, unknown>[]; readonly rows: number }
  /** The same over canonical keys (deltas): each record given as its canonical JSON. */
  markKeys(
    plan: ReleasePlan,
    keys: string[],
    at: Date,
  ): { readonly keys: string[]; readonly rows: number }
}

/**
 * A watermarker over `key` (copied; at least 32 bytes, not obviously weak: `ERR_KEY_INVALID`).
 * Keeps the rows of the last period of each plan, so a month of exports generates them once.
 */
export function createWatermarker(key: unknown): Watermarker {
  const own = copyPseudonymKey(key, 'createGate: watermarkKey')
  const cache = new WeakMap<ReleasePlan, WatermarkSet>()
  function setFor(plan: ReleasePlan, at: Date): WatermarkSet {
    if (!own) throw unavailable(plan, 'the gate has no watermarkKey')
    const period = watermarkPeriod(at)
    const known = cache.get(plan)
    if (known?.period === period) return known
    const made = watermarkSet(plan, own, period)
    cache.set(plan, made)
    return made
  }
  // Where each watermark row goes among `count` real records whose keyed hashes are `hashes`,
  // and the released rows with quasi-identifiers copied from `values(i)` of the largest class.
  function placed(
    set: WatermarkSet,
    hashes: readonly number[],
    values: (index: number) => unknown,
    mac: (text: string) => Uint8Array,
  ): { anchors: number[]; rows: Record<string, unknown>[] } {
    const segments = set.quasiIdentifiers.map((path) => path.split('.'))
    let representative = -1
    if (segments.length > 0 && hashes.length > 0) {
      const classes = new Map<string, { first: number; size: number; hash: number }>()
      for (let i = 0; i < hashes.length; i++) {
        const record = values(i)
        const classKey = canonicalJson(segments.map((s) => readPath(record, s) ?? null))
        const known = classes.get(classKey)
        if (known) known.size++
        else classes.set(classKey, { first: i, size: 1, hash: uint32(mac(`class:${classKey}`)) })
      }
      let best: { first: number; size: number; hash: number } | undefined
      for (const c of classes.values())
        if (!best || c.size > best.size || (c.size === best.size && c.hash < best.hash)) best = c
      representative = best?.first ?? -1
    }
    const from = representative < 0 ? undefined : values(representative)
    const rows = set.released.map((released) => {
      const row = structuredClone(released) as Record<string, unknown>
      if (from !== undefined)
        for (const s of segments) writePath(row, s, structuredClone(readPath(from, s)))
      return row
    })
    const sorted = hashes
      .map((hash, index) => ({ hash, index }))
      .sort((a, b) => a.hash - b.hash || a.index - b.index)
    const anchors = rows.map((_, j) => {
      const slot = uint32(mac(`slot:${j}`))
      const after = sorted.find((entry) => entry.hash >= slot) ?? sorted[0]
      return after?.index ?? -1
    })
    return { anchors, rows }
  }
  function weave<T>(real: readonly T[], anchors: readonly number[], extra: readonly T[]): T[] {
    const after = new Map<number, T[]>()
    anchors.forEach((anchor, j) => {
      const list = after.get(anchor)
      if (list) list.push(extra[j] as T)
      else after.set(anchor, [extra[j] as T])
    })
    const out: T[] = []
    for (let i = 0; i < real.length; i++) {
      out.push(real[i] as T)
      const list = after.get(i)
      if (list) out.push(...list)
    }
    return out
  }
  return {
    keyId: own ? watermarkKeyId(own) : undefined,
    check(plan, at) {
      if (plan.agreement.watermark) setFor(plan, at)
    },
    mark(plan, records, at) {
      // No real record, no watermark: n synthetic rows alone would be all a partner holds.
      if (!plan.agreement.watermark || records.length === 0) return { records, rows: 0 }
      const set = setFor(plan, at)
      const mac = periodMac(own as Uint8Array, plan, set.period)
      const text = anchorText(plan)
      const hashes = records.map((r) => uint32(mac(`anchor:${text(r)}`)))
      const { anchors, rows } = placed(set, hashes, (i) => records[i], mac)
      return { records: weave(records, anchors, rows), rows: rows.length }
    },
    markKeys(plan, keys, at) {
      if (!plan.agreement.watermark || keys.length === 0) return { keys, rows: 0 }
      const set = setFor(plan, at)
      const mac = periodMac(own as Uint8Array, plan, set.period)
      const text = anchorText(plan)
      const parsed = keys.map((k) => JSON.parse(k) as unknown)
      const hashes = parsed.map((r) => uint32(mac(`anchor:${text(r)}`)))
      const { anchors, rows } = placed(set, hashes, (i) => parsed[i], mac)
      return {
        keys: weave(
          keys,
          anchors,
          rows.map((r) => canonicalJson(r)),
        ),
        rows: rows.length,
      }
    },
  }
}
