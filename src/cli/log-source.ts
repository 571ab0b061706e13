// Where `datagate log ...` reads audit events from. A source is an async iterable of events plus
// a way to name where event `index` is (a line of a file; a row of a table), so every command
// reads a JSON Lines file written by fileAuditSink and the shared PostgreSQL chain
// (`readPostgresAuditLog`) alike.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { readAuditLog } from '../export/audit-file.node.js'
import { readPostgresAuditLog } from '../stores/postgres-read.js'
import { loadPgPool } from './pg-pool.js'
import { shownPath } from './shown-path.js'
import { usageError } from './usage.js'

/** The shared chain in PostgreSQL: the config's `audit: { postgres: url, table?, schema? }`. */
export interface PostgresLogSpec {
  readonly postgres: string
  readonly table?: string | undefined
  readonly schema?: string | undefined
}

/** What names an audit log: a file path, a `postgres://` URL, or the config's object form. */
export type LogSpec = string | PostgresLogSpec

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

/**
 * The log a `log` command reads: its LOG argument or `--audit` (one of them, or the same twice),
 * else the config's `audit`. Neither is a usage error.
 */
export function chooseLog(
  argument: string | undefined,
  audit: string | undefined,
  config: { readonly audit: LogSpec | undefined } | undefined,
): LogSpec {
  if (argument !== undefined && audit !== undefined && argument !== audit)
    usageError('pass the audit log once: LOG or --audit')
  const log = argument ?? audit ?? config?.audit
  if (!log) return usageError('no audit log: pass LOG (or --audit) or set audit in the config')
  return log
}

/** Opens the log named `spec`: a JSON Lines file, or the PostgreSQL chain. */
export async function openLogSource(spec: LogSpec, cwd: string): Promise<LogSource> {
  if (typeof spec !== 'string') return openPostgresSource(spec)
  if (/^postgres(ql)?:\/\//i.test(spec)) return openPostgresSource({ postgres: spec })
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    const scheme = spec.slice(0, spec.indexOf(':'))
    usageError(`no reader for ${scheme}:// audit logs; pass a JSON Lines file or a postgres:// URL`)
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

/** A connection URL as shown in reports: user name and password removed. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url)
    parsed.username = ''
    parsed.password = ''
    return parsed.toString()
  } catch {
    return 'postgres://(unparsable URL)'
  }
}

async function openPostgresSource(spec: PostgresLogSpec): Promise<LogSource> {
  const name = withoutCredentials(spec.postgres)
  const Pool = await loadPgPool(`reading ${name}`)
  // Reachable now, so a wrong URL is unreadable input (exit 2) before any command runs; each
  // iteration of `events()` then has a pool of its own, ended when the iteration ends.
  const probe = new Pool({ connectionString: spec.postgres, max: 1 })
  try {
    await probe.query('SELECT 1')
  } catch (error) {
    return usageError(
      `cannot read audit log ${name}: ${(error as NodeJS.ErrnoException).code ?? 'connection failed'}`,
    )
  } finally {
    await probe.end().catch(() => undefined)
  }
  return {
    name,
    torn: undefined,
    async *events() {
      const pool = new Pool({ connectionString: spec.postgres, max: 1 })
      try {
        yield* readPostgresAuditLog(pool, {
          ...(spec.table === undefined ? {} : { table: spec.table }),
          ...(spec.schema === undefined ? {} : { schema: spec.schema }),
        })
      } finally {
        await pool.end()
      }
    },
    // A row of the table has no line; events are named by their seq.
    locate: () => ({}),
  }
}
