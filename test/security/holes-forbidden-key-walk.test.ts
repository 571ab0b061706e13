// Threat: the forbidden-key walk stopped at depth 64 (a deeper `__proto__` loaded) and had no
// bound on the expanded size: a 40-level graph of shared references never finished, nor did the
// policy hash and condition checks that walk the same graph.
import { describe, expect, it } from 'vitest'
import type { DatagateError } from '../../src/errors.js'
import { compilePolicy, loadPolicy } from '../../src/policy/load.js'
import { Order, orderPolicyDocument } from './helpers.js'

function refusal(input: unknown): DatagateError {
  try {
    loadPolicy(input as object, { datasets: [Order] })
  } catch (error) {
    return error as DatagateError
  }
  throw new Error('the policy loaded')
}

function nest(depth: number, inner: unknown): unknown {
  let value = inner
  for (let i = 0; i < depth; i++) value = { n: value }
  return value
}

function withExtra(extra: unknown) {
  const doc = orderPolicyDocument() as Record<string, unknown> & {
    partners: { agreements: Record<string, unknown>[] }[]
  }
  const agreement = doc.partners[0]?.agreements[0] as Record<string, unknown>
  agreement.where = { city: extra }
  return doc
}

describe('forbidden-key walk', () => {
  it.each([65, 100, 200])('refuses a __proto__ key %i levels deep (no depth cutoff)', (depth) => {
    const error = refusal(withExtra(nest(depth, JSON.parse('{"__proto__": {"x": 1}}'))))
    expect(error.code).toBe('ERR_POLICY_INVALID')
    expect(error.findings.map((f) => f.code)).toContain('forbidden_key')
  })

  it.each(['constructor', 'prototype'])('refuses %s 150 levels deep', (key) => {
    const error = refusal(withExtra(nest(150, { [key]: 1 })))
    expect(error.findings.map((f) => f.code)).toContain('forbidden_key')
  })

  it('refuses 100 000 levels of nesting without overflowing the stack', () => {
    const error = refusal(withExtra(nest(100_000, 1)))
    expect(error.code).toBe('ERR_POLICY_INVALID')
    expect(error.findings.map((f) => f.code)).toEqual(['too_deep'])
  })

  it('a 40-level graph of shared references (2^40 paths) is refused quickly, by its expanded size', () => {
    let shared: Record<string, unknown> = { leaf: 1 }
    for (let i = 0; i < 40; i++) shared = { a: shared, b: shared }
    const started = performance.now()
    const error = refusal(withExtra(shared))
    const elapsed = performance.now() - started
    expect(error.findings.map((f) => f.code)).toEqual(['too_large'])
    expect(elapsed).toBeLessThan(5000) // measured about 0.25 s; before the fix it never finished
  })

  it('a sparse array of length 2^32-1 is refused by its length before any element is queued', () => {
    // Costs a few bytes to build from an object input; the walk queued every index (heap exhausted).
    const doc = orderPolicyDocument() as unknown as { partners: { agreements: unknown[] }[] }
    const agreement = doc.partners[0]?.agreements[0] as Record<string, unknown>
    agreement.fields = new Array(2 ** 32 - 1)
    const started = performance.now()
    const error = refusal(doc)
    expect(error.findings.map((f) => f.code)).toEqual(['too_large'])
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('refuses a cycle', () => {
    const loop: Record<string, unknown> = { a: 1 }
    loop.self = loop
    expect(refusal(withExtra(loop)).findings.map((f) => f.code)).toContain('cyclic_reference')
  })

  it('accepts shared references from YAML anchors and counts each path once', () => {
    const yaml = `
issuer: oem-aftersales
partners:
  - id: rental-co
    name: Rental Co
    category: capability
    standing: gold
    core: true
    agreements:
      - id: a-2026
        dataset: repair_order
        purpose: courtesy-car
        fields: &granted [orderId, city]
        where: &long { hours: { $gt: 4 } }
        validFrom: 2026-01-01
        validUntil: 2026-06-30
      - id: b-2026
        dataset: repair_order
        purpose: statistics
        fields: *granted
        where: *long
        validFrom: 2026-01-01
        validUntil: 2026-06-30
`
    const policy = loadPolicy(yaml, { datasets: [Order] })
    const [a, b] = policy.partner('rental-co')?.agreements ?? []
    expect(a?.where).toEqual(b?.where)
    expect(a?.where).not.toBe(b?.where) // copied per path: freezing or editing one is not the other
  })

  it('the gate-side recheck (compilePolicy) bounds a document handed to it directly', () => {
    let shared: Record<string, unknown> = { leaf: 1 }
    for (let i = 0; i < 40; i++) shared = { a: shared, b: shared }
    const { policy, findings } = compilePolicy(withExtra(shared) as never, [Order])
    expect(policy).toBeUndefined()
    expect(findings.map((f) => f.code)).toEqual(['too_large'])
  })

  it('a getter that throws in the document is refused without its message', () => {
    const doc = withExtra(1)
    Object.defineProperty(doc, 'issuer', {
      enumerable: true,
      get() {
        throw new Error('CANARY-secret-from-getter')
      },
    })
    const error = refusal(doc)
    expect(error.findings.map((f) => f.code)).toEqual(['unreadable'])
    expect(JSON.stringify([error.message, error.findings, String(error.cause)])).not.toContain(
      'CANARY',
    )
  })
})
