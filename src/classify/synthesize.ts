// Synthetic records from a dataset's schema, drawn from a keyed byte source: the watermark rows
// of export/watermark.ts. Hand-written: the mock generators for zod (zod-mock, zod-fixture,
// zod-fast-check) draw from Math.random or faker, do not follow zod 4's internals, and know
// nothing of the PII kinds and row conditions a plausible record here must respect. Values
// take the shape of real ones where the field says what it holds (its `pii` tag, a string
// format, number bounds, enum entries, the last key of its path); a row condition on a leaf
// steers its value. The caller validates the result against the schema and the condition and
// draws again when it does not pass: this only aims, it does not decide.
import { z } from 'zod'
import { innerOf, unwrapped } from '../lib/zod-wrappers.js'
import { type Dataset, type DatasetField, formatPath } from './dataset.js'
import { residentIdCheckChar } from './detectors/resident-id.js'
import { socialCreditCodeCheckChar } from './detectors/social-credit-code.js'
import { vinCheckChar } from './detectors/vin.js'
import type { PiiKind } from './types.js'

/** Deterministic draws: `next()` is a uniform 32-bit integer from the keyed stream. */
export interface Draws {
  next(): number
}

/** A condition on a leaf, as written in an agreement's `where`. */
export type LeafCondition = unknown

const OMIT: unique symbol = Symbol('omit')

function int(draws: Draws, lo: number, hi: number): number {
  if (hi <= lo) return lo
  return lo + (draws.next() % (hi - lo + 1))
}

function pick<T>(draws: Draws, items: readonly T[]): T {
  return items[draws.next() % items.length] as T
}

function chars(draws: Draws, alphabet: string, n: number): string {
  let out = ''
  for (let i = 0; i < n; i++) out += alphabet[draws.next() % alphabet.length]
  return out
}

const DIGITS = '0123456789'
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ'
const LOWER = 'abcdefghijkmnpqrstuvwxyz'
const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
]
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '磊',
  '洋',
  '勇',
  '艳',
  '杰',
  '军',
  '涛',
  '明',
  '超',
  '华',
  '婷',
]
const CITIES = [
  'Hangzhou',
  'Ningbo',
  'Shanghai',
  'Suzhou',
  'Nanjing',
  'Wuhan',
  'Chengdu',
  'Shenzhen',
]
const PROVINCES = '京沪浙苏粤川鄂湘鲁豫皖闽'
const MODELS = ['EX5', 'ES6', 'ET5', 'Han', 'Qin Plus', 'ID.4', 'Tiguan L', 'Camry', 'Model Y']
const WMIS = ['LSV', 'LFV', 'LGW', 'LVS', 'LHG', 'LBV']
const REGIONS = ['110105', '310104', '330106', '320102', '440305', '510107', '420106']
const DOMAINS = ['163.com', 'qq.com', '126.com', 'outlook.com', 'sina.com']
const WORDS = ['north', 'east', 'standard', 'express', 'service', 'premium', 'basic', 'urban']

function isoDate(draws: Draws, fromYear: number, toYear: number): string {
  const y = int(draws, fromYear, toYear)
  const m = int(draws, 1, 12)
  const d = int(draws, 1, 28)
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}

function vin(draws: Draws): string {
  const alphabet = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789'
  const body = `${pick(draws, WMIS)}${chars(draws, alphabet, 5)}0${pick(draws, [...'NPRST'])}${chars(draws, alphabet, 1)}${chars(draws, DIGITS, 6)}`
  const check = vinCheckChar(body)
  return check === undefined ? body : `${body.slice(0, 8)}${check}${body.slice(9)}`
}

function residentId(draws: Draws): string {
  const first17 = `${pick(draws, REGIONS)}${isoDate(draws, 1960, 2004).replaceAll('-', '')}${chars(draws, DIGITS, 3)}`
  return `${first17}${residentIdCheckChar(first17) ?? '0'}`
}

function socialCreditCode(draws: Draws): string {
  const first17 = `91${pick(draws, REGIONS)}${chars(draws, `${DIGITS}ABCDEFGHJKLMNPQRTUWXY`, 9)}`
  return `${first17}${socialCreditCodeCheckChar(first17) ?? '0'}`
}

