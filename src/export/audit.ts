// The audit chain, one concept a file: audit-event.ts (event shapes and the hash link),
// audit-sinks.ts (memory and callback sinks), audit-log.ts (the writer, checkpoints, resumes),
// checkpoint.ts (signed checkpoints), audit-verify.ts (the synchronous chain check) and
// audit-verify-log.ts (checkpoints, copies and receipts). Runtime-neutral; the append-only file
// sink lives in audit-file.node.ts. This module only gathers them for the barrels.
export {
  AUDIT_GENESIS,
  type AuditEvent,
  type AuditEventBodies,
  type AuditEventInput,
  type AuditEventLink,
  type AuditEventType,
  type AuditField,
  type AuditHead,
  type AuditLinkInput,
  type AuditLockHolder,
  type AuditPosition,
  type AuditSink,
  type AuditStandingChange,
  auditEventHash,
} from './audit-event.js'
export {
  type AuditCheckpointOptions,
  type AuditLog,
  type AuditLogOptions,
  createAuditLog,
} from './audit-log.js'
export type { AuditReceipt, AuditReceiptClaim } from './audit-receipt.js'
export {
  callbackAuditSink,
  type MemoryAuditSink,
  type MemoryAuditSinkOptions,
  memoryAuditSink,
} from './audit-sinks.js'
export {
  type AuditChainBreak,
  type AuditChainReport,
  type VerifyAuditChainOptions,
  verifyAuditChain,
} from './audit-verify.js'
export {
  type AuditLogFailure,
  type AuditLogReport,
  type VerifyAuditLogOptions,
  verifyAuditLog,
} from './audit-verify-log.js'
export {
  type AuditKeys,
  CHECKPOINT_TYP,
  type CheckpointClaims,
  type CheckpointSink,
  memoryCheckpointSink,
  verifyCheckpoint,
} from './checkpoint.js'
