/**
 * Guardrail tags on dataset fields: important data and sensitive personal information in the
 * sense of the automotive data provisions (汽车数据安全管理若干规定, 2021, Art. 3), and the
 * maximum precision a location field may leave with. They are apart from the field's class:
 * `field.sensitive` never leaves at all, while a field tagged `sensitivePI` may leave (to whom
 * and in what form the policy decides) and is counted and reported as such.
 *
 * @packageDocumentation
 */
import { assertNumber, assertObject, assertOneOf, invalidArgument } from '../lib/assert.js'

/**
 * Kinds of important data (Art. 3 of the automotive provisions): `sensitive_area` geographic,
 * people-flow and vehicle-flow data of sensitive areas (military zones, defence industry units,
 * Party and government bodies at county level and above); `vehicle_flow` vehicle-flow and
 * logistics data that reflects economic activity; `exterior_video` video and images taken
 * outside the vehicle that show faces or licence plates; `charging_network` operating data of
 * the charging network; `other` important data the authorities name. Personal information of
 * more than 100,000 people is important data too; that is a count, not a tag (the policy's
 * `importantData.individuals`).
 *
 * @example
 * ```ts
 * import { IMPORTANT_DATA_KINDS, type ImportantDataKind } from 'datagate/classify'
 *
 * const kind: ImportantDataKind = 'charging_network'
 * console.log(IMPORTANT_DATA_KINDS.includes(kind)) // true
 * ```
 */
export type ImportantDataKind =
  | 'sensitive_area'
  | 'vehicle_flow'
  | 'exterior_video'
  | 'charging_network'
  | 'other'

/**
 * Every {@link ImportantDataKind}, in the order of Art. 3.
 *
 * @example
 * ```ts
 * import { IMPORTANT_DATA_KINDS } from 'datagate/classify'
 *
 * console.log(IMPORTANT_DATA_KINDS.length) // 5
 * ```
 */
export const IMPORTANT_DATA_KINDS: readonly ImportantDataKind[] = Object.freeze([
  'sensitive_area',
  'vehicle_flow',
  'exterior_video',
  'charging_network',
  'other',
])

/**
 * Kinds of sensitive personal information: `location` vehicle location and trajectories,
 * `audio_video` audio, video and images of people, `biometric` biometric features (face,
 * voiceprint, fingerprint), as Art. 3 of the automotive provisions lists them; and, from PIPL
 * Art. 28, `financial` accounts, `health` medical data, `minor` information of children under 14,
 * `other`.
 *
 * @example
 * ```ts
 * import { SENSITIVE_PI_KINDS, type SensitivePIKind } from 'datagate/classify'
 *
 * const kind: SensitivePIKind = 'location'
 * console.log(SENSITIVE_PI_KINDS.indexOf(kind)) // 0
 * ```
 */
export type SensitivePIKind =
  | 'location'
  | 'audio_video'
  | 'biometric'
  | 'financial'
  | 'health'
  | 'minor'
  | 'other'

/**
 * Every {@link SensitivePIKind}.
 *
 * @example
 * ```ts
 * import { SENSITIVE_PI_KINDS } from 'datagate/classify'
 *
 * console.log(SENSITIVE_PI_KINDS.join(','))
 * // location,audio_video,biometric,financial,health,minor,other
 * ```
 */
export const SENSITIVE_PI_KINDS: readonly SensitivePIKind[] = Object.freeze([
  'location',
  'audio_video',
  'biometric',
  'financial',
  'health',
  'minor',
  'other',
])

/**
 * The finest a location may leave: a geohash of at most `geohash` characters, or coordinates
 * of at most `decimals` decimal places. The two compare by cell size: a cap of `{ geohash: 5 }`
 * (cells of about 0.044° by 0.044°) admits `generalize.geo({ decimals: 1 })` (0.1°) and refuses
 * `{ decimals: 2 }` (0.01°).
 *
 * @example
 * ```ts
 * import type { PrecisionCap } from 'datagate/classify'
 *
 * const cap: PrecisionCap = { geohash: 5 }
 * console.log('geohash' in cap) // true
 * ```
 */
export type PrecisionCap = { readonly geohash: number } | { readonly decimals: number }

/** The default cap of a location field that declares none (field or policy): geohash 5. */
export const DEFAULT_PRECISION_CAP: PrecisionCap = Object.freeze({ geohash: 5 })

/** Checks the guardrail tags of `field.*` options. */
export function checkGuardrailTags(
  options: {
    readonly important?: unknown
    readonly sensitivePI?: unknown
    readonly maxPrecision?: unknown
  },
  what: string,
): void {
  if (options.important !== undefined)
    assertOneOf(options.important, `${what}: important`, IMPORTANT_DATA_KINDS)
  if (options.sensitivePI !== undefined)
    assertOneOf(options.sensitivePI, `${what}: sensitivePI`, SENSITIVE_PI_KINDS)
  if (options.maxPrecision !== undefined)
    checkPrecisionCap(options.maxPrecision, `${what}: maxPrecision`)
}

/** Asserts a {@link PrecisionCap}: exactly one of `geohash` (1-12) or `decimals` (0-8). */
export function checkPrecisionCap(value: unknown, what: string): asserts value is PrecisionCap {
  assertObject(value, what)
  const keys = Object.keys(value)
  if (keys.length !== 1 || (keys[0] !== 'geohash' && keys[0] !== 'decimals'))
    invalidArgument('range', what, 'exactly one of { geohash } or { decimals }')
  if (keys[0] === 'geohash')
    assertNumber(value.geohash, `${what}.geohash`, { integer: true, min: 1, max: 12 })
  else assertNumber(value.decimals, `${what}.decimals`, { integer: true, min: 0, max: 8 })
}

/**
 * The cell a precision leaves, in degrees of latitude and longitude: a geohash of `p`
 * characters has ceil(5p/2) longitude bits and floor(5p/2) latitude bits; `d` decimals leave
 * cells of 10^-d degrees.
 */
export function precisionCell(cap: PrecisionCap): { readonly lat: number; readonly lng: number } {
  if ('geohash' in cap) {
    const bits = 5 * cap.geohash
    return { lat: 180 / 2 ** Math.floor(bits / 2), lng: 360 / 2 ** Math.ceil(bits / 2) }
  }
  const size = 10 ** -cap.decimals
  return { lat: size, lng: size }
}

/** Whether `precision` is no finer than `cap` in both directions. */
export function withinCap(precision: PrecisionCap, cap: PrecisionCap): boolean {
  const leaves = precisionCell(precision)
  const allowed = precisionCell(cap)
  // A relative tolerance: 10 ** -2 and 1 / 100 differ in the last bit.
  const slack = 1 - 1e-9
  return leaves.lat >= allowed.lat * slack && leaves.lng >= allowed.lng * slack
}

/** `geohash 5` or `2 decimals`, for messages. */
export function describePrecision(cap: PrecisionCap): string {
  return 'geohash' in cap ? `geohash ${cap.geohash}` : `${cap.decimals} decimals`
}