function luhnCard(draws: Draws): string {
  const body = `62${chars(draws, DIGITS, 13)}`
  let sum = 0
  for (let i = 0; i < body.length; i++) {
    let digit = Number(body[body.length - 1 - i])
    if (i % 2 === 0) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
  }
  return `${body}${(10 - (sum % 10)) % 10}`
}

function byPii(kind: PiiKind, draws: Draws): string | undefined {
  switch (kind) {
    case 'name':
      return `${pick(draws, SURNAMES)}${pick(draws, GIVEN)}${draws.next() % 2 === 0 ? pick(draws, GIVEN) : ''}`
    case 'mobile':
      return `1${pick(draws, [...'3456789'])}${chars(draws, DIGITS, 9)}`
    case 'phone':
      return `0${pick(draws, ['571', '574', '21', '10', '25'])}-${int(draws, 2, 8)}${chars(draws, DIGITS, 7)}`
    case 'email':
      return `${chars(draws, LOWER, int(draws, 4, 8))}${chars(draws, DIGITS, 2)}@${pick(draws, DOMAINS)}`
    case 'resident_id':
      return residentId(draws)
    case 'bank_card':
      return luhnCard(draws)
    case 'licence_plate':
      return `${pick(draws, [...PROVINCES])}${pick(draws, [...'ABCDEFGH'])}${chars(draws, `${DIGITS}ABCDEFGHJKLMNPQRSTUVWXYZ`, 5)}`
    case 'vin':
      return vin(draws)
    case 'passport':
      return `E${chars(draws, DIGITS, 8)}`
    case 'social_credit_code':
      return socialCreditCode(draws)
    case 'ip_address':
      return `${int(draws, 36, 223)}.${int(draws, 0, 255)}.${int(draws, 0, 255)}.${int(draws, 1, 254)}`
    case 'address':
      return `${pick(draws, CITIES)} ${pick(draws, WORDS)} road ${int(draws, 1, 999)}`
    case 'birth_date':
      return isoDate(draws, 1960, 2004)
    default:
      return undefined
  }
}

/** A string shaped after an example: each digit, letter kept as a digit, a letter of its case. */
function shapedLike(example: string, draws: Draws): string {
  let out = ''
  for (const ch of example) {
    if (ch >= '0' && ch <= '9') out += chars(draws, DIGITS, 1)
    else if (ch >= 'A' && ch <= 'Z') out += chars(draws, UPPER, 1)
    else if (ch >= 'a' && ch <= 'z') out += chars(draws, LOWER, 1)
    else out += ch
  }
  return out
}

function byName(name: string, draws: Draws): string {
  const key = name.toLowerCase()
  if (key.includes('city')) return pick(draws, CITIES)
  if (key.includes('model')) return pick(draws, MODELS)
  if (/(date|day)$/.test(key)) return isoDate(draws, 2020, 2026)
  if (/(at|time)$/.test(key))
    return `${isoDate(draws, 2020, 2026)}T${String(int(draws, 8, 19)).padStart(2, '0')}:${String(int(draws, 0, 59)).padStart(2, '0')}:00Z`
  if (/(id|code|no|number|ref)$/.test(key))
    return `${
      name
        .replace(/[^A-Za-z]/g, '')
        .slice(0, 2)
        .toUpperCase() || 'X'
    }${chars(draws, DIGITS, 8)}`
  return pick(draws, WORDS)
}

function fitLength(value: string, min: number | null, max: number | null, draws: Draws): string {
  let out = value
  if (min !== null && out.length < min) out += chars(draws, LOWER, min - out.length)
  if (max !== null && out.length > max) out = out.slice(0, max)
  return out
}

