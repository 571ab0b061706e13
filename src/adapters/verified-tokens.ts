// The bearer tokens an authenticator has verified, so a partner that sends the same token on
// every request pays for one signature verification, not one per request (it was a tenth of a
// request's CPU time in bench/adapter-path.ts). Only a token that passed every check of jose's
// `jwtVerify` is kept, by its exact text; a hit checks again what changes with time (`exp`, `nbf`,
// with the same tolerance and clock), so a kept token expires exactly when jose would say so.
// Entries live at most MAX_AGE_MS, bounding how long a key the issuer rotated out of a remote
// JWKS still counts (jose's own cache of a remote JWKS keeps keys up to 10 minutes).

/** At most this many tokens are kept; the oldest is dropped first. */
const MAX_ENTRIES = 1024
/** A kept verification counts for at most this long (real time, whatever the `now` option). */
const MAX_AGE_MS = 60_000

interface Verified {
  readonly partner: string
  readonly exp: number
  readonly nbf: number | undefined
  readonly at: number
}

/** A per-authenticator cache of verified tokens and the partner id each names. */
export interface VerifiedTokens {
  /** The partner of a kept token still valid at `now` (NumericDate seconds), else undefined. */
  get(token: string, now: number): string | undefined
  set(token: string, verified: { partner: string; exp: number; nbf: number | undefined }): void
}

export function verifiedTokens(tolerance: number): VerifiedTokens {
  const kept = new Map<string, Verified>()
  return {
    get(token, now) {
      const entry = kept.get(token)
      if (entry === undefined) return undefined
      // jose's rules (lib/jwt_claims_set.js): expired when exp <= now - tolerance, not yet
      // valid when nbf > now + tolerance.
      if (
        entry.exp <= now - tolerance ||
        (entry.nbf !== undefined && entry.nbf > now + tolerance) ||
        Date.now() - entry.at > MAX_AGE_MS
      ) {
        kept.delete(token)
        return undefined
      }
      return entry.partner
    },
    set(token, verified) {
      kept.delete(token)
      kept.set(token, { ...verified, at: Date.now() })
      while (kept.size > MAX_ENTRIES) kept.delete(kept.keys().next().value as string)
    },
  }
}
