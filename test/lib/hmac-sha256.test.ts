// textHmac (src/lib/hmac-sha256.ts), the HMAC-SHA-256 of texts behind pseudonyms, subject
// counters and watermarks, written out in JavaScript: against RFC 4231 and against node:crypto
// (an independent implementation) on random keys and texts, across block and buffer boundaries.
import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromHex, hex } from '../../src/lib/bytes.js'
import { textHmac } from '../../src/lib/hmac-sha256.js'
import rfc4231 from '../vectors/rfc4231.json' with { type: 'json' }

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
/** The vector's data as text when it is well-formed UTF-8, else undefined. */
function asText(dataHex: string): string | undefined {
  try {
    return strictUtf8.decode(fromHex(dataHex))
  } catch {
    return undefined
  }
}

const nodeHmac = (key: Uint8Array, text: string) =>
  createHmac('sha256', key).update(text, 'utf8').digest()

describe('textHmac', () => {
  // It hashes the UTF-8 of a string: the vectors whose data is well-formed UTF-8 (cases 1, 2, 5,
  // 6 and 7; 6 and 7 have keys longer than a block) apply as they stand.
  const textCases = rfc4231.cases.filter((c) => asText(c.data) !== undefined)

  it('has the RFC 4231 cases whose data is text', () => {
    expect(textCases.map((c) => c.id)).toEqual([1, 2, 5, 6, 7])
  })

  it.each(textCases)('matches RFC 4231 test case $id (section $section)', (c) => {
    const mac = textHmac(fromHex(c.key))
    const text = asText(c.data) as string
    const bytes = hex(mac.bytes(text))
    expect(bytes).toHaveLength(64)
    expect(bytes.slice(0, c.hmacSha256.length)).toBe(c.hmacSha256)
    const full = Buffer.from(bytes, 'hex')
    for (const length of [1, 2, 3, 16, 31, 32])
      expect(mac.base64url(text, length)).toBe(full.subarray(0, length).toString('base64url'))
  })

  it('equals createHmac for random keys (shorter and longer than a block) and texts', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        fc.integer({ min: 1, max: 32 }),
        (key, text, length) => {
          const expected = nodeHmac(key, text)
          const mac = textHmac(key)
          expect(hex(mac.bytes(text))).toBe(hex(expected))
          expect(mac.base64url(text, length)).toBe(
            expected.subarray(0, length).toString('base64url'),
          )
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('equals createHmac around every padding boundary and beyond its own buffer', () => {
    // 55 and 56 bytes are where the padding takes a second block; 1,024 bytes of text (341 or
    // 342 units of CJK) is where the bound buffer ends and a buffer of the text's own begins.
    const key = Uint8Array.from({ length: 32 }, (_, i) => i * 11)
    const mac = textHmac(key)
    for (const unit of ['a', '数', '😀', 'é']) {
      for (const count of [
        0, 1, 54, 55, 56, 57, 63, 64, 65, 119, 120, 341, 342, 1023, 1024, 1025, 5000,
      ]) {
        const text = unit.repeat(Math.ceil(count / unit.length)).slice(0, count)
        expect(hex(mac.bytes(text))).toBe(hex(nodeHmac(key, text)))
      }
    }
  })

  it('encodes lone surrogates as U+FFFD, as node:crypto does', () => {
    const key = new Uint8Array(32).fill(3)
    const mac = textHmac(key)
    for (const text of ['\ud800', 'a\udc00b', '数\ud83d', '\ud83d\ude00\ud800'])
      expect(hex(mac.bytes(text))).toBe(hex(nodeHmac(key, text)))
  })

  it('keeps one bound function independent of the calls before it', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(fc.string({ unit: 'grapheme', maxLength: 2000 }), { minLength: 1, maxLength: 8 }),
        (key, texts) => {
          const mac = textHmac(key)
          for (const text of texts) expect(hex(mac.bytes(text))).toBe(hex(nodeHmac(key, text)))
        },
      ),
      { numRuns: 100 },
    )
  })

  it('returns a new array each call and does not keep the key it was given', () => {
    const key = new Uint8Array(32).fill(9)
    const mac = textHmac(key)
    const first = mac.bytes('C-1001')
    first.fill(0)
    key.fill(0)
    expect(hex(mac.bytes('C-1001'))).toBe(hex(nodeHmac(new Uint8Array(32).fill(9), 'C-1001')))
  })
})
