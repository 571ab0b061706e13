// JWT claim checks for every envelope form (compact, flattened, detached, nested in JWE).
// jose's own claim validation only runs inside jwtVerify, which cannot take a detached RFC 7797
// payload, so the same rules live here once, with jose's semantics: `exp <= now - tolerance` is
// expired, `iat` in the future beyond the tolerance is invalid, `iss`/`aud` must be present.
import { DatagateError } from '../errors.js'

/** What {@link checkClaims} compares against. All times in seconds since the epoch. */
export interface ClaimExpectations {
  readonly issuer: string | readonly string[]
  readonly audience: string | readonly string[]
  /** Current time, NumericDate. */
  readonly now: number
  /** Seconds of clock skew forgiven on `exp`, `nbf` and `iat`. */
  readonly clockTolerance: number
  /** Maximum seconds since `iat`. Applied when `iat` is present; `required` makes `iat` mandatory. */
  readonly maxAge: { readonly seconds: number; readonly required: boolean }
}

function numericDate(value: unknown, claim: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new DatagateError('ERR_CLAIM_INVALID', `claim "${claim}" must be a NumericDate`)
  return value
}

function list(value: string | readonly string[]): readonly string[] {
  return typeof value === 'string' ? [value] : value
}

/**
 * Checks `iss`, `aud`, `exp` (required), `nbf`, `iat` and the token age. Throws the matching
 * DatagateError; returns `exp + clockTolerance`, how long a replay cache must remember the `jti`.
 * Not shortened by `maxAge`: verifiers sharing one cache may hold different `maxAge`s, and an
 * entry kept only until the strictest one's horizon let a lenient one accept the token again.
 */
export function checkClaims(claims: Record<string, unknown>, expected: ClaimExpectations): number {
  const { now, clockTolerance: tolerance } = expected
  if (typeof claims.iss !== 'string' || !list(expected.issuer).includes(claims.iss))
    throw new DatagateError(
      'ERR_ISSUER_MISMATCH',
      'claim "iss" is missing or not the expected issuer',
    )

  const aud = claims.aud
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : []
  const wanted = list(expected.audience)
  if (!audiences.some((value) => typeof value === 'string' && wanted.includes(value)))
    throw new DatagateError(
      'ERR_AUDIENCE_MISMATCH',
      'claim "aud" is missing or not the expected audience',
    )

  if (claims.exp === undefined)
    throw new DatagateError('ERR_CLAIM_INVALID', 'claim "exp" is required')
  const exp = numericDate(claims.exp, 'exp')
  if (exp <= now - tolerance) throw new DatagateError('ERR_TOKEN_EXPIRED', 'token expired ("exp")')

  if (claims.nbf !== undefined && numericDate(claims.nbf, 'nbf') > now + tolerance)
    throw new DatagateError('ERR_CLAIM_INVALID', 'token is not yet valid ("nbf")')

  if (claims.iat === undefined) {
    if (expected.maxAge.required)
      throw new DatagateError('ERR_CLAIM_INVALID', 'claim "iat" is required when maxAge is set')
  } else {
    const iat = numericDate(claims.iat, 'iat')
    if (iat > now + tolerance)
      throw new DatagateError('ERR_CLAIM_INVALID', 'claim "iat" is in the future')
    if (now - iat > expected.maxAge.seconds + tolerance)
      throw new DatagateError('ERR_TOKEN_EXPIRED', 'token is older than maxAge ("iat")')
  }
  return exp + tolerance
}
