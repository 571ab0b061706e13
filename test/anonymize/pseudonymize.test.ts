import fc from 'fast-check'
import { describe, expect, expectTypeOf, it } from 'vitest'
import type { Operator } from '../../src/anonymize/operator.js'
import { pseudonymize } from '../../src/anonymize/pseudonymize.js'
import { base64url, fromHex, utf8 } from '../../src/lib/bytes.js'
import { hkdfSha256, hmacSha256 } from '../../src/lib/hash.js'
import { context, expectCode, expectOperatorFailed } from './helpers.js'

const masterKey = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f')
const bindFor = (partner: string, operator = pseudonymize(), pseudonymKey = masterKey) =>
  operator.bind({ partner, path: context.path, pseudonymKey })

const key32 = fc.uint8Array({ minLength: 32, maxLength: 64 })
const partnerId = fc.string({ minLength: 1, maxLength: 20 })
const identifier = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.integer())

describe('pseudonymize', () => {
  it('follows the documented derivation exactly (HKDF label, HMAC, 16 bytes, base64url)', () => {
    // Recomputed with the noble backend directly, so the node backend under test cannot hide a
    // change of scheme: a changed label or length would change every partner's pseudonyms.
    const key = hkdfSha256(
      masterKey,
      new Uint8Array(0),
      utf8('datagate/pseudonym/v1/partner/rental-co'),
      32,
    )
    const expected = base64url(hmacSha256(key)(utf8('C-1001')).subarray(0, 16))
    expect(bindFor('rental-co')('C-1001')).toBe(expected)
    expect(expected).toHaveLength(22)

    const globalKey = hkdfSha256(
      masterKey,
      new Uint8Array(0),
      utf8('datagate/pseudonym/v1/global/domain/vehicle'),
      32,
    )
    const global = pseudonymize({ scope: 'global', domain: 'vehicle', length: 32, prefix: 'v_' })
    expect(bindFor('rental-co', global)('C-1001')).toBe(
      `v_${base64url(hmacSha256(globalKey)(utf8('C-1001')))}`,
    )
  })

  it('pins the output for a fixed key (a regression guard against scheme changes)', () => {
    // Computed independently with Python's hmac/hashlib from the documented scheme.
    const transform = bindFor('rental-co', pseudonymize({ prefix: 'cus_' }))
    expect(transform('C-1001')).toBe('cus_QJTJyIl5kaRdhaRc1-bE3g')
    expect(transform('C-1001')).toBe('cus_QJTJyIl5kaRdhaRc1-bE3g')
    expect(bindFor('maps-co')('C-1001')).toBe('1ei-wjDDV_DDL4PzKg-TEQ')
  })

  it('pseudonymises numbers and bigints as their decimal string', () => {
    const transform = bindFor('rental-co')
    expect(transform(42)).toBe(transform('42'))
    expect(transform(12345678901234567890n)).toBe(transform('12345678901234567890'))
    expect(transform(-0)).toBe(transform('0'))
    expect(transform(1.5)).toBe(transform('1.5'))
  })

  it('separates domains and keys by partner id without ambiguity', () => {
    const plain = bindFor('a/domain/x')('v')
    const withDomain = bindFor('a', pseudonymize({ domain: 'x' }))('v')
    expect(plain).not.toBe(withDomain)
    expect(bindFor('rental-co', pseudonymize({ domain: 'customer' }))('v')).not.toBe(
      bindFor('rental-co')('v'),
    )
  })

  it('rejects a missing, short or wrong-typed master key with ERR_KEY_INVALID', () => {
    const operator = pseudonymize()
    expectCode(() => operator.bind({ partner: 'p', path: 'id' }), 'ERR_KEY_INVALID')
    expectCode(
      () => operator.bind({ partner: 'p', path: 'id', pseudonymKey: new Uint8Array(31) }),
      'ERR_KEY_INVALID',
    )
    const notBytes = 'x'.repeat(64) as unknown as Uint8Array
    expectCode(
      () => operator.bind({ partner: 'p', path: 'id', pseudonymKey: notBytes }),
      'ERR_KEY_INVALID',
    )
    expect(() =>
      operator.bind({ partner: 'p', path: 'id', pseudonymKey: new Uint8Array(32) }),
    ).not.toThrow()
  })

  it('rejects an empty partner id for partner scope', () => {
    expectCode(() => bindFor(''), 'ERR_INVALID_ARGUMENT')
    expect(() => bindFor('', pseudonymize({ scope: 'global' }))).not.toThrow()
  })

  it('rejects bad options', () => {
    for (const length of [15, 33, 16.5, Number.NaN])
      expectCode(() => pseudonymize({ length }), 'ERR_INVALID_ARGUMENT')
    expectCode(() => pseudonymize({ scope: 'none' as never }), 'ERR_INVALID_ARGUMENT')
    expectCode(() => pseudonymize({ prefix: 1 as never }), 'ERR_INVALID_ARGUMENT')
    expectCode(() => pseudonymize({ prefix: 'x'.repeat(33) }), 'ERR_INVALID_ARGUMENT')
    expectCode(() => pseudonymize({ domain: '' }), 'ERR_INVALID_ARGUMENT')
    expectCode(() => pseudonymize(null as never), 'ERR_INVALID_ARGUMENT')
  })

  it('rejects wrong-typed values without quoting them', () => {
    const transform = bindFor('rental-co')
    expectOperatorFailed(() => transform({ id: 'C-1001-secret' } as never), 'C-1001-secret')
    expectOperatorFailed(() => transform(Number.NaN))
    expectOperatorFailed(() => transform(Number.POSITIVE_INFINITY), 'Infinity')
    expectOperatorFailed(() => transform(true as never))
  })

  it('rejects strings with lone surrogates, which UTF-8 would merge into one pseudonym', () => {
    const transform = bindFor('rental-co')
    expectOperatorFailed(() => transform('id-\uD800'))
    expectOperatorFailed(() => transform('\uDC00'))
    expect(transform('😀')).toMatch(/^[A-Za-z0-9_-]{22}$/)
  })

  it('rejects a partner id or domain that is not well-formed Unicode', () => {
    expectCode(() => bindFor('rental\uD800'), 'ERR_INVALID_ARGUMENT')
    expectCode(() => pseudonymize({ domain: '\uDFFF' }), 'ERR_INVALID_ARGUMENT')
  })

  it('is typed, named and of kind pseudonymize', () => {
    const operator = pseudonymize({ length: 20, domain: 'customer' })
    expect(operator.kind).toBe('pseudonymize')
    expect(operator.name).toBe('pseudonymize(scope=partner,length=20,domain=customer)')
    expectTypeOf(operator).toEqualTypeOf<Operator<string | number | bigint, string>>()
  })
})

