// pg is an optional peer dependency, loaded only when the config's audit log lives in
// PostgreSQL: by the log commands that read it and by `standing --write`, which appends to it.
import type { PostgresQueryable } from '../stores/postgres-schema.js'
import { usageError } from './usage.js'

/** A pg Pool as the CLI uses it. */
export type CliPool = PostgresQueryable & { end(): Promise<void> }

/** pg's Pool class, or a usage error naming what needs it (`reading postgres://…`). */
export async function loadPgPool(
  needs: string,
): Promise<new (config: { connectionString: string; max: number }) => CliPool> {
  try {
    const pg = (await import('pg')) as unknown as {
      default?: { Pool: Awaited<ReturnType<typeof loadPgPool>> }
      Pool?: Awaited<ReturnType<typeof loadPgPool>>
    }
    const found = pg.default?.Pool ?? pg.Pool
    if (found === undefined) throw new Error('no Pool')
    return found
  } catch {
    return usageError(`${needs} needs the pg package: npm install pg`)
  }
}
