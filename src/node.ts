/**
 * `datagate/node`: Node-only pieces. The append-only JSONL audit sink and its reader, with a lock
 * file per log, a file for checkpoint copies, and the file-folder privacy-budget ledger.
 *
 * @packageDocumentation
 */
export {
  type AuditLogContents,
  type FileAuditSink,
  type FileAuditSinkOptions,
  fileAuditSink,
  fileCheckpointSink,
  readAuditLog,
  readCheckpoints,
} from './export/audit-file.node.js'
export {
  type FileBudgetStore,
  type FileBudgetStoreOptions,
  fileBudgetStore,
} from './export/budget-file.node.js'
