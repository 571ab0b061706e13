import { describe, expect, expectTypeOf, it } from 'vitest'
import { drop } from '../../src/anonymize/drop.js'
import { keep } from '../../src/anonymize/keep.js'
import type { Operator } from '../../src/anonymize/operator.js'
import { replace } from '../../src/anonymize/replace.js'
import { truncate } from '../../src/anonymize/truncate.js'
import { bound, expectCode, expectOperatorFailed } from './helpers.js'

describe('drop', () => {
  it('returns undefined for any value', () => {
    const transform = bound(drop())
    for (const value of ['张三', 0, false, { a: 1 }, [1], ''])
      expect(transform(value)).toBeUndefined()
  })

  it('is kind drop, named drop, and typed unknown -> undefined', () => {
    expect(drop().kind).toBe('drop')
    expect(drop().name).toBe('drop')
    expectTypeOf(drop()).toEqualTypeOf<Operator<unknown, undefined>>()
  })
})

describe('keep', () => {
  it('returns the very value', () => {
    const transform = bound(keep())
    const object = { a: 1 }
    expect(transform(object)).toBe(object)
    expect(transform('Hangzhou')).toBe('Hangzhou')
    expect(keep().kind).toBe('keep')
    expectTypeOf(keep<string>()).toEqualTypeOf<Operator<string, string>>()
  })
})

describe('replace', () => {
  it('replaces every value with the constant', () => {
    const transform = bound(replace('REDACTED'))
    expect(transform('secret')).toBe('REDACTED')
    expect(transform(12)).toBe('REDACTED')
    expect(bound(replace(0))('x')).toBe(0)
    expect(bound(replace(false))('x')).toBe(false)
    expect(bound(replace(null))('x')).toBeNull()
    expectTypeOf(replace('REDACTED')).toEqualTypeOf<Operator<unknown, 'REDACTED'>>()
  })

  it('names the constant type, not the constant', () => {
    expect(replace('REDACTED').name).toBe('replace(string)')
    expect(replace(null).name).toBe('replace(null)')
    expect(replace(1).kind).toBe('replace')
  })

  it('rejects constants that are not JSON scalars', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, undefined, {}, [], 1n])
      expectCode(() => replace(value as never), 'ERR_INVALID_ARGUMENT')
  })
})

describe('truncate', () => {
  it('keeps the first n code points', () => {
    const transform = bound(truncate(4))
    expect(transform('310115199001011234')).toBe('3101')
    expect(transform('浙江省杭州市西湖区')).toBe('浙江省杭')
    expect(transform('abc')).toBe('abc')
    expect(transform('abcd')).toBe('abcd')
    expect(transform('')).toBe('')
  })

  it('never splits a surrogate pair', () => {
    expect(bound(truncate(2))('😀😁😂')).toBe('😀😁')
    expect(bound(truncate(1))('𠮷野家')).toBe('𠮷')
    expect(bound(truncate(3))('a😀b😁')).toBe('a😀b')
    expect(bound(truncate(0))('😀')).toBe('')
  })

  it('rejects a bad length and wrong-typed values', () => {
    for (const length of [-1, 1.5, Number.NaN])
      expectCode(() => truncate(length), 'ERR_INVALID_ARGUMENT')
    expectCode(() => truncate('3' as never), 'ERR_INVALID_ARGUMENT')
    const transform = bound(truncate(3))
    expectOperatorFailed(() => transform(13812345678 as never), 13812345678)
    expectOperatorFailed(() => transform({ secret: 'hidden-value' } as never), 'hidden-value')
    expect(truncate(3).name).toBe('truncate(3)')
  })
})
