// Internal helpers of the detectors: candidate loop, boundaries, anchored matching.
// Not part of the public API.
import type { PiiKind } from '../types.js'
import type { DetectorName } from './patterns.js'

/** The result of the VIN check-digit test. */
export type VinCheckDigit = 'valid' | 'invalid' | 'not_applicable'

/** One accepted match: offsets into the scanned text, end exclusive. */
export interface DetectorMatch {
  readonly start: number
  readonly end: number
  /** VIN only: what the check digit at position 9 says. */
  readonly checkDigit?: VinCheckDigit
}

/** What a detector needs besides the text. */
export interface DetectContext {
  /** Birth dates after this day (UTC) are implausible. */
  readonly now: Date
  /** Also report 15-digit legacy resident identity numbers. */
  readonly legacyResidentId: boolean
}

/** A PII detector: a candidate pattern plus the code that validates its candidates. */
export interface Detector {
  readonly name: DetectorName
  readonly kind: PiiKind
  /** Words for messages, e.g. `bank card number`. */
  readonly label: string
  /** The candidate pattern, as exported in `DETECTOR_PATTERNS`. */
  readonly pattern: RegExp
  /** Every accepted match in `text`, in order, not overlapping. */
  find(text: string, context: DetectContext): DetectorMatch[]
}

function withFlag(pattern: RegExp, flag: 'g' | 'y'): RegExp {
  const kept = [...pattern.flags].filter((f) => f !== 'g' && f !== 'y').join('')
  return new RegExp(pattern.source, kept + flag)
}

/** A global copy of a pattern, for an `exec` loop. */
export function globalCopy(pattern: RegExp): RegExp {
  return withFlag(pattern, 'g')
}

/** A sticky copy of a pattern, for {@link fullMatch}. */
export function stickyCopy(pattern: RegExp): RegExp {
  return withFlag(pattern, 'y')
}

/** Whether the sticky pattern matches all of `candidate` (the longest match, as patterns are greedy). */
export function fullMatch(sticky: RegExp, candidate: unknown): candidate is string {
  if (typeof candidate !== 'string') return false
  sticky.lastIndex = 0
  const match = sticky.exec(candidate)
  return match !== null && match[0].length === candidate.length
}

/**
 * Runs a global pattern over `text`. `test` returns a match to accept the candidate, or the
 * index to resume searching from (greater than the candidate's start) to reject it.
 * Every pattern has a bounded match length, so each candidate costs a bounded amount of work.
 */
export function collect(
  pattern: RegExp,
  text: string,
  test: (candidate: string, start: number) => DetectorMatch | number,
): DetectorMatch[] {
  const out: DetectorMatch[] = []
  pattern.lastIndex = 0
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const result = test(m[0], m.index)
    if (typeof result === 'number') {
      pattern.lastIndex = Math.max(result, m.index + 1)
    } else {
      out.push(result)
      pattern.lastIndex = Math.max(result.end, m.index + 1)
    }
  }
  return out
}

/** Whether the UTF-16 code unit is an ASCII letter or digit. */
export function isAlnumCode(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122)
}

/** Whether the UTF-16 code unit is an ASCII digit. */
export function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57
}

/** Whether `text[start, end)` has no ASCII letter or digit on either side. */
export function isolated(text: string, start: number, end: number): boolean {
  return !isAlnumCode(text.charCodeAt(start - 1)) && !isAlnumCode(text.charCodeAt(end))
}

/**
 * Whether a grouped number `text[start, end)` written with separator `sep` continues on either
 * side with the same separator and another digit, so it is part of a longer grouped number.
 */
export function continuesGrouping(text: string, start: number, end: number, sep: string): boolean {
  return (
    (text[start - 1] === sep && isDigitCode(text.charCodeAt(start - 2))) ||
    (text[end] === sep && isDigitCode(text.charCodeAt(end + 1)))
  )
}

