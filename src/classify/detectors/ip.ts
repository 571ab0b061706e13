/**
 * IP addresses, both reported as the `ip_address` kind.
 *
 * IPv4: dotted decimal, four octets 0-255 without leading zeros (`010` is ambiguous: octal to
 * some parsers, decimal to others, so it is not accepted). Not reported inside a longer dotted
 * run (`1.2.3.4.5`, version strings) or next to letters and digits.
 *
 * IPv6 (RFC 4291 §2.2, RFC 5952): eight groups of 1-4 hex digits, one `::` compressing one or
 * more zero groups, and an optional trailing dotted IPv4 (`::ffff:192.0.2.1`). Zone identifiers
 * (`%eth0`) and prefix lengths (`/64`) are not part of the match. The scanner skips the
 * unspecified address `::` and candidates without any decimal digit (`Abc::Def` in source
 * code), which keeps false positives down.
 *
 * @packageDocumentation
 */
import { DETECTOR_PATTERNS } from './patterns.js'
import {
  afterRun,
  collect,
  type Detector,
  fullMatch,
  globalCopy,
  isAlnumCode,
  isDigitCode,
  stickyCopy,
} from './shared.js'

/** Digits and dots: no IPv4 address starts inside such a run. */
function isDottedCode(code: number): boolean {
  return isDigitCode(code) || code === 46
}

/** Hex digits, colons and dots: no IPv6 address starts inside such a run. */
function isIpv6Code(code: number): boolean {
  const lower = code | 0x20
  return isDottedCode(code) || code === 58 || (lower >= 97 && lower <= 102)
}

function validOctets(address: string): boolean {
  const octets = address.split('.')
  if (octets.length !== 4) return false
  for (const octet of octets) {
    if (octet.length === 0 || octet.length > 3) return false
    if (octet.length > 1 && octet[0] === '0') return false
    for (let i = 0; i < octet.length; i++) if (!isDigitCode(octet.charCodeAt(i))) return false
    if (Number(octet) > 255) return false
  }
  return true
}

function isHexGroup(group: string): boolean {
  if (group.length === 0 || group.length > 4) return false
  for (let i = 0; i < group.length; i++) {
    const code = group.charCodeAt(i) | 0x20
    if (!((code >= 48 && code <= 57) || (code >= 97 && code <= 102))) return false
  }
  return true
}

/** Number of 16-bit groups the colon-separated part stands for, or -1 when malformed. */
function countGroups(part: string, mayEndInIpv4: boolean): number {
  if (part === '') return 0
  const groups = part.split(':')
  let count = 0
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i]!
    if (mayEndInIpv4 && i === groups.length - 1 && group.includes('.')) {
      if (!validOctets(group)) return -1
      count += 2
    } else if (isHexGroup(group)) {
      count += 1
    } else {
      return -1
    }
  }
  return count
}

function parseIpv6(address: string): boolean {
  const gap = address.indexOf('::')
  if (gap === -1) return countGroups(address, true) === 8
  if (address.indexOf('::', gap + 1) !== -1) return false
  const head = countGroups(address.slice(0, gap), false)
  const tail = countGroups(address.slice(gap + 2), true)
  return head >= 0 && tail >= 0 && head + tail <= 7
}

const STICKY_V4 = stickyCopy(DETECTOR_PATTERNS.ipv4)
const GLOBAL_V4 = globalCopy(DETECTOR_PATTERNS.ipv4)
const STICKY_V6 = stickyCopy(DETECTOR_PATTERNS.ipv6)
const GLOBAL_V6 = globalCopy(DETECTOR_PATTERNS.ipv6)

/**
 * Whether `candidate` is, in full, a dotted-decimal IPv4 address without leading zeros.
 *
 * @example
 * ```ts
 * import { validateIpv4 } from 'datagate/classify'
 *
 * console.log(validateIpv4('192.168.1.20')) // true
 * console.log(validateIpv4('192.168.01.20')) // false: leading zero
 * ```
 */
export function validateIpv4(candidate: string): boolean {
  return fullMatch(STICKY_V4, candidate) && validOctets(candidate)
}

/**
 * Whether `candidate` is, in full, an IPv6 address in full, compressed or IPv4-embedded form.
 *
 * @example
 * ```ts
 * import { validateIpv6 } from 'datagate/classify'
 *
 * console.log(validateIpv6('2001:db8::8a2e:370:7334')) // true
 * console.log(validateIpv6('::ffff:1.2.3.4')) // true
 * console.log(validateIpv6('1::2::3')) // false: two gaps
 * ```
 */
export function validateIpv6(candidate: string): boolean {
  return fullMatch(STICKY_V6, candidate) && parseIpv6(candidate)
}

/** The IPv4 address detector. */
export const ipv4Detector: Detector = {
  name: 'ipv4',
  kind: 'ip_address',
  label: 'IPv4 address',
  pattern: DETECTOR_PATTERNS.ipv4,
  find(text: string) {
    return collect(GLOBAL_V4, text, (candidate, start) => {
      const end = start + candidate.length
      const before = text.charCodeAt(start - 1)
      const after = text.charCodeAt(end)
      if (isAlnumCode(before) || before === 46 /* . */) return afterRun(text, start, isDottedCode)
      if (isAlnumCode(after)) return afterRun(text, start, isDottedCode)
      if (after === 46 && isDigitCode(text.charCodeAt(end + 1)))
        return afterRun(text, start, isDottedCode)
      if (!validOctets(candidate)) return afterRun(text, start, isDottedCode)
      return { start, end }
    })
  },
}

/** The IPv6 address detector. */
export const ipv6Detector: Detector = {
  name: 'ipv6',
  kind: 'ip_address',
  label: 'IPv6 address',
  pattern: DETECTOR_PATTERNS.ipv6,
  find(text: string) {
    return collect(GLOBAL_V6, text, (candidate, matchStart) => {
      // A lone colon before the address is punctuation ("IP:fe80::1"), not part of it.
      const loneColon = candidate[0] === ':' && candidate[1] !== ':'
      const start = loneColon ? matchStart + 1 : matchStart
      const before = text.charCodeAt(matchStart - 1)
      if ((!loneColon && isAlnumCode(before)) || before === 58 /* : */ || before === 46) {
        return afterRun(text, matchStart, isIpv6Code)
      }
      let end = matchStart + candidate.length
      const after = text.charCodeAt(end)
      if (isAlnumCode(after) || after === 58 || after === 46)
        return afterRun(text, matchStart, isIpv6Code)
      // Punctuation after the address: a full stop, or a colon opening a clause.
      while (text[end - 1] === '.') end--
      if (text[end - 1] === ':' && text[end - 2] !== ':') end--
      const address = text.slice(start, end)
      let digits = false
      for (let i = 0; i < address.length && !digits; i++) {
        digits = isDigitCode(address.charCodeAt(i))
      }
      if (address === '::' || !digits || !parseIpv6(address))
        return afterRun(text, matchStart, isIpv6Code)
      return { start, end }
    })
  },
}
