// `datagate scan PATHS…`: the PII detectors (classify/scan.ts) over files: JSON (every string
// and number, by JSON path), NDJSON (per line), JWS (the decoded payload; the signature is not
// checked: this asks what is inside, not who signed it), CSV and text (by line and column).
// Findings show a masked excerpt only; `--format sarif` is for code-scanning tools.
import { readdir, readFile, realpath, stat } from 'node:fs/promises'
import { extname, join, relative, resolve } from 'node:path'
import type { Command } from 'commander'
import type { z } from 'zod'
import { type PiiFinding, type ScanFinding, scanText } from '../classify/scan.js'
import { type CliState, emit, examples, fail, formatOption } from './command.js'
import { scanRenderers } from './reports/scan.js'
import type { ScanReportSchema } from './schemas.js'
import { usageError } from './usage.js'

type ScanReport = z.infer<typeof ScanReportSchema>
type Found = ScanReport['findings'][number]
type Format = Found['format']

const MAX_FILE_BYTES = 64 * 1024 * 1024
const MAX_DEPTH = 64
const SKIP_DIRS = new Set(['node_modules', '.git'])
const BASE64URL = /^[A-Za-z0-9_-]*$/

/** Three base64url parts, the first two non-empty: the shape of a compact JWS. */
function isCompactJws(text: string): boolean {
  const parts = text.split('.')
  return (
    parts.length === 3 &&
    parts[0] !== '' &&
    parts[1] !== '' &&
    parts.every((p) => BASE64URL.test(p))
  )
}

const isPii = (f: ScanFinding): f is PiiFinding => f.code.startsWith('pii_')

/** Up to 12 characters either side, every finding in the window replaced by ‹kind›. */
export function maskedExcerpt(
  text: string,
  findings: readonly PiiFinding[],
  at: PiiFinding,
): string {
  const from = Math.max(0, at.start - 12)
  const to = Math.min(text.length, at.end + 12)
  let out = ''
  let i = from
  for (const f of [...findings].sort((a, b) => a.start - b.start)) {
    if (f.end <= from || f.start >= to || f.start < i) continue
    out += `${text.slice(i, f.start)}‹${f.kind}›`
    i = f.end
  }
  out += text.slice(i, to)
  return `${from > 0 ? '…' : ''}${out.replace(/[\r\n\t]/g, ' ')}${to < text.length ? '…' : ''}`
}

interface Sink {
  readonly file: string
  readonly findings: Found[]
  readonly limits: ScanReport['limits']
}

function scanString(
  text: string,
  sink: Sink,
  format: Format,
  where: { jsonPath: string | null; line: number | null; column0?: number },
): void {
  const results = scanText(text, { path: where.jsonPath ?? '' })
  const pii = results.filter(isPii)
  for (const f of results)
    if (!isPii(f))
      sink.limits.push({ file: sink.file, code: f.code, path: f.path, message: f.message })
  for (const f of pii) {
    const column = where.line === null ? null : (where.column0 ?? 0) + f.start + 1
    sink.findings.push({
      file: sink.file,
      format,
      jsonPath: where.jsonPath,
      line: where.line,
      column,
      detector: f.kind,
      code: f.code,
      excerpt: maskedExcerpt(text, pii, f),
    })
  }
}

function childPath(parent: string, key: string): string {
  if (key === '' || /[.[\]]/.test(key)) return `${parent}[${JSON.stringify(key)}]`
  return parent === '' ? key : `${parent}.${key}`
}

function scanJson(value: unknown, sink: Sink, format: Format, path: string, depth = 0): void {
  if (depth > MAX_DEPTH) {
    sink.limits.push({
      file: sink.file,
      code: 'scan_depth_exceeded',
      path,
      message: `nesting deeper than ${MAX_DEPTH} was not scanned`,
    })
    return
  }
  if (typeof value === 'string') {
    // A string that is itself a compact JWS (a token kept in a record) is scanned decoded too.
    scanString(value, sink, format, { jsonPath: path, line: null })
    const payload = isCompactJws(value) ? decodeJws(value) : undefined
    if (payload !== undefined) scanJson(payload, sink, 'jws', `${path}#payload`, depth + 1)
  } else if (typeof value === 'number' || typeof value === 'bigint')
    scanString(String(value), sink, format, { jsonPath: path, line: null })
  else if (Array.isArray(value))
    value.forEach((item, i) => {
      scanJson(item, sink, format, `${path}[${i}]`, depth + 1)
    })
  else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value))
      scanJson(item, sink, format, childPath(path, key), depth + 1)
}

