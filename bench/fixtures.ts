// The workload every benchmark shares, as issue 8 states it: after-sales orders of 30 leaves with
// CJK strings, from a seeded generator (the same rows in every run); an agreement that grants 10
// leaves (6 public, 4 desensitised: a pseudonym, two masks and a date generalisation) under a row
// condition that keeps 60 % of the rows; and a gate over both with a fixed clock, fixed pseudonym
// key and a memory audit sink, so the audit event every release and export writes is measured.
import {
  createGate,
  defineDataset,
  field,
  type Gate,
  generalize,
  generateKeys,
  type KeyRing,
  loadPolicy,
  mask,
  memoryAuditSink,
  type Policy,
  pseudonymize,
} from 'datagate'
import { z } from 'zod'

/** An after-sales order of 30 leaves: 7 sensitive, 7 desensitised, 16 public. */
export const AfterSalesOrder = defineDataset(
  'after_sales_order',
  z.object({
    orderId: field.public(z.string()),
    outletId: field.public(z.string()),
    outletName: field.public(z.string()),
    city: field.public(z.string()),
    district: field.public(z.string()),
    status: field.public(z.string()),
    openedAt: field.desensitised(z.string(), generalize.date('day')),
    closedAt: field.desensitised(z.string(), generalize.date('day')),
    estimatedHours: field.public(z.number().min(0)),
    laborHours: field.public(z.number().min(0)),
    totalPrice: field.public(z.number().min(0)),
    customer: z.object({
      id: field.desensitised(z.string(), pseudonymize({ prefix: 'cus_' })),
      name: field.sensitive(z.string(), { pii: 'name' }),
      phone: field.desensitised(z.string(), mask.phone(), { pii: 'mobile' }),
      idNumber: field.sensitive(z.string(), { pii: 'resident_id' }),
      email: field.desensitised(z.string(), mask.email(), { pii: 'email' }),
      address: field.sensitive(z.string()),
      level: field.public(z.string()),
    }),
    vehicle: z.object({
      vin: field.desensitised(z.string(), mask.vin(), { pii: 'vin' }),
      plate: field.sensitive(z.string(), { pii: 'licence_plate' }),
      model: field.public(z.string()),
      year: field.public(z.number().int()),
      mileageKm: field.public(z.number().min(0)),
      batteryHealth: field.public(z.number().min(0).max(100)),
    }),
    technician: z.object({
      name: field.sensitive(z.string(), { pii: 'name' }),
      badge: field.desensitised(z.string(), mask.phone()),
    }),
    fault: z.object({
      code: field.public(z.string()),
      category: field.public(z.string()),
      description: field.public(z.string()),
    }),
    remarks: field.sensitive(z.string()),
  }),
  { version: '2026-12' },
)

/** The datasets of the bench gate. */
export const datasets = [AfterSalesOrder]

/** One order as the generator makes it (the schema's input type). */
export type AfterSalesRow = z.input<typeof AfterSalesOrder.schema>

/** The 10 granted leaves, in schema order: 6 public and 4 desensitised. */
export const GRANTED = [
  'orderId',
  'city',
  'status',
  'openedAt',
  'estimatedHours',
  'customer.id',
  'customer.phone',
  'vehicle.vin',
  'vehicle.model',
  'fault.category',
] as const

/** Hours of work; 6 of the 10 are above the agreement's `estimatedHours > 2`. */
const HOURS = [0.5, 1, 1.5, 2, 2.5, 3, 4, 6, 8, 12] as const
/** Hours that all pass the condition, for workloads where every row must be released. */
export const PASSING_HOURS = [2.5, 3, 4, 6, 8, 12] as const

/** The release the benchmarks measure. */
export const REQUEST = {
  partner: 'rental-co',
  dataset: 'after_sales_order',
  purpose: 'courtesy-car',
} as const

/** The gate's issuer. */
export const ISSUER = 'oem-aftersales'

/** The gate's clock: inside the agreement's validity. */
export const NOW = new Date('2026-06-01T00:00:00Z')

/** A fixed pseudonym master key, so pseudonyms are the same in every run. */
export const PSEUDONYM_KEY = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff)

