// Regression tests for every @casl/ability trap listed in DESIGN.md ("Known traps in the
// dependencies"), run against OUR policy stage. Where it helps, the trap is first shown to exist
// in raw CASL, so a test here cannot pass merely because CASL changed under us.
import { subject as caslSubject, createMongoAbility, type MongoQuery } from '@casl/ability'
import { describe, expect, it } from 'vitest'
import { DatagateError } from '../../src/errors.js'
import { createGate } from '../../src/export/gate.js'
import { abilityFromAgreements, partnerAbility } from '../../src/policy/ability.js'
import { compileConditions, restrictedConditionsMatcher } from '../../src/policy/conditions.js'
import { loadPolicy } from '../../src/policy/load.js'
import type { Agreement, Conditions } from '../../src/policy/types.js'
import {
  Customer,
  ISSUER,
  NOW,
  PSEUDONYM_KEY,
  policyDocument,
  rejected,
  singleAgreement,
  thrown,
} from './arbitraries.js'

const datasets = [Customer]
const PURPOSE = 'purpose-a'
const request = { partner: 'partner-a', dataset: 'customer', purpose: PURPOSE } as const

const row = {
  customerId: 'C-1001',
  name: 'Zhang San',
  phone: '13812345678',
  city: 'Hangzhou',
  age: 34,
  vehicle: { vin: 'LSVAU2180N2183294', plate: '京A12345', model: 'ET5' },
}
const otherRow = {
  customerId: 'C-1002',
  name: 'Li Si',
  phone: '13987654321',
  city: 'Shanghai',
  age: 51,
  vehicle: { vin: 'LFV2A21K8A4083121', plate: '沪B54321', model: 'ES8' },
}

function gateFor(document: Record<string, unknown>) {
  const policy = loadPolicy(document, { datasets })
  return createGate({
    issuer: ISSUER,
    datasets,
    policy,
    pseudonymKey: PSEUDONYM_KEY,
    now: () => NOW,
  })
}

function findingsOf(fn: () => unknown): readonly { code: string; path: string }[] {
  const error = thrown(fn)
  expect(error.code).toBe('ERR_POLICY_INVALID')
  expect(error.findings.length).toBeGreaterThan(0)
  return error.findings
}

function pollutedGlobals(): unknown[] {
  const probe: Record<string, unknown> = {}
  return [
    (Object.prototype as Record<string, unknown>).polluted,
    probe.polluted,
    (Object as unknown as Record<string, unknown>).polluted,
  ]
}

