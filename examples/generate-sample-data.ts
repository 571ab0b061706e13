// Writes the bundled sample data (examples/data/*.json) from a fixed seed, so the files can be
// regenerated and reviewed: `npx tsx examples/generate-sample-data.ts`. Every person, number and
// vehicle is invented; identity numbers and VINs carry valid check characters so that the PII
// scanner finds them as it would find real ones.
import { writeFileSync } from 'node:fs'

let seed = 20261125
function next(): number {
  // mulberry32: small, deterministic, good enough for sample data.
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
const digits = (n: number) => Array.from({ length: n }, () => int(0, 9)).join('')

const SURNAMES = ['张', '王', '李', '赵', '刘', '陈', '杨', '黄', '周', '吴', '欧阳']
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '艳', '勇', '军', '杰', '娟']
const CITIES = [
  { city: 'Hangzhou', region: '330106', plate: '浙A' },
  { city: 'Shanghai', region: '310115', plate: '沪B' },
  { city: 'Beijing', region: '110105', plate: '京N' },
  { city: 'Shenzhen', region: '440305', plate: '粤B' },
  { city: 'Chengdu', region: '510107', plate: '川A' },
]
const MODELS = ['ET5', 'ET7', 'ES6', 'EC6', 'ES8']

function residentId(region: string, birth: Date): string {
  const body = `${region}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${digits(3)}`
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...body].reduce((acc, ch, i) => acc + Number(ch) * (weights[i] as number), 0)
  return body + '10X98765432'[sum % 11]
}

function vin(): string {
  const alphabet = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789'
  const chars = `LRW${Array.from({ length: 14 }, () => pick([...alphabet])).join('')}`.split('')
  const values: Record<string, number> = {}
  for (const [i, c] of [...'ABCDEFGH'].entries()) values[c] = i + 1
  for (const [i, c] of [...'JKLMN'].entries()) values[c] = i + 1
  values.P = 7
  values.R = 9
  for (const [i, c] of [...'STUVWXYZ'].entries()) values[c] = i + 2
  for (let d = 0; d <= 9; d++) values[String(d)] = d
  const weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
  chars[8] = '0'
  const sum = chars.reduce((acc, c, i) => acc + (values[c] as number) * (weights[i] as number), 0)
  chars[8] = sum % 11 === 10 ? 'X' : String(sum % 11)
  return chars.join('')
}

const customers = Array.from({ length: 60 }, (_, i) => {
  const place = pick(CITIES)
  const age = int(19, 72)
  const birth = new Date(Date.UTC(2026 - age, int(0, 11), int(1, 28)))
  return {
    customerId: `C${String(100001 + i)}`,
    name: pick(SURNAMES) + pick(GIVEN) + (next() < 0.5 ? pick(GIVEN) : ''),
    idNumber: residentId(place.region, birth),
    phone: `1${pick(['38', '39', '58', '86', '77'])}${digits(8)}`,
    ...(next() < 0.6 ? { email: `user${100 + i}@example.com` } : {}),
    city: place.city,
    age,
    vehicle: {
      vin: vin(),
      plate: `${place.plate}${pick(['D', 'F'])}${digits(5)}`,
      model: pick(MODELS),
    },
  }
})

const outlets = CITIES.flatMap((place, c) =>
  Array.from({ length: 3 }, (_, j) => ({
    outletId: `O-${c + 1}${j + 1}`,
    name: `${place.city} Service Centre ${j + 1}`,
    city: place.city,
    address: `${int(1, 999)} ${pick(['Wenyi Rd', 'Century Ave', 'Binjiang Blvd', 'Tianfu Ave'])}, ${place.city}`,
    location: {
      lat: Number((22 + next() * 18).toFixed(5)),
      lng: Number((103 + next() * 19).toFixed(5)),
    },
    managerName: pick(SURNAMES) + pick(GIVEN),
    managerPhone: `1${pick(['35', '36', '50'])}${digits(8)}`,
    laborRatePerHour: int(180, 320),
  })),
)

const repairOrders = Array.from({ length: 240 }, (_, i) => {
  const customer = pick(customers)
  const outlet = pick(outlets.filter((o) => o.city === customer.city))
  const opened = new Date(Date.UTC(2026, int(0, 10), int(1, 28), int(8, 18), int(0, 59)))
  return {
    orderId: `R-2026-${String(i + 1).padStart(5, '0')}`,
    outletId: outlet.outletId,
    customerId: customer.customerId,
    customerName: customer.name,
    customerPhone: customer.phone,
    city: customer.city,
    openedAt: opened.toISOString(),
    estimatedHours: pick([0.5, 1, 1.5, 2, 3, 4, 5, 6, 8, 12, 24]),
    vehicle: { vin: customer.vehicle.vin, model: customer.vehicle.model },
    services: Array.from({ length: int(1, 3) }, () => ({
      code: pick(['BAT-CHK', 'TYRE-ROT', 'BRAKE-PAD', 'HVAC-SVC', 'SW-UPDATE', 'BODY-RPR']),
      price: int(80, 4800),
    })),
    technicianName: pick(SURNAMES) + pick(GIVEN),
  }
})

const chargingSessions = Array.from({ length: 900 }, (_, i) => {
  const customer = pick(customers)
  const started = new Date(Date.UTC(2026, int(0, 10), int(1, 28), int(0, 23), int(0, 59)))
  const kwh = Number((10 + next() * 60).toFixed(1))
  return {
    sessionId: `S-${String(i + 1).padStart(6, '0')}`,
    customerId: customer.customerId,
    stationCity: next() < 0.85 ? customer.city : pick(CITIES).city,
    startedAt: started.toISOString(),
    kwh,
    fee: Number((kwh * 1.2).toFixed(2)),
  }
})

const out = new URL('./data/', import.meta.url)
for (const [name, rows] of Object.entries({
  customers,
  outlets,
  'repair-orders': repairOrders,
  'charging-sessions': chargingSessions,
})) {
  writeFileSync(new URL(`${name}.json`, out), `${JSON.stringify(rows, null, 1)}\n`)
}
console.log('sample data written to examples/data/')
