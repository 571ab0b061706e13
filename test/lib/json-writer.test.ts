// The one serialisation of exports and stream chunks: what the writer finishes must be exactly
// `prefix + JSON.stringify(array) + suffix`, whether the prefix fits the gap in front of the array
// or not, and one writer must give the same bytes chunk after chunk.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { JsonArrayWriter } from '../../src/lib/json-writer.js'

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

describe('JsonArrayWriter', () => {
  it('writes prefix + JSON.stringify(records) + suffix, with the array as a view within it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 300 }),
        fc.string({ unit: 'grapheme', maxLength: 6000 }),
        (records, claim) => {
          const writer = new JsonArrayWriter()
          for (const record of records) writer.push(record)
          const prefix = `{"claim":${JSON.stringify(claim)},"records":`
          const payload = writer.finish(prefix, '}')
          const array = JSON.stringify(records)
          expect(text(payload.bytes)).toBe(`${prefix}${array}}`)
          expect(text(payload.array)).toBe(array)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('starts afresh after finish: chunks written by one writer are independent', () => {
    const writer = new JsonArrayWriter()
    const chunks: string[] = []
    for (let chunk = 0; chunk < 4; chunk++) {
      for (let i = 0; i < 2000 * (chunk + 1); i++) writer.push({ chunk, i, city: '杭州' })
      chunks.push(text(writer.finish(`{"index":${chunk},"records":`, '}').bytes))
    }
    chunks.forEach((chunk, index) => {
      const parsed = JSON.parse(chunk) as { index: number; records: { chunk: number }[] }
      expect(parsed.index).toBe(index)
      expect(parsed.records).toHaveLength(2000 * (index + 1))
      expect(parsed.records.every((r) => r.chunk === index)).toBe(true)
    })
  })

  it('writes values with no JSON form as null, as JSON.stringify of the array does', () => {
    const values = Array.from({ length: 150 }, (_, i) =>
      i % 3 === 0 ? undefined : i % 5 === 0 ? () => i : { i },
    )
    const writer = new JsonArrayWriter()
    for (const value of values) writer.push(value)
    expect(writer.count).toBe(150)
    expect(text(writer.finish('', '').bytes)).toBe(JSON.stringify(values))
  })

  it('refuses a record that is not JSON-serialisable, by finish at the latest', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    for (const before of [0, 63, 64, 200]) {
      const writer = new JsonArrayWriter()
      expect(() => {
        for (let i = 0; i < before; i++) writer.push({ i })
        writer.push(cyclic)
        writer.finish('{"records":', '}')
      }).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    }
  })
})
