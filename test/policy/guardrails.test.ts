// Load-time guardrails (issue 12 §3): location fields leave only generalised within their
// precision cap, important data goes abroad only with an assessment, regions are ISO codes, and
// every problem is listed at once.
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { generalize } from '../../src/anonymize/generalize.js'
import { mask } from '../../src/anonymize/mask.js'
import { pseudonymize } from '../../src/anonymize/pseudonymize.js'
import { defineDataset } from '../../src/classify/dataset.js'
import { field } from '../../src/classify/field.js'
import { isDatagateError } from '../../src/errors.js'
import { loadPolicy } from '../../src/policy/load.js'
import { policyThresholds } from '../../src/policy/thresholds.js'

const point = z.object({ lat: z.number(), lng: z.number() })

const Trip = defineDataset(
  'trip',
  z.object({
    vin: field.desensitised(z.string(), pseudonymize(), { pii: 'vin' }),
    start: field.desensitised(point, generalize.geohash({ precision: 5 }), {
      sensitivePI: 'location',
    }),
    end: field.desensitised(point, generalize.geohash({ precision: 7 }), {
      sensitivePI: 'location',
    }),
    parked: field.desensitised(point, generalize.geo({ decimals: 1 }), {
      maxPrecision: { geohash: 5 },
    }),
    near: field.desensitised(point, generalize.geo({ decimals: 2 }), {
      sensitivePI: 'location',
    }),
    raw: field.public(z.string(), { sensitivePI: 'location' }),
    chargerLoad: field.public(z.number(), { important: 'charging_network' }),
    plateVideo: field.desensitised(z.string(), mask.plate(), { important: 'exterior_video' }),
    km: field.public(z.number()),
  }),
  { version: '1', subject: 'vin' },
)

function doc(
  partner: Record<string, unknown>,
  fields: string[],
  extra: Record<string, unknown> = {},
  top: Record<string, unknown> = {},
) {
  return {
    issuer: 'oem',
    ...top,
    partners: [
      {
        id: 'maps-eu',
        name: 'Maps EU',
        category: 'traffic',
        standing: 'gold',
        core: true,
        ...partner,
        agreements: [
          {
            id: 'a1',
            dataset: 'trip',
            purpose: 'traffic-map',
            fields,
            validFrom: '2026-01-01',
            validUntil: '2026-12-31',
            ...extra,
          },
        ],
      },
    ],
  }
}

function findingsOf(input: object): { code: string; path: string; message: string }[] {
  try {
    loadPolicy(input, { datasets: [Trip] })
  } catch (error) {
    if (isDatagateError(error, 'ERR_POLICY_INVALID')) return [...error.findings]
    throw error
  }
  return []
}

describe('location precision caps', () => {
  it('admits geohash 5 and geo with 1 decimal under a geohash-5 cap', () => {
    expect(findingsOf(doc({}, ['start', 'parked', 'km']))).toEqual([])
  })

  it('refuses a finer geohash, finer decimals and an ungeneralised location, each with its path', () => {
    const findings = findingsOf(doc({}, ['end', 'near', 'raw', 'km']))
    expect(findings.map((f) => [f.code, f.path])).toEqual([
      ['location_precision_exceeds_cap', 'partners[0].agreements[0].fields[0]'],
      ['location_precision_exceeds_cap', 'partners[0].agreements[0].fields[1]'],
      ['location_not_generalised', 'partners[0].agreements[0].fields[2]'],
    ])
    expect(findings[0]?.message).toBe('end leaves at geohash 7, finer than its cap of geohash 5')
    expect(findings[1]?.message).toBe('near leaves at 2 decimals, finer than its cap of geohash 5')
  })

  it("the policy's locationPrecision is the cap of fields that declare none; a field's own cap wins", () => {
    const top = { locationPrecision: { geohash: 7 } }
    expect(findingsOf(doc({}, ['end', 'near'], {}, top))).toEqual([])
    const coarse = { locationPrecision: { geohash: 4 } }
    expect(findingsOf(doc({}, ['start', 'parked'], {}, coarse)).map((f) => f.path)).toEqual([
      'partners[0].agreements[0].fields[0]',
    ])
  })

  it('a row condition on a location field is refused: released rows would be known to lie in a band finer than the cap', () => {
    const findings = findingsOf(
      doc({}, ['km'], { where: { raw: { $gte: 'wtw3sjq6', $lt: 'wtw3sjq7' } } }),
    )
    expect(findings.map((f) => [f.code, f.path])).toEqual([
      ['location_in_condition', 'partners[0].agreements[0].where.raw'],
    ])
    expect(findingsOf(doc({}, ['km'], { where: { raw: { $exists: true } } }))).toEqual([])
  })

  it('a wildcard grant checks the location leaves it expands to', () => {
    const codes = findingsOf(doc({}, ['*'])).map((f) => f.code)
    expect(codes.filter((c) => c.startsWith('location_'))).toEqual([
      'location_precision_exceeds_cap',
      'location_precision_exceeds_cap',
      'location_not_generalised',
    ])
  })
})