describe('trap 1: CASL `vehicle.*` also matches `vehicle` (the whole object)', () => {
  it('exists in raw CASL', () => {
    const raw = createMongoAbility([{ action: 'read', subject: 'X', fields: ['vehicle.*'] }])
    expect(raw.can('read', 'X', 'vehicle')).toBe(true)
    expect(raw.can('read', 'X', 'vehicle.plate')).toBe(true)
  })

  it.each([
    { core: true, leaves: ['vehicle.vin', 'vehicle.model'] },
    { core: false, leaves: ['vehicle.model'] },
  ])(
    '`vehicle.*` expands at load time to the receivable leaves (core: $core)',
    ({ core, leaves }) => {
      const policy = loadPolicy(singleAgreement('customer', ['vehicle.*'], { core }), { datasets })
      const agreement = policy.partner('partner-a')?.agreements[0]
      expect(agreement?.declaredFields).toEqual(['vehicle.*'])
      expect(agreement?.fields).toEqual(leaves)
      expect(agreement?.fields).not.toContain('vehicle')
      expect(agreement?.fields).not.toContain('vehicle.plate')
      expect(agreement?.fields.every((f) => !f.includes('*'))).toBe(true)
    },
  )

  it.each([
    { core: true, allowed: ['vehicle.vin', 'vehicle.model'] },
    { core: false, allowed: ['vehicle.model'] },
  ])(
    'partnerAbility denies `vehicle` itself and every non-receivable leaf (core: $core)',
    ({ core, allowed }) => {
      const policy = loadPolicy(singleAgreement('customer', ['vehicle.*'], { core }), { datasets })
      const ability = partnerAbility(policy, 'partner-a', 'customer', { now: () => NOW })
      expect(ability.can(PURPOSE, 'customer', 'vehicle')).toBe(false)
      expect(ability.can(PURPOSE, 'customer', 'vehicle.*')).toBe(false)
      expect(ability.can(PURPOSE, 'customer', 'vehicle.plate')).toBe(false)
      expect(ability.can(PURPOSE, row, 'vehicle')).toBe(false)
      for (const f of Customer.fields)
        expect(ability.can(PURPOSE, 'customer', f.path), f.path).toBe(allowed.includes(f.path))
    },
  )

  it('a core partner granted `vehicle.*` receives exactly vin (transformed) and model', async () => {
    const gate = gateFor(singleAgreement('customer', ['vehicle.*'], { core: true }))
    const { records, report } = await gate.release([row, otherRow], request)
    expect(records).toHaveLength(2)
    for (const [i, record] of records.entries()) {
      const source = [row, otherRow][i] ?? row
      expect(Object.keys(record)).toEqual(['vehicle'])
      const vehicle = record.vehicle as Record<string, unknown>
      expect(Object.keys(vehicle).sort()).toEqual(['model', 'vin'])
      expect(vehicle.model).toBe(source.vehicle.model)
      expect(typeof vehicle.vin).toBe('string')
      expect(vehicle.vin).not.toBe(source.vehicle.vin)
      expect(JSON.stringify(record)).not.toContain(source.vehicle.plate)
    }
    expect(report.fields.map((f) => f.path)).toEqual(['vehicle.vin', 'vehicle.model'])
    expect(report.fields.find((f) => f.path === 'vehicle.vin')?.operator).toBe('mask.vin')
  })

  it('a non-core partner granted `vehicle.*` gets neither the plate nor the (desensitised) vin', async () => {
    const gate = gateFor(singleAgreement('customer', ['vehicle.*'], { core: false }))
    const { records } = await gate.release([row, otherRow], request)
    expect(records).toEqual([{ vehicle: { model: 'ET5' } }, { vehicle: { model: 'ES8' } }])
    const text = JSON.stringify(records)
    for (const secret of [row.vehicle.plate, row.vehicle.vin.slice(0, 8), otherRow.vehicle.plate])
      expect(text).not.toContain(secret)
  })

  it('`*` for a non-core partner gives only public leaves', () => {
    const policy = loadPolicy(singleAgreement('customer', ['*'], { core: false }), { datasets })
    expect(policy.partner('partner-a')?.agreements[0]?.fields).toEqual(['city', 'vehicle.model'])
  })

  it.each([
    { fields: ['vehicle'], core: true, code: 'unknown_field' },
    { fields: ['vehicle.plate'], core: true, code: 'sensitive_field_granted' },
    { fields: ['vehicle.vin'], core: false, code: 'desensitised_field_to_non_core' },
    { fields: ['vehicle.**'], core: true, code: 'unknown_field' },
    { fields: ['v*.model'], core: true, code: 'unknown_field' },
    { fields: ['vehicle*'], core: true, code: 'unknown_field' },
    { fields: ['**'], core: true, code: 'unknown_field' },
    { fields: ['vehicle.*.model'], core: true, code: 'unknown_field' },
  ])('grant $fields (core: $core) never loads: $code', ({ fields, core, code }) => {
    const findings = findingsOf(() =>
      loadPolicy(singleAgreement('customer', fields, { core }), { datasets }),
    )
    expect(findings.map((f) => f.code)).toContain(code)
  })

  it('lists every forbidden grant of a policy at once', () => {
    const findings = findingsOf(() =>
      loadPolicy(
        policyDocument([
          {
            id: 'partner-a',
            core: false,
            agreements: [
              {
                id: 'a1',
                dataset: 'customer',
                purpose: 'p1',
                fields: ['vehicle', 'vehicle.plate', 'phone', 'name'],
              },
            ],
          },
        ]),
        { datasets },
      ),
    )
    expect(findings.map((f) => f.code).sort()).toEqual([
      'desensitised_field_to_non_core',
      'sensitive_field_granted',
      'sensitive_field_granted',
      'unknown_field',
    ])
  })
})

