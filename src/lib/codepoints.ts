// String helpers that count Unicode code points, not UTF-16 units, so no operator ever cuts a
// CJK extension character or an emoji in half and leaves a lone surrogate in released data.

/**
 * The first `count` code points of `text`; stops reading at the cut instead of splitting all.
 *
 * @example
 * ```ts
 * import { firstCodePoints } from './codepoints.js'
 *
 * console.log(firstCodePoints('😀😁😂', 2)) // 😀😁
 * ```
 */
export function firstCodePoints(text: string, count: number): string {
  // A string of at most `count` UTF-16 units has at most `count` code points.
  if (text.length <= count) return text
  let units = 0
  let seen = 0
  for (const char of text) {
    if (seen === count) break
    units += char.length
    seen++
  }
  return text.slice(0, units)
}

/**
 * Keeps the first `keepStart` and last `keepEnd` code points of `chars` and replaces each other
 * one with `char`. The caller makes sure `keepStart + keepEnd` does not exceed `chars.length`.
 *
 * @example
 * ```ts
 * import { maskCodePoints } from './codepoints.js'
 *
 * console.log(maskCodePoints(Array.from('13812345678'), 3, 4, '*')) // 138****5678
 * ```
 */
export function maskCodePoints(
  chars: readonly string[],
  keepStart: number,
  keepEnd: number,
  char: string,
): string {
  const maskedEnd = chars.length - keepEnd
  let out = ''
  for (let i = 0; i < chars.length; i++) out += i < keepStart || i >= maskedEnd ? chars[i]! : char
  return out
}

/**
 * `char` repeated once per code point of `text`: what a mask preset returns for a value that does
 * not have the shape it knows, so nothing of it leaves but its length.
 *
 * @example
 * ```ts
 * import { maskAll } from './codepoints.js'
 *
 * console.log(maskAll('n/a 😀')) // *****
 * ```
 */
export function maskAll(text: string, char = '*'): string {
  let count = 0
  for (const _ of text) count++
  return char.repeat(count)
}
