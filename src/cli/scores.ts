// The monthly quality scores `datagate standing` reads: CSV with a header, or a JSON array, one
// row per partner and month. The digest is of the file's exact bytes, so `sha256sum` of the file
// compared with the audit event's scoresDigest tells which file decided a change.
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { parse as parseCsv } from 'csv-parse/sync'
import { z } from 'zod'
import { bytesDigest } from '../lib/digest.js'
import type { MonthlyScores } from '../policy/standing-history.js'
import { usageError } from './usage.js'

/** Largest scores file read, in bytes: a year of monthly rows for thousands of partners fits. */
const MAX_SCORES_BYTES = 10 * 1024 * 1024
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/
// Decimal notation only (no `0x10`, `Infinity` or blanks, which Number() also reads); bounded so
// it stays linear, and Number() then decides whether the characters make a number.
const NUMBER_CHARACTERS = /^[0-9.eE+-]{1,32}$/
const isNumber = (text: string) => NUMBER_CHARACTERS.test(text) && Number.isFinite(Number(text))

const metric = z.number().min(0).max(5)
const rowSchema = z.strictObject({
  partner: z.string().min(1).max(256),
  month: z.string().regex(MONTH, 'expected YYYY-MM'),
  satisfaction: metric,
  responseSpeed: metric,
  complaintHandling: metric,
  priceFairness: metric,
  complaintRate: z.number().min(0).max(1),
})
/** The columns of a scores file, in the order the docs show them. */
export const SCORE_COLUMNS = Object.keys(rowSchema.shape) as readonly string[]

/** A scores file read: rows by partner (each partner's months), its digest and latest month. */
export interface ScoresFile {
  readonly digest: string
  readonly byPartner: ReadonlyMap<string, readonly MonthlyScores[]>
  /** The latest month of any row. */
  readonly latest: string
}

/** A CSV cell: a number when it reads as one (`0.4%` is 0.004), else the text, for zod to judge. */
function cell(column: string, text: string): unknown {
  if (column === 'partner' || column === 'month') return text
  if (column === 'complaintRate' && text.endsWith('%') && isNumber(text.slice(0, -1)))
    // 1.1 / 100 is 0.011000000000000001 in binary; 15 significant digits give back 0.011.
    return Number((Number(text.slice(0, -1)) / 100).toPrecision(15))
  return isNumber(text) ? Number(text) : text
}

function csvRows(text: string, file: string): { rows: unknown[]; lines: number[] } {
  type Row = { record: string[]; info: { lines: number } }
  let table: Row[]
  try {
    // csv-parse's types do not model `info: true`, which turns each record into { record, info }.
    table = parseCsv(text, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as Row[]
  } catch (error) {
    return usageError(`${file}: not CSV: ${(error as Error).message}`)
  }
  const [first, ...body] = table
  if (first === undefined) return usageError(`${file}: empty; expected ${SCORE_COLUMNS.join(',')}`)
  const header = first.record
  const unknown = header.filter((h) => !SCORE_COLUMNS.includes(h))
  const missing = SCORE_COLUMNS.filter((c) => !header.includes(c))
  if (unknown.length > 0 || missing.length > 0)
    usageError(
      `${file}: header must name ${SCORE_COLUMNS.join(',')}${missing.length ? `; missing ${missing.join(', ')}` : ''}${unknown.length ? `; unknown ${unknown.join(', ')}` : ''}`,
    )
  return {
    rows: body.map(({ record }) =>
      Object.fromEntries(header.map((h, i) => [h, cell(h, record[i] ?? '')])),
    ),
    lines: body.map(({ info }) => info.lines),
  }
}

/** Reads and validates a scores file; anything wrong with it is a usage error (exit 2). */
export async function readScores(path: string, shown: string): Promise<ScoresFile> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (error) {
    return usageError(`cannot read ${shown}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`)
  }
  if (bytes.length > MAX_SCORES_BYTES) usageError(`${shown}: larger than ${MAX_SCORES_BYTES} bytes`)
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return usageError(`${shown}: not UTF-8 text`)
  }
  const json = extname(path).toLowerCase() === '.json' || /^\s*\[/.test(text)
  let rows: unknown[]
  let where: (i: number) => string
  if (json) {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return usageError(`${shown}: not JSON`)
    }
    if (!Array.isArray(value)) usageError(`${shown}: expected a JSON array of monthly scores`)
    rows = value
    where = (i) => `[${i}]`
  } else {
    const csv = csvRows(text, shown)
    rows = csv.rows
    where = (i) => `line ${csv.lines[i]}`
  }
  if (rows.length === 0) usageError(`${shown}: no scores`)
  const byPartner = new Map<string, MonthlyScores[]>()
  const seen = new Set<string>()
  const problems: string[] = []
  rows.forEach((raw, i) => {
    const parsed = rowSchema.safeParse(raw)
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push(`${where(i)}: ${issue.path.join('.') || '(row)'}: ${issue.message}`)
      return
    }
    const { partner, ...scores } = parsed.data
    const key = `${partner}\u0000${scores.month}`
    if (seen.has(key)) problems.push(`${where(i)}: ${partner} has ${scores.month} twice`)
    seen.add(key)
    byPartner.set(partner, [...(byPartner.get(partner) ?? []), scores])
  })
  if (problems.length > 0)
    usageError(
      `${shown}: ${problems.length} problem(s):\n${problems
        .slice(0, 20)
        .map((p) => `  ${p}`)
        .join('\n')}`,
    )
  const latest = [...byPartner.values()]
    .flat()
    .map((s) => s.month)
    .sort()
    .at(-1) as string
  return { digest: bytesDigest(bytes), byPartner, latest }
}
