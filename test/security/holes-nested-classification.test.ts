// Threat: the dataset walk stops at the first classified schema, so a class given to a whole
// object or wrapper silently overrode a stricter class inside it. `field.public(z.object({ name:
// field.sensitive(z.string()) }))` released the name to every partner as public, and reusing a
// sensitive schema as `field.public(Name.optional())` downgraded it the same way.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { mask } from '../../src/anonymize/mask.js'
import { defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import type { DatagateError } from '../../src/errors.js'

function refusal(run: () => unknown): DatagateError {
  try {
    run()
  } catch (error) {
    return error as DatagateError
  }
  throw new Error('accepted')
}

const Name = field.sensitive(z.string())

describe('nested classification', () => {
  it.each([
    ['an object holding a sensitive field', () => field.public(z.object({ name: Name }))],
    ['a sensitive schema reclassified', () => field.public(Name)],
    ['a sensitive schema behind a wrapper', () => field.public(Name.optional())],
    ['an array of sensitive values', () => field.public(z.array(Name))],
    ['a union with a sensitive member', () => field.public(z.union([Name, z.number()]))],
    ['a record of sensitive values', () => field.public(z.record(z.string(), Name))],
    ['a lazy schema resolving to a sensitive one', () => field.public(z.lazy(() => Name))],
    [
      'a desensitised transform over a sensitive field',
      () => field.desensitised(Name, mask.phone()),
    ],
  ])('%s cannot be classified less strictly (ERR_SCHEMA_INVALID)', (_name, build) => {
    expect(refusal(build).code).toBe('ERR_SCHEMA_INVALID')
  })

  it('a stricter class around a laxer one is fine, and so is the same class', () => {
    const Tags = field.public(z.array(z.string()))
    const Dataset = defineDataset(
      'nested_ok',
      z.object({
        hidden: field.sensitive(z.object({ tags: Tags })),
        shown: field.public(z.object({ tags: Tags })),
      }),
      { version: '1' },
    )
    expect(Dataset.fields.map((f) => [f.path, f.class])).toEqual([
      ['hidden', 'sensitive'],
      ['shown', 'public'],
    ])
  })
})
