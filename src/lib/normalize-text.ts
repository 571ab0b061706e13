// The text the PII detectors match against, and the way back to offsets in the original.
//
// People write identifiers in forms the detectors' ASCII patterns would miss: full-width digits
// from a CJK input method (１３８…), no-break or ideographic spaces and en dashes between digit
// groups, zero-width spaces pasted in from web pages or inserted on purpose to dodge a scanner.
// Rather than widening every pattern, the scanner matches against a folded copy and maps each
// match back, so a finding's `start`/`end` always index the string the caller passed.
//
// Folding works one code point at a time, so the map stays a simple array and the cost linear:
// - zero-width characters (ZWSP, ZWNJ, ZWJ, word joiner, BOM, soft hyphen, Mongolian vowel
//   separator) are removed;
// - every Unicode space separator (NBSP, U+2000-U+200A, narrow NBSP, ideographic space, ...)
//   becomes an ASCII space, and every dash or minus (U+2010-U+2015, U+2212, small and full-width
//   hyphen-minus) an ASCII hyphen;
// - any other code point whose NFKC form is one ASCII letter or digit, or one of `+ @ . - ( ) _ %`
//   (the punctuation written inside identifiers), becomes that character: full-width digits and
//   letters, mathematical digits, ＋ ＠ ． （ ）. Not folded: superscripts, subscripts and
//   enclosed forms (², ①, ⑴), which mark footnotes and list items (as digits they would glue a
//   marker onto the number after it), and other full-width punctuation such as ：and ，, which in
//   CJK prose separates a label from its value (as `:` it would join 地址：to an IPv6 address).
// NFKC of a whole string is not used: it composes across characters and expands some to several
// (㎡ -> m2, ⑩ -> 10), which would fabricate digit runs and break the offset map.

/** A string folded for matching, with the map back to the original's UTF-16 offsets. */
export interface NormalizedText {
  /** The folded text. Equal to the original (the same string) when nothing needed folding. */
  readonly text: string
  /** The original span `[start, end)` of the folded span `[start, end)` (end exclusive, end > start). */
  originalSpan(start: number, end: number): { readonly start: number; readonly end: number }
}

const ZERO_WIDTH = new Set([0x00ad, 0x180e, 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff])
const SPACES = new Set([0x00a0, 0x1680, 0x202f, 0x205f, 0x3000])
const DASHES = new Set([0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xfe58, 0xfe63])

/** Superscripts, subscripts and enclosed alphanumerics: never folded (see above). */
function isMarker(cp: number): boolean {
  return (
    cp === 0xb2 ||
    cp === 0xb3 ||
    cp === 0xb9 ||
    (cp >= 0x2070 && cp <= 0x209f) ||
    (cp >= 0x2460 && cp <= 0x24ff) ||
    (cp >= 0x2776 && cp <= 0x2793) ||
    (cp >= 0x3200 && cp <= 0x32ff) ||
    (cp >= 0x1f100 && cp <= 0x1f1ff)
  )
}

/** Ranges NFKC leaves alone: skipping them keeps CJK text on the fast path. */
function isStable(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0x3040 && cp <= 0x30ff)
  )
}

// Memo of folds already computed (NFKC through `normalize` is the slow step). Bounded, so an
// input made of every code point cannot grow it without limit; past the bound it just recomputes.
const MEMO = new Map<number, string | null>()
const MEMO_LIMIT = 4096

/** The replacement of one non-ASCII code point, or `null` to keep it as it is. */
function foldCodePoint(cp: number): string | null {
  if (isStable(cp)) return null
  if (ZERO_WIDTH.has(cp)) return ''
  if (SPACES.has(cp) || (cp >= 0x2000 && cp <= 0x200a)) return ' '
  if (DASHES.has(cp)) return '-'
  if (isMarker(cp)) return null
  const memo = MEMO.get(cp)
  if (memo !== undefined) return memo
  const nfkc = String.fromCodePoint(cp).normalize('NFKC')
  const folded = nfkc.length === 1 && FOLDED.includes(nfkc) ? nfkc : null
  if (MEMO.size < MEMO_LIMIT) MEMO.set(cp, folded)
  return folded
}

/** What NFKC may fold to: ASCII letters, digits and the punctuation of identifiers. */
const FOLDED = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+@.-()_%'

/** The first `length` UTF-16 units as a string, in chunks small enough for `fromCharCode`'s arguments. */
function decode(units: Uint16Array, length: number): string {
  const chunks: string[] = []
  for (let at = 0; at < length; at += 8192) {
    chunks.push(String.fromCharCode(...units.subarray(at, Math.min(length, at + 8192))))
  }
  return chunks.join('')
}

const IDENTITY_SPAN = (start: number, end: number) => ({ start, end })

/**
 * Folds `text` for matching (see the file comment) and keeps the offset map.
 *
 * @example
 * ```ts
 * import { normalizeText } from './normalize-text.js'
 *
 * const view = normalizeText('手机\u00a0１３８\u200b1234–5678')
 * console.log(view.text) // '手机 1381234-5678'
 * console.log(view.originalSpan(3, 15)) // { start: 3, end: 16 }
 * ```
 */
export function normalizeText(text: string): NormalizedText {
  let i = 0
  // Fast path: most input is ASCII or CJK and needs no folding at all.
  while (i < text.length) {
    const code = text.charCodeAt(i)
    // ASCII and the CJK Unified Ideographs block, inline: they make up most text scanned.
    if (code < 0x80 || (code >= 0x4e00 && code <= 0x9fff)) {
      i++
      continue
    }
    const cp = text.codePointAt(i)!
    if (foldCodePoint(cp) !== null) break
    i += cp > 0xffff ? 2 : 1
  }
  if (i === text.length) return { text, originalSpan: IDENTITY_SPAN }

  // Folding never lengthens: each code point becomes at most as many UTF-16 units as it had.
  // units: the folded text; from[k]: original offset of the code point that produced unit k;
  // to[k]: just past it. Typed arrays and one decode at the end keep a 1 MB input to a few
  // allocations (an array of a million one-character strings made the collector dominate).
  const units = new Uint16Array(text.length)
  const from = new Int32Array(text.length)
  const to = new Int32Array(text.length)
  for (let k = 0; k < i; k++) {
    units[k] = text.charCodeAt(k)
    from[k] = k
    to[k] = k + 1
  }
  let length = i
  while (i < text.length) {
    const cp = text.codePointAt(i)!
    const width = cp > 0xffff ? 2 : 1
    const folded = cp < 0x80 ? null : foldCodePoint(cp)
    const count = folded === null ? width : folded.length
    for (let k = 0; k < count; k++) {
      units[length] = folded === null ? text.charCodeAt(i + k) : folded.charCodeAt(k)
      from[length] = i
      to[length] = i + width
      length++
    }
    i += width
  }
  return {
    text: decode(units, length),
    originalSpan(start: number, end: number) {
      const last = Math.min(end, length) - 1
      return {
        start: start < length ? from[start]! : text.length,
        end: last >= 0 ? to[last]! : 0,
      }
    },
  }
}