const BAD_OPERATORS: readonly {
  readonly name: string
  readonly where: Record<string, unknown>
  readonly path: string
}[] = [
  { name: '$where (field level)', where: { city: { $where: 'sleep(1000)' } }, path: 'city.$where' },
  { name: '$where (top level)', where: { $where: 'this.city' }, path: '$where' },
  { name: '$regex', where: { city: { $regex: '^(a+)+$' } }, path: 'city.$regex' },
  { name: 'typo $gtt', where: { age: { $gtt: 4 } }, path: 'age.$gtt' },
  { name: 'typo $EQ', where: { city: { $EQ: 'Hangzhou' } }, path: 'city.$EQ' },
  { name: 'top-level $or', where: { $or: [{ city: 'a' }, { city: 'b' }] }, path: '$or' },
  { name: 'top-level $and', where: { $and: [{ city: 'a' }] }, path: '$and' },
  { name: 'top-level $nor', where: { $nor: [{ city: 'a' }] }, path: '$nor' },
  { name: '$not', where: { city: { $not: { $eq: 'a' } } }, path: 'city.$not' },
  { name: '$elemMatch', where: { city: { $elemMatch: { $eq: 'a' } } }, path: 'city.$elemMatch' },
  { name: '$options', where: { city: { $options: 'i' } }, path: 'city.$options' },
  { name: '$size', where: { city: { $size: 1 } }, path: 'city.$size' },
  { name: '$all', where: { city: { $all: ['a'] } }, path: 'city.$all' },
  { name: '$mod', where: { age: { $mod: [2, 0] } }, path: 'age.$mod' },
  { name: 'a plain object value', where: { city: { nested: 'a' } }, path: 'city.nested' },
  { name: 'allowed plus $regex', where: { city: { $eq: 'a', $regex: 'b' } }, path: 'city.$regex' },
]

describe('trap 2: unknown operators silently do not match (a deny rule fails open)', () => {
  it('exists in raw CASL: a deny rule with a typo never applies', () => {
    const typo = { age: { $gtt: 4 } } as unknown as MongoQuery
    const raw = createMongoAbility([
      { action: 'read', subject: 'X' },
      { action: 'read', subject: 'X', inverted: true, conditions: typo },
    ])
    expect(raw.can('read', caslSubject('X', { age: 10 }))).toBe(true)
  })

  it.each(BAD_OPERATORS)(
    '$name is rejected at load with operator_not_allowed',
    ({ where, path }) => {
      const findings = findingsOf(() =>
        loadPolicy(singleAgreement('customer', ['city'], { core: true, where }), { datasets }),
      )
      const match = findings.filter((f) => f.code === 'operator_not_allowed')
      expect(match).toHaveLength(1)
      expect(match[0]?.path).toBe(`partners[0].agreements[0].where.${path}`)
    },
  )

  it('rejects them in YAML too, listing every one', () => {
    const yaml = `
issuer: ${ISSUER}
partners:
  - id: partner-a
    name: Partner A
    category: traffic
    standing: gold
    core: true
    agreements:
      - id: a1
        dataset: customer
        purpose: p1
        fields: [city]
        where: { city: { $regex: "^(a+)+$" }, age: { $gtt: 4 } }
        validFrom: 2026-01-01
        validUntil: 2026-12-31
      - id: a2
        dataset: customer
        purpose: p2
        fields: [city]
        where:
          $where: "function () { while (true) {} }"
        validFrom: 2026-01-01
        validUntil: 2026-12-31
`
    const findings = findingsOf(() => loadPolicy(yaml, { datasets }))
    expect(
      findings
        .filter((f) => f.code === 'operator_not_allowed')
        .map((f) => f.path)
        .sort(),
    ).toEqual([
      'partners[0].agreements[0].where.age.$gtt',
      'partners[0].agreements[0].where.city.$regex',
      'partners[0].agreements[1].where.$where',
    ])
  })

  it.each([
    ['$regex', { city: { $regex: 'a' } }],
    ['$regex (RegExp)', { city: { $regex: /a/ } }],
    ['$where (field level)', { city: { $where: () => true } }],
    ['$where (top level)', { $where: () => true }],
    ['$or', { $or: [{ city: 'a' }] }],
    ['$and', { $and: [{ city: 'a' }] }],
    ['$nor', { $nor: [{ city: 'a' }] }],
    ['$not', { city: { $not: { $eq: 'a' } } }],
    ['$elemMatch', { city: { $elemMatch: { $eq: 'a' } } }],
    ['$all', { city: { $all: ['a'] } }],
    ['$size', { city: { $size: 1 } }],
    ['$mod', { age: { $mod: [2, 0] } }],
    ['$options', { city: { $options: 'i' } }],
  ])('our CASL matcher refuses %s instead of silently not matching', (_, query) => {
    expect(() => restrictedConditionsMatcher(query as unknown as MongoQuery)).toThrow()
  })

  it('an operator the matcher does not know never matches anything (fails closed for allow rules)', () => {
    const match = restrictedConditionsMatcher({ age: { $gtt: 4 } } as unknown as MongoQuery)
    for (const record of [{ age: 10 }, { age: 4 }, { age: { $gtt: 4 } }, {}, { age: null }])
      expect(match(record)).toBe(false)
  })

  it('an agreement that bypassed the loader with a bad operator grants no row', () => {
    for (const [op, operand] of [
      ['$gtt', 4],
      ['$where', 'true'],
      ['$regex', '.*'],
    ] as const) {
      const where = { age: { [op]: operand } } as unknown as Conditions
      expect(compileConditions(where, Customer)(row), op).toBe(false)
    }
  })
})

