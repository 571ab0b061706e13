/**
 * Scanning text and records for personal data: every occurrence, with its offsets, as findings.
 *
 * Findings never quote the matched value: the message names the kind, the path, the offset and
 * the length. Detectors match a folded copy of each string (full-width forms, Unicode spaces and
 * dashes, zero-width characters; see `lib/normalize-text.ts`) and every offset is mapped back, so
 * `start` and `end` always index the string as given. Input past the caps is not scanned silently: a `scan_*` finding says what was left
 * out. Matching is linear in the input length (see `detectors/patterns.ts`).
 *
 * @packageDocumentation
 */
import type { Finding } from '../errors.js'
import {
  assertArray,
  assertBoolean,
  assertNumber,
  assertString,
  invalidArgument,
} from '../lib/assert.js'
import { readClock } from '../lib/clock.js'
import { normalizeText } from '../lib/normalize-text.js'
import { DETECTORS } from './detectors/registry.js'
import type { Detector, VinCheckDigit } from './detectors/shared.js'
import type { PiiKind } from './types.js'

/** A piece of personal data found in a string. */
export interface PiiFinding extends Finding {
  /** `pii_` + the kind, e.g. `pii_mobile`, `pii_ip_address`. */
  readonly code: `pii_${PiiKind}`
  readonly kind: PiiKind
  /** Offset of the first character (UTF-16 code units) in the string, or in the decimal form of a number. */
  readonly start: number
  /** Offset just past the last character. */
  readonly end: number
  /** VIN findings only: what the check digit at position 9 says. */
  readonly checkDigit?: VinCheckDigit
}

/** Codes of findings that say part of the input was not scanned. */
export type ScanLimitCode = 'scan_truncated' | 'scan_depth_exceeded' | 'scan_budget_exceeded'

/** Part of the input was not scanned: a string past `maxLength`, nesting past `maxDepth`, or the total work cap. */
export interface ScanLimitFinding extends Finding {
  readonly code: ScanLimitCode
}

/** What the scanners return: personal data found, and what was left unscanned. */
export type ScanFinding = PiiFinding | ScanLimitFinding

/** Options of {@link scanText}. */
export interface ScanTextOptions {
  /** Only these kinds (each must be one of {@link DETECTABLE_KINDS}). Default: all. */
  readonly kinds?: readonly PiiKind[]
  /** Characters scanned per string; the rest is reported as `scan_truncated`. Default 1,000,000. */
  readonly maxLength?: number
  /** The clock: birth dates in resident identity numbers after its day (UTC) are implausible. Default: the system clock. */
  readonly now?: () => Date
  /** Path reported in the findings. Default `''`. */
  readonly path?: string
  /** Also report 15-digit legacy resident identity numbers (no check digit). Default false. */
  readonly legacyResidentId?: boolean
}

/** Options of {@link scanRecord}. `path` prefixes every reported path. */
export interface ScanRecordOptions extends ScanTextOptions {
  /** Objects and arrays nested deeper are reported as `scan_depth_exceeded`. Default 64. */
  readonly maxDepth?: number
  /** Values visited in all (object properties, array slots). Default 1,000,000. */
  readonly maxNodes?: number
  /** Characters scanned in all. Default 10,000,000. */
  readonly maxTotalLength?: number
}

/**
 * The kinds the detectors report.
 *
 * @example
 * ```ts
 * import { DETECTABLE_KINDS } from 'datagate/classify'
 *
 * console.log(DETECTABLE_KINDS.includes('vin')) // true
 * ```
 */
export const DETECTABLE_KINDS: readonly PiiKind[] = Object.freeze([
  ...new Set(DETECTORS.map((detector) => detector.kind)),
])

interface Plan {
  readonly detectors: readonly Detector[]
  readonly maxLength: number
  readonly context: { readonly now: Date; readonly legacyResidentId: boolean }
}

