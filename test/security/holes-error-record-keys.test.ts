// Threat: a `z.record` leaf error printed the record's keys (`tags.Zhang San 110105…: invalid
// type`). Keys of data are data: errors name schema paths and write data keys as `*`.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import type { DatagateError } from '../../src/errors.js'
import { expectCode } from '../export/helpers.js'
import { orderGate, orderRow, request } from './helpers.js'

const KEY = 'Zhang San 110105199001011234'

function refusal(run: () => unknown): DatagateError {
  try {
    run()
  } catch (error) {
    return error as DatagateError
  }
  throw new Error('accepted')
}

describe('errors never quote data keys', () => {
  it('a z.record leaf error names the field, not the record key', () => {
    const Tagged = defineDataset(
      'tagged',
      z.object({
        tags: field.public(z.record(z.string(), z.string())),
        nested: z.object({ byName: field.public(z.record(z.string(), z.number())) }),
        lists: field.public(z.map(z.string(), z.array(z.string()))),
      }),
      { version: '1' },
    )
    const error = refusal(() =>
      Tagged.parse({
        tags: { [KEY]: 42 },
        nested: { byName: { [KEY]: 'x' } },
        lists: new Map([[KEY, [1]]]),
      }),
    )
    expect(error.code).toBe('ERR_RECORD_INVALID')
    const text = JSON.stringify([error.message, error.findings])
    expect(text).not.toContain('Zhang')
    expect(text).not.toContain('110105')
    expect(error.findings.map((f) => f.path)).toEqual(
      expect.arrayContaining(['tags.*', 'nested.byName.*']),
    )
  })

  it('a numeric z.map key is data too: never written as if it were an array index', () => {
    const Counted = defineDataset(
      'counted',
      z.object({
        byPhone: field.public(z.map(z.number(), z.string())),
        items: field.public(z.array(z.object({ n: z.number() }))),
      }),
      { version: '1' },
    )
    const error = refusal(() =>
      Counted.parse({
        byPhone: new Map([[13812345678, 5]]),
        items: [{ n: 1 }, { n: 'x' }],
      }),
    )
    const text = JSON.stringify([error.message, error.findings])
    expect(text).not.toContain('13812345678')
    // Positions in an array the schema declares (here inside a leaf) are still named.
    expect(error.findings.map((f) => f.path)).toEqual(['byPhone.*', 'items[1].n'])
  })

  it('through the gate too: the row error names [row].tags.*', async () => {
    // A release validates the leaves it reads, so this agreement grants `tags`.
    const gate = await orderGate({ fields: ['orderId', 'city', 'hours', 'customerId', 'tags'] })
    const error = (await expectCode(
      gate.release([orderRow({ tags: { [KEY]: 7 } })], request),
      'ERR_RECORD_INVALID',
    )) as DatagateError
    expect(JSON.stringify([error.message, error.findings])).not.toContain('Zhang')
    expect(error.findings[0]?.path).toBe('[0].tags.*')
  })
})
