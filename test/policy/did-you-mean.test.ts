// Errors that help a newcomer: "did you mean" for unknown policy keys, partners, datasets,
// purposes and CLI flags; "required" for missing policy keys and record fields; refusals that
// say purposes match case-sensitively. Codes are unchanged: only messages gain the hint.
import { join } from 'node:path'
import {
  createGate,
  defineDataset,
  field,
  generateKeys,
  loadPolicy,
  memoryAuditSink,
  partnerAbility,
  pseudonymize,
} from 'datagate'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { closestName } from '../../src/lib/suggest.js'
import { fixtures, runCli } from '../cli/run-cli.js'
import { rejected, thrown } from '../errors.js'

const Customer = defineDataset(
  'customer',
  z.object({
    customerId: field.desensitised(z.string(), pseudonymize()),
    city: field.public(z.string()),
  }),
  { version: '1' },
)

const agreement = {
  id: 'claims-2026',
  dataset: 'customer',
  purpose: 'claims',
  fields: ['customerId', 'city'],
  validFrom: '2026-01-01',
  validUntil: '2026-12-31',
}
const documentWith = (changes: Record<string, unknown>, drop: readonly string[] = []) => {
  const a: Record<string, unknown> = { ...agreement, ...changes }
  for (const key of drop) delete a[key]
  return {
    issuer: 'oem',
    partners: [
      {
        id: 'insure-co',
        name: 'Insure Co',
        category: 'resource',
        standing: 'gold',
        core: true,
        agreements: [a],
      },
    ],
  }
}
const findingsOf = (document: object) =>
  thrown(() => loadPolicy(document, { datasets: [Customer] })).findings.map(
    ({ code, path, message }) => ({ code, path, message }),
  )

describe('policy documents', () => {
  it('a misspelt required key: the unknown key suggests the right one, which is required', () => {
    const error = thrown(() =>
      loadPolicy(documentWith({ vaildUntil: '2026-12-31' }, ['validUntil']), {
        datasets: [Customer],
      }),
    )
    expect(error.code).toBe('ERR_POLICY_INVALID')
    expect(error.message).toContain(
      'partners[0].agreements[0].vaildUntil: unknown key, did you mean validUntil?',
    )
    expect(error.message).toContain('partners[0].agreements[0].validUntil: required')
    expect(error.message).not.toContain('Invalid input')
    expect(findingsOf(documentWith({ vaildUntil: '2026-12-31' }, ['validUntil']))).toEqual([
      { code: 'invalid_union', path: 'partners[0].agreements[0].validUntil', message: 'required' },
      {
        code: 'unrecognized_keys',
        path: 'partners[0].agreements[0].vaildUntil',
        message: 'unknown key, did you mean validUntil?',
      },
    ])
  })

  it('a missing string key reads required, not expected string', () => {
    expect(findingsOf(documentWith({}, ['purpose']))).toEqual([
      { code: 'invalid_type', path: 'partners[0].agreements[0].purpose', message: 'required' },
    ])
    // A key that is present with the wrong type keeps the type message.
    expect(findingsOf(documentWith({ purpose: 7 }))).toEqual([
      {
        code: 'invalid_type',
        path: 'partners[0].agreements[0].purpose',
        message: 'expected string',
      },
    ])
  })

  it('unknown keys at every level, one finding each, suggested only when close', () => {
    const document = {
      ...documentWith({ feilds: ['city'] }, ['fields']),
      isuer: 'x',
      colour: 'red',
    }
    const findings = findingsOf(document)
    expect(findings).toContainEqual({
      code: 'unrecognized_keys',
      path: 'partners[0].agreements[0].feilds',
      message: 'unknown key, did you mean fields?',
    })
    expect(findings).toContainEqual({
      code: 'unrecognized_keys',
      path: 'colour',
      message: 'unknown key',
    })
    // `issuer` is present, so `isuer` is not its typo: a plain unknown key.
    expect(findings).toContainEqual({
      code: 'unrecognized_keys',
      path: 'isuer',
      message: 'unknown key',
    })
  })
})

