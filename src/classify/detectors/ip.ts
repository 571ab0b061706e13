/**
 * IP addresses, both reported as the `ip_address` kind.
 *
 * IPv4: dotted decimal, four octets 0-255 without leading zeros (`010` is ambiguous: octal to
 * some parsers, decimal to others, so it is not accepted). Not reported inside a longer dotted
 * run (`1.2.3.4.5`) or next to letters and digits (`v1.2.3.4`). A four-part version string
 * (`6.7.30.92`) has the same shape as an address, so the context decides: not reported when
 * the nearest label before it names a version (版本, version, ver, build, 固件, firmware, 升级,
 * 更新到, upgrade, update to, release, sdk, app ...) rather than an address (IP, 地址, host, server,
 * 服务器, 登录, from, client, gateway ...), or when 版/version/beta/rc follow it. An address
 * without any label is reported.
 *
 * IPv6 (RFC 4291 §2.2, RFC 5952): eight groups of 1-4 hex digits, one `::` compressing one or
 * more zero groups, and an optional trailing dotted IPv4 (`::ffff:192.0.2.1`). Zone identifiers
 * (`%eth0`) and prefix lengths (`/64`) are not part of the match. The scanner skips the
 * unspecified address `::` and candidates without any decimal digit (`Abc::Def` in source
 * code), which keeps false positives down.
 *
 * The scanner also asks for an address that can be in use: the first 16 bits in global unicast
 * 2000::/3, unique local fc00::/7, link-local fe80::/10 or multicast ff00::/8, or NAT64
 * 64:ff9b::/96 or discard 100::/64, or, with the first group zero, `::1`, an IPv4-mapped
 * `::ffff:a.b.c.d` or an embedded dotted IPv4 address. EUI-64 device ids and MAC-like strings
 * (`F0:49:63:FF:FE:09:39:DE`, `1:2:3:4:5:6:7:8`) are syntactically IPv6 but start in ranges the
 * IANA has never allocated (0000::/8 apart from those forms), so they are not reported.
 * `validateIpv6` checks the syntax only.
 *
 * @packageDocumentation
 */
import { DETECTOR_PATTERNS } from './patterns.js'
import {
  afterRun,
  collect,
  cueAfter,
  cueBefore,
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

/** The eight 16-bit groups of a syntactically valid IPv6 address (an embedded IPv4 counts as two). */
function groupsOf(address: string): number[] {
  const values = (part: string): number[] => {
    if (part === '') return []
    const out: number[] = []
    for (const group of part.split(':')) {
      if (group.includes('.')) {
        const [a, b, c, d] = group.split('.').map(Number) as [number, number, number, number]
        out.push(a * 256 + b, c * 256 + d)
      } else out.push(Number.parseInt(group, 16))
    }
    return out
  }
  const gap = address.indexOf('::')
  if (gap === -1) return values(address)
  const head = values(address.slice(0, gap))
  const tail = values(address.slice(gap + 2))
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]
}

/** Whether a valid IPv6 address lies in a range that is in use (see the file comment). */
function allocated(address: string): boolean {
  const g = groupsOf(address)
  const first = g[0]!
  if (first >= 0x2000 && first <= 0x3fff) return true // global unicast
  if (first >= 0xfc00 && first <= 0xfdff) return true // unique local
  if (first >= 0xfe80 && first <= 0xfebf) return true // link-local
  if (first >= 0xff00) return true // multicast
  if (first === 0x64 && g[1] === 0xff9b) return true // NAT64
  if (first === 0x100 && g[1] === 0 && g[2] === 0 && g[3] === 0) return true // discard-only
  if (first !== 0) return false
  if (address.includes('.')) return true // IPv4-mapped, -compatible or -translated
  const zerosTo = (n: number) => g.slice(0, n).every((v) => v === 0)
  return (zerosTo(7) && g[7] === 1) || (zerosTo(5) && g[5] === 0xffff)
}

/** Labels that make a dotted quad a version number, lowercase. */
const VERSION_CUES = [
  '版本',
  '版本号',
  '固件',
  '升级',
  // Not 更新/update alone: "IP地址更新为 10.0.0.2" is an address; only "update to" names a version.
  '更新到',
  '更新至',
  '补丁',
  'version',
  'ver',
  'v',
  'build',
  'firmware',
  'upgrade',
  'update to',
  'release',
  'patch',
  'rev',
  'sdk',
  'app',
  'ios',
  'android',
]
/** Labels of addresses, lowercase. */
const ADDRESS_CUES = [
  'ip',
  '地址',
  '服务器',
  '登录',
  '来源',
  '来自',
  '客户端',
  '网关',
  '代理',
  'addr',
  'address',
  'host',
  'server',
  'from',
  'client',
  'gateway',
  'proxy',
  'peer',
  'dns',
  'src',
  'dst',
]
/** Words right after a dotted quad that make it a version number. */
const VERSION_SUFFIXES = ['版', 'version', 'beta', 'alpha', 'rc', 'build']
const CUE_WINDOW = 16

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
      const cue = cueBefore(text, start, CUE_WINDOW, ADDRESS_CUES, VERSION_CUES)
      if (cue === 'negative') return afterRun(text, start, isDottedCode)
      if (cue === undefined && cueAfter(text, end, 3, VERSION_SUFFIXES))
        return afterRun(text, start, isDottedCode)
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
      // A colon ending a label before the address is punctuation, not part of it: a lone one
      // ("IP:fe80::1"), the first of three ("IP:::1": no address holds three in a row), or one
      // after a label whose last letters are hex digits the pattern took as a first group
      // ("IPv6:2408:...", "remote:240e:..."; the pattern never starts after a hex digit, so
      // the letter before such a match is g-z).
      const before = text.charCodeAt(matchStart - 1)
      let skip = 0
      if (candidate[0] === ':') {
        if (candidate[1] !== ':' || candidate[2] === ':') skip = 1
      } else if (isAlnumCode(before)) {
        const colon = candidate.indexOf(':')
        if (candidate[colon + 1] !== ':') skip = colon + 1
      }
      const start = matchStart + skip
      if ((skip === 0 && isAlnumCode(before)) || before === 58 /* : */ || before === 46) {
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
      if (address === '::' || !digits || !parseIpv6(address) || !allocated(address))
        return afterRun(text, matchStart, isIpv6Code)
      return { start, end }
    })
  },
}
