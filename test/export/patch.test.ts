import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { isDatagateError } from '../../src/errors.js'
import { applyPatchSafely, diffViews, viewDigest } from '../../src/export/patch.js'

// --- conformance: json-patch/json-patch-tests (see ../shared/vectors/README.md) ------------

interface VectorCase {
  readonly comment?: string
  readonly doc: unknown
  readonly patch: unknown
  readonly expected?: unknown
  readonly error?: string
  readonly disabled?: boolean
}

const VECTOR_FILES = ['tests.json', 'spec_tests.json'] as const
const tally = { passed: 0, rejected: 0, skipped: 0 }

function loadVectors(file: string): VectorCase[] | undefined {
  const path = fileURLToPath(
    new URL(`../../../shared/vectors/json-patch-tests/${file}`, import.meta.url),
  )
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as VectorCase[]) : undefined
}

for (const file of VECTOR_FILES) {
  const cases = loadVectors(file)
  describe(`json-patch-tests ${file}`, () => {
    if (cases === undefined) {
      it.skip(`SKIPPED: ../shared/vectors/json-patch-tests/${file} is absent (public suite json-patch/json-patch-tests)`, () => {})
      return
    }
    cases.forEach((vector, index) => {
      const name = `#${index} ${vector.comment ?? vector.error ?? ''}`.trim()
      if (vector.disabled) {
        tally.skipped++
        it.skip(`${name} (disabled in the suite)`, () => {})
        return
      }
      it(name, () => {
        const before = structuredClone(vector.doc)
        if (vector.error !== undefined) {
          let caught: unknown
          try {
            applyPatchSafely(vector.doc, vector.patch)
          } catch (error) {
            caught = error
          }
          expect(
            isDatagateError(caught, 'ERR_PATCH_INVALID') ||
              isDatagateError(caught, 'ERR_PATCH_UNSAFE'),
          ).toBe(true)
          tally.rejected++
        } else {
          const result = applyPatchSafely(vector.doc, vector.patch)
          if ('expected' in vector) expect(result).toEqual(vector.expected)
          tally.passed++
        }
        expect(vector.doc).toEqual(before)
      })
    })
  })
}

afterAll(() => {
  console.info(
    `json-patch-tests: ${tally.passed} valid cases applied, ${tally.rejected} error cases rejected, ${tally.skipped} disabled cases skipped`,
  )
})

// --- prototype pollution ---------------------------------------------------------------

function expectCode(run: () => unknown, code: 'ERR_PATCH_INVALID' | 'ERR_PATCH_UNSAFE'): void {
  let caught: unknown
  try {
    run()
  } catch (error) {
    caught = error
  }
  expect(isDatagateError(caught, code), String(caught)).toBe(true)
}