/**
 * Where to resume after a candidate at `start` was rejected: past the run of ASCII letters and
 * digits (or of `inRun` characters) it starts in, since any candidate starting inside that run
 * has such a character before it and would be rejected for its boundary too. Linear overall.
 */
export function afterRun(
  text: string,
  start: number,
  inRun: (code: number) => boolean = isAlnumCode,
): number {
  let i = start + 1
  while (i < text.length && inRun(text.charCodeAt(i))) i++
  return i
}

/** Whether y-m-d is a calendar date. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!
  return day <= days
}

/** The characters of `candidate` that are not the separators `seps` (a digit run without its grouping). */
export function withoutSeparators(candidate: string, seps: string): string {
  let out = ''
  for (let i = 0; i < candidate.length; i++) {
    const char = candidate[i]!
    if (!seps.includes(char)) out += char
  }
  return out
}

/** Whether `text[start, end)` holds one of `seps`. */
export function hasSeparator(text: string, seps: string): boolean {
  for (let i = 0; i < text.length; i++) if (seps.includes(text[i]!)) return true
  return false
}

function isAsciiLetterCode(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122)
}

/**
 * Where the last occurrence of `word` in `context` ends, or -1. An ASCII word counts only as a
 * whole word (`ip` is not found in `zip`, `v` not in `server`); CJK words have no such edge.
 */
function lastWordEnd(context: string, word: string, first: number): number {
  const ascii = isAsciiLetterCode(word.charCodeAt(0))
  for (let at = context.lastIndexOf(word); at >= first; at = context.lastIndexOf(word, at - 1)) {
    const end = at + word.length
    if (!ascii) return end
    if (
      !isAsciiLetterCode(context.charCodeAt(at - 1)) &&
      !isAsciiLetterCode(context.charCodeAt(end))
    )
      return end
    if (at === 0) break
  }
  return -1
}

/**
 * Where the last of `words` found in `context` ends (in `context`), or -1, and the length of the
 * longest word ending there. `context` is lowercase; occurrences before `first` are not counted
 * (the character before `first` only shows whether a word at `first` starts a word).
 */
function lastEnd(
  context: string,
  words: readonly string[],
  first = 0,
): [end: number, length: number] {
  let best = -1
  let length = 0
  for (const word of words) {
    const end = lastWordEnd(context, word, first)
    if (end > best || (end === best && end >= 0 && word.length > length)) {
      best = end
      length = word.length
    }
  }
  return [best, length]
}

/**
 * Which kind of context word stands nearest before `start` within `window` characters:
 * `positive` (the detector's own labels: 卡号, card), `negative` (labels of look-alikes: 订单号,
 * ISBN), or `undefined` when neither does. Words are lowercase; ASCII in `text` is compared
 * case-insensitively. Costs O(window × words) per candidate, so scanning stays linear.
 */
export function cueBefore(
  text: string,
  start: number,
  window: number,
  positive: readonly string[],
  negative: readonly string[],
): 'positive' | 'negative' | undefined {
  const from = Math.max(0, start - window - 1)
  const context = text.slice(from, start).toLowerCase()
  const first = start - window > 0 ? 1 : 0
  const [pos, posLength] = lastEnd(context, positive, first)
  const [neg, negLength] = lastEnd(context, negative, first)
  if (pos < 0 && neg < 0) return undefined
  // Two words ending at the same place: the longer holds the shorter and says more (会员卡号
  // is a member card's number, though it ends in 卡号).
  if (pos === neg) return negLength > posLength ? 'negative' : 'positive'
  return pos > neg ? 'positive' : 'negative'
}

/** Whether one of `words` (lowercase) starts within `window` characters after `end`. */
export function cueAfter(
  text: string,
  end: number,
  window: number,
  words: readonly string[],
): boolean {
  // One character more than the window, so a word cut at the window's edge is not taken whole.
  const context = text.slice(end, end + window + 1).toLowerCase()
  for (const word of words) {
    const at = lastWordEnd(context, word, 0)
    if (at >= 0 && at - word.length < window) return true
  }
  return false
}
