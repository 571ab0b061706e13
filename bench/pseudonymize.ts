// Pseudonymisation per value on 100,000 distinct customer ids: the dataset's pseudonymize()
// operator, bound as a plan binds it, against what a team writes with node:crypto (createHmac per
// value under the same derived key, truncated and base64url-encoded the same way). Also the HMAC
// constructions underneath: datagate's textHmac (src/lib/hmac-sha256.ts, both pads compressed once
// in JavaScript), the two one-shot crypto.hash calls the node backend used before it, the HMAC
// from two prepared SHA-256 states cloned with Hash.copy() that issue 8 proposed, and
// @noble/hashes' prepared HMAC cloned per value (what the portable backend used before).
import { createHash, createHmac, hash, hkdfSync } from 'node:crypto'
import { loadavg } from 'node:os'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { textHmac } from '../src/lib/hmac-sha256.js'
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

/**
 * RFC 2104 over two one-shot `crypto.hash` calls with both pad blocks prepared (what
 * hash.node.ts's hmacSha256Text did before textHmac): the message is encoded behind the inner pad.
 */
function oneShotHmac(key: Uint8Array): (text: string) => Buffer {
  const once = hash as (algorithm: 'sha256', data: Uint8Array, encoding: 'buffer') => Buffer
  const inner = Buffer.alloc(64 + 4096)
  const outer = Buffer.alloc(64 + 32)
  for (let i = 0; i < 64; i++) {
    inner[i] = (key[i] ?? 0) ^ 0x36
    outer[i] = (key[i] ?? 0) ^ 0x5c
  }
  return (text) => {
    const length = inner.write(text, 64, 'utf8')
    outer.set(once('sha256', inner.subarray(0, 64 + length), 'buffer'), 64)
    return once('sha256', outer, 'buffer')
  }
}

/** @noble/hashes' HMAC, prepared once and cloned per value. */
function nobleHmac(key: Uint8Array): (text: string) => Uint8Array {
  const prepared = hmac.create(nobleSha256, key)
  const encoder = new TextEncoder()
  return (text) => prepared.clone().update(encoder.encode(text)).digest()
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
  const ours = textHmac(key)
  const datagateText = (value: string) => ours.bytes(value)
  const oneShot = oneShotHmac(key)
  const nobleText = nobleHmac(key)
  const hashCopy = hashCopyHmac(key)
  const viaCreateHmac = (value: string) => createHmac('sha256', key).update(value).digest()
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(b)
  const checks: { baseline: string; ok: boolean }[] = [
    { baseline: 'createHmac per value', ok: values.every((v) => pseudonymize(v) === byHand(v)) },
    {
      baseline: 'HMAC constructions (textHmac, crypto.hash, Hash.copy, noble) equal createHmac',
      ok: values.slice(0, 5000).every((v) => {
        const expected = viaCreateHmac(v)
        return (
          same(datagateText(v), expected) &&
          same(oneShot(v), expected) &&
          same(hashCopy(v), expected) &&
          same(nobleText(v), expected)
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
      { name: 'HMAC: textHmac (datagate)', run: each(datagateText) },
      { name: 'HMAC: createHmac', run: each(viaCreateHmac) },
      { name: 'HMAC: two crypto.hash calls, pads prepared', run: each(oneShot) },
      { name: 'HMAC: two Hash states + Hash.copy()', run: each(hashCopy) },
      { name: 'HMAC: @noble/hashes, prepared and cloned', run: each(nobleText) },
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
      paired(result, 'HMAC: textHmac (datagate)', 'HMAC: createHmac'),
      paired(result, 'HMAC: two crypto.hash calls, pads prepared', 'HMAC: createHmac'),
      paired(result, 'HMAC: two Hash states + Hash.copy()', 'HMAC: createHmac'),
      paired(result, 'HMAC: @noble/hashes, prepared and cloned', 'HMAC: createHmac'),
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