describe('pseudonymize properties', () => {
  it('is stable per partner', () => {
    fc.assert(
      fc.property(key32, partnerId, identifier, (pseudonymKey, partner, value) => {
        const operator = pseudonymize()
        expect(bindFor(partner, operator, pseudonymKey)(value)).toBe(
          bindFor(partner, pseudonymize(), pseudonymKey)(value),
        )
      }),
    )
  })

  it('differs across partners for the same value', () => {
    fc.assert(
      fc.property(key32, partnerId, partnerId, identifier, (pseudonymKey, a, b, value) => {
        fc.pre(a !== b)
        expect(bindFor(a, pseudonymize(), pseudonymKey)(value)).not.toBe(
          bindFor(b, pseudonymize(), pseudonymKey)(value),
        )
      }),
    )
  })

  it('is the same across partners under scope global', () => {
    fc.assert(
      fc.property(key32, partnerId, partnerId, identifier, (pseudonymKey, a, b, value) => {
        const operator = pseudonymize({ scope: 'global' })
        expect(bindFor(a, operator, pseudonymKey)(value)).toBe(
          bindFor(b, operator, pseudonymKey)(value),
        )
      }),
    )
  })

  it('differs across master keys and across values', () => {
    fc.assert(
      fc.property(key32, key32, identifier, identifier, (k1, k2, v1, v2) => {
        fc.pre(String(v1) !== String(v2))
        const t1 = bindFor('p', pseudonymize(), k1)
        expect(t1(v1)).not.toBe(t1(v2))
        fc.pre(k1.length !== k2.length || k1.some((byte, i) => byte !== k2[i]))
        expect(t1(v1)).not.toBe(bindFor('p', pseudonymize(), k2)(v1))
      }),
    )
  })

  it('carries at least 128 bits: >= 22 base64url characters after the prefix', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 32 }),
        fc.string({ maxLength: 8 }),
        identifier,
        (length, prefix, value) => {
          const out = bindFor('p', pseudonymize({ length, prefix }))(value)
          expect(out.startsWith(prefix)).toBe(true)
          const body = out.slice(prefix.length)
          expect(body).toMatch(/^[A-Za-z0-9_-]+$/)
          expect(body.length).toBe(Math.ceil((length * 8) / 6))
          expect(body.length).toBeGreaterThanOrEqual(22)
        },
      ),
    )
  })

  it('rejects every master key shorter than 32 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 31 }), (pseudonymKey) => {
        expectCode(() => bindFor('p', pseudonymize(), pseudonymKey), 'ERR_KEY_INVALID')
      }),
    )
  })
})
