import { describe, expect, it } from 'vitest'
import type { Dataset } from '../../src/classify/dataset.js'
import { DatagateError, type Finding } from '../../src/errors.js'
import { loadPolicy } from '../../src/policy/load.js'
import { Customer, datasets, policyWith, RepairOrder, samplePolicyYaml } from './fixtures.js'

function findingsOf(input: string | object, sets: readonly Dataset[] = datasets): Finding[] {
  try {
    loadPolicy(input, { datasets: sets })
  } catch (error) {
    if (error instanceof DatagateError && error.code === 'ERR_POLICY_INVALID')
      return [...error.findings]
    throw error
  }
  throw new Error('expected ERR_POLICY_INVALID')
}

const codes = (findings: readonly Finding[]) => findings.map((f) => f.code)

describe('loadPolicy: accepted documents', () => {
  it('loads the sample YAML policy with partners of all four kinds', () => {
    const policy = loadPolicy(samplePolicyYaml, { datasets })
    expect(policy.issuer).toBe('oem-aftersales')
    expect(new Set(policy.partners.map((p) => p.category))).toEqual(
      new Set(['capability', 'resource', 'traffic', 'innovation']),
    )
    expect(policy.hash).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(policy.partner('ev-lab')?.maxRecordsPerRelease).toBe(50)
  })

  it('gives the same result and hash for YAML text, JSON text and an object', () => {
    const object = policyWith()
    const a = loadPolicy(object, { datasets })
    const b = loadPolicy(JSON.stringify(object), { datasets })
    const c = loadPolicy(JSON.stringify(object, null, 2).replace(/^{/, ' {'), { datasets })
    expect(b.hash).toBe(a.hash)
    expect(c.hash).toBe(a.hash)
    expect(b.partners).toEqual(a.partners)
  })

  it('expands a wildcard to the leaves the partner may receive, never to the object itself', () => {
    const core = loadPolicy(
      policyWith({ agreements: [{ dataset: 'customer', purpose: 'p', fields: ['vehicle.*'] }] }),
      {
        datasets,
      },
    )
    expect(core.partners[0]?.agreements[0]?.fields).toEqual(['vehicle.vin', 'vehicle.model'])
    const nonCore = loadPolicy(
      policyWith({
        core: false,
        agreements: [{ dataset: 'customer', purpose: 'p', fields: ['vehicle.*'] }],
      }),
      { datasets },
    )
    expect(nonCore.partners[0]?.agreements[0]?.fields).toEqual(['vehicle.model'])
    const all = loadPolicy(
      policyWith({
        core: false,
        agreements: [{ dataset: 'customer', purpose: 'p', fields: ['*'] }],
      }),
      {
        datasets,
      },
    )
    expect(all.partners[0]?.agreements[0]?.fields).toEqual(['city', 'vehicle.model'])
    const arrays = loadPolicy(policyWith({ agreements: [{ fields: ['services[].*'] }] }), {
      datasets,
    })
    expect(arrays.partners[0]?.agreements[0]?.fields).toEqual([
      'services[].code',
      'services[].price',
    ])
  })

  it('reads date-only validity as whole UTC days', () => {
    const policy = loadPolicy(
      policyWith({ agreements: [{ validFrom: '2026-01-01', validUntil: '2026-01-31' }] }),
      {
        datasets,
      },
    )
    const agreement = policy.partners[0]?.agreements[0]
    expect(agreement?.validFrom).toBe(Date.UTC(2026, 0, 1))
    expect(agreement?.validUntil).toBe(Date.UTC(2026, 1, 1) - 1)
  })
})

describe('loadPolicy: every rejection, all at once', () => {
  it('a sensitive field granted', () => {
    const findings = findingsOf(
      policyWith({ agreements: [{ fields: ['orderId', 'customerName'] }] }),
    )
    expect(findings).toEqual([
      expect.objectContaining({
        code: 'sensitive_field_granted',
        path: 'partners[0].agreements[0].fields[1]',
      }),
    ])
  })

  it('a desensitised field granted to a non-core partner', () => {
    const findings = findingsOf(
      policyWith({ core: false, agreements: [{ fields: ['orderId', 'vehicle.vin'] }] }),
    )
    expect(findings).toEqual([
      expect.objectContaining({
        code: 'desensitised_field_to_non_core',
        path: 'partners[0].agreements[0].fields[1]',
      }),
    ])
  })

  it('a path the dataset does not have, and an object named without a wildcard', () => {
    const findings = findingsOf(
      policyWith({ agreements: [{ fields: ['orderId', 'nope', 'vehicle'] }] }),
    )
    expect(codes(findings)).toEqual(['unknown_field', 'unknown_field'])
    expect(findings[1]?.message).toContain('vehicle.*')
  })

  it('an unknown dataset', () => {
    expect(codes(findingsOf(policyWith({ agreements: [{ dataset: 'invoices' }] })))).toEqual([
      'unknown_dataset',
    ])
  })

  it('an empty field list', () => {
    expect(codes(findingsOf(policyWith({ agreements: [{ fields: [] }] })))).toEqual([
      'empty_field_list',
    ])
  })

  it('a condition operator outside the allowed set', () => {
    const findings = findingsOf(
      policyWith({
        agreements: [
          {
            where: {
              city: { $regex: '^Hang' },
              estimatedHours: { $where: 'this.x' },
              orderId: { $gtt: 'R' },
              $or: [{ city: 'A' }],
            },
          },
        ],
      }),
    )
    expect(codes(findings)).toEqual([
      'operator_not_allowed',
      'operator_not_allowed',
      'operator_not_allowed',
      'operator_not_allowed',
    ])
    expect(findings.map((f) => f.path)).toEqual([
      'partners[0].agreements[0].where.city.$regex',
      'partners[0].agreements[0].where.estimatedHours.$where',
      'partners[0].agreements[0].where.orderId.$gtt',
      'partners[0].agreements[0].where.$or',
    ])
  })

  it('conditions on sensitive fields, on desensitised fields for non-core partners, with wrong operand types', () => {
    expect(
      codes(findingsOf(policyWith({ agreements: [{ where: { customerName: 'Zhang' } }] }))),
    ).toEqual(['condition_on_sensitive_field'])
    expect(
      codes(
        findingsOf(
          policyWith({
            core: false,
            agreements: [{ where: { customerPhone: { $exists: true } } }],
          }),
        ),
      ),
    ).toEqual(['condition_on_desensitised_field'])
    expect(
      codes(
        findingsOf(
          policyWith({
            agreements: [
              {
                where: {
                  estimatedHours: { $gt: '4' },
                  city: { $in: 'Hangzhou' },
                  orderId: { $exists: 1 },
                  'services[].code': 'X',
                },
              },
            ],
          }),
        ),
      ),
    ).toEqual(['invalid_condition', 'invalid_condition', 'invalid_condition', 'invalid_condition'])
  })

  it('overlapping agreements that contradict each other, and duplicates', () => {
    const contradict = findingsOf(
      policyWith({
        agreements: [
          { id: 'a', fields: ['orderId'], validFrom: '2026-01-01', validUntil: '2026-06-30' },
          {
            id: 'b',
            fields: ['orderId', 'city'],
            validFrom: '2026-06-01',
            validUntil: '2026-12-31',
          },
        ],
      }),
    )
    expect(contradict).toEqual([
      expect.objectContaining({ code: 'overlapping_agreements', path: 'partners[0].agreements' }),
    ])
    expect(contradict[0]?.message).toContain('contradict')
    // Back to back is fine; a different purpose is fine.
    loadPolicy(
      policyWith({
        agreements: [
          { id: 'a', validFrom: '2026-01-01', validUntil: '2026-06-30' },
          { id: 'b', validFrom: '2026-07-01', validUntil: '2026-12-31', fields: ['orderId'] },
          { id: 'c', purpose: 'other', fields: ['orderId'] },
        ],
      }),
      { datasets },
    )
  })

  it('validUntil before validFrom, and dates that are not dates', () => {
    expect(
      codes(
        findingsOf(
          policyWith({ agreements: [{ validFrom: '2026-12-31', validUntil: '2026-01-01' }] }),
        ),
      ),
    ).toEqual(['validity_reversed'])
    expect(
      codes(
        findingsOf(
          policyWith({ agreements: [{ validFrom: '2026-02-30', validUntil: 'next year' }] }),
        ),
      ),
    ).toEqual(['invalid_date', 'invalid_date'])
  })

  it('unknown keys anywhere, wrong enums, duplicate ids', () => {
    const findings = findingsOf({
      issuer: 'oem',
      partners: [
        {
          id: 'p',
          name: 'P',
          category: 'tourism',
          standing: 'platinum',
          core: true,
          agreements: [],
          colour: 'red',
        },
      ],
      extra: 1,
    })
    expect(codes(findings).sort()).toEqual([
      'invalid_value',
      'invalid_value',
      'unrecognized_keys',
      'unrecognized_keys',
    ])
    const duplicates = findingsOf({
      issuer: 'oem',
      partners: [
        { id: 'p', name: 'P', category: 'traffic', standing: 'gold', core: false, agreements: [] },
        { id: 'p', name: 'Q', category: 'traffic', standing: 'gold', core: false, agreements: [] },
      ],
    })
    expect(codes(duplicates)).toEqual(['duplicate_partner'])
  })

  it('a typo in a key is an error, never silently ignored', () => {
    const findings = findingsOf(
      policyWith({ agreements: [{ feilds: ['orderId'] } as Record<string, unknown>] }),
    )
    expect(findings).toEqual([
      expect.objectContaining({
        code: 'unrecognized_keys',
        path: 'partners[0].agreements[0].feilds',
        // The fixture writes `fields` too, so `feilds` is not offered as its typo.
        message: 'unknown key',
      }),
    ])
  })

  it('private key material in a partner key set', () => {
    const findings = findingsOf(
      policyWith({
        encryptionKeys: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'secret' }] },
      }),
    )
    expect(codes(findings)).toEqual(['private_key_in_policy'])
  })

  it('aggregate agreements: by and measures must be granted; k needs aggregate', () => {
    const findings = findingsOf(
      policyWith({
        agreements: [
          {
            id: 'x',
            purpose: 'x',
            fields: ['city'],
            aggregate: {
              by: ['city', 'outletId'],
              measures: { h: { op: 'sum', field: 'estimatedHours' } },
            },
          },
          { id: 'y', purpose: 'y', fields: ['city'], k: 5 },
        ],
      }),
    )
    // aggregate_repeatable since issue 7: an exact table without once: true can be differenced.
    expect(codes(findings)).toEqual([
      'aggregate_field_not_granted',
      'aggregate_field_not_granted',
      'k_without_aggregate',
      'aggregate_repeatable',
    ])
  })

  it('reports every problem of a document together', () => {
    const findings = findingsOf(
      policyWith({
        core: false,
        agreements: [
          { id: 'one', fields: ['customerName', 'vehicle.vin', 'nope'] },
          { id: 'two', dataset: 'ghost', purpose: 'other' },
          {
            id: 'three',
            purpose: 'third',
            fields: [],
            validFrom: '2026-05-01',
            validUntil: '2026-04-01',
          },
        ],
      }),
    )
    expect(codes(findings)).toEqual([
      'sensitive_field_granted',
      'desensitised_field_to_non_core',
      'unknown_field',
      'unknown_dataset',
      'validity_reversed',
      'empty_field_list',
    ])
  })

  it('never quotes a field value in a finding message, and the error message summarises findings', () => {
    try {
      loadPolicy(policyWith({ agreements: [{ fields: ['customerName'] }] }), { datasets })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(DatagateError)
      expect((error as DatagateError).message).toContain('customerName is sensitive')
    }
  })

  it('rejects text that is neither YAML nor JSON, with the line', () => {
    const findings = findingsOf('issuer: [unclosed\npartners: {')
    expect(findings[0]?.code).toBe('syntax_error')
    expect(codes(findingsOf('{"issuer": '))).toEqual(['syntax_error'])
    expect(codes(findingsOf('- just\n- a list'))).toEqual(['invalid_type'])
  })

  it('refuses YAML duplicate keys and alias bombs', () => {
    expect(codes(findingsOf('issuer: a\nissuer: b\npartners: []'))).toEqual(['syntax_error'])
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      ...Array.from({ length: 9 }, (_, i) => {
        const name = String.fromCharCode(98 + i)
        const prev = String.fromCharCode(97 + i)
        return `${name}: &${name} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`
      }),
    ].join('\n')
    expect(codes(findingsOf(bomb))).toEqual(['syntax_error'])
  })

  it('needs datasets', () => {
    expect(() => loadPolicy(policyWith(), {} as { datasets: [] })).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
  })

  it('checks against the datasets it is given', () => {
    // The same document is valid with repair_order and invalid without it.
    expect(codes(findingsOf(policyWith(), [Customer]))).toEqual(['unknown_dataset'])
    loadPolicy(policyWith(), { datasets: [RepairOrder] })
  })
})

describe('conditions take scalar fields', () => {
  it('refuses a condition on a field holding an array, an object or a date', async () => {
    const { z } = await import('zod')
    const { defineDataset } = await import('../../src/classify/dataset.js')
    const { field } = await import('../../src/classify/field.js')
    const Tagged = defineDataset(
      'tagged',
      z.object({
        id: field.public(z.string()),
        tags: field.public(z.array(z.string())),
        meta: field.public(z.object({ a: z.string() })),
        at: field.public(z.date()),
      }),
      { version: '1' },
    )
    const findings = findingsOf(
      policyWith({
        agreements: [
          {
            dataset: 'tagged',
            fields: ['id'],
            where: { tags: 'x', meta: { $exists: true }, at: { $gt: '2026' } },
          },
        ],
      }),
      [Tagged],
    )
    expect(findings.map((f) => [f.code, f.path])).toEqual([
      ['invalid_condition', 'partners[0].agreements[0].where.tags'],
      ['invalid_condition', 'partners[0].agreements[0].where.meta'],
      ['invalid_condition', 'partners[0].agreements[0].where.at'],
    ])
  })
})
