// Pseudonymisation per value on 100,000 distinct customer ids: the dataset's pseudonymize()
// operator, bound as a plan binds it, against what a team writes with node:crypto (createHmac per
// value under the same derived key, truncated and base64url-encoded the same way). Also the HMAC
// constructions underneath: the node backend's hmacSha256Text, the HMAC from two prepared SHA-256
// states cloned with Hash.copy() that issue 8 proposed, and the portable @noble/hashes backend.
import { createHash, createHmac, hkdfSync } from 'node:crypto'
import { loadavg } from 'node:os'
import * as nobleBackend from '../src/lib/hash.js'
import * as nodeBackend from '../src/lib/hash.node.js'
import { bindTransform, keepsRow } from './baselines.js'
import { type AfterSalesRow, PSEUDONYM_KEY, REQUEST } from './fixtures.js'
import { type ComparisonReport, interleave, keep, paired, scaledRounds } from './harness.js'

/** Distinct values per call. */
export const VALUES = 100_000

/** HMAC-SHA-256 from two prepared SHA-256 states, each cloned per call with Hash.copy(). */
function hashCopyHmac(key: Uint8Array): (text: string) => Buffer {
  const block = Buffer.alloc(64)
  block.set(key)
  const inner = createHash('sha256').update(block.map((b) => b ^ 0x36))
  const outer = createHash('sha256').update(block.map((b) => b ^ 0x5c))
  return (text) => outer.copy().update(inner.copy().update(text, 'utf8').digest()).digest()
}

/** Entries of the bench-only pseudonym cache. */
const CACHE_ENTRIES = 4096

/**
 * What a bounded per-plan cache in front of pseudonymize() would give: a Map of the last
 * CACHE_ENTRIES values (oldest insertion evicted first). Bench-only: not in src/, measured here
 * so the decision rests on a figure.
 */
function cached(transform: (value: string) => string): {
  readonly run: (value: string) => string
  readonly hits: () => number
} {
  const cache = new Map<string, string>()
  let hits = 0
  return {
    run: (value) => {
      const known = cache.get(value)
      if (known !== undefined) {
        hits++
        return known
      }
      const pseudonym = transform(value)
      if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value as string)
      cache.set(value, pseudonym)
      return pseudonym
    },
    hits: () => hits,
  }
}

/** Runs the pseudonymisation comparison; `workload` gives the customer ids as they repeat. */
export async function pseudonymizeComparison(
  workload: readonly AfterSalesRow[],
): Promise<ComparisonReport> {
  const values = Array.from({ length: VALUES }, (_, i) => `C${1_000_000 + i}`)
  const pseudonymize = bindTransform('customer.id') as (value: string) => string
  // The key pseudonymize() derives for this partner (src/anonymize/pseudonymize.ts).
  const key = Buffer.from(
    hkdfSync(
      'sha256',
      PSEUDONYM_KEY,
      new Uint8Array(0),
      `datagate/pseudonym/v1/partner/${REQUEST.partner}`,
      32,
    ),
  )
  // The quickest way a team would write it: Buffer#toString encodes the first 16 bytes in place.
  const byHand = (value: string) =>
    `cus_${createHmac('sha256', key).update(value).digest().toString('base64url', 0, 16)}`
  const nodeText = nodeBackend.hmacSha256Text(key)
  const nobleText = nobleBackend.hmacSha256Text(key)
  const hashCopy = hashCopyHmac(key)
  const viaCreateHmac = (value: string) => createHmac('sha256', key).update(value).digest()
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(b)
  const checks: { baseline: string; ok: boolean }[] = [
    { baseline: 'createHmac per value', ok: values.every((v) => pseudonymize(v) === byHand(v)) },
    {
      baseline: 'HMAC constructions (node text, Hash.copy, noble) equal createHmac',
      ok: values.slice(0, 5000).every((v) => {
        const expected = viaCreateHmac(v)
        return (
          same(nodeText(v), expected) && same(hashCopy(v), expected) && same(nobleText(v), expected)
        )
      }),
    },
  ]
  const each =
    (fn: (value: string) => unknown, over: readonly string[] = values) =>
    () => {
      let last: unknown
      for (const value of over) last = fn(value)
      keep(last)
    }
  // The released rows' customer ids, in workload order: customers repeat as in the data.
  const column = workload.filter(keepsRow).map((row) => row.customer.id)
  const distinct = new Set(column).size
  const probe = cached(pseudonymize)
  checks.push({
    baseline: 'bounded cache (same pseudonyms)',
    ok: column.every((v) => probe.run(v) === pseudonymize(v)),
  })
  const hitRate = probe.hits() / column.length
  const loadBefore = loadavg()[0] as number
  const result = await interleave(
    [
      { name: 'pseudonymize()', run: each(pseudonymize) },
      { name: 'createHmac per value', run: each(byHand) },
      { name: 'HMAC: hmacSha256Text (node)', run: each(nodeText) },
      { name: 'HMAC: createHmac', run: each(viaCreateHmac) },
      { name: 'HMAC: two Hash states + Hash.copy()', run: each(hashCopy) },
      { name: 'HMAC: hmacSha256Text (noble)', run: each(nobleText) },
      { name: 'pseudonymize(), workload column', run: each(pseudonymize, column) },
      {
        name: `pseudonymize() + ${CACHE_ENTRIES}-entry cache, workload column`,
        run: () => each(cached(pseudonymize).run, column)(),
      },
    ],
    { rounds: scaledRounds(2) },
  )
  const loadAfter = loadavg()[0] as number
  return {
    id: 'pseudonymize',
    title: `Pseudonymisation (${VALUES.toLocaleString('en-US')} distinct values a call)`,
    checks,
    timings: result.cases,
    ratios: [
      paired(result, 'pseudonymize()', 'createHmac per value'),
      paired(result, 'HMAC: hmacSha256Text (node)', 'HMAC: createHmac'),
      paired(result, 'HMAC: two Hash states + Hash.copy()', 'HMAC: createHmac'),
      paired(result, 'HMAC: hmacSha256Text (noble)', 'HMAC: createHmac'),
      paired(
        result,
        `pseudonymize() + ${CACHE_ENTRIES}-entry cache, workload column`,
        'pseudonymize(), workload column',
      ),
    ],
    notes: [
      'createHmac per value: prefix + base64url of the first 16 bytes of createHmac(key).update(value), key derived once',
      'the HMAC rows compute the 32-byte MAC of the same values, nothing else',
      `workload column: the customer ids of the ${column.length.toLocaleString('en-US')} released rows, ${distinct.toLocaleString('en-US')} distinct; a ${CACHE_ENTRIES}-entry cache (fresh each call, bench-only) hits ${(hitRate * 100).toFixed(1)} % of them`,
    ],
    load: [loadBefore, loadAfter],
  }
}
