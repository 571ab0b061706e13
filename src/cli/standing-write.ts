// How `datagate standing --write` changes the policy file and records it. A YAML policy keeps
// every byte but the standing values: yaml's Document API locates each partner's `standing`
// scalar, and its source range is replaced in the text. Re-printing the whole document with
// `doc.toString()` keeps comments and key order too, but rewrites flow collections
// (`{ $gt: 4 }` becomes `{$gt: 4}`), which would bury a one-word change in a noisy diff; it is
// only the fallback for a standing written as an alias. A JSON policy is re-serialised (JSON
// holds no comments), with the indentation it had. Either result is parsed back and compared
// with the intended document before anything is written.
import { randomUUID } from 'node:crypto'
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { isScalar, parseDocument } from 'yaml'
import { createAuditLog } from '../export/audit.js'
import type { AuditSink, AuditStandingChange } from '../export/audit-event.js'
import { fileAuditSink } from '../export/audit-file.node.js'
import { canonicalJson } from '../lib/canonical-json.js'
import { textDigest } from '../lib/digest.js'
import type { Policy } from '../policy/load.js'
import type { Standing } from '../policy/types.js'
import { postgresAuditSink } from '../stores/postgres-audit-sink.js'
import { type LogSpec, withoutCredentials } from './log-source.js'
import { loadPgPool } from './pg-pool.js'
import { usageError } from './usage.js'

// The parser options of policy-text.ts, so the edited text is read as the loader reads it.
const YAML_OPTIONS = { schema: 'core', uniqueKeys: true, maxAliasCount: 100 } as const

function rewriteJson(text: string, changes: ReadonlyMap<string, Standing>): string {
  const document = JSON.parse(text) as { partners: { id: string; standing: string }[] }
  for (const partner of document.partners) {
    const to = changes.get(partner.id)
    if (to !== undefined) partner.standing = to
  }
  const indent = /\n([ \t]{1,10})"/.exec(text)?.[1] ?? '  '
  const out = `${JSON.stringify(document, null, indent)}${text.endsWith('\n') ? '\n' : ''}`
  // A file with CRLF line ends keeps them: otherwise every line of it would show as changed.
  return text.includes('\r\n') ? out.replace(/\n/g, '\r\n') : out
}

function rewriteYaml(text: string, changes: ReadonlyMap<string, Standing>): string {
  const doc = parseDocument(text, YAML_OPTIONS)
  const edits: { start: number; end: number; to: Standing }[] = []
  let spliceable = true
  const partners = doc.toJS().partners as { id: string }[]
  partners.forEach((partner, index) => {
    const to = changes.get(partner.id)
    if (to === undefined) return
    const node = doc.getIn(['partners', index, 'standing'], true)
    if (isScalar(node) && node.range) edits.push({ start: node.range[0], end: node.range[1], to })
    else spliceable = false
    doc.setIn(['partners', index, 'standing'], to)
  })
  if (!spliceable) return doc.toString({ lineWidth: 0 })
  let out = text
  for (const edit of edits.sort((a, b) => b.start - a.start))
    out = out.slice(0, edit.start) + edit.to + out.slice(edit.end)
  return out
}

/**
 * The policy text with each partner in `changes` given its new standing, and nothing else
 * changed. Throws (an internal error) when the result does not read back as intended.
 */
export function rewriteStandings(text: string, changes: ReadonlyMap<string, Standing>): string {
  const json = text.trimStart().startsWith('{')
  const parse = (t: string): unknown =>
    json ? JSON.parse(t) : parseDocument(t, YAML_OPTIONS).toJS()
  const out = json ? rewriteJson(text, changes) : rewriteYaml(text, changes)
  const expected = parse(text) as { partners: { id: string; standing: string }[] }
  for (const partner of expected.partners)
    partner.standing = changes.get(partner.id) ?? partner.standing
  // A standing carrying a YAML anchor that other values use would change those too.
  if (!isDeepStrictEqual(parse(out), expected))
    usageError(
      'the policy cannot be rewritten in place (a standing shared through a YAML anchor?): write those standings out plainly; nothing was written',
    )
  return out
}

/** Where the change was recorded. */
export interface RecordedChange {
  readonly seq: number
  readonly hash: string
}

/** The sink of the config's audit log, opened for appending, and how to let it go. */
async function openSink(
  spec: LogSpec,
  cwd: string,
): Promise<{ sink: AuditSink; close: () => Promise<void> }> {
  const postgres =
    typeof spec !== 'string'
      ? spec
      : /^postgres(ql)?:\/\//i.test(spec)
        ? { postgres: spec }
        : undefined
  if (postgres) {
    const Pool = await loadPgPool(`recording to ${withoutCredentials(postgres.postgres)}`)
    const pool = new Pool({ connectionString: postgres.postgres, max: 1 })
    const sink = postgresAuditSink({
      pool,
      ...(postgres.table === undefined ? {} : { table: postgres.table }),
      ...(postgres.schema === undefined ? {} : { schema: postgres.schema }),
    })
    return { sink, close: () => pool.end() }
  }
  const file = spec as string
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file))
    usageError(`no writer for ${file.slice(0, file.indexOf(':'))}:// audit logs`)
  const sink = await fileAuditSink(resolve(cwd, file))
  return { sink, close: () => sink.close() }
}

/**
 * Appends the new policy document and a `standing-change` event to the config's audit log: a
 * JSON Lines file (fileAuditSink; its lock keeps a running gate and this command from writing
 * at once, ERR_AUDIT_LOCKED names the holder) or the shared chain in PostgreSQL.
 */
export async function recordStandingChange(
  spec: LogSpec,
  cwd: string,
  before: Policy,
  after: Policy,
  facts: { scoresDigest: string; month: string; changes: readonly AuditStandingChange[] },
): Promise<RecordedChange> {
  const { sink, close } = await openSink(spec, cwd)
  try {
    const log = createAuditLog({ sink })
    const document = JSON.parse(canonicalJson(after.document)) as unknown
    await log.append({ type: 'policy', policyHash: textDigest(canonicalJson(document)), document })
    const event = await log.append({
      type: 'standing-change',
      fromPolicyHash: before.hash,
      toPolicyHash: after.hash,
      scoresDigest: facts.scoresDigest,
      month: facts.month,
      changes: facts.changes,
    })
    await log.close()
    return { seq: event.seq, hash: event.hash }
  } finally {
    await close()
  }
}

/**
 * Replaces `file` (read as `oldText`) with `newText` after `record` succeeds: the new text is
 * written beside it first, the file is checked to be unchanged since it was read, then the
 * change is recorded, then the new file is renamed over the old (atomic on one file system).
 * A failure before the rename leaves the policy as it was.
 */
export async function replacePolicyFile<T>(
  file: string,
  oldText: string,
  newText: string,
  record: () => Promise<T>,
): Promise<T> {
  const temporary = join(dirname(file), `.${randomUUID()}.datagate-standing.tmp`)
  // The replacement keeps the policy file's permissions.
  const { mode } = await stat(file)
  await writeFile(temporary, newText, { flag: 'wx', mode: mode & 0o777 })
  try {
    if ((await readFile(file, 'utf8')) !== oldText)
      usageError(`${file} changed while standing ran; nothing was written`)
    const recorded = await record()
    await rename(temporary, file)
    return recorded
  } catch (error) {
    await unlink(temporary).catch(() => undefined)
    throw error
  }
}
