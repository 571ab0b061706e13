// Both `#hash` backends against the published vectors (RFC 4231, RFC 5869) and against each
// other on random inputs: a pseudonym must not change with the runtime that computed it.
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  base64urlInto,
  base64urlLength,
  fromHex,
  hex,
  base64url as portableBase64url,
} from '../../src/lib/bytes.js'
import * as noble from '../../src/lib/hash.js'
import * as node from '../../src/lib/hash.node.js'
import rfc4231 from '../vectors/rfc4231.json' with { type: 'json' }
import rfc5869 from '../vectors/rfc5869.json' with { type: 'json' }

const backends = [
  ['noble', noble],
  ['node', node],
] as const

describe('test vector files', () => {
  it('name their sources and hold every case', () => {
    expect(rfc4231.source).toMatch(/RFC 4231.*section 4/)
    expect(rfc4231.cases.map((c) => c.id)).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(rfc5869.source).toMatch(/RFC 5869/)
    expect(rfc5869.cases.map((c) => c.id)).toEqual([1, 2, 3])
  })
})

describe.each(backends)('%s backend', (label, backend) => {
  it(`reports itself as ${label}`, () => {
    expect(backend.hashBackend).toBe(label)
  })

  it('computes SHA-256 of the FIPS 180-2 examples', () => {
    expect(hex(backend.sha256(new Uint8Array(0)))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    )
    expect(hex(backend.sha256(new TextEncoder().encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
  })

  it.each(rfc4231.cases)('matches RFC 4231 test case $id (section $section)', (c) => {
    const mac = hex(backend.hmacSha256(fromHex(c.key))(fromHex(c.data)))
    expect(mac).toHaveLength(64)
    if ('truncatedBits' in c) {
      expect(c.hmacSha256).toHaveLength(c.truncatedBits / 4)
      expect(mac.slice(0, c.truncatedBits / 4)).toBe(c.hmacSha256)
    } else expect(mac).toBe(c.hmacSha256)
  })

  it('gives the same HMAC when the bound function is called again', () => {
    const mac = backend.hmacSha256(fromHex(rfc4231.cases[0]!.key))
    const data = fromHex(rfc4231.cases[0]!.data)
    expect(hex(mac(new Uint8Array([1, 2, 3])))).not.toBe(rfc4231.cases[0]!.hmacSha256)
    expect(hex(mac(data))).toBe(rfc4231.cases[0]!.hmacSha256)
    expect(hex(mac(data))).toBe(rfc4231.cases[0]!.hmacSha256)
  })

  it.each(rfc5869.cases)('matches RFC 5869 HKDF-SHA-256 test case $id ($section)', (c) => {
    const okm = backend.hkdfSha256(fromHex(c.ikm), fromHex(c.salt), fromHex(c.info), c.length)
    expect(okm).toBeInstanceOf(Uint8Array)
    expect(hex(okm)).toBe(c.okm)
  })

  it('HKDF extract step matches the published PRKs (HMAC(salt, IKM))', () => {
    for (const c of rfc5869.cases) {
      // RFC 5869 §2.2: an absent salt is HashLen zero bytes.
      const salt = c.salt === '' ? new Uint8Array(32) : fromHex(c.salt)
      expect(hex(backend.hmacSha256(salt)(fromHex(c.ikm)))).toBe(c.prk)
    }
  })
})

describe('noble and node backends agree', () => {
  const bytes = (max: number) => fc.uint8Array({ maxLength: max })

  it('on SHA-256', () => {
    fc.assert(
      fc.property(bytes(300), (data) => {
        expect(hex(noble.sha256(data))).toBe(hex(node.sha256(data)))
      }),
    )
  })

  it('on HMAC-SHA-256, keys shorter and longer than the block size', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), bytes(300), (key, data) => {
        expect(hex(noble.hmacSha256(key)(data))).toBe(hex(node.hmacSha256(key)(data)))
      }),
    )
  })

  it('on HKDF-SHA-256', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 100 }),
        bytes(64),
        bytes(64),
        fc.integer({ min: 1, max: 255 * 32 }),
        (ikm, salt, info, length) => {
          const a = noble.hkdfSha256(ikm, salt, info, length)
          expect(a).toHaveLength(length)
          expect(hex(a)).toBe(hex(node.hkdfSha256(ikm, salt, info, length)))
        },
      ),
      { numRuns: 50 },
    )
  })
})

