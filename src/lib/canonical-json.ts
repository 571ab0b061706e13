// Canonical JSON (RFC 8785 style key ordering) for digests and hashes that must not depend on
// property insertion order: schema hashes, policy hashes, payload digests, audit event hashes.
import { DatagateError } from '../errors.js'

/**
 * Serialises `value` with object keys sorted by UTF-16 code units, no whitespace.
 * Only JSON values are accepted: a function, symbol, bigint, non-finite number or cycle throws.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, new Set())
}

function serialise(value: unknown, seen: Set<object>): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      if (!Number.isFinite(value))
        throw new DatagateError('ERR_INVALID_ARGUMENT', 'canonical JSON: non-finite number')
      return JSON.stringify(value)
    case 'object':
      break
    default:
      throw new DatagateError('ERR_INVALID_ARGUMENT', `canonical JSON: ${typeof value} is not JSON`)
  }
  const object = value as object
  if (seen.has(object)) throw new DatagateError('ERR_INVALID_ARGUMENT', 'canonical JSON: cycle')
  seen.add(object)
  // Loops and one growing string rather than filter/map/join: digests of released views
  // serialise every record (measured in bench/delta.ts).
  let out: string
  if (Array.isArray(object)) {
    out = '['
    for (let i = 0; i < object.length; i++) {
      if (i > 0) out += ','
      const item: unknown = object[i]
      out += item === undefined ? 'null' : serialise(item, seen)
    }
    out += ']'
  } else if (object instanceof Date) {
    out = JSON.stringify(object.toISOString())
  } else {
    const record = object as Record<string, unknown>
    const keys = Object.keys(record).sort()
    out = '{'
    for (const key of keys) {
      const item = record[key]
      if (item === undefined) continue
      if (out.length > 1) out += ','
      out += `${JSON.stringify(key)}:${serialise(item, seen)}`
    }
    out += '}'
  }
  seen.delete(object)
  return out
}
