/**
 * `datagate/node`: Node-only pieces. The append-only JSONL audit sink and its reader.
 *
 * @packageDocumentation
 */
export {
  type AuditLogContents,
  type FileAuditSink,
  type FileAuditSinkOptions,
  fileAuditSink,
  readAuditLog,
} from './export/audit-file.node.js'
