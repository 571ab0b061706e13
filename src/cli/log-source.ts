// Where `datagate log ...` reads audit events from. A source is an async iterable of events plus
// a way to name where event `index` is (a line of a file; a row of a table), so a store (the
// PostgreSQL sink's `readPostgresAuditLog`) plugs in as one more opener without the commands
// changing. Today: JSON Lines files written by fileAuditSink.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { readAuditLog } from '../export/audit-file.node.js'
import { shownPath } from './config.js'
import { usageError } from './usage.js'

/** An audit log to read. */
export interface LogSource {
  /** What to call it in reports: a file path, or a store's name without credentials. */
  readonly name: string
  /** The events in chain order. */
  events(): AsyncIterable<unknown>
  /** Where event `index` (0-based) is, for a person: `line 12`. */
  locate(index: number): { readonly line?: number }
  /** A last line cut short by a crash (files only), 1-based. */
  readonly torn: { readonly line: number } | undefined
}

/** Opens the log named `spec`: a file path; a store URL once its reader is there. */
export async function openLogSource(spec: string, cwd: string): Promise<LogSource> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    const scheme = spec.slice(0, spec.indexOf(':'))
    usageError(`no reader for ${scheme}:// audit logs in this version; pass a JSON Lines file`)
  }
  const file = resolve(cwd, spec)
  if (!existsSync(file)) usageError(`audit log ${spec} not found`)
  let contents: Awaited<ReturnType<typeof readAuditLog>>
  try {
    contents = await readAuditLog(file)
  } catch (error) {
    return usageError(
      `cannot read audit log ${spec}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    )
  }
  const { events, torn } = contents
  return {
    name: shownPath(cwd, file),
    torn,
    async *events() {
      yield* events
    },
    // readAuditLog keeps one entry per line (a line that is not JSON is `null`), so event i is line i+1.
    locate: (index) => ({ line: index + 1 }),
  }
}
