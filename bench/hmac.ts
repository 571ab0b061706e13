// HMAC-SHA-256 per call on 16-byte values: the node:crypto backend against the portable
// @noble/hashes one. Both files are imported by path, because `#hash` means only one of them in
// any process. One call is what pseudonymize() costs per value.
import * as nobleBackend from '../src/lib/hash.js'
import * as nodeBackend from '../src/lib/hash.node.js'
import { type BenchSection, compare, measure } from './harness.js'

const VALUES = 1024

/** Runs the HMAC benchmark. */
export function hmacBench(): BenchSection {
  const key = new Uint8Array(32).map((_, i) => i + 1)
  const values = Array.from({ length: VALUES }, (_, v) =>
    new Uint8Array(16).map((_, i) => (v * 31 + i * 7) & 0xff),
  )
  const nodeMac = nodeBackend.hmacSha256(key)
  const nobleMac = nobleBackend.hmacSha256(key)
  const same = values.every((value) => Buffer.from(nodeMac(value)).equals(nobleMac(value)))

  let nodeIndex = 0
  const nodeRun = measure('node:crypto hmacSha256', () =>
    nodeMac(values[nodeIndex++ & (VALUES - 1)] as Uint8Array),
  )
  let nobleIndex = 0
  const nobleRun = measure('@noble/hashes hmacSha256', () =>
    nobleMac(values[nobleIndex++ & (VALUES - 1)] as Uint8Array),
  )
  return {
    title: 'HMAC-SHA-256 per call (16-byte values, key prepared once)',
    measurements: [nodeRun, nobleRun],
    comparisons: [compare(nodeRun, nobleRun)],
    notes: [
      same
        ? 'both backends give byte-identical output on every value (checked)'
        : 'CHECK FAILED: the backends disagree',
    ],
    ok: same,
  }
}