describe('important data abroad', () => {
  it('an overseas partner asking for important data without an assessment fails at load, every field listed', () => {
    const findings = findingsOf(doc({ region: 'DE' }, ['chargerLoad', 'plateVideo', 'km']))
    expect(findings.map((f) => [f.code, f.path])).toEqual([
      ['important_data_abroad_without_assessment', 'partners[0].agreements[0].fields[0]'],
      ['important_data_abroad_without_assessment', 'partners[0].agreements[0].fields[1]'],
    ])
    expect(findings[0]?.message).toContain('charging_network')
    expect(findings[0]?.message).toContain('(DE)')
  })

  it('passes with the assessment reference, and for partners in CN or without a region', () => {
    const fields = ['chargerLoad', 'plateVideo']
    expect(findingsOf(doc({ region: 'DE' }, fields, { assessment: 'CAC-2026-0042' }))).toEqual([])
    expect(findingsOf(doc({ region: 'CN' }, fields))).toEqual([])
    expect(findingsOf(doc({}, fields))).toEqual([])
    const policy = loadPolicy(doc({}, fields), { datasets: [Trip] })
    expect(policy.partners[0]?.region).toBe('CN')
  })

  it('Hong Kong counts as outside CN', () => {
    expect(findingsOf(doc({ region: 'HK' }, ['chargerLoad'])).map((f) => f.code)).toEqual([
      'important_data_abroad_without_assessment',
    ])
  })

  it('a region that is not an ISO 3166-1 alpha-2 code is refused', () => {
    for (const region of ['UK', 'de', 'DEU', '']) {
      const findings = findingsOf(doc({ region }, ['km']))
      expect(findings.map((f) => f.path)).toEqual(['partners[0].region'])
    }
  })

  it('a row condition on important data abroad needs the assessment too: it tells the partner about the value of every row it gets', () => {
    const where = { where: { chargerLoad: { $gt: 41.5, $lt: 41.6 } } }
    expect(findingsOf(doc({ region: 'DE' }, ['km'], where)).map((f) => [f.code, f.path])).toEqual([
      ['important_data_abroad_without_assessment', 'partners[0].agreements[0].where.chargerLoad'],
    ])
    expect(findingsOf(doc({ region: 'DE' }, ['km'], { ...where, assessment: 'CAC-1' }))).toEqual([])
    expect(findingsOf(doc({ region: 'CN' }, ['km'], where))).toEqual([])
    // Whether the value is there says nothing of it.
    const present = { where: { chargerLoad: { $exists: true }, plateVideo: { $ne: null } } }
    expect(findingsOf(doc({ region: 'DE' }, ['km'], present))).toEqual([])
  })

  it('an assessment reference of blanks is no reference', () => {
    const findings = findingsOf(doc({ region: 'DE' }, ['chargerLoad'], { assessment: '  ' }))
    expect(findings.map((f) => f.path)).toEqual(['partners[0].agreements[0].assessment'])
  })

  it('location, important-data and region problems come in one load error', () => {
    const findings = findingsOf(doc({ region: 'US' }, ['end', 'raw', 'chargerLoad']))
    expect(findings.map((f) => f.code)).toEqual([
      'location_precision_exceeds_cap',
      'location_not_generalised',
      'important_data_abroad_without_assessment',
    ])
  })
})

describe('thresholds in the policy', () => {
  it('defaults are the CAC figures; the policy overrides each, and strict keys refuse typos', () => {
    const policy = loadPolicy(
      doc({}, ['km'], {}, { crossBorder: { filing: 50_000, onThreshold: 'refuse' } }),
      { datasets: [Trip] },
    )
    expect(policyThresholds(policy)).toEqual({
      crossBorder: {
        filing: 50_000,
        assessment: 1_000_000,
        sensitivePI: 10_000,
        onThreshold: 'refuse',
      },
      importantData: { individuals: 100_000, onThreshold: 'warn' },
    })
    expect(findingsOf(doc({}, ['km'], {}, { crossBorder: { fillings: 1 } })).length).toBe(1)
  })
})

describe('field tags', () => {
  it('are checked when the field is classified and carried into the dataset', () => {
    expect(() => field.public(z.string(), { important: 'nuclear' as never })).toThrow(
      /important: expected one of/,
    )
    expect(() => field.public(z.string(), { maxPrecision: { geohash: 13 } })).toThrow(
      /maxPrecision.geohash/,
    )
    expect(() =>
      field.public(z.string(), { maxPrecision: { geohash: 5, decimals: 1 } as never }),
    ).toThrow(/exactly one of/)
    expect(Trip.field('chargerLoad')?.important).toBe('charging_network')
    expect(Trip.field('start')?.sensitivePI).toBe('location')
    expect(Trip.field('parked')?.maxPrecision).toEqual({ geohash: 5 })
    expect(Trip.subject).toBe('vin')
  })

  it('an untagged dataset keeps its schema hash; a tag changes it', () => {
    const shape = () => ({ km: field.public(z.number()) })
    const a = defineDataset('t', z.object(shape()), { version: '1' })
    const b = defineDataset(
      't',
      z.object({ km: field.public(z.number(), { important: 'vehicle_flow' }) }),
      { version: '1' },
    )
    expect(a.schemaHash).toBe(defineDataset('t', z.object(shape()), { version: '1' }).schemaHash)
    expect(b.schemaHash).not.toBe(a.schemaHash)
  })

  it('a subject must be a string or number leaf outside arrays', () => {
    const schema = z.object({
      id: field.public(z.string()),
      items: z.array(z.object({ code: field.public(z.string()) })),
      flag: field.public(z.boolean()),
    })
    for (const subject of ['items[].code', 'flag', 'nope'])
      expect(() => defineDataset('s', schema, { version: '1', subject })).toThrow(/subject/)
    expect(defineDataset('s', schema, { version: '1', subject: 'id' }).subject).toBe('id')
  })
})
