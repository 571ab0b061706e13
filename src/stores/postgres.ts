/**
 * `datagate/postgres`: one audit chain in PostgreSQL shared by every gate instance, the privacy-budget ledger and consent events (Node only;
 * `pg` is an optional peer dependency, never loaded by `datagate` itself).
 *
 * @packageDocumentation
 */

export {
  type PostgresAuditSink,
  type PostgresAuditSinkOptions,
  postgresAuditSink,
} from './postgres-audit-sink.js'
export {
  migrateBudget,
  type PostgresBudgetOptions,
  type PostgresBudgetStore,
  postgresBudgetStore,
} from './postgres-budget.js'
export {
  migrateConsent,
  type PostgresConsentOptions,
  type PostgresConsentStore,
  postgresConsentStore,
} from './postgres-consent.js'
export { type MigrateOptions, migrate } from './postgres-migrate.js'
export { type ReadPostgresAuditLogOptions, readPostgresAuditLog } from './postgres-read.js'
export type { PostgresQueryable } from './postgres-schema.js'
export {
  migrateSubjectCounters,
  type PostgresSubjectCounterOptions,
  type PostgresSubjectCounterStore,
  postgresSubjectCounterStore,
} from './postgres-subjects.js'
