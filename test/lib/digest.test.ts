// jsonArrayDigest writes an array's JSON in slices: the digest must be jsonDigest's, of the one
// text of the whole array, for any array, around the slice boundaries too; and both `#hash`
// backends' incremental SHA-256 must agree with the one-shot digest of the joined parts.
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  digestingArray,
  jsonArrayDigest,
  jsonDigest,
  jsonTextsDigest,
  textDigest,
} from '../../src/lib/digest.js'
import * as noble from '../../src/lib/hash.js'
import * as node from '../../src/lib/hash.node.js'

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')

const record = fc.record(
  {
    id: fc.string({ unit: 'binary' }),
    city: fc.constantFrom('杭州', '上海', 'Zürich', '😀', '\ud800', 'a"b\\c\n'),
    hours: fc.oneof(fc.double(), fc.integer(), fc.constant(-0)),
    flag: fc.boolean(),
    none: fc.constant(null),
    missing: fc.constant(undefined),
    nested: fc.record({ v: fc.string({ unit: 'grapheme' }) }),
  },
  { requiredKeys: ['id'] },
)

describe('jsonArrayDigest', () => {
  it('is jsonDigest of the whole array, for any records', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 700 }), (records) => {
        expect(jsonArrayDigest(records)).toBe(jsonDigest(records))
        expect(jsonArrayDigest(records)).toBe(`sha256:${sha256Hex(JSON.stringify(records))}`)
      }),
      { numRuns: 60 },
    )
  })

  it('is jsonDigest around and across the slice boundaries, holes and non-JSON elements too', () => {
    for (const length of [0, 1, 199, 200, 201, 399, 400, 401, 1000, 1001]) {
      const values: unknown[] = Array.from({ length }, (_, i) =>
        i % 7 === 0 ? undefined : i % 11 === 0 ? () => i : { i, text: `第${i}号` },
      )
      expect(jsonArrayDigest(values)).toBe(jsonDigest(values))
      const sparse = new Array<unknown>(length)
      if (length > 3) sparse[3] = { x: 1 }
      expect(jsonArrayDigest(sparse)).toBe(jsonDigest(sparse))
    }
  })
})

describe('digestingArray', () => {
  const filled = (values: readonly unknown[]) => {
    const array = digestingArray<unknown>()
    for (const value of values) array.push(value)
    return array
  }

  it('holds what was pushed and digests it as jsonDigest does, for any records', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 700 }), (records) => {
        const array = filled(records)
        expect(array.values).toStrictEqual(records)
        expect(array.digest()).toBe(`sha256:${sha256Hex(JSON.stringify(records))}`)
      }),
      { numRuns: 60 },
    )
  })

  it('digests around and across the slice boundaries, undefined and functions too', () => {
    for (const length of [0, 1, 199, 200, 201, 399, 400, 401, 1000, 1001]) {
      const values: unknown[] = Array.from({ length }, (_, i) =>
        i % 7 === 0 ? undefined : i % 11 === 0 ? () => i : { i, text: `第${i}号` },
      )
      expect(filled(values).digest()).toBe(jsonDigest(values))
    }
  })
})

describe('jsonTextsDigest', () => {
  it('is textDigest of the joined array text, around and across the slice boundaries', () => {
    for (const length of [0, 1, 199, 200, 201, 400, 401, 1001]) {
      const texts = Array.from({ length }, (_, i) =>
        JSON.stringify({ i, city: i % 2 ? '杭州' : '😀' }),
      )
      expect(jsonTextsDigest(texts)).toBe(textDigest(`[${texts.join(',')}]`))
    }
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 600 }), (values) => {
        const texts = values.map((value) => JSON.stringify(value))
        expect(jsonTextsDigest(texts)).toBe(textDigest(`[${texts.join(',')}]`))
        expect(jsonTextsDigest(texts)).toBe(jsonDigest(values))
      }),
      { numRuns: 40 },
    )
  })
})

describe('sha256TextStream', () => {
  for (const [name, backend] of [
    ['noble', noble],
    ['node', node],
  ] as const) {
    it(`${name}: the digest of the parts is the digest of their concatenation`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.string({ unit: 'grapheme', maxLength: 40_000 }), { maxLength: 5 }),
          (parts) => {
            const hash = backend.sha256TextStream()
            for (const part of parts) hash.update(part)
            expect(Buffer.from(hash.digest()).toString('hex')).toBe(sha256Hex(parts.join('')))
          },
        ),
        { numRuns: 40 },
      )
    })
  }
})
