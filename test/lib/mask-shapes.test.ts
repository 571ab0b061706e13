// maskDigits walks UTF-16 units and cuts three slices instead of concatenating per code point;
// the phone and bank-card masks must give exactly what they gave before, for every input: the
// earlier code is kept as the oracle in fixtures/mask-shapes-reference.ts.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { maskBankCard, maskPhone } from '../../src/lib/mask-shapes.js'
import * as reference from './fixtures/mask-shapes-reference.js'

const phoneChars = fc.constantFrom(...'0123456789 ().-+'.split(''))
const phoneLike = fc.oneof(
  fc.stringMatching(/^(\+86 ?|0086|86)?1[3-9][0-9]{9}$/),
  fc.stringMatching(/^0[12][0-9]-?[0-9]{8}$/),
  fc.stringMatching(/^0[3-9][0-9]{2}-?[0-9]{7,8}$/),
  fc.array(phoneChars, { maxLength: 24 }).map((chars) => chars.join('')),
  fc.string({ unit: 'binary', maxLength: 24 }),
)
const cardLike = fc.oneof(
  fc.stringMatching(/^[0-9]{12,19}$/),
  fc.stringMatching(/^[0-9]{4}([ -][0-9]{4}){2,4}$/),
  fc.array(fc.constantFrom(...'0123456789 -'.split('')), { maxLength: 26 }).map((c) => c.join('')),
  fc.string({ unit: 'binary', maxLength: 26 }),
)

describe('mask shapes after the code-unit rewrite', () => {
  it('maskPhone gives the earlier output for every input', () => {
    fc.assert(
      fc.property(phoneLike, (value) => {
        expect(maskPhone(value)).toBe(reference.maskPhone(value))
      }),
      { numRuns: 3000 },
    )
  })

  it('maskBankCard gives the earlier output for every input', () => {
    fc.assert(
      fc.property(cardLike, (value) => {
        expect(maskBankCard(value)).toBe(reference.maskBankCard(value))
      }),
      { numRuns: 3000 },
    )
  })
})
