// What `datagate trace` reads as the leaked file: a JSON document (an array of records, an
// export payload `{ records }`, a json-mode body `{ data }`, a flattened JWS `{ payload }`),
// NDJSON records, CSV with a header row (dot paths for nested fields), one compact JWS, or a
// stream's NDJSON of compact JWS. Tokens are decoded without checking their signature: a leak
// is evidence, not something to trust, and the partner's copy may be past its `exp`.
import { parse as parseCsvText } from 'csv-parse/sync'
import { base64urlDecode } from '../lib/bytes.js'
import { bytesDigest, jsonDigest } from '../lib/digest.js'
import { isForbiddenKey } from '../lib/forbidden-keys.js'
import { usageError } from './usage.js'

/** A leak as read. */
export interface LeakInput {
  readonly input: 'json' | 'ndjson' | 'csv' | 'token' | 'tokens'
  readonly records: unknown[]
  readonly payloadDigests: string[]
  readonly signedDigests: string[]
  readonly dataset: string | undefined
}

const BASE64URL = /^[A-Za-z0-9_-]*$/
/** Deeper than any dataset's records: a leak nested past it is refused, not walked recursively. */
const MAX_DEPTH = 64

/** Whether every record nests at most MAX_DEPTH levels (walked without recursion). */
function withinDepth(records: readonly unknown[]): boolean {
  const stack: [unknown, number][] = records.map((r) => [r, 1])
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [value, depth] = item
    if (typeof value !== 'object' || value === null) continue
    if (depth > MAX_DEPTH) return false
    for (const child of Object.values(value)) stack.push([child, depth + 1])
  }
  return true
}

/** Whether `text` is `parts` base64url segments joined by dots (the first non-empty). */
function isCompact(text: string, parts: 3 | 5): boolean {
  const segments = text.split('.')
  return (
    segments.length === parts &&
    (segments[0] as string) !== '' &&
    segments.every((segment) => BASE64URL.test(segment)) &&
    (parts === 5 || (segments[1] as string) !== '')
  )
}
const COMPACT_JWS = { test: (text: string) => isCompact(text, 3) }
const COMPACT_JWE = { test: (text: string) => isCompact(text, 5) }

interface Decoded {
  records: unknown[]
  signedDigest: string
  payloadDigest: string | undefined
  dataset: string | undefined
}

function decodePayload(bytes: Uint8Array, file: string): Decoded {
  let payload: unknown
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return usageError(`${file}: a token whose payload is not JSON`)
  }
  const claims = (typeof payload === 'object' && payload !== null ? payload : {}) as {
    records?: unknown
    dataset?: { name?: unknown }
  }
  const records = Array.isArray(claims.records) ? claims.records : []
  return {
    records,
    signedDigest: bytesDigest(bytes),
    payloadDigest: Array.isArray(claims.records) ? jsonDigest(claims.records) : undefined,
    dataset: typeof claims.dataset?.name === 'string' ? claims.dataset.name : undefined,
  }
}

function decodeCompact(token: string, file: string): Decoded {
  if (COMPACT_JWE.test(token))
    usageError(`${file}: an encrypted token (JWE); decrypt it with the partner's key first`)
  const payload = token.split('.')[1] as string
  let bytes: Uint8Array
  try {
    bytes = base64urlDecode(payload)
  } catch {
    return usageError(`${file}: a token whose payload is not base64url`)
  }
  return decodePayload(bytes, file)
}

function fromTokens(tokens: readonly string[], file: string): LeakInput {
  const decoded = tokens.map((t) => decodeCompact(t, file))
  return {
    input: tokens.length === 1 ? 'token' : 'tokens',
    records: decoded.flatMap((d) => d.records),
    payloadDigests: decoded.flatMap((d) => (d.payloadDigest ? [d.payloadDigest] : [])),
    signedDigests: decoded.map((d) => d.signedDigest),
    dataset: decoded.find((d) => d.dataset)?.dataset,
  }
}

/**
 * CSV with a header row (csv-parse, RFC 4180: quoted fields, doubled quotes, CRLF or LF); a dot in
 * a header names a nested field (`vehicle.model`). A header segment that reaches an object's
 * prototype (`__proto__`, `constructor`, `prototype`) is refused: the records are built from
 * the finder's file, which anyone may have written.
 */
