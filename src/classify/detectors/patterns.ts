/**
 * Every regular expression the PII detectors use, in one place, so the ReDoS test can iterate
 * them all.
 *
 * Each pattern only proposes candidates; code validates them (check digits, dates, boundaries).
 * To keep matching linear in the input length, every pattern here has a bounded match length:
 * no `*`, no `+`, no open `{n,}` and no quantified group holding an unbounded quantifier. A
 * candidate costs at most a fixed number of steps, and the scanner never restarts inside a
 * rejected run more than a bounded number of times.
 *
 * Most patterns open with a one-character lookbehind: it does not change what is found (the
 * detectors check boundaries in code as well) but lets the engine pass over the inside of a
 * long run of letters and digits in one step per position instead of up to 19.
 *
 * The patterns carry no flags; the detectors use global copies of them.
 *
 * @packageDocumentation
 */

/** Names of the detectors; `ipv4` and `ipv6` both report the `ip_address` kind. */
export type DetectorName =
  | 'resident_id'
  | 'mobile'
  | 'social_credit_code'
  | 'bank_card'
  | 'licence_plate'
  | 'vin'
  | 'email'
  | 'ipv4'
  | 'ipv6'
  | 'passport'

/** Province abbreviations that open a mainland licence plate. */
const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼'

/**
 * The candidate pattern of every detector, keyed by detector name.
 *
 * @example
 * ```ts
 * import { DETECTOR_PATTERNS } from 'datagate/classify'
 *
 * for (const [name, pattern] of Object.entries(DETECTOR_PATTERNS)) {
 *   console.log(name, pattern.source.length > 0) // every detector has a pattern
 * }
 * ```
 */
export const DETECTOR_PATTERNS: Readonly<Record<DetectorName, RegExp>> = Object.freeze({
  // GB 11643-1999: region (first digit 1-8), birth date, sequence, MOD 11-2 check; or the
  // 15-digit legacy form without a check digit. One space or hyphen may stand between any two
  // digits (the scanner folds NBSP, en dashes and full-width forms to these, and drops
  // zero-width spaces, before matching).
  resident_id: /(?<![0-9A-Za-z])[1-8](?:(?:[ -]?[0-9]){16}[ -]?[0-9Xx]|(?:[ -]?[0-9]){14})/,
  // 1[3-9]x xxxx xxxx with an optional +86 / 0086 / 86 / (+86) prefix, the first group
  // optionally in parentheses, and one space, dot or hyphen optional between the 3-4-4 groups.
  mobile:
    /(?<![0-9A-Za-z])(?:(?:\+|00)?86[ -]?|\(\+?86\)[ -]?)?(?:1[3-9][0-9]|\(1[3-9][0-9]\))[ .-]?[0-9]{4}[ .-]?[0-9]{4}/,
  // GB 32100-2015: 2 code characters, 6-digit division code, 9-character body, check character.
  social_credit_code: /(?<![0-9A-Za-z])[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}/,
  // 13-19 digits, contiguous or in groups of four separated by one space or hyphen; or the
  // 4-6-5 and 4-6-4 groups that American Express and Diners Club print (first digit 3).
  bank_card:
    /(?<![0-9A-Za-z])(?:3[0-9]{3}[ -][0-9]{6}[ -][0-9]{4,5}|[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{1,7}(?:[ -][0-9]{1,3})?)/,
  // Province, issuing-authority letter (no I/O), optional separator, 5 or 6 serial characters.
  licence_plate: new RegExp(
    `[${PROVINCES}][A-HJ-NP-Z][·• -]?[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳][A-HJ-NP-Z0-9]?`,
  ),
  // ISO 3779: 17 characters without I, O and Q.
  vin: /(?<![0-9A-Za-z])[0-9A-HJ-NPR-Z]{17}/,
  // Pragmatic RFC 5322 subset, anchored at the `@`: one local-part character, `@`, the domain
  // (at most 253). The detector reads the rest of the local part (at most 64) leftwards in
  // code; a pattern starting with the local part would try up to 64 characters at every
  // position of a long word.
  email: /[A-Za-z0-9._%+-]@[A-Za-z0-9.-]{1,253}/,
  ipv4: /(?<![0-9A-Za-z.])[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/,
  // A colon within the first five characters, then at most 45 characters in all (the longest
  // textual IPv6 address, with an embedded IPv4 address, is 45 characters).
  ipv6: /(?<![0-9A-Fa-f:.])[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]{1,40}/,
  // Mainland ordinary passports: E or G + 8 digits, or E + letter (no I/O) + 7 digits.
  passport: /(?<![0-9A-Za-z])(?:[EG][0-9]{8}|E[A-HJ-NP-Z][0-9]{7})/,
})
