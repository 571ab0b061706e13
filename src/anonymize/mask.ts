import { assertNumber, assertObject, assertString, invalidArgument } from '../lib/assert.js'
import { maskCodePoints } from '../lib/codepoints.js'
import {
  maskBankCard,
  maskEmail,
  maskIdCard,
  maskName,
  maskPhone,
  maskPlate,
  maskVin,
} from '../lib/mask-shapes.js'
import { operatorFailed } from '../lib/operator-error.js'
import { literalPattern, stringMatching } from '../lib/output-pattern.js'
import type { Operator, OutputSchema } from './operator.js'

/** Options of the generic {@link mask}. */
export interface MaskOptions {
  /** Code points kept at the start; default 0. */
  readonly keepStart?: number | undefined
  /** Code points kept at the end; default 0. */
  readonly keepEnd?: number | undefined
  /** The mask character, exactly one code point; default `*`. */
  readonly char?: string | undefined
  /**
   * At least this many code points are masked, default 1 (the minimum). A value too short to
   * keep `keepStart + keepEnd` and still mask this many is masked whole.
   */
  readonly minMasked?: number | undefined
}

/** {@link mask} and its presets, each a property of the function. */
export interface Mask {
  /** Generic mask over code points; see {@link MaskOptions}. */
  (options?: MaskOptions): Operator<string, string>
  /** Phone numbers: `13812345678` -> `138****5678`, `010-12345678` -> `010-****5678`. */
  phone(): Operator<string, string>
  /** Resident ID (GB 11643): `11010519491231002X` -> `110105********002X`. */
  idCard(): Operator<string, string>
  /** E-mail: `zhang.san@example.com` -> `z***@example.com`. */
  email(): Operator<string, string>
  /** Personal names: `张三` -> `张*`, `欧阳娜娜` -> `欧***`, `John Smith` -> `J*** S****`. */
  name(): Operator<string, string>
  /** Licence plates: `京A12345` -> `京A***45`. */
  plate(): Operator<string, string>
  /** VIN: `LSVAU2180N2183294` -> `LSVAU218*********`. */
  vin(): Operator<string, string>
  /** Bank card numbers (PCI DSS): `6222021234567890123` -> `622202*********0123`. */
  bankCard(): Operator<string, string>
}

// What each preset returns (src/lib/mask-shapes.ts): the value's shape masked, or, for a value
// without that shape, one `*` per code point (`\**`). test/anonymize/output-schema.test.ts checks
// every pattern against the presets' real outputs.
const SEPARATED_DIGITS = '[0-9 ().-]'
const PRESET_OUTPUT = {
  phone: `\\+?${SEPARATED_DIGITS}*(?:\\*${SEPARATED_DIGITS}*){4,}|\\**`,
  idCard: '\\d{6}\\*{8}\\d{3}[\\dXx]|\\d{6}\\*{6}\\d{3}|\\**',
  email: '\\S?\\*{3}@[^\\s@]+|\\**',
  name: '\\s*\\S\\**(?:\\s+\\S\\**)*\\s*|\\**',
  plate: '\\p{Script=Han}[A-Za-z][ ·•-]?\\*{3,4}[A-Za-z0-9](?:[A-Za-z0-9]|\\p{Script=Han})|\\**',
  vin: '[A-HJ-NPR-Za-hj-npr-z0-9]{8}\\*{9}|\\**',
  bankCard: '[\\d -]*(?:\\*[\\d -]*){6,}|\\**',
} as const

function maskOperator(
  name: string,
  apply: (value: string) => string,
  outputSchema: OutputSchema,
): Operator<string, string> {
  const operator: Operator<string, string> = {
    kind: 'mask',
    name,
    outputSchema,
    bind:
      ({ path }) =>
      (value) => {
        if (typeof value !== 'string') operatorFailed(name, path, 'a string', value)
        return apply(value)
      },
  }
  return Object.freeze(operator)
}

/**
 * Masks a string over Unicode code points: keeps `keepStart` code points at the start and
 * `keepEnd` at the end and replaces each one between with `char`. The output has as many code
 * points as the input. A string too short to mask at least `minMasked` code points is masked
 * whole. Presets for common identifiers are properties: `mask.phone()`, `mask.idCard()`,
 * `mask.email()`, `mask.name()`, `mask.plate()`, `mask.vin()`, `mask.bankCard()`.
 *
 * @throws DatagateError `ERR_INVALID_ARGUMENT` for a negative or non-integer count, or a `char`
 *   that is not exactly one code point; the transform throws `ERR_OPERATOR_FAILED` for a value
 *   that is not a string.
 *
 * @example
 * ```ts
 * import { mask } from 'datagate/anonymize'
 *
 * const transform = mask({ keepStart: 2, keepEnd: 1, char: '#' }).bind({ partner: 'rental-co', path: 'code' })
 * console.log(transform('AB-1234-Z')) // AB######Z
 * console.log(transform('ABC'))       // ###
 * ```
 */
