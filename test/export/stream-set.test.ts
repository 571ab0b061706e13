// Export sets (bulk exports in partitions): the gate signs a set manifest over its own partition
// manifests, and verifyStreamSet checks the whole set. Each way a set can be wrong (tampered,
// a partition missing, one twice, out of order, a count that does not add up) has its own code.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineDataset, field } from '../../src/classify/index.js'
import { memoryAuditSink } from '../../src/export/audit.js'
import { createGate, type Gate } from '../../src/export/gate.js'
import { generateKeys } from '../../src/export/keys.js'
import { signEnvelope } from '../../src/export/sign.js'
import type { StreamPart } from '../../src/export/stream.js'
import { verifyStreamSet } from '../../src/export/stream-set.js'
import { STREAM_SET_TYP } from '../../src/export/typ.js'
import { loadPolicy } from '../../src/policy/load.js'
import { b64u, expectCode, unb64u } from './helpers.js'

const NOW = new Date('2026-06-01T00:00:00Z')
const now = () => NOW
const Outlet = defineDataset(
  'outlet',
  z.object({ outletId: field.public(z.string()), city: field.public(z.string()) }),
  { version: '1' },
)
const partner = (id: string) => ({
  id,
  name: id,
  category: 'traffic' as const,
  standing: 'gold' as const,
  core: false,
  agreements: [
    {
      id: `${id}-map`,
      dataset: 'outlet',
      purpose: 'map',
      fields: ['outletId', 'city'],
      validFrom: '2026-01-01',
      validUntil: '2026-12-31',
    },
  ],
})
const policy = loadPolicy(
  { issuer: 'oem', partners: [partner('maps-co'), partner('fleet-co')] },
  { datasets: [Outlet] },
)
const request = { partner: 'maps-co', dataset: 'outlet', purpose: 'map' }
const verify = (gate: Gate, audience = 'maps-co') => ({
  jwks: gate.jwks(),
  issuer: 'oem',
  audience,
  now,
})

async function makeGate() {
  const audit = memoryAuditSink()
  const keys = await generateKeys()
  const gate = createGate({ issuer: 'oem', datasets: [Outlet], policy, keys, audit, now })
  return { gate, audit, keys }
}

/** `sizes[p]` rows in partition p, ids `P<p>-<i>`, chunks of 4. */
async function partitionsOf(gate: Gate, sizes: readonly number[], who = request) {
  const partitions: string[][] = []
  for (const [p, size] of sizes.entries()) {
    const rows = Array.from({ length: size }, (_, i) => ({ outletId: `P${p}-${i}`, city: 'Kiel' }))
    const tokens: string[] = []
    for await (const part of gate.exportStream(rows, { ...who, chunkSize: 4 }))
      tokens.push(part.token)
    partitions.push(tokens)
  }
  return partitions
}

const manifestsOf = (partitions: readonly string[][]) => partitions.map((p) => p.at(-1) as string)

async function drain(
  set: string,
  partitions: Iterable<Iterable<string | StreamPart>>,
  options: ReturnType<typeof verify>,
) {
  const ids: string[] = []
  const run = verifyStreamSet(set, partitions, options)
  for (;;) {
    const next = await run.next()
    if (next.done) return { ids, summary: next.value }
    for (const record of next.value.records) ids.push(String(record.outletId))
  }
}

