/**
 * `datagate/export`: the gate, signed envelopes, partner-side verification, deltas, streams and
 * the audit chain. Runtime-neutral; the file audit sink is in `datagate/node`.
 *
 * @packageDocumentation
 */

export type { SigningAlg } from './algorithms.js'
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
  type AuditStandingChange,
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
export {
  type ConsentEvent,
  type ConsentStore,
  type MemoryConsentStore,
  memoryConsentStore,
} from './consent-store.js'
export { applyDelta } from './delta.js'
export type {
  ExportClaims,
  ExportDataset,
  ExportMeta,
  VerifiedExport,
  VerifyExportOptions,
} from './export-claims.js'
export {
  createGate,
  type DeltaRequest,
  type ExportRequest,
  type Gate,
  type GateOptions,
  type ReleasedRecord,
  type ReleaseRequest,
  type SignedDelta,
  type SignedExport,
  type StreamRequest,
  type StreamSetRequest,
} from './gate.js'
export type { KeyRing, PublicJwk, PublicJwks, SigningKey } from './key-ring.js'
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
export type { HeldDigests, NotModified, ReleasedJson } from './not-modified.js'
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
  type ReplayCache,
} from './replay-cache.js'
export {
  type EncryptionRecipient,
  type EnvelopeFormat,
  type SignedEnvelope,
  type SignOptions,
  signEnvelope,
} from './sign.js'
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
  type StreamSetPartition,
  type StreamSetSummary,
  type VerifiedSetChunk,
  verifyStreamSet,
} from './stream-set.js'
export type { SignedStreamSet, StreamSetEntry } from './stream-set-sign.js'
export {
  type SubjectCounting,
  shanghaiYear,
  subjectCounterNames,
} from './subject-count.js'
export {
  type MemorySubjectCounterStore,
  memorySubjectCounterStore,
  type SubjectCounterStore,
  type SubjectCountOutcome,
  type SubjectCountUpdate,
} from './subject-counter.js'
export {
  type LeakedData,
  type TracedPartner,
  type TraceOptions,
  type TraceResult,
  type TraceSignals,
  traceLeak,
} from './trace.js'
export { CHUNK_TYP, DELTA_TYP, EXPORT_TYP, MANIFEST_TYP, STREAM_SET_TYP } from './typ.js'
export {
  type JwksResolver,
  type VerifiedEnvelope,
  type VerifyOptions,
  verifyEnvelope,
} from './verify.js'
export { verifyExport } from './verify-export.js'
export { watermarkKeyId, watermarkPeriod } from './watermark.js'
