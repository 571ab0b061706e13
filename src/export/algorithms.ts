/**
 * The signing algorithms of datagate, one list: key rings sign with them, verifiers accept them,
 * and everything else (PEM import, default verification, checkpoints) takes a subset from here.
 *
 * @packageDocumentation
 */

/** Every algorithm a key ring signs with. */
export const SIGNING_ALGS = ['EdDSA', 'ES256', 'HS256'] as const

/**
 * Algorithms a datagate key ring signs with. `HS256` is for a gate verifying its own tokens
 * (shared secret); it is never published in a JWKS.
 *
 * @example
 * ```ts
 * import type { SigningAlg } from 'datagate/export'
 *
 * const alg: SigningAlg = 'EdDSA'
 * console.log(alg)
 * ```
 */
export type SigningAlg = (typeof SIGNING_ALGS)[number]

/** The public-key algorithms: what a published JWKS holds, the default of verifiers, PEM keys. */
export const PUBLIC_KEY_ALGS = ['EdDSA', 'ES256'] as const satisfies readonly SigningAlg[]

/** One of {@link PUBLIC_KEY_ALGS}. */
export type PublicKeyAlg = (typeof PUBLIC_KEY_ALGS)[number]