describe('verifyStreamSet', () => {
  it('verifies every partition in order and returns the exact count', async () => {
    const { gate, audit } = await makeGate()
    const partitions = await partitionsOf(gate, [9, 0, 5])
    const set = await gate.signStreamSet({
      ...request,
      set: 'e1',
      manifests: manifestsOf(partitions),
    })
    expect(set.count).toBe(14)
    expect(set.partitions.map((p) => [p.partition, p.count, p.chunks])).toEqual([
      [0, 9, 3],
      [1, 0, 1],
      [2, 5, 2],
    ])
    const { ids, summary } = await drain(set.token, partitions, verify(gate))
    expect(summary).toEqual({ set: 'e1', count: 14, partitions: 3, chunks: 6 })
    expect(ids).toEqual([
      ...Array.from({ length: 9 }, (_, i) => `P0-${i}`),
      ...Array.from({ length: 5 }, (_, i) => `P2-${i}`),
    ])
    // The set is on the chain after the three streams' start and end, with what it signed.
    const types = audit.events.map((e) => e.type)
    expect(types.filter((t) => t === 'stream-start')).toHaveLength(3)
    expect(types.filter((t) => t === 'stream-end')).toHaveLength(3)
    const event = audit.events.at(-1)
    expect(event?.type).toBe('stream-set')
    if (event?.type !== 'stream-set') throw new Error('no stream-set event')
    expect([event.set, event.rows, event.partitions, event.jti]).toEqual(['e1', 14, 3, set.jti])
    // Accepts the parts as gate.exportStream yields them too, not only their tokens.
    const parts: StreamPart[][] = []
    for (const p of [0, 1]) {
      const collected: StreamPart[] = []
      for await (const part of gate.exportStream([{ outletId: `X${p}`, city: 'Kiel' }], request))
        collected.push(part)
      parts.push(collected)
    }
    const second = await gate.signStreamSet({
      ...request,
      set: 'e2',
      manifests: parts.map((p) => (p.at(-1) as StreamPart).token),
    })
    expect((await drain(second.token, parts, verify(gate))).ids).toEqual(['X0', 'X1'])
  })

  it('refuses a tampered set manifest, one signed by another key, or for another partner', async () => {
    const { gate } = await makeGate()
    const partitions = await partitionsOf(gate, [3, 3])
    const set = await gate.signStreamSet({
      ...request,
      set: 'e1',
      manifests: manifestsOf(partitions),
    })
    const [head, body, signature] = set.token.split('.') as [string, string, string]
    const claims = JSON.parse(unb64u(body)) as { count: number }
    const tampered = `${head}.${b64u(JSON.stringify({ ...claims, count: claims.count + 1 }))}.${signature}`
    await expectCode(drain(tampered, partitions, verify(gate)), 'ERR_SIGNATURE_INVALID')
    const other = await makeGate()
    await expectCode(drain(set.token, partitions, verify(other.gate)), 'ERR_SIGNATURE_INVALID')
    await expectCode(
      drain(set.token, partitions, verify(gate, 'fleet-co')),
      'ERR_AUDIENCE_MISMATCH',
    )
    // A partition manifest is not a set manifest: the typ is pinned.
    await expectCode(
      drain(manifestsOf(partitions)[0] as string, partitions, verify(gate)),
      'ERR_TYP_INVALID',
    )
  })

  it('a partition missing, twice, out of order, or from another export each have their code', async () => {
    const { gate } = await makeGate()
    const [p0, p1, p2] = (await partitionsOf(gate, [5, 6, 7])) as [string[], string[], string[]]
    const set = await gate.signStreamSet({
      ...request,
      set: 'e1',
      manifests: manifestsOf([p0, p1, p2]),
    })
    const options = verify(gate)
    await expectCode(drain(set.token, [p0, p1], options), 'ERR_STREAM_SET_INCOMPLETE')
    await expectCode(drain(set.token, [], options), 'ERR_STREAM_SET_INCOMPLETE')
    await expectCode(drain(set.token, [p0, p0, p1, p2], options), 'ERR_STREAM_SET_DUPLICATE')
    await expectCode(drain(set.token, [p0, p1, p2, p2], options), 'ERR_STREAM_SET_DUPLICATE')
    await expectCode(drain(set.token, [p1, p0, p2], options), 'ERR_STREAM_SET_ORDER')
    await expectCode(drain(set.token, [p0, p2, p1], options), 'ERR_STREAM_SET_ORDER')
    // A stream of the same request that this set does not list (a retried attempt's twin).
    const [stray] = (await partitionsOf(gate, [6])) as [string[]]
    await expectCode(drain(set.token, [p0, stray, p2], options), 'ERR_STREAM_SET_INVALID')
    await expectCode(drain(set.token, [p0, p1, p2, stray], options), 'ERR_STREAM_SET_INVALID')
    // A partition cut short, or with a chunk altered, fails as the stream it is.
    await expectCode(drain(set.token, [p0, p1.slice(0, -1), p2], options), 'ERR_STREAM_INVALID')
    const altered = [...p1]
    altered[0] = `${(altered[0] as string).slice(0, -4)}AAAA`
    await expectCode(drain(set.token, [p0, altered, p2], options), 'ERR_SIGNATURE_INVALID')
  })

  it('a set manifest that lists a partition twice, out of order, too few, or a wrong total', async () => {
    // What the issuer's key could sign by mistake (or a hostile insider with the key): each is
    // still refused before any record is yielded.
    const { gate, keys } = await makeGate()
    const partitions = await partitionsOf(gate, [4, 4])
    const good = await gate.signStreamSet({
      ...request,
      set: 'e1',
      manifests: manifestsOf(partitions),
    })
    const claims = JSON.parse(unb64u(good.token.split('.')[1] as string)) as {
      partitions: { partition: number; count: number }[]
      of: number
      count: number
    }
    const [a, b] = claims.partitions as [
      (typeof claims.partitions)[0],
      (typeof claims.partitions)[0],
    ]
    const signed = async (changes: Record<string, unknown>) =>
      (await signEnvelope({ ...claims, ...changes }, keys, { typ: STREAM_SET_TYP })).token
    const options = verify(gate)
    const cases: [Record<string, unknown>, string][] = [
      [{ partitions: [a, a] }, 'ERR_STREAM_SET_DUPLICATE'],
      [{ partitions: [a, { ...b, partition: 0, stream: 'other' }] }, 'ERR_STREAM_SET_DUPLICATE'],
      [{ partitions: [b, a] }, 'ERR_STREAM_SET_ORDER'],
      [{ partitions: [a], of: 2 }, 'ERR_STREAM_SET_INCOMPLETE'],
      [{ count: claims.count - 1 }, 'ERR_STREAM_SET_COUNT'],
      [{ partitions: [a, { ...b, count: 3 }], count: 7 }, 'ERR_STREAM_SET_COUNT'],
      [{ partitions: [a, { ...b, manifest: 'sha256:x' }] }, 'ERR_STREAM_SET_INVALID'],
      [{ set: '' }, 'ERR_STREAM_SET_INVALID'],
      [{ of: 0 }, 'ERR_STREAM_SET_INVALID'],
    ]
    for (const [changes, code] of cases) {
      let yielded = 0
      const run = async () => {
        for await (const _ of verifyStreamSet(await signed(changes), partitions, options)) yielded++
      }
      await expectCode(run(), code as 'ERR_STREAM_SET_COUNT')
      if (code !== 'ERR_STREAM_SET_COUNT' || changes.count !== 7) expect(yielded).toBe(0)
    }
  })

  it('the gate signs only its own manifests, for the same request, each stream once', async () => {
    const { gate, audit } = await makeGate()
    const mine = manifestsOf(await partitionsOf(gate, [2, 2]))
    const other = await makeGate()
    const foreign = manifestsOf(await partitionsOf(other.gate, [2]))
    const fleet = manifestsOf(await partitionsOf(gate, [2], { ...request, partner: 'fleet-co' }))
    const sign = (manifests: string[], set = 'e1') =>
      gate.signStreamSet({ ...request, set, manifests })
    await expectCode(sign([mine[0] as string, foreign[0] as string]), 'ERR_SIGNATURE_INVALID')
    await expectCode(sign([mine[0] as string, fleet[0] as string]), 'ERR_AUDIENCE_MISMATCH')
    await expectCode(sign([mine[0] as string, mine[0] as string]), 'ERR_INVALID_ARGUMENT')
    await expectCode(sign([]), 'ERR_INVALID_ARGUMENT')
    await expectCode(sign(mine, 'a/b'.repeat(50)), 'ERR_INVALID_ARGUMENT')
    expect(audit.events.some((e) => e.type === 'stream-set')).toBe(false)
    // A partner refused at set time is refused on the chain, as any request.
    await expectCode(
      gate.signStreamSet({ ...request, partner: 'unknown-co', set: 'e1', manifests: mine }),
      'ERR_UNKNOWN_PARTNER',
    )
  })
})