function plan(options: ScanTextOptions): Plan {
  const { kinds, maxLength = 1_000_000, legacyResidentId = false } = options
  assertNumber(maxLength, 'options.maxLength', { integer: true, min: 1 })
  const now = readClock(options.now, 'options.now')
  assertBoolean(legacyResidentId, 'options.legacyResidentId')
  let detectors = DETECTORS
  if (kinds !== undefined) {
    assertArray(kinds, 'options.kinds')
    const wanted = new Set<unknown>(kinds)
    for (const kind of wanted) {
      if (!DETECTABLE_KINDS.includes(kind as PiiKind))
        invalidArgument('range', 'options.kinds', `kinds among ${DETECTABLE_KINDS.join(', ')}`)
    }
    detectors = DETECTORS.filter((detector) => wanted.has(detector.kind))
  }
  return { detectors, maxLength, context: { now, legacyResidentId } }
}

function where(path: string): string {
  return path === '' ? 'the text' : path
}

function describe(detector: Detector): string {
  return detector.label[0]!.toUpperCase() + detector.label.slice(1)
}

interface Hit {
  readonly detector: Detector
  readonly priority: number
  readonly start: number
  readonly end: number
  readonly checkDigit?: VinCheckDigit
}

/**
 * Orders hits by position (longer first at the same start) and drops a hit on exactly the span
 * of a higher-priority hit, or inside a larger hit of the same kind (IPv4 inside `::ffff:1.2.3.4`).
 */
function dedupe(hits: Hit[]): Hit[] {
  hits.sort((a, b) => a.start - b.start || b.end - a.end || a.priority - b.priority)
  const kept: Hit[] = []
  const reach = new Map<PiiKind, number>()
  let previous: Hit | undefined
  for (const hit of hits) {
    const sameSpan =
      previous !== undefined && previous.start === hit.start && previous.end === hit.end
    if (sameSpan || hit.end <= (reach.get(hit.detector.kind) ?? -1)) continue
    kept.push(hit)
    reach.set(hit.detector.kind, hit.end)
    previous = hit
  }
  return kept
}

function scanString(text: string, path: string, scan: Plan, out: ScanFinding[]): void {
  const scanned = text.length > scan.maxLength ? text.slice(0, scan.maxLength) : text
  const view = normalizeText(scanned)
  const hits: Hit[] = []
  scan.detectors.forEach((detector, priority) => {
    for (const match of detector.find(view.text, scan.context)) {
      hits.push({ detector, priority, ...match })
    }
  })
  for (const hit of dedupe(hits)) {
    const { detector } = hit
    const { start, end } = view.originalSpan(hit.start, hit.end)
    const message = `${describe(detector)} at offset ${start} (${end - start} characters) in ${where(path)}.`
    const finding: PiiFinding = {
      code: `pii_${detector.kind}`,
      path,
      message,
      kind: detector.kind,
      start,
      end,
    }
    out.push(hit.checkDigit === undefined ? finding : { ...finding, checkDigit: hit.checkDigit })
  }
  if (scanned !== text) {
    out.push({
      code: 'scan_truncated',
      path,
      message: `Only the first ${scan.maxLength} of ${text.length} characters in ${where(path)} were scanned.`,
    })
  }
}

/**
 * Finds every occurrence of personal data in `text`, in order of position.
 *
 * Text past `maxLength` characters is not scanned; a `scan_truncated` finding says so (an
 * occurrence straddling the cap is not reported). Throws `ERR_INVALID_ARGUMENT` for a
 * non-string `text` or bad options.
 *
 * @example
 * ```ts
 * import { scanText } from 'datagate/classify'
 *
 * const findings = scanText('客户手机 13812345678，邮箱 li.lei@example.com', { path: 'note' })
 * console.log(findings.map((finding) => finding.code)) // ['pii_mobile', 'pii_email']
 * console.log(findings[0]?.message) // 'Mainland China mobile number at offset 5 (11 characters) in note.'
 * ```
 */
export function scanText(text: string, options: ScanTextOptions = {}): ScanFinding[] {
  assertString(text, 'text')
  const path = options.path ?? ''
  assertString(path, 'options.path')
  const out: ScanFinding[] = []
  scanString(text, path, plan(options), out)
  return out
}

function limit(code: ScanLimitCode, path: string, message: string): ScanLimitFinding {
  return { code, path, message }
}

function childPath(parent: string, key: string): string {
  // Keys that would make the path ambiguous are written in brackets, JSON-quoted.
  if (key === '' || key.includes('.') || key.includes('[') || key.includes(']')) {
    return `${parent}[${JSON.stringify(key)}]`
  }
  return parent === '' ? key : `${parent}.${key}`
}