export function parseCsv(text: string, file: string): Record<string, unknown>[] {
  let rows: string[][]
  try {
    rows = parseCsvText(text, { bom: true, skip_empty_lines: true, relax_column_count: true })
  } catch (error) {
    return usageError(`${file}: not CSV: ${(error as Error).message}`)
  }
  const [header, ...body] = rows
  if (!header) return []
  for (const name of header)
    if (name.split('.').some(isForbiddenKey))
      usageError(`${file}:1: header ${JSON.stringify(name)} names a prototype key`)
  return body.map((cells, line) => {
    if (cells.length !== header.length)
      usageError(`${file}:${line + 2}: ${cells.length} fields, the header has ${header.length}`)
    const record: Record<string, unknown> = {}
    header.forEach((name, i) => {
      const value = cells[i] as string
      if (value === '') return
      const segments = name.split('.')
      let node = record
      for (const segment of segments.slice(0, -1)) {
        if (
          !Object.hasOwn(node, segment) ||
          typeof node[segment] !== 'object' ||
          node[segment] === null
        )
          node[segment] = {}
        node = node[segment] as Record<string, unknown>
      }
      node[segments[segments.length - 1] as string] = value
    })
    return record
  })
}

/** Reads the leaked file's text; records nested deeper than 64 levels are a usage error. */
export function readLeak(text: string, file: string): LeakInput {
  const leak = readAny(text, file)
  if (!withinDepth(leak.records))
    usageError(`${file}: records nested deeper than ${MAX_DEPTH} levels are not a dataset's`)
  return leak
}

function readAny(text: string, file: string): LeakInput {
  const trimmed = text.trim()
  const lines = trimmed.split(/\r?\n/).filter((l) => l.trim() !== '')
  if (
    lines.length > 0 &&
    lines.every((l) => COMPACT_JWS.test(l.trim()) || COMPACT_JWE.test(l.trim()))
  )
    return fromTokens(
      lines.map((l) => l.trim()),
      file,
    )
  const none = { payloadDigests: [] as string[], signedDigests: [] as string[], dataset: undefined }
  if (file.toLowerCase().endsWith('.csv'))
    return { input: 'csv', records: parseCsv(trimmed, file), ...none }
  let value: unknown
  let isJson = true
  try {
    value = JSON.parse(trimmed)
  } catch {
    // Not one JSON document: NDJSON, or CSV.
    isJson = false
  }
  if (isJson) {
    if (Array.isArray(value))
      return { input: 'json', records: value, ...none, payloadDigests: [jsonDigest(value)] }
    const object = (typeof value === 'object' && value !== null ? value : {}) as Record<
      string,
      unknown
    >
    // A flattened JWS: its errors are the leak's (outside the JSON.parse above, so a payload that
    // is not base64url or not JSON is said, not read as one NDJSON record).
    if (typeof object.payload === 'string' && typeof object.signature === 'string') {
      let bytes: Uint8Array
      try {
        bytes = base64urlDecode(object.payload)
      } catch {
        return usageError(`${file}: a token whose payload is not base64url`)
      }
      const decoded = decodePayload(bytes, file)
      return {
        input: 'token',
        records: decoded.records,
        payloadDigests: decoded.payloadDigest ? [decoded.payloadDigest] : [],
        signedDigests: [decoded.signedDigest],
        dataset: decoded.dataset,
      }
    }
    for (const member of ['records', 'data'] as const) {
      const records = object[member]
      if (Array.isArray(records))
        return { input: 'json', records, ...none, payloadDigests: [jsonDigest(records)] }
    }
    return { input: 'json', records: [value], ...none }
  }
  const parsed: unknown[] = []
  for (const line of lines) {
    try {
      parsed.push(JSON.parse(line))
    } catch {
      if (lines[0]?.includes(','))
        return { input: 'csv', records: parseCsv(trimmed, file), ...none }
      return usageError(`${file}: not JSON, NDJSON, CSV or a token`)
    }
  }
  return { input: 'ndjson', records: parsed, ...none }
}