function decodeJws(token: string): unknown {
  const part = token.split('.')[1]
  if (!part) return undefined
  try {
    const text = Buffer.from(part, 'base64url').toString('utf8')
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * Columns of a CSV line start after each unquoted comma (RFC 4180 quoting); returns each field's
 * start offset. Written here rather than taken from a CSV parser because the scan reports a
 * finding by line and column of the file, which parsers (csv-parse, papaparse) do not give per
 * field: every line is scanned as text, and this only names the column a finding falls in. A
 * quoted field spanning lines is still scanned (line by line) but named by position only.
 */
function csvFieldStarts(line: string): number[] {
  const starts = [0]
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (ch === '"') quoted = !quoted
    else if (ch === ',' && !quoted) starts.push(i + 1)
  }
  return starts
}

function scanFileText(text: string, file: string, sink: Sink): Format {
  const ext = extname(file).toLowerCase()
  const trimmed = text.trim()
  if (ext === '.jws' || ext === '.jwt' || isCompactJws(trimmed)) {
    const payload = decodeJws(trimmed)
    if (payload !== undefined) {
      scanJson(payload, sink, 'jws', '')
      return 'jws'
    }
  }
  if (ext === '.json') {
    try {
      scanJson(JSON.parse(text), sink, 'json', '')
      return 'json'
    } catch {
      // Not valid JSON: scanned as text below, by line and column.
    }
  }
  const lines = text.split(/\r?\n/)
  if (ext === '.ndjson' || ext === '.jsonl') {
    lines.forEach((line, i) => {
      if (line.trim() === '') return
      try {
        scanJson(JSON.parse(line), sink, 'ndjson', `line ${i + 1}`)
      } catch {
        scanString(line, sink, 'ndjson', { jsonPath: null, line: i + 1 })
      }
    })
    return 'ndjson'
  }
  if (ext === '.csv') {
    const header = lines[0] ?? ''
    const names = csvFieldStarts(header).map((start, i, all) =>
      header.slice(start, (all[i + 1] ?? header.length + 1) - 1).replace(/^"|"$/g, ''),
    )
    lines.forEach((line, i) => {
      const starts = csvFieldStarts(line)
      const before = sink.findings.length
      scanString(line, sink, 'csv', { jsonPath: null, line: i + 1 })
      // Name the column a finding is in, from the header.
      for (const f of sink.findings.slice(before)) {
        const index = starts.filter((s) => s <= (f.column ?? 1) - 1).length - 1
        const name = i > 0 ? names[index] : undefined
        if (name) Object.assign(f, { jsonPath: name })
      }
    })
    return 'csv'
  }
  lines.forEach((line, i) => {
    scanString(line, sink, 'text', { jsonPath: null, line: i + 1 })
  })
  return 'text'
}

// A symlink loop (a -> ..) made stat fail with ELOOP and the run end as an internal error: each
// real folder is walked once, and what cannot be read is reported as unreadable, not thrown.
async function* walk(
  path: string,
  seen: Set<string>,
): AsyncGenerator<string | { unreadable: string }> {
  try {
    const info = await stat(path)
    if (info.isDirectory()) {
      const real = await realpath(path)
      if (seen.has(real)) return
      seen.add(real)
      for (const entry of (await readdir(path)).sort())
        if (!SKIP_DIRS.has(entry)) yield* walk(join(path, entry), seen)
    } else if (info.isFile()) yield path
  } catch {
    yield { unreadable: path }
  }
}

/** Scans files and folders. */
export async function scanPaths(paths: readonly string[], cwd: string): Promise<ScanReport> {
  const report: ScanReport = { files: 0, skipped: [], findings: [], limits: [] }
  for (const given of paths) {
    const root = resolve(cwd, given)
    try {
      await stat(root)
    } catch {
      usageError(`${given} not found`)
    }
    for await (const item of walk(root, new Set())) {
      const file = typeof item === 'string' ? item : item.unreadable
      const name = relative(cwd, file) || file
      let bytes: Buffer
      try {
        // Size first: a 2 GB file is skipped, not read whole.
        if (typeof item !== 'string' || (await stat(file)).size > MAX_FILE_BYTES) throw item
        bytes = await readFile(file)
      } catch (cause) {
        report.skipped.push({
          file: name,
          reason: typeof cause === 'string' ? `larger than ${MAX_FILE_BYTES} bytes` : 'unreadable',
        })
        continue
      }
      if (bytes.length > MAX_FILE_BYTES) {
        report.skipped.push({ file: name, reason: `larger than ${MAX_FILE_BYTES} bytes` })
        continue
      }
      if (bytes.includes(0)) {
        report.skipped.push({ file: name, reason: 'binary' })
        continue
      }
      report.files++
      scanFileText(bytes.toString('utf8'), file, {
        file: name,
        findings: report.findings,
        limits: report.limits,
      })
    }
  }
  return report
}

/** Registers `datagate scan`. */
export function scanCommand(program: Command, state: CliState, version: string): void {
  const command = program
    .command('scan')
    .description('look for personal data in files: JSON, NDJSON, JWS payloads, CSV and text')
    .argument('<paths...>', 'files or folders (node_modules and .git are skipped)')
  formatOption(command, ['text', 'json', 'sarif'])
  examples(command, [
    'datagate scan exports/',
    'datagate scan out.ndjson tokens/ --format sarif > datagate.sarif',
  ])
  command.action(async (paths: string[], options: { format: string }) => {
    const report = await scanPaths(paths, state.io.cwd)
    emit(state, scanRenderers(version), options.format, report)
    if (report.findings.length > 0) fail(state, 1)
    // A file that could not be read was not scanned: not a clean result.
    if (report.skipped.some((s) => s.reason === 'unreadable')) fail(state, 2)
  })
}