/**
 * Walks `record` (nested objects and arrays) and scans every string, and every number and
 * bigint in its decimal form (phone and identity numbers are often stored as numbers).
 *
 * Paths read `vehicle.vin`, `orders[2].phone`; keys holding `.`, `[` or `]` are bracketed
 * (`["a.b"]`). Only own enumerable data properties are read: getters are never called, the
 * prototype chain is never followed, and an own `__proto__` key (as `JSON.parse` makes) is
 * scanned like any other key without touching any prototype. A reference back to an object
 * being walked (a cycle) is skipped; `Map`, `Set` and typed arrays are not walked. Keys are
 * not scanned, and appear in paths as they are. Past `maxDepth`, `maxNodes` or
 * `maxTotalLength`, scanning stops there with a `scan_depth_exceeded` or `scan_budget_exceeded`
 * finding.
 *
 * @example
 * ```ts
 * import { scanRecord } from 'datagate/classify'
 *
 * const findings = scanRecord({
 *   vehicle: { vin: '1M8GDM9AXKP042788', plate: '沪A·D1234' },
 *   orders: [{}, {}, { phone: 13812345678 }],
 * })
 * console.log(findings.map((finding) => `${finding.code} ${finding.path}`))
 * // ['pii_vin vehicle.vin', 'pii_licence_plate vehicle.plate', 'pii_mobile orders[2].phone']
 * ```
 */
export function scanRecord(record: unknown, options: ScanRecordOptions = {}): ScanFinding[] {
  const scan = plan(options)
  const { path = '', maxDepth = 64, maxNodes = 1_000_000, maxTotalLength = 10_000_000 } = options
  assertString(path, 'options.path')
  assertNumber(maxDepth, 'options.maxDepth', { integer: true, min: 0 })
  assertNumber(maxNodes, 'options.maxNodes', { integer: true, min: 1 })
  assertNumber(maxTotalLength, 'options.maxTotalLength', { integer: true, min: 0 })

  const out: ScanFinding[] = []
  const walking = new Set<object>()
  let nodes = 0
  let characters = 0
  let stopped = false

  const stop = (at: string, what: string): void => {
    stopped = true
    out.push(
      limit(
        'scan_budget_exceeded',
        at,
        `Scanning stopped at ${where(at)}: ${what}; the rest was not scanned.`,
      ),
    )
  }

  const scanValue = (text: string, at: string): void => {
    const room = maxTotalLength - characters
    const part = text.length > room ? text.slice(0, room) : text
    characters += Math.min(part.length, scan.maxLength)
    scanString(part, at, scan, out)
    if (part !== text) stop(at, `more than ${maxTotalLength} characters in all`)
  }

  const walk = (value: unknown, at: string, depth: number): void => {
    if (stopped) return
    if (nodes >= maxNodes) {
      stop(at, `more than ${maxNodes} values`)
      return
    }
    nodes++
    if (typeof value === 'string') scanValue(value, at)
    else if (typeof value === 'number' && Number.isFinite(value)) scanValue(String(value), at)
    else if (typeof value === 'bigint') scanValue(value.toString(), at)
    else if (typeof value === 'object' && value !== null) walkObject(value, at, depth)
  }

  const walkObject = (value: object, at: string, depth: number): void => {
    if (
      walking.has(value) ||
      ArrayBuffer.isView(value) ||
      value instanceof Map ||
      value instanceof Set
    )
      return
    if (depth >= maxDepth) {
      out.push(
        limit(
          'scan_depth_exceeded',
          at,
          `${where(at)} is nested deeper than ${maxDepth} levels; it was not scanned.`,
        ),
      )
      return
    }
    walking.add(value)
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length && !stopped; i++) {
        const slot = Object.getOwnPropertyDescriptor(value, i)
        walk(
          slot !== undefined && 'value' in slot ? slot.value : undefined,
          `${at}[${i}]`,
          depth + 1,
        )
      }
    } else {
      for (const key of Object.keys(value)) {
        if (stopped) break
        const property = Object.getOwnPropertyDescriptor(value, key)
        if (property !== undefined && 'value' in property)
          walk(property.value, childPath(at, key), depth + 1)
      }
    }
    walking.delete(value)
  }

  walk(record, path, 0)
  return out
}
