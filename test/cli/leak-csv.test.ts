// The CSV a leak is handed in as: read by csv-parse, headers with dots build nested records, and
// a header that reaches an object's prototype is refused (the file is anyone's).
import { describe, expect, it } from 'vitest'
import { parseCsv } from '../../src/cli/leak-input.js'
import { isDatagateError } from '../../src/errors.js'

describe('parseCsv (datagate trace input)', () => {
  it('reads quoted fields with commas, quotes and line breaks, CRLF and a BOM', () => {
    const text =
      '\uFEFForderId,vehicle.model,note\r\no-1,"Model, Y","said ""hi""\r\nthen left"\r\no-2,,x\r\n'
    expect(parseCsv(text, 'leak.csv')).toEqual([
      { orderId: 'o-1', vehicle: { model: 'Model, Y' }, note: 'said "hi"\r\nthen left' },
      { orderId: 'o-2', note: 'x' },
    ])
  })

  it.each(['__proto__.polluted', 'a.constructor.x', 'prototype'])(
    'refuses the header %s without touching Object.prototype',
    (header) => {
      let caught: unknown
      try {
        parseCsv(`${header}\nyes\n`, 'leak.csv')
      } catch (error) {
        caught = error
      }
      expect(isDatagateError(caught, 'ERR_INVALID_ARGUMENT')).toBe(true)
      expect((caught as Error).message).toContain('leak.csv:1')
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    },
  )

  it('names the line of a row with the wrong number of fields, and an unclosed quote', () => {
    expect(() => parseCsv('a,b\n1,2\n3\n', 'leak.csv')).toThrow(
      'leak.csv:3: 1 fields, the header has 2',
    )
    expect(() => parseCsv('a\n"open\n', 'leak.csv')).toThrow(/leak\.csv: not CSV/)
  })
})