describe('applyPatchSafely refuses prototype paths', () => {
  const assignBefore = Object.assign
  const isArrayBefore = Array.isArray
  const unsafePatches: [string, unknown[]][] = [
    ['add /__proto__/polluted', [{ op: 'add', path: '/__proto__/polluted', value: 'yes' }]],
    ['add /__proto__', [{ op: 'add', path: '/__proto__', value: { polluted: 'yes' } }]],
    ['replace /a/constructor/assign', [{ op: 'replace', path: '/a/constructor/assign', value: 1 }]],
    ['add /a/constructor/assign', [{ op: 'add', path: '/a/constructor/assign', value: 1 }]],
    ['add /constructor/prototype/x', [{ op: 'add', path: '/constructor/prototype/x', value: 1 }]],
    ['add /arr/constructor/isArray', [{ op: 'add', path: '/arr/constructor/isArray', value: 1 }]],
    ['add /prototype', [{ op: 'add', path: '/prototype', value: 1 }]],
    ['move from /__proto__', [{ op: 'move', from: '/__proto__', path: '/x' }]],
    ['copy from /a/constructor', [{ op: 'copy', from: '/a/constructor', path: '/x' }]],
    ['copy to /__proto__/polluted', [{ op: 'copy', from: '/a', path: '/__proto__/polluted' }]],
    ['test /constructor', [{ op: 'test', path: '/constructor', value: 1 }]],
    ['remove /a/__proto__', [{ op: 'remove', path: '/a/__proto__' }]],
    [
      'JSON-escaped \\u005f_proto__',
      JSON.parse('[{"op":"add","path":"/\\u005f_proto__/polluted","value":"yes"}]') as unknown[],
    ],
    [
      'unsafe op after a malformed one',
      [
        { op: 'spam', path: '/a' },
        { op: 'add', path: '/__proto__/polluted', value: 1 },
      ],
    ],
    [
      'value holding a __proto__ key',
      JSON.parse(
        '[{"op":"add","path":"/b","value":{"__proto__":{"polluted":"yes"}}}]',
      ) as unknown[],
    ],
  ]
  for (const [name, patch] of unsafePatches) {
    it(name, () => {
      expectCode(() => applyPatchSafely({ a: { b: 1 }, arr: [1] }, patch), 'ERR_PATCH_UNSAFE')
      expect(Object.assign).toBe(assignBefore)
      expect(Array.isArray).toBe(isArrayBefore)
      expect({} as Record<string, unknown>).not.toHaveProperty('polluted')
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      expect(Object.prototype).not.toHaveProperty('x')
    })
  }

  it('reads escaped segments as the keys they stand for, not as prototype names', () => {
    // `~1` and `~0` unescape to `/` and `~`: these are ordinary keys, so they are allowed.
    const result = applyPatchSafely({}, [
      { op: 'add', path: '/constructor~1prototype', value: 1 },
      { op: 'add', path: '/~0__proto__', value: 2 },
    ])
    expect(result).toEqual({ 'constructor/prototype': 1, '~__proto__': 2 })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('never resolves inherited properties such as toString', () => {
    expectCode(
      () => applyPatchSafely({}, [{ op: 'remove', path: '/toString' }]),
      'ERR_PATCH_INVALID',
    )
    expectCode(
      () => applyPatchSafely({}, [{ op: 'replace', path: '/hasOwnProperty', value: 1 }]),
      'ERR_PATCH_INVALID',
    )
    expectCode(
      () => applyPatchSafely({}, [{ op: 'copy', from: '/valueOf', path: '/v' }]),
      'ERR_PATCH_INVALID',
    )
    expectCode(
      () => applyPatchSafely([1], [{ op: 'add', path: '/length', value: 0 }]),
      'ERR_PATCH_INVALID',
    )
  })
})

// --- other checks --------------------------------------------------------------------------

describe('applyPatchSafely', () => {
  it('caps the number of operations', () => {
    const patch = Array.from({ length: 11 }, () => ({ op: 'test', path: '', value: [] }))
    expectCode(() => applyPatchSafely([], patch, { maxOps: 10 }), 'ERR_PATCH_INVALID')
    expect(applyPatchSafely([], patch.slice(1), { maxOps: 10 })).toEqual([])
  })

  it('rejects a patch that is not an array and a failed test', () => {
    expectCode(() => applyPatchSafely({}, { op: 'add', path: '/a', value: 1 }), 'ERR_PATCH_INVALID')
    expectCode(
      () => applyPatchSafely({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]),
      'ERR_PATCH_INVALID',
    )
  })

  it('rejects empty and leading-zero array indexes', () => {
    expectCode(
      () => applyPatchSafely({ a: [1] }, [{ op: 'replace', path: '/a/', value: 2 }]),
      'ERR_PATCH_INVALID',
    )
    expectCode(() => applyPatchSafely([1, 2], [{ op: 'remove', path: '/01' }]), 'ERR_PATCH_INVALID')
  })

  it('resolves a move target after the removal, as RFC 6902 defines', () => {
    expect(applyPatchSafely([1, 2, 3], [{ op: 'move', from: '/0', path: '/2' }])).toEqual([2, 3, 1])
    expectCode(
      () => applyPatchSafely([1, 2], [{ op: 'move', from: '/0', path: '/2' }]),
      'ERR_PATCH_INVALID',
    )
    expectCode(
      () => applyPatchSafely({ a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b/c' }]),
      'ERR_PATCH_INVALID',
    )
    expect(
      applyPatchSafely([{ x: 1 }, { y: 2 }], [{ op: 'move', from: '/0/x', path: '/1/x' }]),
    ).toEqual([{}, { y: 2, x: 1 }])
  })

  it('keeps error messages free of document values', () => {
    try {
      applyPatchSafely({ secret: 'hunter2' }, [{ op: 'test', path: '/secret', value: 'guess-1' }])
      expect.unreachable()
    } catch (error) {
      expect(String(error)).not.toContain('hunter2')
      expect(String(error)).not.toContain('guess-1')
    }
  })

  it('does not let later operations write into the caller patch', () => {
    const value = { nested: { n: 1 } }
    const patch = [
      { op: 'add', path: '/a', value },
      { op: 'replace', path: '/a/nested/n', value: 2 },
    ]
    const result = applyPatchSafely({}, patch)
    expect(result).toEqual({ a: { nested: { n: 2 } } })
    expect(value).toEqual({ nested: { n: 1 } })
  })
})

// --- properties ------------------------------------------------------------------------

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])
const key = fc.string({ maxLength: 5 }).filter((k) => !UNSAFE_KEYS.has(k))
const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -1000, max: 1000 }),
    fc.string({ maxLength: 6 }),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(key, tie('json'), { maxKeys: 4 }),
  ),
}))
const record = fc.dictionary(
  fc.constantFrom('id', 'city', 'age', 'tags', 'vehicle', 'a/b', 'x~y'),
  json,
  {
    maxKeys: 5,
  },
)
const view = fc.array(record, { maxLength: 8 })
// Pairs where `next` is an edit of `previous`, so diffs exercise the prefix/suffix logic too.
const viewPair = fc.oneof(
  fc.tuple(view, view),
  fc
    .tuple(view, fc.array(fc.tuple(fc.nat(9), fc.option(record)), { maxLength: 4 }))
    .map(([previous, edits]) => {
      const next = [...previous]
      for (const [at, replacement] of edits) {
        const index = Math.min(at, next.length)
        if (replacement === null) next.splice(index, 1)
        else next.splice(index, at % 2 === 0 ? 0 : 1, replacement)
      }
      return [previous, next] as const
    }),
)