describe('trap 3: a record holding `__caslSubjectType__` picks its own subject type', () => {
  const where = { city: 'Hangzhou' }
  const fields = ['customerId', 'city', 'vehicle.model', 'vehicle.vin', 'age']

  it('exists in raw CASL: the record escapes its conditions', () => {
    const raw = createMongoAbility([
      { action: 'read', subject: 'other_dataset' },
      { action: 'read', subject: 'customer', conditions: { city: 'Hangzhou' } },
    ])
    const forged = { ...otherRow, __caslSubjectType__: 'other_dataset' }
    expect(raw.can('read', caslSubject('customer', { ...otherRow }))).toBe(false)
    expect(raw.can('read', forged)).toBe(true)
  })

  const tamperings: readonly [string, (r: Record<string, unknown>) => Record<string, unknown>][] = [
    ['__caslSubjectType__: other_dataset', (r) => ({ ...r, __caslSubjectType__: 'other_dataset' })],
    ['__caslSubjectType__: customer', (r) => ({ ...r, __caslSubjectType__: 'customer' })],
    [
      'nested __caslSubjectType__',
      (r) => ({
        ...r,
        vehicle: { ...(r.vehicle as object), __caslSubjectType__: 'other_dataset' },
      }),
    ],
    [
      '__proto__ and constructor keys from JSON',
      (r) => {
        const text = JSON.stringify(r).replace(
          /^\{/,
          '{"__proto__":{"city":"Hangzhou","polluted":"yes","__caslSubjectType__":"other_dataset"},' +
            '"constructor":{"name":"other_dataset","prototype":{"polluted":"yes"}},',
        )
        return JSON.parse(text) as Record<string, unknown>
      },
    ],
    [
      'constructor key (CASL reads the subject type from it)',
      (r) => ({ ...r, constructor: { modelName: 'other_dataset', name: 'other_dataset' } }),
    ],
  ]

  it.each(tamperings)('%s: the release output does not change', async (name, tamper) => {
    const gate = gateFor(singleAgreement('customer', fields, { core: true, where }))
    const rows = [row, otherRow]
    const clean = await gate.release(rows, request)
    const forged = await gate.release(rows.map(tamper), request)
    expect(forged.records).toEqual(clean.records)
    expect(forged.records).toHaveLength(1)
    const { unknownKeysDropped: _c, ...cleanReport } = clean.report
    const { unknownKeysDropped, ...forgedReport } = forged.report
    expect(forgedReport).toEqual(cleanReport)
    // Unknown keys are counted at the top level only (releases read just the leaves they
    // release); a nested one is dropped all the same, as the checks below show.
    if (name.startsWith('nested')) expect(unknownKeysDropped).toBe(0)
    else expect(unknownKeysDropped).toBeGreaterThan(0)
    for (const record of forged.records) {
      for (const key of ['__caslSubjectType__', '__proto__', 'constructor'])
        expect(Object.hasOwn(record, key), key).toBe(false)
      expect(Object.getPrototypeOf(record)).toBe(Object.prototype)
    }
    expect(pollutedGlobals()).toEqual([undefined, undefined, undefined])
  })

  it.each(tamperings)('%s: partnerAbility gives the same answer as without it', (_, tamper) => {
    const policy = loadPolicy(singleAgreement('customer', fields, { core: true, where }), {
      datasets,
    })
    const ability = partnerAbility(policy, 'partner-a', 'customer', { now: () => NOW })
    for (const record of [row, otherRow]) {
      const forged = tamper(record)
      expect(ability.can(PURPOSE, forged)).toBe(ability.can(PURPOSE, record))
      for (const f of [...Customer.fields.map((x) => x.path), 'vehicle'])
        expect(ability.can(PURPOSE, forged, f), f).toBe(ability.can(PURPOSE, record, f))
    }
    // The conditions still decide: one record passes, one does not.
    expect(ability.can(PURPOSE, row)).toBe(true)
    expect(ability.can(PURPOSE, otherRow)).toBe(false)
    expect(ability.can(PURPOSE, tamper(otherRow))).toBe(false)
  })

  it('a record cannot claim another dataset to reach its rules', () => {
    // Two datasets' rules in one document; the customer ability must not answer for the record's claim.
    const policy = loadPolicy(singleAgreement('customer', ['city'], { core: false, where }), {
      datasets,
    })
    const ability = partnerAbility(policy, 'partner-a', 'customer', { now: () => NOW })
    const claimed = { ...otherRow, __caslSubjectType__: 'customer' }
    expect(ability.can(PURPOSE, claimed, 'city')).toBe(false)
    const elsewhere = partnerAbility(policy, 'partner-a', 'other_dataset', { now: () => NOW })
    expect(elsewhere.can(PURPOSE, { ...row, __caslSubjectType__: 'customer' }, 'city')).toBe(false)
  })
})

describe('trap 4: `$regex` allows ReDoS', () => {
  const evil = '^(a+)+$'
  const input = `${'a'.repeat(28)}!`

  it.each([
    { city: { $regex: evil } },
    { city: { $regex: evil, $options: 'i' } },
    { city: { $not: { $regex: evil } } },
    { city: { $elemMatch: { $regex: evil } } },
    { $or: [{ city: { $regex: evil } }] },
    { $where: `/${evil}/.test(this.city)` },
  ])('a where holding a regex never loads: %j', (where) => {
    const started = performance.now()
    const findings = findingsOf(() =>
      loadPolicy(singleAgreement('customer', ['city'], { core: true, where }), { datasets }),
    )
    expect(findings.some((f) => f.code === 'operator_not_allowed')).toBe(true)
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('an agreement that bypassed the loader cannot run the regex either', () => {
    const agreement: Agreement = {
      id: 'forged',
      dataset: 'customer',
      purpose: PURPOSE,
      fields: ['city'],
      declaredFields: ['city'],
      where: { city: { $regex: evil } } as unknown as Conditions,
      validFrom: 0,
      validUntil: Number.MAX_SAFE_INTEGER,
      k: undefined,
      aggregate: undefined,
    }
    const record = { ...row, city: input }
    const started = performance.now()
    const ability = abilityFromAgreements('customer', [agreement])
    expect(() => ability.can(PURPOSE, record)).toThrow()
    expect(compileConditions(agreement.where, Customer)(record)).toBe(false)
    expect(performance.now() - started).toBeLessThan(1000)
  })
})

describe('trap 5: `rulesToFields` prototype pollution', () => {
  const json = (where: string, fields = '["city"]') =>
    `{"issuer":"${ISSUER}","partners":[{"id":"partner-a","name":"A","category":"traffic","standing":"gold","core":true,` +
    `"agreements":[{"id":"a1","dataset":"customer","purpose":"p1","fields":${fields},"where":${where},` +
    `"validFrom":"2026-01-01","validUntil":"2026-12-31"}]}]}`
  const yaml = (whereBlock: string, fields = '[city]') => `
issuer: ${ISSUER}
partners:
  - id: partner-a
    name: A
    category: traffic
    standing: gold
    core: true
    agreements:
      - id: a1
        dataset: customer
        purpose: p1
        fields: ${fields}
        where:
${whereBlock}
        validFrom: 2026-01-01
        validUntil: 2026-12-31
`

  const cases: readonly [string, () => string | object][] = [
    ['JSON where key __proto__', () => json('{"__proto__":{"polluted":"yes"}}')],
    ['JSON where key __proto__ with $eq', () => json('{"__proto__":{"$eq":"yes"}}')],
    [
      'JSON where key __proto__ beside a valid condition',
      () => json('{"city":"Hangzhou","__proto__":{"polluted":"yes"}}'),
    ],
    [
      'object (JSON.parse) where key __proto__',
      () => JSON.parse(json('{"__proto__":{"polluted":"yes"}}')) as object,
    ],
    ['YAML where key __proto__', () => yaml('          __proto__: { polluted: "yes" }')],
    [
      'where key constructor.prototype.polluted',
      () => json('{"constructor.prototype.polluted":"yes"}'),
    ],
    ['where key __proto__.polluted', () => json('{"__proto__.polluted":"yes"}')],
    ['where key constructor', () => json('{"constructor":{"prototype":{"polluted":"yes"}}}')],
    ['where key prototype', () => json('{"prototype":{"polluted":"yes"}}')],
    ['operator key __proto__', () => json('{"city":{"__proto__":{"polluted":"yes"}}}')],
    [
      'YAML where key constructor.prototype.polluted',
      () => yaml('          constructor.prototype.polluted: "yes"'),
    ],
    ['field __proto__', () => json('{}', '["__proto__"]')],
    ['field __proto__.polluted', () => json('{}', '["__proto__.polluted"]')],
    [
      'field constructor.prototype.polluted',
      () => json('{}', '["constructor.prototype.polluted"]'),
    ],
    ['field constructor', () => json('{}', '["city","constructor"]')],
    ['field prototype.*', () => json('{}', '["prototype.*"]')],
    ['field __proto__.*', () => json('{}', '["__proto__.*"]')],
    [
      'YAML field __proto__.polluted',
      () => yaml('          city: Hangzhou', '[__proto__.polluted]'),
    ],
    [
      'JSON aggregate measure named __proto__',
      () =>
        json('{}', '["city"]').replace(
          '"where":{}',
          '"aggregate":{"by":["city"],"measures":{"__proto__":{"op":"count"},"n":{"op":"count"}}}',
        ),
    ],
  ]

  it.each(cases)('%s: loading fails with findings, nothing is polluted', (_, input) => {
    let error: DatagateError | undefined
    let loaded = ''
    try {
      const agreement = loadPolicy(input(), { datasets }).partner('partner-a')?.agreements[0]
      loaded = `it loaded: fields ${JSON.stringify(agreement?.fields)}, where ${JSON.stringify(agreement?.where)}, aggregate ${JSON.stringify(agreement?.aggregate)}`
    } catch (caught) {
      if (!(caught instanceof DatagateError)) throw caught
      error = caught
    }
    expect(pollutedGlobals()).toEqual([undefined, undefined, undefined])
    expect(error?.code, loaded).toBe('ERR_POLICY_INVALID')
    expect(error?.findings.length ?? 0).toBeGreaterThan(0)
  })

  it('releases and abilities over records holding pollution keys pollute nothing', async () => {
    const gate = gateFor(singleAgreement('customer', ['*'], { core: true }))
    const rows = [
      JSON.parse(
        JSON.stringify(row).replace(
          /^\{/,
          '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},',
        ),
      ) as unknown,
    ]
    const { records } = await gate.release(rows, request)
    expect(records).toHaveLength(1)
    const ability = partnerAbility(gate.policy, 'partner-a', 'customer', { now: () => NOW })
    expect(ability.can(PURPOSE, rows[0] as Record<string, unknown>, '__proto__')).toBe(false)
    expect(ability.can(PURPOSE, 'customer', 'constructor.prototype.polluted')).toBe(false)
    expect(pollutedGlobals()).toEqual([undefined, undefined, undefined])
  })

  it('an unknown dataset or partner is an error, not an empty success', async () => {
    const gate = gateFor(singleAgreement('customer', ['city'], { core: true }))
    expect((await rejected(gate.release([row], { ...request, purpose: 'other' }))).code).toBe(
      'ERR_NOT_PERMITTED',
    )
    expect((await rejected(gate.release([row], { ...request, partner: '__proto__' }))).code).toBe(
      'ERR_UNKNOWN_PARTNER',
    )
    expect((await rejected(gate.release([row], { ...request, dataset: '__proto__' }))).code).toBe(
      'ERR_UNKNOWN_DATASET',
    )
  })
})
