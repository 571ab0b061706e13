import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { firstCodePoints, maskAll, maskCodePoints } from '../../src/lib/codepoints.js'

describe('code point helpers', () => {
  it('firstCodePoints equals Array.from(...).slice(0, n).join("")', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), fc.nat(25), (text, n) => {
        expect(firstCodePoints(text, n)).toBe(Array.from(text).slice(0, n).join(''))
      }),
    )
  })

  it('maskCodePoints and maskAll count code points', () => {
    expect(maskCodePoints(Array.from('😀ab😁'), 1, 1, '*')).toBe('😀**😁')
    expect(maskAll('a😀中')).toBe('***')
    expect(maskAll('')).toBe('')
    expect(maskAll('ab', '#')).toBe('##')
  })
})
