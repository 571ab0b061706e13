// Threat: a row of 1e6 invalid elements built a 50 MB message and a million findings. An error
// carries at most 100 findings plus a count, and its message lists at most 10.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import type { DatagateError } from '../../src/errors.js'

describe('error size', () => {
  it('a row of 1e6 invalid elements yields 100 findings, a count and a short message', () => {
    const Items = defineDataset(
      'items',
      z.object({ items: z.array(z.object({ code: field.public(z.string()) })) }),
      { version: '1' },
    )
    const row = { items: Array.from({ length: 1_000_000 }, () => ({ code: 1 })) }
    let error: DatagateError | undefined
    try {
      Items.parse(row)
    } catch (caught) {
      error = caught as DatagateError
    }
    expect(error?.code).toBe('ERR_RECORD_INVALID')
    expect(error?.findings).toHaveLength(101)
    expect(error?.findings[100]).toEqual({
      code: 'more_findings',
      path: '(more)',
      message: 'and 999900 more finding(s) not listed',
    })
    // measured: 51,888,933 characters before, 530 after
    expect(error?.message.length).toBeLessThan(2000)
    expect(error?.message).toContain('and 999990 more')
  })
})
