// verifyExport with the issuer's JWKS against jose jwtVerify over a key set made once, on an export
// of 100 records (small, so what is paid per call beyond the signature shows). Both are checked
// to return the same records first.
import { loadavg } from 'node:os'
import { isDeepStrictEqual } from 'node:util'
import { EXPORT_TYP, type Gate, verifyExport } from 'datagate'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { type AfterSalesRow, ISSUER, NOW, REQUEST } from './fixtures.js'
import { type ComparisonReport, interleave, paired, scaledRounds } from './harness.js'

/** Runs the verify comparison. */
export async function verifyComparison(
  gate: Gate,
  workload: readonly AfterSalesRow[],
): Promise<ComparisonReport> {
  const rows = workload.slice(0, 167)
  const signed = await gate.export(rows, REQUEST)
  // The partner holds the issuer's JWKS as one object, fetched once.
  const jwks = gate.jwks()
  const keySet = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0])
  const ours = { jwks, issuer: ISSUER, audience: REQUEST.partner, now: () => NOW }
  const jose = {
    issuer: ISSUER,
    audience: REQUEST.partner,
    typ: EXPORT_TYP,
    algorithms: ['EdDSA'],
    currentDate: NOW,
  }
  const checks = [
    {
      baseline: 'jose jwtVerify',
      ok: isDeepStrictEqual(
        (await verifyExport(signed.token, ours)).records,
        (await jwtVerify(signed.token, keySet, jose)).payload.records,
      ),
    },
  ]
  const loadBefore = loadavg()[0] as number
  const result = await interleave(
    [
      { name: 'verifyExport (jwks)', run: () => verifyExport(signed.token, ours) },
      { name: 'jose jwtVerify', run: () => jwtVerify(signed.token, keySet, jose) },
    ],
    { rounds: scaledRounds(3) },
  )
  const loadAfter = loadavg()[0] as number
  return {
    id: 'verify',
    title: `Verify an export (${signed.count} records, ${signed.token.length.toLocaleString('en-US')} characters)`,
    checks,
    timings: result.cases,
    ratios: [paired(result, 'verifyExport (jwks)', 'jose jwtVerify')],
    notes: ['jose gets its key set made once (createLocalJWKSet), as a partner would hold it'],
    load: [loadBefore, loadAfter],
  }
}
