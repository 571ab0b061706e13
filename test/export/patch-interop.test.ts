// Our diffs applied by an independent implementation: Debian's python3-jsonpatch, run with
// /usr/bin/python3 (the `python3` on PATH may be another interpreter without Debian packages).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { diffViews } from '../../src/export/patch.js'

const PYTHON = '/usr/bin/python3'
const SCRIPT = fileURLToPath(new URL('../interop/jsonpatch_apply.py', import.meta.url))

function pythonJsonpatchProblem(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import jsonpatch'], { encoding: 'utf8' })
  if (probe.error) return `${PYTHON} is not available (${probe.error.message})`
  if (probe.status !== 0)
    return `${PYTHON} cannot import jsonpatch (install Debian's python3-jsonpatch): ${probe.stderr.trim()}`
  return undefined
}

const problem = pythonJsonpatchProblem()
const runInterop = problem === undefined || process.env.CI ? it : it.skip

interface Pair {
  readonly name: string
  readonly previous: unknown
  readonly next: unknown
}

const base = [
  { id: 'r1', city: 'Lyon', age: '30-39', tags: ['a', 'b'], vehicle: { model: 'Zoe' } },
  { id: 'r2', city: 'Graz', age: '40-49', tags: [], vehicle: { model: 'Golf' } },
  { id: 'r3', city: 'Nice', age: '20-29', tags: ['c'], vehicle: { model: 'Clio' } },
  { id: 'r4', city: 'Linz', age: '50-59', tags: ['d', 'e', 'f'], vehicle: { model: 'Polo' } },
]

const handmade: Pair[] = [
  { name: 'record added at the end', previous: base, next: [...base, { id: 'r5', city: 'Bonn' }] },
  {
    name: 'record added in the middle',
    previous: base,
    next: [base[0], { id: 'rx' }, ...base.slice(1)],
  },
  { name: 'record removed', previous: base, next: base.filter((r) => r.id !== 'r2') },
  { name: 'all records removed', previous: base, next: [] },
  { name: 'records from nothing', previous: [], next: base },
  {
    name: 'field changed',
    previous: base,
    next: base.map((r) => (r.id === 'r3' ? { ...r, city: 'Metz' } : r)),
  },
  {
    name: 'field added and dropped',
    previous: base,
    next: base.map(({ age, ...r }) => ({ ...r, zone: age })),
  },
  { name: 'records reordered', previous: base, next: [base[3], base[1], base[2], base[0]] },
  { name: 'reversed', previous: base, next: [...base].reverse() },
  {
    name: 'nested arrays changed',
    previous: base,
    next: base.map((r) => ({
      ...r,
      tags: [...r.tags.slice(1), 'z'],
      vehicle: { ...r.vehicle, parts: [[1, 2], [3]] },
    })),
  },
  {
    name: 'keys needing escapes',
    previous: [{ 'a/b': 1, 'c~d': [1] }],
    next: [{ 'a/b': 2, 'c~d': [1, 2], '': 0 }],
  },
  {
    name: 'value changes kind',
    previous: [{ v: [1] }, { v: { a: 1 } }],
    next: [{ v: { a: 1 } }, { v: null }],
  },
  { name: 'unicode', previous: [{ name: 'Zoë' }], next: [{ name: 'Zoë 🚗' }] },
]

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])
const key = fc.string({ maxLength: 4 }).filter((k) => !UNSAFE_KEYS.has(k))
const leaf = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.string({ maxLength: 5 }))
const value = fc.oneof(
  leaf,
  fc.array(leaf, { maxLength: 4 }),
  fc.dictionary(key, fc.array(leaf, { maxLength: 3 }), { maxKeys: 3 }),
)
const record = fc.dictionary(fc.constantFrom('id', 'city', 'age', 'tags', 'vehicle'), value, {
  maxKeys: 5,
})
const view = fc.array(record, { maxLength: 10 })
const generated: Pair[] = fc
  .sample(fc.tuple(view, view, fc.nat(3)), { numRuns: 60, seed: 20261101 })
  .map(([previous, other, mode], i) => {
    // Mostly edits of `previous` (kept records, shuffled, trimmed), sometimes unrelated views.
    const next =
      mode === 0
        ? other
        : mode === 1
          ? [...previous.slice(1), ...other.slice(0, 2)]
          : mode === 2
            ? [...previous].reverse()
            : [...previous, ...other]
    return { name: `generated #${i}`, previous, next }
  })

describe('interop with python3-jsonpatch', () => {
  runInterop(`our diffs apply to the same view under ${PYTHON} jsonpatch`, () => {
    if (problem !== undefined) throw new Error(`interop test needs python3-jsonpatch: ${problem}`)
    const pairs = [...handmade, ...generated]
    const dir = mkdtempSync(join(tmpdir(), 'datagate-jsonpatch-'))
    try {
      const casesFile = join(dir, 'cases.json')
      const cases = pairs.map((pair) => ({
        previous: pair.previous,
        patch: diffViews(pair.previous, pair.next),
      }))
      writeFileSync(casesFile, JSON.stringify(cases))
      const run = spawnSync(PYTHON, [SCRIPT, casesFile], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      })
      expect(run.status, run.stderr).toBe(0)
      const results = JSON.parse(run.stdout) as { result?: unknown; error?: string }[]
      expect(results).toHaveLength(pairs.length)
      pairs.forEach((pair, i) => {
        expect(results[i], pair.name).toEqual({ result: JSON.parse(JSON.stringify(pair.next)) })
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  if (problem !== undefined && !process.env.CI)
    it.skip(`SKIPPED (set CI to make this fail): ${problem}`, () => {})
})