/** The bench policy: one core partner, one agreement of 10 leaves under a row condition. */
export function benchPolicyDocument() {
  return {
    issuer: ISSUER,
    partners: [
      {
        id: REQUEST.partner,
        name: '租车伙伴 Rental Co',
        category: 'capability',
        standing: 'gold',
        core: true,
        agreements: [
          {
            id: 'courtesy-car-2026',
            dataset: REQUEST.dataset,
            purpose: REQUEST.purpose,
            fields: [...GRANTED],
            where: { estimatedHours: { $gt: 2 } },
            validFrom: '2026-01-01',
            validUntil: '2026-12-31',
          },
        ],
      },
    ],
  }
}

/** The loaded bench policy. */
export function benchPolicy(): Policy {
  return loadPolicy(benchPolicyDocument(), { datasets })
}

/** The bench gate: fixed clock and pseudonym key, EdDSA keys, a memory audit sink. */
export async function benchGate(): Promise<{ gate: Gate; keys: KeyRing }> {
  const keys = await generateKeys({ alg: 'EdDSA' })
  const gate = createGate({
    issuer: ISSUER,
    datasets,
    policy: benchPolicy(),
    keys,
    pseudonymKey: PSEUDONYM_KEY,
    audit: memoryAuditSink(),
    now: () => NOW,
  })
  return { gate, keys }
}

/** mulberry32: small and deterministic. */
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

const CITIES = [
  ['杭州市', ['西湖区', '上城区', '滨江区', '余杭区']],
  ['上海市', ['浦东新区', '徐汇区', '静安区', '闵行区']],
  ['北京市', ['朝阳区', '海淀区', '丰台区', '通州区']],
  ['深圳市', ['南山区', '福田区', '宝安区', '龙岗区']],
  ['成都市', ['武侯区', '锦江区', '高新区', '双流区']],
] as const
const PLATE_PREFIX = ['浙A', '沪B', '京C', '粤B', '川A'] as const
const STATUSES = ['待检测', '维修中', '待取车', '已完成'] as const
const MODELS = ['ET5', 'ET7', 'ES6', 'EC6', 'ES8'] as const
const LEVELS = ['普通会员', '银卡会员', '金卡会员', '黑卡会员'] as const
const FAULTS = [
  ['BAT-101', '动力电池', '电池包冷却液轻微渗漏，需更换密封圈并做气密性检测'],
  ['BRK-204', '制动系统', '前轮刹车片磨损超过限值，建议同时检查刹车盘'],
  ['TYR-310', '轮胎', '左后轮胎侧面鼓包，存在安全隐患，需立即更换'],
  ['HVC-412', '空调系统', '空调制冷效果差，冷媒不足，需检漏后加注'],
  ['SWU-518', '软件', '车机系统升级失败，需重新刷写固件并校准传感器'],
  ['BDY-620', '车身', '右前门钣金凹陷，需钣金修复并喷漆'],
] as const
const SURNAMES = ['张', '王', '李', '赵', '刘', '陈', '杨', '欧阳'] as const
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '艳', '婷', '强'] as const
const STREETS = ['文三路', '南京西路', '中关村大街', '深南大道', '天府大道'] as const
const REMARKS = [
  '客户要求当天取车，请优先安排',
  '客户反映异响已持续两周，仅在低速时出现',
  '需提供代步车，客户下午三点到店',
  '保险理赔单已提交，等待定损员确认',
] as const
const VIN_ALPHABET = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789'

/**
 * After-sales orders one at a time, from a seed: the same sequence in every run. With the
 * default hours 6 in 10 orders pass the agreement's condition; pass {@link PASSING_HOURS} to
 * make every order pass. Customers repeat (50,000 of them), as they do in real data.
 */
