// The canonical JSON of an event before the database links it: every member but `prev` and `seq`
// is serialised here, by the same canonicalJson as auditEventHash, and the database fills in the
// two holes under its lock. Hand-written because no library splits a canonical serialisation
// around holes; it builds the top level exactly as lib/canonical-json.ts does (keys sorted by
// UTF-16 code units, undefined members left out, no whitespace), so that
// `beforePrev + JSON(prev) + beforeSeq + seq + after` is byte for byte
// `canonicalJson({ seq, time, ...body, prev })`, whose SHA-256 is the event's hash.
import { canonicalJson } from '../lib/canonical-json.js'

/** The three pieces around the `prev` and `seq` holes. */
export interface LinkTemplate {
  readonly beforePrev: string
  readonly beforeSeq: string
  readonly after: string
}

const PREV = Symbol('prev')
const SEQ = Symbol('seq')

/** Splits the canonical JSON of `{ seq, time, ...body, prev }` around `prev` and `seq`. */
export function linkTemplate(body: Readonly<Record<string, unknown>>, time: string): LinkTemplate {
  const record: Record<string, unknown> = { ...body, time, seq: SEQ, prev: PREV }
  const pieces: string[] = []
  let current = '{'
  let first = true
  for (const key of Object.keys(record).sort()) {
    const value = record[key]
    if (value === undefined) continue
    current += `${first ? '' : ','}${JSON.stringify(key)}:`
    first = false
    if (value === PREV || value === SEQ) {
      pieces.push(current)
      current = ''
    } else current += canonicalJson(value)
  }
  pieces.push(`${current}}`)
  // `prev` sorts before `seq`, so the holes always come in that order.
  const [beforePrev, beforeSeq, after] = pieces
  return { beforePrev: beforePrev ?? '', beforeSeq: beforeSeq ?? '', after: after ?? '' }
}

/** The text the database hashes, filled in as its SQL function does. */
export function fillTemplate(template: LinkTemplate, prev: string, seq: number): string {
  return `${template.beforePrev}${JSON.stringify(prev)}${template.beforeSeq}${seq}${template.after}`
}