describe('properties', () => {
  it('applyPatchSafely(a, diffViews(a, b)) equals b', () => {
    fc.assert(
      fc.property(viewPair, ([previous, next]) => {
        const ops = diffViews(previous, next)
        expect(applyPatchSafely(previous, ops)).toEqual(next)
        expect(JSON.parse(JSON.stringify(ops))).toEqual(ops)
      }),
      { numRuns: 500 },
    )
  })

  it('diffViews handles any pair of JSON values, also at the root', () => {
    fc.assert(
      fc.property(json, json, (previous, next) => {
        expect(applyPatchSafely(previous, diffViews(previous, next))).toEqual(next)
      }),
      { numRuns: 300 },
    )
  })

  it('never mutates the document or the patch, applied or refused', () => {
    const op = fc.record({
      op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'spam'),
      path: fc.constantFrom('', '/0', '/0/id', '/1/tags/0', '/-', '/0/-', '/9', '/0/vehicle'),
      from: fc.constantFrom('/0', '/1/id', '/0/tags'),
      value: json,
    })
    fc.assert(
      fc.property(view, view, fc.array(op, { maxLength: 4 }), (previous, next, extra) => {
        const patch = [...diffViews(previous, next), ...extra]
        const documentBefore = structuredClone(previous)
        const patchBefore = structuredClone(patch)
        try {
          const result = applyPatchSafely(previous, patch)
          if (isContainer(result)) expect(result).not.toBe(previous)
        } catch (error) {
          expect(isDatagateError(error)).toBe(true)
        }
        expect(previous).toEqual(documentBefore)
        expect(patch).toEqual(patchBefore)
      }),
      { numRuns: 300 },
    )
  })
})

function isContainer(value: unknown): boolean {
  return typeof value === 'object' && value !== null
}

// --- diffViews and viewDigest -------------------------------------------------------------

describe('diffViews', () => {
  const rows = Array.from({ length: 100 }, (_, i) => ({ id: `r${i}`, city: 'Lyon', n: i }))

  it('costs one operation for a record added or removed in the middle', () => {
    const removed = rows.filter((_, i) => i !== 40)
    expect(diffViews(rows, removed)).toEqual([{ op: 'remove', path: '/40' }])
    const added = [...rows.slice(0, 10), { id: 'new', city: 'Graz', n: -1 }, ...rows.slice(10)]
    expect(diffViews(rows, added)).toEqual([
      { op: 'add', path: '/10', value: { id: 'new', city: 'Graz', n: -1 } },
    ])
  })

  it('returns plain operations and normalises values as JSON', () => {
    const ops = diffViews([{ at: new Date(0) }], [{ at: new Date(1000), gone: undefined }])
    expect(ops).toEqual([{ op: 'replace', path: '/0/at', value: '1970-01-01T00:00:01.000Z' }])
    for (const op of ops) expect(Object.getPrototypeOf(op)).toBe(Object.prototype)
  })

  it('replaces the root when its kind changes', () => {
    expect(diffViews([1], { a: 1 })).toEqual([{ op: 'replace', path: '', value: { a: 1 } }])
    expect(diffViews('a', 'b')).toEqual([{ op: 'replace', path: '', value: 'b' }])
    expect(diffViews([], [])).toEqual([])
  })

  it('refuses to produce a patch its applier would refuse', () => {
    const previous = JSON.parse('[{"__proto__":{"a":1}}]') as unknown
    const next = JSON.parse('[{"__proto__":{"a":2}}]') as unknown
    expectCode(() => diffViews(previous, next), 'ERR_PATCH_UNSAFE')
  })

  it('rejects values that are not JSON', () => {
    expect(() => diffViews([], [{ n: 1n }])).toThrow(/canonical JSON/)
  })
})

describe('viewDigest', () => {
  it('hashes canonical JSON', () => {
    // sha256 of the 2 bytes "[]"
    expect(viewDigest([])).toBe(
      'sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945',
    )
    expect(viewDigest({ b: 1, a: [true] })).toBe(viewDigest({ a: [true], b: 1 }))
  })
})