function stringValue(
  schema: z.ZodString,
  name: string,
  pii: PiiKind | undefined,
  draws: Draws,
): string {
  const examples = (z.globalRegistry.get(schema) as { examples?: unknown } | undefined)?.examples
  switch (schema.format) {
    case 'email':
      return byPii('email', draws) as string
    case 'uuid':
    case 'guid': {
      const hexChars = chars(draws, '0123456789abcdef', 32)
      return `${hexChars.slice(0, 8)}-${hexChars.slice(8, 12)}-4${hexChars.slice(13, 16)}-${pick(draws, [...'89ab'])}${hexChars.slice(17, 20)}-${hexChars.slice(20)}`
    }
    case 'date':
      return isoDate(draws, 2020, 2026)
    case 'datetime':
      return `${isoDate(draws, 2020, 2026)}T${String(int(draws, 8, 19)).padStart(2, '0')}:${String(int(draws, 0, 59)).padStart(2, '0')}:00Z`
    case 'ipv4':
      return byPii('ip_address', draws) as string
    case 'url':
      return `https://www.${chars(draws, LOWER, 6)}.cn/${chars(draws, LOWER, 5)}`
    default:
      break
  }
  const shaped =
    (pii === undefined ? undefined : byPii(pii, draws)) ??
    (Array.isArray(examples) && typeof examples[0] === 'string'
      ? shapedLike(pick(draws, examples as string[]), draws)
      : byName(name, draws))
  return fitLength(shaped, schema.minLength, schema.maxLength, draws)
}

/** The range a number named `name` is drawn from when nothing narrower is known. */
function nameRange(name: string): readonly [number, number] {
  const key = name.toLowerCase()
  return key.includes('age')
    ? [18, 80]
    : key.includes('hour')
      ? [1, 12]
      : /price|amount|cost|fee/.test(key)
        ? [100, 10_000]
        : [0, 1000]
}

function numberValue(schema: z.ZodNumber, name: string, draws: Draws): number {
  const [lo, hi] = nameRange(name)
  const min = Math.max(schema.minValue ?? lo, Math.min(lo, schema.maxValue ?? lo))
  const max = Math.min(schema.maxValue ?? hi, Math.max(hi, min))
  const low = Number.isFinite(min) ? min : lo
  const high = Number.isFinite(max) && max >= low ? max : low + (hi - lo)
  if (schema.isInt) return int(draws, Math.ceil(low), Math.floor(high))
  return Math.round((low + (draws.next() / 2 ** 32) * (high - low)) * 10) / 10
}

/** A number within the condition's bounds and the schema's, or `undefined` when they do not meet. */
function steerNumber(
  ops: Record<string, unknown>,
  schema: z.ZodType,
  name: string,
  draws: Draws,
): number | undefined {
  const leaf = unwrapped(schema)
  const isInt = leaf instanceof z.ZodNumber && leaf.isInt === true
  const step = isInt ? 1 : 1e-6
  let lo =
    leaf instanceof z.ZodNumber && Number.isFinite(leaf.minValue)
      ? (leaf.minValue as number)
      : Number.NEGATIVE_INFINITY
  let hi =
    leaf instanceof z.ZodNumber && Number.isFinite(leaf.maxValue)
      ? (leaf.maxValue as number)
      : Number.POSITIVE_INFINITY
  if (typeof ops.$gte === 'number') lo = Math.max(lo, ops.$gte)
  if (typeof ops.$gt === 'number') lo = Math.max(lo, ops.$gt + step)
  if (typeof ops.$lte === 'number') hi = Math.min(hi, ops.$lte)
  if (typeof ops.$lt === 'number') hi = Math.min(hi, ops.$lt - step)
  // Within the bounds, the range the name suggests (hours 1-12), where the two meet: a condition
  // `$gte: 1` on hours must not draw 77 where real rows hold 1-12 and single the row out.
  const [nameLo, nameHi] = nameRange(name)
  if (leaf instanceof z.ZodNumber && Math.max(lo, nameLo) <= Math.min(hi, nameHi)) {
    lo = Math.max(lo, nameLo)
    hi = Math.min(hi, nameHi)
  }
  if (!Number.isFinite(lo)) lo = Number.isFinite(hi) ? hi - 100 : 0
  if (!Number.isFinite(hi)) hi = lo + 100
  if (isInt) {
    lo = Math.ceil(lo)
    hi = Math.floor(hi)
  }
  if (hi < lo) return undefined
  if (isInt) return int(draws, lo, hi)
  return Math.min(
    hi,
    Math.max(lo, Math.round((lo + (draws.next() / 2 ** 32) * (hi - lo)) * 10) / 10),
  )
}

