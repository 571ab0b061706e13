// The no-leak property: for random policies (core and non-core partners, random standings, random
// grants including wildcards) and random records where every sensitive value is a unique canary
// and every desensitised value a unique raw marker, whatever the gate releases holds
//   - no canary, in the records or in the report;
//   - no raw desensitised marker (the operators always transform them);
//   - no key path outside the partner's granted leaves (computed here from DESIGN.md's rules);
//   - for non-core partners, no desensitised field at all, even transformed;
// and partners without an active agreement get an error, not data.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { generalize } from '../../src/anonymize/generalize.js'
import { mask } from '../../src/anonymize/mask.js'
import { pseudonymize } from '../../src/anonymize/pseudonymize.js'
import { defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import { isDatagateError } from '../../src/errors.js'
import { createGate } from '../../src/export/gate.js'
import { loadPolicy } from '../../src/policy/load.js'
import type { Standing } from '../../src/policy/types.js'
import {
  expectedGrant,
  ISSUER,
  isAncestorOf,
  leavesUnder,
  NOW,
  type PartnerInput,
  PSEUDONYM_KEY,
  policyDocument,
  receivable,
  releasedPaths,
} from './arbitraries.js'

const Leak = defineDataset(
  'leak',
  z.object({
    id: field.public(z.string()),
    city: field.public(z.string()),
    score: field.public(z.number().int()),
    nickname: field.public(z.string()).optional(),
    name: field.sensitive(z.string()),
    idNumber: field.sensitive(z.string()).optional(),
    customerId: field.desensitised(z.string(), pseudonymize({ prefix: 'cus_' })),
    phone: field.desensitised(z.string(), mask.phone()),
    age: field.desensitised(z.number().int(), generalize.range({ width: 10 })).nullable(),
    vehicle: z.object({
      vin: field.desensitised(z.string(), pseudonymize({ domain: 'vin' })),
      plate: field.sensitive(z.string()),
      model: field.public(z.string()),
    }),
    address: z
      .object({
        street: field.sensitive(z.string()),
        district: field.public(z.string()),
        postcode: field.desensitised(z.string(), generalize.prefix(3)),
      })
      .nullable()
      .optional(),
    services: z.array(
      z.object({
        code: field.public(z.string()),
        note: field.sensitive(z.string()),
        techPhone: field.desensitised(z.string(), mask.phone()),
      }),
    ),
    tags: z.array(field.public(z.string())),
    secrets: z.array(field.sensitive(z.string())),
    contacts: z.array(field.desensitised(z.string(), pseudonymize({ domain: 'contact' }))),
  }),
  { version: '1' },
)

const WILDCARDS = [
  '*',
  'vehicle.*',
  'address.*',
  'services.*',
  'services[].*',
  'tags.*',
  'contacts.*',
]

/** Entries a partner may declare that load: receivable leaves and wildcards holding one. */
function grantable(core: boolean): string[] {
  const leaves = Leak.fields.filter((f) => receivable(f, core)).map((f) => f.path)
  const wildcards = WILDCARDS.filter((w) => leavesUnder(Leak, w).some((f) => receivable(f, core)))
  return [...leaves, ...wildcards]
}

interface AgreementSpec {
  readonly declared: readonly string[]
  readonly expired: boolean
  readonly minScore: number | undefined
}

interface PartnerSpec {
  readonly core: boolean
  readonly standing: Standing
  readonly cap: number | undefined
  readonly agreements: readonly AgreementSpec[]
}

const partnerArb: fc.Arbitrary<PartnerSpec> = fc.boolean().chain((core) =>
  fc.record({
    core: fc.constant(core),
    standing: fc.constantFrom<Standing>(
      'gold',
      'silver',
      'bronze',
      'bronze',
      'yellow',
      'terminated',
    ),
    cap: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    agreements: fc.array(
      fc.record({
        declared: fc.uniqueArray(fc.constantFrom(...grantable(core)), {
          minLength: 1,
          maxLength: 5,
        }),
        expired: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
        minScore: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  }),
)

/** The shape of a row; every sensitive and desensitised value is filled in later, uniquely. */
const shapeArb = fc.record({
  city: fc.stringMatching(/^[a-z]{0,6}$/),
  score: fc.integer({ min: 0, max: 100 }),
  nickname: fc.option(fc.stringMatching(/^[a-z]{1,6}$/), { nil: undefined }),
  idNumber: fc.boolean(),
  ageNull: fc.boolean(),
  model: fc.stringMatching(/^[a-z]{1,6}$/),
  address: fc.constantFrom('missing', 'null', 'present'),
  district: fc.stringMatching(/^[a-z]{1,6}$/),
  services: fc.array(fc.stringMatching(/^[a-z]{1,4}$/), { maxLength: 3 }),
  tags: fc.array(fc.stringMatching(/^[a-z]{1,4}$/), { maxLength: 3 }),
  secrets: fc.nat({ max: 3 }),
  contacts: fc.nat({ max: 3 }),
  unknown: fc.boolean(),
})

type Shape = typeof shapeArb extends fc.Arbitrary<infer S> ? S : never

/** What a row must never let out. */
interface Secrets {
  /** Sensitive values. */
  readonly canaries: string[]
  /** Raw desensitised strings. */
  readonly markers: string[]
  /** Raw desensitised numbers (ages): never a multiple of 10 or 9 mod 10, so no range bound equals one. */
  readonly numbers: number[]
}

function buildRows(shapes: readonly Shape[], salt: number): { rows: unknown[]; secrets: Secrets } {
  const secrets: Secrets = { canaries: [], markers: [], numbers: [] }
  let n = 0
  const next = () => `${salt.toString(36)}X${(n++).toString().padStart(5, '0')}`
  const canary = () => {
    const value = `CANARY-${next()}-END`
    secrets.canaries.push(value)
    return value
  }
  const marker = (prefix: string) => {
    const value = `${prefix}-${next()}-RAW`
    secrets.markers.push(value)
    return value
  }
  const phone = () => {
    // A Chinese mobile: 11 digits starting with 1; mask.phone hides the middle four.
    const value = `1${(n++).toString().padStart(10, '0')}`
    secrets.markers.push(value)
    return value
  }
  const rows = shapes.map((s, i) => {
    const age = 7_000_005 + 10 * n++
    if (!s.ageNull) secrets.numbers.push(age)
    const row: Record<string, unknown> = {
      id: `row-${i}`,
      city: s.city,
      score: s.score,
      ...(s.nickname === undefined ? {} : { nickname: s.nickname }),
      name: canary(),
      ...(s.idNumber ? { idNumber: canary() } : {}),
      customerId: marker('CUST'),
      phone: phone(),
      age: s.ageNull ? null : age,
      vehicle: { vin: marker('VIN'), plate: canary(), model: s.model },
      services: s.services.map((code) => ({ code, note: canary(), techPhone: phone() })),
      tags: s.tags,
      secrets: Array.from({ length: s.secrets }, canary),
      contacts: Array.from({ length: s.contacts }, () => marker('CONTACT')),
    }
    if (s.address === 'null') row.address = null
    if (s.address === 'present')
      row.address = { street: canary(), district: s.district, postcode: marker('PC') }
    if (s.unknown) {
      row.unknownTop = canary()
      row.vehicle = { ...(row.vehicle as object), unknownNested: canary() }
      row.__caslSubjectType__ = canary()
    }
    return row
  })
  return { rows, secrets }
}

function partnersOf(specs: readonly PartnerSpec[]): PartnerInput[] {
  return specs.map((p, i) => ({
    id: `partner-${i}`,
    core: p.core,
    standing: p.standing,
    ...(p.cap === undefined ? {} : { maxRecordsPerRelease: p.cap }),
    agreements: p.agreements.map((a, j) => ({
      id: `agreement-${j}`,
      dataset: 'leak',
      purpose: `purpose-${j}`,
      fields: a.declared,
      ...(a.minScore === undefined ? {} : { where: { score: { $gte: a.minScore } } }),
      ...(a.expired ? { validFrom: '2025-01-01', validUntil: '2025-12-31' } : {}),
    })),
  }))
}

function checkNoLeak(text: string, secrets: Secrets, where: string): void {
  for (const c of secrets.canaries) expect(text, `${where}: canary ${c}`).not.toContain(c)
  for (const m of secrets.markers) expect(text, `${where}: raw marker ${m}`).not.toContain(m)
  for (const x of secrets.numbers)
    expect(new RegExp(`(?<![0-9.])${x}(?![0-9])`).test(text), `${where}: raw number ${x}`).toBe(
      false,
    )
}

interface ReleaseContext {
  readonly granted: readonly string[]
  readonly core: boolean
  readonly secrets: Secrets
  readonly where: string
}

/** Every check of one release's output. */
function checkRelease(
  records: readonly Record<string, unknown>[],
  report: { readonly fields: readonly { readonly path: string; readonly class: string }[] },
  { granted, core, secrets, where }: ReleaseContext,
): void {
  checkNoLeak(JSON.stringify(records), secrets, `${where} records`)
  checkNoLeak(JSON.stringify(report), secrets, `${where} report`)
  expect(report.fields.map((f) => f.path)).toEqual(granted)
  if (!core) expect(report.fields.every((f) => f.class === 'public')).toBe(true)
  for (const record of records) {
    const { leaves, nulls, containers } = releasedPaths(record)
    for (const path of leaves) {
      expect(granted, `${where}: leaf ${path}`).toContain(path)
      const cls = Leak.field(path)?.class
      expect(cls, `${where}: leaf ${path}`).not.toBe('sensitive')
      if (!core) expect(cls, `${where}: leaf ${path}`).toBe('public')
    }
    for (const path of nulls)
      expect(
        granted.includes(path) || isAncestorOf(path, granted),
        `${where}: null at ${path}`,
      ).toBe(true)
    for (const path of containers)
      expect(isAncestorOf(path, granted), `${where}: object at ${path}`).toBe(true)
  }
}

const stats = { releases: 0, coreWithDesensitised: 0, nonCoreWithRecords: 0, withArrays: 0 }

describe('no leak, whatever the policy and the records', () => {
  it('releases only granted, transformed fields; never a canary or a raw marker', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(partnerArb, { minLength: 1, maxLength: 4 }),
        fc.array(shapeArb, { maxLength: 5 }),
        fc.nat(),
        async (partnerSpecs, shapes, salt) => {
          const partners = partnersOf(partnerSpecs)
          const policy = loadPolicy(policyDocument(partners), { datasets: [Leak] })
          const gate = createGate({
            issuer: ISSUER,
            datasets: [Leak],
            policy,
            pseudonymKey: PSEUDONYM_KEY,
            now: () => NOW,
          })
          const { rows, secrets } = buildRows(shapes, salt)
          for (const [i, spec] of partnerSpecs.entries()) {
            const partner = partners[i]
            if (!partner) continue
            // Every partner is refused a purpose it holds no agreement for.
            const none = await gate
              .release(rows, { partner: partner.id, dataset: 'leak', purpose: 'no-such-purpose' })
              .then(
                () => undefined,
                (e: unknown) => e,
              )
            expect(isDatagateError(none)).toBe(true)
            for (const [j, agreementSpec] of spec.agreements.entries()) {
              const request = { partner: partner.id, dataset: 'leak', purpose: `purpose-${j}` }
              const loaded = policy.partner(partner.id)?.agreements[j]
              const granted = expectedGrant(Leak, agreementSpec.declared, spec.core)
              expect(loaded?.fields).toEqual(granted)
              const blocked =
                spec.standing === 'yellow'
                  ? 'ERR_PARTNER_SUSPENDED'
                  : spec.standing === 'terminated'
                    ? 'ERR_PARTNER_REVOKED'
                    : agreementSpec.expired
                      ? 'ERR_AGREEMENT_EXPIRED'
                      : undefined
              const outcome = await gate.release(rows, request).then(
                (result) => ({ result, error: undefined }),
                (error: unknown) => ({ result: undefined, error }),
              )
              if (blocked) {
                expect(isDatagateError(outcome.error, blocked), String(outcome.error)).toBe(true)
                checkNoLeak(
                  String(outcome.error),
                  secrets,
                  `${partner.id}/${request.purpose} error`,
                )
                continue
              }
              if (!outcome.result) throw outcome.error
              const { records, report } = outcome.result
              const where = `${partner.id}/${request.purpose} (core ${spec.core}, ${JSON.stringify(agreementSpec.declared)})`
              checkRelease(records, report, { granted, core: spec.core, secrets, where })
              if (spec.cap !== undefined) expect(records.length).toBeLessThanOrEqual(spec.cap)
              expect(records.length).toBeLessThanOrEqual(rows.length)
              stats.releases++
              if (
                records.length > 0 &&
                spec.core &&
                report.fields.some((f) => f.class === 'desensitised')
              )
                stats.coreWithDesensitised++
              if (records.length > 0 && !spec.core) stats.nonCoreWithRecords++
              if (records.some((r) => JSON.stringify(r).includes('['))) stats.withArrays++
            }
          }
        },
      ),
      { numRuns: 250 },
    )
    // The property must have exercised what it claims to check.
    expect(stats.releases).toBeGreaterThan(200)
    expect(stats.coreWithDesensitised).toBeGreaterThan(30)
    expect(stats.nonCoreWithRecords).toBeGreaterThan(30)
    expect(stats.withArrays).toBeGreaterThan(30)
  })

  describe('the checks themselves catch a leak', () => {
    const { rows, secrets } = buildRows(
      [
        {
          city: 'x',
          score: 1,
          nickname: undefined,
          idNumber: true,
          ageNull: false,
          model: 'm',
          address: 'present',
          district: 'd',
          services: ['s'],
          tags: ['t'],
          secrets: 1,
          contacts: 1,
          unknown: true,
        },
      ],
      1,
    )
    const row = rows[0] as Record<string, unknown>
    const context = { granted: ['city', 'vehicle.model'], core: false, secrets, where: 'self-test' }
    const report = {
      fields: [
        { path: 'city', class: 'public' },
        { path: 'vehicle.model', class: 'public' },
      ],
    }
    const vehicle = row.vehicle as Record<string, unknown>

    it('accepts a clean release', () => {
      expect(() =>
        checkRelease([{ city: 'x', vehicle: { model: 'm' } }], report, context),
      ).not.toThrow()
    })

    it.each([
      ['a canary', { city: 'x', note: secrets.canaries[0] }],
      ['a canary inside a granted field', { city: `x ${secrets.canaries[2]}` }],
      ['a raw marker', { city: secrets.markers[0] }],
      ['a raw phone', { city: `tel ${row.phone as string}` }],
      ['a raw number', { city: 'x', score: row.age }],
      ['an ungranted public leaf', { tags: ['t'] }],
      ['a whole object', { vehicle }],
      ['an ungranted object', { address: {} }],
      ['a desensitised leaf to a non-core partner, transformed', { customerId: 'cus_xyz' }],
    ])('rejects %s', (_, record) => {
      expect(() => checkRelease([record], report, context)).toThrow()
    })

    it('rejects a report naming a canary or a desensitised field to a non-core partner', () => {
      expect(() =>
        checkRelease(
          [],
          { fields: [...report.fields, { path: 'phone', class: 'desensitised' }] },
          {
            ...context,
            granted: ['city', 'vehicle.model', 'phone'],
          },
        ),
      ).toThrow()
      expect(() =>
        checkRelease(
          [],
          { fields: [{ path: secrets.canaries[1] ?? '', class: 'public' }] },
          context,
        ),
      ).toThrow()
    })
  })
})