export function* afterSalesOrders(
  count: number,
  seed = 20261201,
  hours: readonly number[] = HOURS,
): Generator<AfterSalesRow> {
  const next = seededRandom(seed)
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
  const digits = (n: number) => {
    let text = ''
    for (let i = 0; i < n; i++) text += String(int(0, 9))
    return text
  }
  const name = () => pick(SURNAMES) + pick(GIVEN) + (next() < 0.5 ? pick(GIVEN) : '')
  for (let i = 0; i < count; i++) {
    const cityIndex = int(0, CITIES.length - 1)
    const [city, districts] = CITIES[cityIndex] as (typeof CITIES)[number]
    const district = pick(districts)
    let vin = 'LRW'
    for (let c = 0; c < 14; c++) vin += VIN_ALPHABET[int(0, VIN_ALPHABET.length - 1)]
    const openedMs = Date.UTC(2026, int(0, 10), int(1, 28), int(8, 18), int(0, 59))
    const [code, category, description] = pick(FAULTS)
    const customerNumber = 100001 + int(0, 49_999)
    const estimatedHours = pick(hours)
    yield {
      orderId: `R-2026-${String(i + 1).padStart(7, '0')}`,
      outletId: `O-${cityIndex + 1}${int(1, 3)}`,
      outletName: `${city.slice(0, 2)}${district}蔚来服务中心`,
      city,
      district,
      status: pick(STATUSES),
      openedAt: new Date(openedMs).toISOString(),
      closedAt: new Date(openedMs + int(1, 72) * 3_600_000).toISOString(),
      estimatedHours,
      laborHours: Math.round(estimatedHours * (0.8 + next() * 0.4) * 10) / 10,
      totalPrice: int(80, 48_000),
      customer: {
        id: `C${customerNumber}`,
        name: name(),
        phone: `1${pick(['38', '39', '58', '86', '77'])}${digits(8)}`,
        idNumber: `330106${int(1960, 2004)}${String(int(1, 12)).padStart(2, '0')}${String(int(1, 28)).padStart(2, '0')}${digits(4)}`,
        email: `user${customerNumber}@example.cn`,
        address: `${city}${district}${pick(STREETS)}${int(1, 999)}号${int(1, 30)}幢${int(101, 2804)}室`,
        level: pick(LEVELS),
      },
      vehicle: {
        vin,
        plate: `${PLATE_PREFIX[cityIndex]}·D${digits(5)}`,
        model: pick(MODELS),
        year: int(2019, 2026),
        mileageKm: int(100, 180_000),
        batteryHealth: int(70, 100),
      },
      technician: { name: name(), badge: `1${digits(10)}` },
      fault: { code, category, description },
      remarks: pick(REMARKS),
    }
  }
}

/** The batch most comparisons run on. */
export const BATCH_ROWS = 100_000

/**
 * A policy document of `partners` partners with `agreements` agreements each over the bench
 * dataset, as YAML text: what loadPolicy parses and checks at start-up.
 */
export function largePolicyYaml(partners: number, agreements: number): string {
  const lines = [`issuer: ${ISSUER}`, 'partners:']
  const categories = ['capability', 'resource', 'traffic', 'innovation'] as const
  const publicLeaves = AfterSalesOrder.fields.filter((f) => f.class === 'public').map((f) => f.path)
  const desensitised = AfterSalesOrder.fields
    .filter((f) => f.class === 'desensitised')
    .map((f) => f.path)
  for (let p = 0; p < partners; p++) {
    const core = p % 3 !== 2
    lines.push(
      `  - id: partner-${p}`,
      `    name: 生态伙伴 ${p} 号`,
      `    category: ${categories[p % categories.length]}`,
      `    standing: ${p % 5 === 4 ? 'silver' : 'gold'}`,
      `    core: ${core}`,
      '    agreements:',
    )
    for (let a = 0; a < agreements; a++) {
      const leaves = publicLeaves.filter((_, i) => (i + a + p) % 3 !== 0)
      if (core) leaves.push(...desensitised.filter((_, i) => (i + a) % 2 === 0))
      lines.push(
        `      - id: agreement-${p}-${a}`,
        `        dataset: ${REQUEST.dataset}`,
        `        purpose: purpose-${a}`,
        `        fields: [${leaves.join(', ')}]`,
        `        where: { estimatedHours: { $gt: ${a} }, city: { $in: [杭州市, 上海市] } }`,
        '        validFrom: 2026-01-01',
        '        validUntil: 2026-12-31',
      )
    }
  }
  return `${lines.join('\n')}\n`
}
