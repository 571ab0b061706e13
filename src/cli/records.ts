// Records given to the CLI (`explain --record`, `risk`): a JSON array, one JSON object, or NDJSON.
import { usageError } from './usage.js'

/** Parses a records file's text. */
export function parseRecords(text: string, file: string): unknown[] {
  const trimmed = text.trim()
  if (trimmed === '') return []
  try {
    const value: unknown = JSON.parse(trimmed)
    return Array.isArray(value) ? value : [value]
  } catch {
    // Not one JSON document: NDJSON, one record a line.
  }
  return trimmed.split(/\r?\n/).flatMap((line, i) => {
    if (line.trim() === '') return []
    try {
      return [JSON.parse(line) as unknown]
    } catch {
      return usageError(`${file}:${i + 1}: not JSON (expected a JSON array, an object or NDJSON)`)
    }
  })
}
