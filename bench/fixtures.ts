// What every benchmark shares: deterministic repair orders shaped as examples/datasets.ts
// declares them, the sample policy, and a gate over both with a fixed clock and keys.
import { readFileSync } from 'node:fs'
import {
  createGate,
  type Gate,
  generateKeys,
  type KeyRing,
  loadPolicy,
  memoryBudgetStore,
} from 'datagate'
import { datasets } from '../examples/datasets.js'

/** A repair order as examples/datasets.ts declares it. */
export interface RepairOrderRow {
  orderId: string
  outletId: string
  customerId: string
  customerName: string
  customerPhone: string
  city: string
  openedAt: string
  estimatedHours: number
  vehicle: { vin: string; model: string }
  services: { code: string; price: number }[]
  technicianName: string
}

/** The release the benchmarks measure: examples/policy.yaml's courtesy-car agreement. */
export const REQUEST = {
  partner: 'rental-co',
  dataset: 'repair_order',
  purpose: 'courtesy-car',
} as const

/** The gate's clock: inside the agreement's validity. */
export const NOW = new Date('2026-06-01T00:00:00Z')

/** A fixed pseudonym master key, so pseudonyms are the same in every run. */
export const PSEUDONYM_KEY = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff)

/** mulberry32: small and deterministic, as in examples/generate-sample-data.ts. */
export function seededRandom(seed: number): () => number {
  let state = seed | 0
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const CITIES = ['Hangzhou', 'Shanghai', 'Beijing', 'Shenzhen', 'Chengdu'] as const
const MODELS = ['ET5', 'ET7', 'ES6', 'EC6', 'ES8'] as const
const HOURS = [0.5, 1, 1.5, 2, 3, 4, 5, 6, 8, 12, 24] as const
/** Hours of the jobs the courtesy-car agreement releases (`estimatedHours > 4`). */
export const LONG_JOB_HOURS = [5, 6, 8, 12, 24] as const
const CODES = ['BAT-CHK', 'TYRE-ROT', 'BRAKE-PAD', 'HVAC-SVC', 'SW-UPDATE', 'BODY-RPR'] as const
const NAMES = ['张伟', '王芳', '李娜', '赵敏', '刘静', '陈磊', '杨洋', '欧阳艳'] as const
const VIN_ALPHABET = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789'

/**
 * Repair orders one at a time, from a seed: the same sequence in every run. With the default
 * hours about 5 in 11 orders pass the courtesy-car condition; pass {@link LONG_JOB_HOURS} to
 * make every order pass.
 */
export function* repairOrders(
  count: number,
  seed = 20261125,
  hours: readonly number[] = HOURS,
): Generator<RepairOrderRow> {
  const next = seededRandom(seed)
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
  const digits = (n: number) => {
    let text = ''
    for (let i = 0; i < n; i++) text += String(int(0, 9))
    return text
  }
  for (let i = 0; i < count; i++) {
    const cityIndex = int(0, CITIES.length - 1)
    let vin = 'LRW'
    for (let c = 0; c < 14; c++) vin += VIN_ALPHABET[int(0, VIN_ALPHABET.length - 1)]
    const opened = new Date(Date.UTC(2026, int(0, 10), int(1, 28), int(8, 18), int(0, 59)))
    const services: { code: string; price: number }[] = []
    for (let s = int(1, 3); s > 0; s--) services.push({ code: pick(CODES), price: int(80, 4800) })
    yield {
      orderId: `R-2026-${String(i + 1).padStart(7, '0')}`,
      outletId: `O-${cityIndex + 1}${int(1, 3)}`,
      customerId: `C${100001 + int(0, 49_999)}`,
      customerName: pick(NAMES),
      customerPhone: `1${pick(['38', '39', '58', '86', '77'])}${digits(8)}`,
      city: CITIES[cityIndex] as string,
      openedAt: opened.toISOString(),
      estimatedHours: pick(hours),
      vehicle: { vin, model: pick(MODELS) },
      services,
      technicianName: pick(NAMES),
    }
  }
}

/** The sample policy of examples/policy.yaml over the sample datasets. */
export function samplePolicy() {
  const text = readFileSync(new URL('../examples/policy.yaml', import.meta.url), 'utf8')
  return loadPolicy(text, { datasets })
}

/** A gate over the sample datasets and policy, with a fixed clock and pseudonym key; no audit sink. */
export async function sampleGate(): Promise<{ gate: Gate; keys: KeyRing }> {
  const keys = await generateKeys({ alg: 'EdDSA' })
  const gate = createGate({
    issuer: 'oem-aftersales',
    datasets,
    policy: samplePolicy(),
    keys,
    pseudonymKey: PSEUDONYM_KEY,
    // A benchmark process is short-lived: its once-per-period spends need not outlive it.
    budget: memoryBudgetStore(),
    now: () => NOW,
  })
  return { gate, keys }
}
