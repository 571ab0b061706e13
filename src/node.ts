/**
 * `datagate/node`: Node-only pieces. The append-only JSONL audit sink and its reader, with a lock
 * file per log, a file for checkpoint copies, the file-folder privacy-budget ledger, the JSONL consent store, and signing keys
 * read from a file or an environment variable (one key set for every instance).
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
export { type JsonlConsentStore, jsonlConsentStore } from './export/consent-file.node.js'
export {
  exportPrivateJwks,
  importKeysFrom,
  type KeySource,
} from './export/keys-source.node.js'