function genericMask(options: MaskOptions = {}): Operator<string, string> {
  assertObject(options, 'mask options')
  const { keepStart = 0, keepEnd = 0, char = '*', minMasked = 1 } = options
  assertNumber(keepStart, 'mask keepStart', { integer: true, min: 0 })
  assertNumber(keepEnd, 'mask keepEnd', { integer: true, min: 0 })
  assertNumber(minMasked, 'mask minMasked', { integer: true, min: 1 })
  assertString(char, 'mask char', { nonEmpty: true })
  if (Array.from(char).length !== 1) invalidArgument('range', 'mask char', 'exactly one code point')
  const masked = literalPattern(char)
  // Masked whole (too short), or keepStart code points, at least minMasked masks, keepEnd.
  const output = stringMatching(
    `${masked}*|[\\s\\S]{${keepStart}}${masked}{${minMasked},}[\\s\\S]{${keepEnd}}`,
  )
  return maskOperator(
    `mask(keepStart=${keepStart},keepEnd=${keepEnd})`,
    (value) => {
      const chars = Array.from(value)
      if (chars.length - keepStart - keepEnd < minMasked) return char.repeat(chars.length)
      return maskCodePoints(chars, keepStart, keepEnd, char)
    },
    output,
  )
}

function preset(
  name: keyof typeof PRESET_OUTPUT,
  apply: (value: string) => string,
): () => Operator<string, string> {
  const operator = maskOperator(`mask.${name}`, apply, stringMatching(PRESET_OUTPUT[name]))
  return () => operator
}

/**
 * Masks a string; see {@link MaskOptions}. The presets, one per identifier shape:
 *
 * - `mask.phone()`: a Chinese mobile (11 digits from 1, with or without `+86` / `0086`) keeps the
 *   first 3 and last 4 digits; a landline keeps its area code (010, 02x: 3 digits, else 4) and
 *   up to the last 4 digits, masking at least 4; any other number of 7-15 digits keeps only its
 *   last 4 (and a `+86` country code). Spaces, `-`, `.` and brackets stay in place.
 *   `'+86 138 1234 5678'` -> `'+86 138 **** 5678'`, `'0755-87654321'` -> `'0755-****4321'`.
 * - `mask.idCard()`: an 18-character resident ID (GB 11643) keeps the 6-digit region code and
 *   the last 4 (sequence and check character), masking the 8-digit birth date; a 15-digit ID
 *   keeps 6 and the last 3. `'11010519491231002X'` -> `'110105********002X'`.
 * - `mask.email()`: keeps the first character of the local part (none when it has one) and the
 *   domain; the local part becomes exactly `***`, hiding its length.
 *   `'zhang.san@example.com'` -> `'z***@example.com'`.
 * - `mask.name()`: each whitespace-separated part keeps its first character and masks the rest,
 *   one `*` per character; a one-character part is masked. Chinese names keep the surname
 *   character: `'张三'` -> `'张*'`, `'欧阳娜娜'` -> `'欧***'`, `'John Smith'` -> `'J*** S****'`.
 * - `mask.plate()`: a Chinese plate keeps the province character, the authority letter and the
 *   last 2 characters. `'京A12345'` -> `'京A***45'`, `'沪AD12345'` -> `'沪A****45'`.
 * - `mask.vin()`: a 17-character VIN keeps its first 8 (WMI and VDS: maker and vehicle type) and
 *   masks the 9 that identify the vehicle (check digit, model year, plant, serial number).
 *   `'LSVAU2180N2183294'` -> `'LSVAU218*********'`.
 * - `mask.bankCard()`: 12-19 digits (spaces and `-` allowed and kept) keep the first 6 (the
 *   issuer) and the last 4, the most PCI DSS allows; shorter numbers keep fewer leading digits
 *   so at least 6 stay masked. `'6222 0212 3456 7890 123'` -> `'6222 02** **** ***0 123'`.
 *
 * A value without the preset's shape is masked whole, one `*` per code point.
 *
 * @example
 * ```ts
 * import { mask } from 'datagate/anonymize'
 *
 * const context = { partner: 'rental-co', path: 'customer' }
 * console.log(mask.phone().bind(context)('13812345678'))          // 138****5678
 * console.log(mask.idCard().bind(context)('11010519491231002X'))  // 110105********002X
 * console.log(mask.email().bind(context)('zhang.san@example.com')) // z***@example.com
 * console.log(mask.name().bind(context)('欧阳娜娜'))               // 欧***
 * console.log(mask.plate().bind(context)('京A12345'))             // 京A***45
 * console.log(mask.vin().bind(context)('LSVAU2180N2183294'))      // LSVAU218*********
 * console.log(mask.bankCard().bind(context)('6222021234567890123')) // 622202*********0123
 * console.log(mask.phone().bind(context)('call me'))             // *******
 * ```
 */
export const mask: Mask = Object.defineProperties(genericMask as Mask, {
  phone: { value: preset('phone', maskPhone), enumerable: true },
  idCard: { value: preset('idCard', maskIdCard), enumerable: true },
  email: { value: preset('email', maskEmail), enumerable: true },
  // `name` is also Function.prototype.name (read-only): define it, never assign it.
  name: { value: preset('name', maskName), enumerable: true },
  plate: { value: preset('plate', maskPlate), enumerable: true },
  vin: { value: preset('vin', maskVin), enumerable: true },
  bankCard: { value: preset('bankCard', maskBankCard), enumerable: true },
})
Object.freeze(mask)
