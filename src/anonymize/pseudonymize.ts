/**
 * `pseudonymize()`: a keyed, per-partner pseudonym in place of an identifier.
 *
 * @packageDocumentation
 */
import { hkdfSha256 } from '#hash'
import { DatagateError } from '../errors.js'
import { assertNumber, assertObject, assertOneOf, assertString } from '../lib/assert.js'
import { utf8 } from '../lib/bytes.js'
import { textHmac } from '../lib/hmac-sha256.js'
import { operatorFailed, operatorRejected } from '../lib/operator-error.js'
import { literalPattern, stringMatching } from '../lib/output-pattern.js'
import type { Operator } from './operator.js'

/** Options of {@link pseudonymize}. */
export interface PseudonymizeOptions {
  /** Prepended to every pseudonym, e.g. `cus_`; at most 32 characters. Default none. */
  readonly prefix?: string | undefined
  /** Pseudonym bytes before base64url, 16 (128 bits, 22 characters) to 32. Default 16. */
  readonly length?: number | undefined
  /**
   * `partner` (default): each partner gets its own pseudonyms, so two partners cannot join their
   * data on them. `global`: every partner gets the same pseudonym for a value; only for
   * identifiers partners are meant to join on.
   */
  readonly scope?: 'partner' | 'global' | undefined
  /**
   * Separates pseudonym spaces within a partner, e.g. `customer` and `vehicle`, so equal raw
   * values in two fields do not get equal pseudonyms. At most 64 characters. Default none.
   */
  readonly domain?: string | undefined
}

/** Minimum length of `context.pseudonymKey`: 256 bits. */
const MIN_KEY_BYTES = 32
const NO_SALT = new Uint8Array(0)
const LONE_SURROGATE = /\p{Cs}/u

/**
 * Percent-encodes one part of the HKDF `info` label, so no `/` inside a partner id or domain can
 * make two different (partner, domain) pairs produce the same label.
 */
function labelPart(text: string, what: string): string {
  try {
    return encodeURIComponent(text)
  } catch (cause) {
    // Only a lone UTF-16 surrogate makes encodeURIComponent throw.
    throw new DatagateError('ERR_INVALID_ARGUMENT', `${what}: expected well-formed Unicode`, {
      cause,
    })
  }
}

/**
 * Replaces an identifier with a keyed pseudonym: HMAC-SHA-256 of the value's UTF-8 under a key
 * derived with HKDF-SHA-256 from `context.pseudonymKey` and the partner id, truncated to
 * `length` bytes and base64url-encoded. Equal values give equal pseudonyms for one partner (so
 * the partner can count and join within its own data) and unrelated ones for another partner.
 * Without the master key a pseudonym cannot be reversed or recomputed. Numbers and bigints are
 * pseudonymised as their decimal string (`42` and `'42'` give the same pseudonym).
 *
 * The key is derived once in `bind`; the transform costs one HMAC.
 *
 * @throws DatagateError `ERR_INVALID_ARGUMENT` for bad options; `bind` throws `ERR_KEY_INVALID`
 *   when `context.pseudonymKey` is not a `Uint8Array` of at least 32 bytes; the transform throws
 *   `ERR_OPERATOR_FAILED` for a value that is not a string, a finite number or a bigint.
 *
 * @example
 * ```ts
 * import { pseudonymize } from 'datagate/anonymize'
 *
 * const pseudonymKey = crypto.getRandomValues(new Uint8Array(32)) // keep it in a secret store
 * const operator = pseudonymize({ prefix: 'cus_' })
 * const forRental = operator.bind({ partner: 'rental-co', path: 'customerId', pseudonymKey })
 * const forMaps = operator.bind({ partner: 'maps-co', path: 'customerId', pseudonymKey })
 * console.log(forRental('C-1001') === forRental('C-1001')) // true
 * console.log(forRental('C-1001') === forMaps('C-1001'))   // false
 * console.log(forRental('C-1001').length)                  // 26 ('cus_' + 22)
 * ```
 */
export function pseudonymize(
  options: PseudonymizeOptions = {},
): Operator<string | number | bigint, string> {
  assertObject(options, 'pseudonymize options')
  const { prefix = '', length = 16, scope = 'partner', domain } = options
  assertString(prefix, 'pseudonymize prefix', { maxLength: 32 })
  assertNumber(length, 'pseudonymize length', { integer: true, min: 16, max: 32 })
  assertOneOf(scope, 'pseudonymize scope', ['partner', 'global'] as const)
  if (domain !== undefined)
    assertString(domain, 'pseudonymize domain', { nonEmpty: true, maxLength: 64 })
  // The HKDF info is versioned, so a later scheme can never derive the same keys as this one.
  const domainLabel =
    domain === undefined ? '' : `/domain/${labelPart(domain, 'pseudonymize domain')}`
  const name = `pseudonymize(scope=${scope},length=${length}${domain === undefined ? '' : `,domain=${domain}`})`
  const operator: Operator<string | number | bigint, string> = {
    kind: 'pseudonymize',
    name,
    // The prefix, then `length` bytes in unpadded base64url: ceil(4 * length / 3) characters.
    outputSchema: stringMatching(
      `${literalPattern(prefix)}[A-Za-z0-9_-]{${Math.ceil((4 * length) / 3)}}`,
    ),
    bind: ({ partner, path, pseudonymKey }) => {
      if (!(pseudonymKey instanceof Uint8Array) || pseudonymKey.length < MIN_KEY_BYTES)
        throw new DatagateError(
          'ERR_KEY_INVALID',
          `${name} at "${path}": the pseudonym key must be a Uint8Array of at least ${MIN_KEY_BYTES} bytes`,
        )
      let label = 'datagate/pseudonym/v1/global'
      if (scope === 'partner') {
        assertString(partner, 'operator context partner', { nonEmpty: true })
        label = `datagate/pseudonym/v1/partner/${labelPart(partner, 'operator context partner')}`
      }
      const key = hkdfSha256(pseudonymKey, NO_SALT, utf8(label + domainLabel), 32)
      const mac = textHmac(key)
      return (value) => {
        let text: string
        if (typeof value === 'string') text = value
        else if (typeof value === 'bigint' || (typeof value === 'number' && Number.isFinite(value)))
          text = String(value)
        else operatorFailed(name, path, 'a string, a finite number or a bigint', value)
        // UTF-8 turns every lone surrogate into U+FFFD: two such strings would share a pseudonym.
        if (LONE_SURROGATE.test(text))
          operatorRejected(name, path, 'string is not well-formed Unicode')
        return prefix + mac.base64url(text, length)
      }
    },
  }
  return Object.freeze(operator)
}
