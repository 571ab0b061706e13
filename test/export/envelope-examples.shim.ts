// Stands in for `datagate/export` when envelope-examples.test.ts runs the TSDoc examples of the
// envelope modules, so they do not depend on the rest of the barrel.

export type { GenerateKeysOptions, KeyImport } from '../../src/export/keys.js'
export {
  generateKeys,
  importKey,
  importKeys,
  isKeyRing,
  retireKey,
  rotateKeys,
} from '../../src/export/keys.js'
export type { MemoryReplayCache, MemoryReplayCacheOptions } from '../../src/export/replay-cache.js'
export { createMemoryReplayCache } from '../../src/export/replay-cache.js'
export { signEnvelope } from '../../src/export/sign.js'
export type {
  EncryptionRecipient,
  EnvelopeFormat,
  ExportClaims,
  ExportDataset,
  ExportMeta,
  JwksResolver,
  KeyRing,
  PublicJwk,
  PublicJwks,
  ReplayCache,
  SignedEnvelope,
  SigningAlg,
  SigningKey,
  SignOptions,
  VerifiedEnvelope,
  VerifiedExport,
  VerifyExportOptions,
  VerifyOptions,
} from '../../src/export/types.js'
export {
  CHUNK_TYP,
  DELTA_TYP,
  EXPORT_TYP,
  MANIFEST_TYP,
} from '../../src/export/types.js'
export { verifyEnvelope } from '../../src/export/verify.js'
export { verifyExport } from '../../src/export/verify-export.js'
