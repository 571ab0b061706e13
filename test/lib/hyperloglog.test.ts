// The keyed HyperLogLog's stated error: relative standard error 1.04 / sqrt(2^14) = 0.81 %.
// Estimates over cardinalities from 100 to 2,000,000 (the sparse, transition and large ranges),
// each for several deterministic seeds, land within 3 standard errors (2.44 %) one by one, and
// their root-mean-square relative error is within 1 %. Hashes come from a seeded 64-bit
// generator (splitmix64) for the wide sweep, and from the real HMAC path for a second sweep.
import { describe, expect, it } from 'vitest'
import {
  estimate,
  estimateFromHistogram,
  HLL_REGISTERS,
  HLL_STANDARD_ERROR,
  histogram,
  keyedAdder,
  merge,
  raise,
  registerOf,
} from '../../src/lib/hyperloglog.js'

/** splitmix64 as two 32-bit halves (BigInt only for the state update, once per draw). */
function splitmix(seed: number): () => [number, number] {
  let state = BigInt(seed)
  const mask = (1n << 64n) - 1n
  return () => {
    state = (state + 0x9e3779b97f4a7c15n) & mask
    let z = state
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask
    z ^= z >> 31n
    return [Number(z >> 32n), Number(z & 0xffffffffn)]
  }
}

function sketchOf(count: number, seed: number): Uint8Array {
  const registers = new Uint8Array(HLL_REGISTERS)
  const next = splitmix(seed)
  for (let i = 0; i < count; i++) {
    const [high, low] = next()
    const { index, rank } = registerOf(high, low)
    raise(registers, index, rank)
  }
  return registers
}

describe('keyed HyperLogLog', () => {
  it('states 0.81 % as its standard error', () => {
    expect(HLL_STANDARD_ERROR).toBeCloseTo(0.008125, 6)
  })

  it('ranks: index from the top 14 bits, rank from the leading zeros of the other 50', () => {
    expect(registerOf(0xffffffff, 0xffffffff)).toEqual({ index: 16383, rank: 1 })
    expect(registerOf(0x00020000, 0)).toEqual({ index: 0, rank: 1 })
    expect(registerOf(0x00010000, 0)).toEqual({ index: 0, rank: 2 })
    expect(registerOf(0x00000001, 0)).toEqual({ index: 0, rank: 18 })
    expect(registerOf(0, 0x80000000)).toEqual({ index: 0, rank: 19 })
    expect(registerOf(0, 0)).toEqual({ index: 0, rank: 51 })
  })

  it('estimates within 3 standard errors each, and within 1 % RMS, from 100 to 2,000,000', () => {
    const cardinalities = [100, 1_000, 10_000, 30_000, 50_000, 100_000, 300_000, 2_000_000]
    const seeds = [1, 2, 3, 4, 5]
    const errors: number[] = []
    const table: string[] = []
    for (const n of cardinalities) {
      // The largest cardinality once (it takes the longest); the rest for every seed.
      for (const seed of n >= 1_000_000 ? seeds.slice(0, 2) : seeds) {
        const e = estimate(sketchOf(n, seed * 7919 + n))
        const relative = (e - n) / n
        errors.push(relative)
        table.push(`${n}:${(relative * 100).toFixed(3)}%`)
        expect(Math.abs(relative), `n=${n} seed=${seed}`).toBeLessThanOrEqual(
          3 * HLL_STANDARD_ERROR,
        )
      }
    }
    const rms = Math.sqrt(errors.reduce((s, r) => s + r * r, 0) / errors.length)
    console.log(`hll relative errors: ${table.join(' ')}; RMS ${(rms * 100).toFixed(3)} %`)
    expect(rms).toBeLessThanOrEqual(0.01)
  })

  it('the keyed (HMAC-SHA-256) path meets the same bound, and another key gives other registers', () => {
    const key = new Uint8Array(32).fill(42)
    const add = keyedAdder(key)
    const errors: number[] = []
    let registers = new Uint8Array(HLL_REGISTERS)
    let added = 0
    for (const n of [5_000, 20_000, 60_000]) {
      for (; added < n; added++) add(registers, `VIN-${added}`)
      const relative = (estimate(registers) - n) / n
      errors.push(relative)
      expect(Math.abs(relative)).toBeLessThanOrEqual(3 * HLL_STANDARD_ERROR)
    }
    console.log(`keyed hll relative errors: ${errors.map((r) => (r * 100).toFixed(3)).join(' ')} %`)
    const other = new Uint8Array(HLL_REGISTERS)
    const addOther = keyedAdder(new Uint8Array(32).fill(43))
    for (let i = 0; i < 60_000; i++) addOther(other, `VIN-${i}`)
    expect(Buffer.from(other).equals(Buffer.from(registers))).toBe(false)
    // Adding the same subjects again changes nothing: distinct subjects are counted.
    const before = Buffer.from(registers)
    for (let i = 0; i < 1_000; i++) add(registers, `VIN-${i}`)
    expect(Buffer.from(registers).equals(before)).toBe(true)
    registers = new Uint8Array(HLL_REGISTERS)
    expect(estimate(registers)).toBe(0)
  })

  it('a merge is the sketch of the union', () => {
    const a = sketchOf(40_000, 11)
    const b = sketchOf(40_000, 11)
    const c = sketchOf(25_000, 12)
    merge(a, c)
    const union = new Uint8Array(HLL_REGISTERS)
    merge(union, b)
    merge(union, c)
    expect(Buffer.from(a).equals(Buffer.from(union))).toBe(true)
    expect(Math.abs(estimate(a) - 65_000) / 65_000).toBeLessThanOrEqual(3 * HLL_STANDARD_ERROR)
    expect(estimateFromHistogram(histogram(a))).toBe(estimate(a))
  })
})
