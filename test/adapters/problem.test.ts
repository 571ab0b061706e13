// Problems are built in one place from the code by one table: statuses, fixed details, no message.
import { describe, expect, it } from 'vitest'
import {
  PROBLEM_STATUS,
  problemCode,
  problemFor,
  problemResponse,
} from '../../src/adapters/problem.js'
import { DatagateError } from '../../src/errors.js'

describe('problems', () => {
  it('maps credentials to 401, refusals of the partner to 403, everything else to 500', () => {
    const byStatus = (status: number) =>
      Object.entries(PROBLEM_STATUS)
        .filter(([, s]) => s === status)
        .map(([code]) => code)
        .sort()
    expect(byStatus(401)).toEqual(['ERR_UNAUTHENTICATED'])
    expect(byStatus(403)).toEqual([
      'ERR_AGREEMENT_EXPIRED',
      'ERR_NOT_PERMITTED',
      'ERR_PARTNER_REVOKED',
      'ERR_PARTNER_SUSPENDED',
      'ERR_UNKNOWN_PARTNER',
    ])
    for (const code of [
      'ERR_RECORD_INVALID',
      'ERR_OPERATOR_FAILED',
      'ERR_AUDIT_WRITE_FAILED',
      'ERR_KEY_INVALID',
    ])
      expect(PROBLEM_STATUS[code as keyof typeof PROBLEM_STATUS]).toBe(500)
  })

  it('never uses the error message: one generic detail for every 500', () => {
    const a = problemFor(
      new DatagateError('ERR_RECORD_INVALID', 'row 3: owner "Zhang San" is not a string'),
    )
    const b = problemFor(new DatagateError('ERR_AUDIT_WRITE_FAILED', 'disk /var/secret full'))
    expect(a).toEqual({
      type: 'urn:datagate:problem:ERR_RECORD_INVALID',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The data could not be released.',
    })
    expect(b.detail).toBe(a.detail)
    expect(JSON.stringify(problemFor(new Error('Zhang San')))).not.toContain('Zhang')
    expect(problemFor(new Error('x')).type).toBe('urn:datagate:problem:ERR_INVALID_ARGUMENT')
  })

  it('403 details name no partner, field or value', () => {
    const p = problemFor(
      new DatagateError('ERR_NOT_PERMITTED', 'partner maps-co: field owner is withheld'),
      'r-1',
    )
    expect(p).toMatchObject({ status: 403, title: 'Forbidden', instance: 'r-1' })
    expect(p.detail).not.toMatch(/maps-co|owner/)
  })

  it('problemCode reads back only datagate codes', () => {
    expect(problemCode('urn:datagate:problem:ERR_PARTNER_REVOKED')).toBe('ERR_PARTNER_REVOKED')
    expect(problemCode('urn:datagate:problem:ERR_MADE_UP')).toBeUndefined()
    expect(problemCode('urn:datagate:problem:constructor')).toBeUndefined()
    expect(problemCode(42)).toBeUndefined()
  })

  it('serves problem+json, no-store, Vary, and WWW-Authenticate only on 401', async () => {
    const r401 = problemResponse(problemFor(new DatagateError('ERR_UNAUTHENTICATED', 'x')))
    const r403 = problemResponse(problemFor(new DatagateError('ERR_UNKNOWN_PARTNER', 'x')))
    expect(r401.headers.get('www-authenticate')).toBe('Bearer')
    expect(r403.headers.get('www-authenticate')).toBeNull()
    for (const r of [r401, r403]) {
      expect(r.headers.get('content-type')).toBe('application/problem+json')
      expect(r.headers.get('cache-control')).toBe('no-store')
      expect(r.headers.get('vary')).toBe('Authorization')
    }
    expect(await r403.json()).toMatchObject({
      status: 403,
      type: 'urn:datagate:problem:ERR_UNKNOWN_PARTNER',
    })
  })
})
