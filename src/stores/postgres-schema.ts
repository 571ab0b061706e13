// Names and SQL of the audit table, shared by migrate, the sink and the reader: one place that
// quotes identifiers and names the append function, so the three never disagree.
import { assertString, invalidArgument } from '../lib/assert.js'

/** Default table of the audit chain. */
export const DEFAULT_AUDIT_TABLE = 'datagate_audit'

/**
 * The minimum of a `pg` Pool (or Client) the stores use: one `query` with positional values.
 *
 * @example
 * ```ts
 * import type { PostgresQueryable } from 'datagate/postgres'
 *
 * const rows: unknown[] = []
 * const fake: PostgresQueryable = { query: async () => ({ rows }) }
 * console.log(typeof fake.query) // 'function'
 * ```
 */
export interface PostgresQueryable {
  /** Runs one statement with positional values (`$1`, `$2`, ...). */
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>
}

/** Quoted names of one chain's table, its append function and its lock key. */
export interface AuditTableNames {
  readonly table: string
  readonly append: string
  /** The plain table name, for messages. */
  readonly plain: string
}

const utf8Length = (text: string) => new TextEncoder().encode(text).length

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`

/**
 * Checks and quotes `table` (and `schema`). Names are quoted as identifiers, so any characters
 * work, except NUL (PostgreSQL refuses it) and `$` (the function body is dollar-quoted); at most
 * 56 UTF-8 bytes so that `<table>_append` fits PostgreSQL's 63 (it truncates longer identifiers
 * by bytes with only a NOTICE, so two longer names could silently be one table).
 */
export function auditTableNames(table: unknown, schema: unknown, what: string): AuditTableNames {
  const name = table ?? DEFAULT_AUDIT_TABLE
  assertString(name, `${what}: table`, { nonEmpty: true, maxLength: 56 })
  if (/[\0$]/.test(name)) invalidArgument('range', `${what}: table`, 'a name without NUL or $')
  if (utf8Length(name) > 56) invalidArgument('range', `${what}: table`, 'at most 56 UTF-8 bytes')
  let prefix = ''
  if (schema !== undefined) {
    assertString(schema, `${what}: schema`, { nonEmpty: true, maxLength: 63 })
    if (/[\0$]/.test(schema)) invalidArgument('range', `${what}: schema`, 'a name without NUL or $')
    if (utf8Length(schema) > 63)
      invalidArgument('range', `${what}: schema`, 'at most 63 UTF-8 bytes')
    prefix = `${quote(schema)}.`
  }
  return { table: prefix + quote(name), append: prefix + quote(`${name}_append`), plain: name }
}
