/**
 * `datagate/export`: the gate, signed envelopes, partner-side verification, deltas, streams and
 * the audit chain. Runtime-neutral; the file audit sink is in `datagate/node`.
 *
 * @packageDocumentation
 */
export {
  AUDIT_GENESIS,
  type AuditChainBreak,
  type AuditChainReport,
  type AuditCheckpointOptions,
  type AuditEvent,
  type AuditEventBodies,
  type AuditEventInput,
  type AuditEventLink,
  type AuditEventType,
  type AuditField,
  type AuditHead,
  type AuditKeys,
  type AuditLinkInput,
  type AuditLockHolder,
  type AuditLog,
  type AuditLogFailure,
  type AuditLogOptions,
  type AuditLogReport,
  type AuditPosition,
  type AuditReceipt,
  type AuditReceiptClaim,
  type AuditSink,
  auditEventHash,
  CHECKPOINT_TYP,
  type CheckpointClaims,
  type CheckpointSink,
  callbackAuditSink,
  createAuditLog,
  type MemoryAuditSink,
  type MemoryAuditSinkOptions,
  memoryAuditSink,
  memoryCheckpointSink,
  type VerifyAuditChainOptions,
  type VerifyAuditLogOptions,
  verifyAuditChain,
  verifyAuditLog,
  verifyCheckpoint,
} from './audit.js'
export {
  type BudgetCharge,
  type BudgetOutcome,
  type BudgetStore,
  memoryBudgetStore,
} from './budget.js'
export { applyDelta } from './delta.js'
export {
  createGate,
  type ExportRequest,
  type Gate,
  type GateOptions,
  type ReleasedRecord,
  type ReleaseRequest,
  type SignedDelta,
  type SignedExport,
  type StreamRequest,
} from './gate.js'
export {
  type GenerateKeysOptions,
  generateKeys,
  importKey,
  importKeys,
  isKeyRing,
  type KeyImport,
  retireKey,
  rotateKeys,
} from './keys.js'
export {
  type ApplyPatchOptions,
  applyPatchSafely,
  DEFAULT_MAX_PATCH_OPS,
  DEFAULT_MAX_PATCH_RESULT_BYTES,
  diffViews,
  type PatchOperation,
  viewDigest,
} from './patch.js'
export {
  createMemoryReplayCache,
  type MemoryReplayCache,
  type MemoryReplayCacheOptions,
} from './replay-cache.js'
export { signEnvelope } from './sign.js'
export {
  STREAM_GENESIS,
  type StreamChunk,
  type StreamManifest,
  type StreamPart,
  type StreamSource,
  type VerifiedChunk,
  verifyStream,
} from './stream.js'
export {
  CHUNK_TYP,
  DELTA_TYP,
  type EncryptionRecipient,
  type EnvelopeFormat,
  EXPORT_TYP,
  type ExportClaims,
  type ExportDataset,
  type ExportMeta,
  type JwksResolver,
  type KeyRing,
  MANIFEST_TYP,
  type PublicJwk,
  type PublicJwks,
  type ReplayCache,
  type SignedEnvelope,
  type SigningAlg,
  type SigningKey,
  type SignOptions,
  type VerifiedEnvelope,
  type VerifiedExport,
  type VerifyExportOptions,
  type VerifyOptions,
} from './types.js'
export { verifyEnvelope } from './verify.js'
export { verifyExport } from './verify-export.js'