/** A value meeting a condition on a scalar leaf (the caller checks it). */
function steer(
  condition: LeafCondition,
  schema: z.ZodType,
  name: string,
  draws: Draws,
  fallback: () => unknown,
): unknown {
  if (condition === null || typeof condition !== 'object') return condition
  const ops = condition as Record<string, unknown>
  if ('$eq' in ops) return ops.$eq
  if (Array.isArray(ops.$in) && ops.$in.length > 0) return pick(draws, ops.$in)
  if (ops.$exists === false) return OMIT
  const numeric = ['$gt', '$gte', '$lt', '$lte'].some((op) => typeof ops[op] === 'number')
  if (numeric) return steerNumber(ops, schema, name, draws) ?? fallback()
  if (typeof ops.$gte === 'string') return ops.$gte
  if (typeof ops.$lte === 'string') return ops.$lte
  return fallback()
}

function generate(
  schema: z.ZodType,
  segments: readonly string[],
  context: {
    readonly fields: ReadonlyMap<string, DatasetField>
    readonly conditions: ReadonlyMap<string, LeafCondition>
  },
  draws: Draws,
): unknown {
  const path = formatPath(segments)
  // The dataset's own leaf list says where a classified leaf is and what it holds (not the
  // registry: a dataset built by another copy of datagate, the CLI's bundle, is not in it).
  const leaf = segments.length === 0 ? undefined : context.fields.get(path)
  const name = [...segments].reverse().find((s) => s !== '[]') ?? ''
  if (leaf) {
    const value = () => leafValue(schema, name, leaf.pii, draws)
    return context.conditions.has(path)
      ? steer(context.conditions.get(path), schema, name, draws, value)
      : value()
  }
  const inner = innerOf(schema)
  if (inner) return generate(inner, segments, context, draws)
  if (schema instanceof z.ZodObject) {
    const out: Record<string, unknown> = {}
    for (const [key, child] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      const value = generate(child, [...segments, key], context, draws)
      if (value !== OMIT) out[key] = value
    }
    return out
  }
  if (schema instanceof z.ZodArray) {
    const length = int(draws, 1, 2)
    return Array.from({ length }, () =>
      generate(schema.element as z.ZodType, [...segments, '[]'], context, draws),
    )
  }
  return leafValue(schema, name, undefined, draws)
}

function leafValue(
  schema: z.ZodType,
  name: string,
  pii: PiiKind | undefined,
  draws: Draws,
): unknown {
  const inner = innerOf(schema)
  if (inner) return leafValue(inner, name, pii, draws)
  const def = schema._zod.def as { type: string; options?: z.ZodType[] }
  if (schema instanceof z.ZodString) return stringValue(schema, name, pii, draws)
  if (schema instanceof z.ZodNumber) return numberValue(schema, name, draws)
  if (schema instanceof z.ZodBoolean) return draws.next() % 2 === 0
  if (schema instanceof z.ZodEnum) return pick(draws, Object.values(schema._zod.def.entries))
  if (schema instanceof z.ZodLiteral) return pick(draws, [...schema._zod.def.values])
  if (schema instanceof z.ZodDate) return new Date(`${isoDate(draws, 2020, 2026)}T00:00:00Z`)
  if (schema instanceof z.ZodNull) return null
  if (schema instanceof z.ZodUnion && def.options?.[0])
    return leafValue(def.options[0], name, pii, draws)
  if (schema instanceof z.ZodObject || schema instanceof z.ZodArray)
    return generate(schema, [name], { fields: new Map(), conditions: new Map() }, draws)
  if (schema instanceof z.ZodRecord) return {}
  return undefined
}

/**
 * One synthetic record of `dataset`, every leaf drawn from `draws`, the
 * leaves named in `conditions` (dot paths, as in `where`) steered to meet them. Not validated.
 */
export function synthesizeRecord(
  dataset: Dataset,
  conditions: ReadonlyMap<string, LeafCondition>,
  draws: Draws,
): Record<string, unknown> {
  const fields = new Map(dataset.fields.map((f) => [f.path, f]))
  return generate(dataset.schema, [], { fields, conditions }, draws) as Record<string, unknown>
}
