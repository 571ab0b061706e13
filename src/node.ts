/**
 * `datagate/node`: Node-only pieces. The append-only JSONL audit sink and its reader, with a lock file per log, and a file for checkpoint copies.
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