describe('base64url: every backend and the portable encoder agree with Buffer', () => {
  it('on random bytes of every length residue', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const expected = Buffer.from(bytes).toString('base64url')
        expect(node.base64url(bytes)).toBe(expected)
        expect(noble.base64url(bytes)).toBe(expected)
        expect(portableBase64url(bytes)).toBe(expected)
      }),
      { numRuns: 500 },
    )
  })

  it('in place: base64urlInto writes the same text at an offset, and nothing beyond it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(20), (bytes, offset) => {
        const expected = Buffer.from(bytes).toString('base64url')
        const out = new Uint8Array(offset + base64urlLength(bytes.length) + 4).fill(0x21)
        const end = base64urlInto(bytes, out, offset)
        expect(end - offset).toBe(expected.length)
        expect(Buffer.from(out.subarray(offset, end)).toString('latin1')).toBe(expected)
        expect([...out.subarray(0, offset), ...out.subarray(end)].every((b) => b === 0x21)).toBe(
          true,
        )
      }),
      { numRuns: 300 },
    )
  })

  it('in place on both backends: the same text, across the 48 KiB parts, from views, and nothing beyond it', () => {
    const whole = Uint8Array.from({ length: 3 * 49_152 + 40 }, (_, i) => (i * 7919) & 255)
    // Lengths around one and two native parts, from a view that does not start at its buffer's start.
    for (const length of [
      0,
      1,
      2,
      3,
      49_151,
      49_152,
      49_153,
      98_303,
      98_304,
      98_305,
      3 * 49_152 + 1,
    ]) {
      const bytes = whole.subarray(7, 7 + length)
      const expected = Buffer.from(bytes).toString('base64url')
      for (const into of [base64urlInto, node.base64urlInto, noble.base64urlInto]) {
        const backing = new Uint8Array(base64urlLength(length) + 20).fill(0x21)
        const out = backing.subarray(3)
        const end = into(bytes, out, 5)
        expect(end - 5).toBe(expected.length)
        expect(Buffer.from(out.subarray(5, end)).toString('latin1')).toBe(expected)
        expect([...backing.subarray(0, 8), ...out.subarray(end)].every((b) => b === 0x21)).toBe(
          true,
        )
      }
    }
  })

  it('in place on the portable backend through a native toBase64, as runtimes with it take', () => {
    // Node 20 has no Uint8Array#toBase64: lend one, so the part-by-part path of hash.ts runs.
    const proto = Uint8Array.prototype as { toBase64?: (options: object) => string }
    const calls: number[] = []
    proto.toBase64 = function (this: Uint8Array) {
      calls.push(this.length)
      return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString('base64url')
    }
    try {
      const bytes = Uint8Array.from({ length: 2 * 49_152 + 5 }, (_, i) => (i * 31) & 255)
      const out = new Uint8Array(base64urlLength(bytes.length))
      const end = noble.base64urlInto(bytes, out, 0)
      expect(Buffer.from(out.subarray(0, end)).toString('latin1')).toBe(
        Buffer.from(bytes).toString('base64url'),
      )
      expect(calls).toEqual([49_152, 49_152, 5])
    } finally {
      delete proto.toBase64
    }
  })

  it('asciiInto and asciiText round-trip base64url text on both backends', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(10), (bytes, offset) => {
        const text = Buffer.from(bytes).toString('base64url')
        for (const backend of [node, noble]) {
          const out = new Uint8Array(offset + text.length)
          expect(backend.asciiInto(text, out, offset)).toBe(text.length)
          expect(backend.asciiText(out.subarray(offset))).toBe(text)
        }
      }),
      { numRuns: 200 },
    )
  })

  it('on a view into a larger buffer', () => {
    const whole = Uint8Array.from({ length: 64 }, (_, i) => i * 7)
    const view = whole.subarray(5, 42)
    const expected = Buffer.from(view).toString('base64url')
    expect(node.base64url(view)).toBe(expected)
    expect(portableBase64url(view)).toBe(expected)
  })
})

describe('sha256Text: digests of text without materialising its UTF-8', () => {
  const reference = (text: string) =>
    createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex')

  it('agrees with hashing the UTF-8 bytes, on both backends, across slice boundaries', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.nat({ max: 40_000 }),
        (tail, pad) => {
          // Long enough to cross the 16,384-unit slices, with any code point (surrogate pairs
          // included) landing on a boundary.
          const text = 'é'.repeat(pad) + tail
          expect(hex(noble.sha256Text(text))).toBe(reference(text))
          expect(hex(node.sha256Text(text))).toBe(reference(text))
        },
      ),
      { numRuns: 200 },
    )
  })

  it('keeps a surrogate pair that straddles a slice boundary whole', () => {
    const text = `${'a'.repeat(16_383)}😀${'b'.repeat(20_000)}`
    expect(hex(noble.sha256Text(text))).toBe(reference(text))
  })
})