describe('records', () => {
  it('a missing field reads required; a wrong type still says what was expected', () => {
    const missing = thrown(() => Customer.parse({ city: 'Hangzhou' }))
    expect(missing.code).toBe('ERR_RECORD_INVALID')
    expect(missing.findings.map((f) => f.message)).toEqual(['customerId: required'])
    const wrong = thrown(() => Customer.parse({ customerId: 42, city: 'Hangzhou' }))
    expect(wrong.findings.map((f) => f.message)).toEqual([
      'customerId: invalid type (expected string)',
    ])
  })
})

describe('gate refusals', async () => {
  const policy = loadPolicy(documentWith({}), { datasets: [Customer] })
  const gate = createGate({
    issuer: 'oem',
    datasets: [Customer],
    policy,
    keys: await generateKeys({ alg: 'EdDSA' }),
    pseudonymKey: Uint8Array.from({ length: 32 }, (_, i) => (i * 151 + 1) & 0xff),
    audit: memoryAuditSink(),
    now: () => new Date('2026-06-01T00:00:00Z'),
  })
  const rows = [{ customerId: 'C-1', city: 'Hangzhou' }]
  const request = { partner: 'insure-co', dataset: 'customer', purpose: 'claims' }

  it('an unknown partner suggests the closest id', async () => {
    const error = await rejected(gate.release(rows, { ...request, partner: 'insure-c0' }))
    expect(error.code).toBe('ERR_UNKNOWN_PARTNER')
    expect(error.message).toBe('no partner "insure-c0" in the policy, did you mean insure-co?')
    const far = await rejected(gate.release(rows, { ...request, partner: 'bank' }))
    expect(far.message).toBe('no partner "bank" in the policy')
    expect(thrown(() => partnerAbility(policy, 'Insure-Co', 'customer')).message).toBe(
      'no partner "Insure-Co" in the policy, did you mean insure-co?',
    )
  })

  it('an unknown dataset suggests the closest name', async () => {
    const error = await rejected(gate.release(rows, { ...request, dataset: 'customers' }))
    expect(error.code).toBe('ERR_UNKNOWN_DATASET')
    expect(error.message).toBe('the gate has no dataset "customers", did you mean customer?')
  })

  it('a purpose that differs only by case is refused, and the refusal says purposes are case-sensitive', async () => {
    const error = await rejected(gate.release(rows, { ...request, purpose: 'Claims' }))
    expect(error.code).toBe('ERR_NOT_PERMITTED')
    expect(error.message).toBe(
      'partner insure-co has no agreement for customer/Claims (purposes match case-sensitively: did you mean claims?)',
    )
    const typo = await rejected(gate.release(rows, { ...request, purpose: 'clams' }))
    expect(typo.message).toBe(
      'partner insure-co has no agreement for customer/clams (did you mean claims?)',
    )
    const unrelated = await rejected(gate.release(rows, { ...request, purpose: 'marketing' }))
    expect(unrelated.message).toBe('partner insure-co has no agreement for customer/marketing')
  })
})

describe('closestName', () => {
  it('prefers a case-insensitive match, then the fewest edits within a third of the length', () => {
    expect(closestName('Claims', ['clams', 'claims'])).toBe('claims')
    expect(closestName('vaildUntil', ['validFrom', 'validUntil'])).toBe('validUntil')
    expect(closestName('x', ['validFrom', 'validUntil'])).toBeUndefined()
    expect(closestName('abcdefghij', ['klmnopqrst'])).toBeUndefined()
  })
})

describe('CLI flags', () => {
  it('a misspelt flag suggests the right one (commander showSuggestionAfterError)', () => {
    const run = runCli(['lint', '--formt', 'json'], { cwd: join(fixtures, 'clean') })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("unknown option '--formt'")
    expect(run.stderr).toContain('Did you mean --format?')
  })

  it('a misspelt command suggests the right one', () => {
    const run = runCli(['lnt'], { cwd: join(fixtures, 'clean') })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('Did you mean lint?')
  })
})
