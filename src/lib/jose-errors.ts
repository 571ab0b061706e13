// Maps errors thrown by jose to DatagateError codes, keeping the jose error as `cause`.
// Unknown errors map to the fallback code the caller names, so verification always fails closed
// with a DatagateError, never with a bare TypeError from a key or algorithm mismatch.
import { errors } from 'jose'
import { DatagateError, type DatagateErrorCode, isDatagateError } from '../errors.js'

/** Where the error happened; decides the code for errors that mean different things there. */
export type JoseStage = 'verify' | 'decrypt' | 'sign' | 'encrypt' | 'key'

function claimCode(claim: string): DatagateErrorCode {
  if (claim === 'aud') return 'ERR_AUDIENCE_MISMATCH'
  if (claim === 'iss') return 'ERR_ISSUER_MISMATCH'
  if (claim === 'typ') return 'ERR_TYP_INVALID'
  return 'ERR_CLAIM_INVALID'
}

function codeFor(error: unknown, stage: JoseStage): DatagateErrorCode {
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'ERR_SIGNATURE_INVALID'
  if (error instanceof errors.JWKSNoMatchingKey) return 'ERR_SIGNATURE_INVALID'
  if (error instanceof errors.JWKSMultipleMatchingKeys) return 'ERR_SIGNATURE_INVALID'
  if (error instanceof errors.JWTExpired) return 'ERR_TOKEN_EXPIRED'
  if (error instanceof errors.JWTClaimValidationFailed) return claimCode(error.claim)
  if (error instanceof errors.JOSEAlgNotAllowed) return 'ERR_ALG_NOT_ALLOWED'
  if (error instanceof errors.JWEDecryptionFailed) return 'ERR_DECRYPTION_FAILED'
  if (error instanceof errors.JWEInvalid) return 'ERR_DECRYPTION_FAILED'
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid)
    return 'ERR_TOKEN_MALFORMED'
  if (error instanceof errors.JWKInvalid || error instanceof errors.JWKSInvalid)
    return 'ERR_KEY_INVALID'
  if (error instanceof errors.JOSENotSupported) {
    if (stage === 'decrypt') return 'ERR_DECRYPTION_FAILED'
    if (stage === 'verify') return 'ERR_CRIT_UNSUPPORTED'
    return 'ERR_KEY_UNSUPPORTED'
  }
  switch (stage) {
    case 'verify':
      return 'ERR_SIGNATURE_INVALID'
    case 'decrypt':
      return 'ERR_DECRYPTION_FAILED'
    case 'key':
      return 'ERR_KEY_INVALID'
    default:
      return 'ERR_KEY_UNSUPPORTED'
  }
}

/**
 * Turns anything thrown while running jose into a DatagateError. A DatagateError passes through
 * unchanged; a jose error keeps its class as `cause`. `JOSENotSupported` while verifying is almost
 * always an unknown `crit` extension, hence ERR_CRIT_UNSUPPORTED.
 */
export function fromJoseError(error: unknown, stage: JoseStage, what: string): DatagateError {
  if (isDatagateError(error)) return error
  const code = codeFor(error, stage)
  const detail = error instanceof Error && error.message ? `: ${error.message}` : ''
  return new DatagateError(code, `${what}${detail}`, { cause: error })
}
