// gate.export (compact JWS) against the naive export pipeline a team would write (CASL + pick +
// operators + JSON.stringify + jose CompactSign), against JSON.stringify of the raw batch, and
// gate.exportStream of the same rows against the batch export. Outputs are checked first: both
// tokens verify under the gate's key set and carry the same records.
import { loadavg } from 'node:os'
import { isDeepStrictEqual } from 'node:util'
import { EXPORT_TYP, type Gate, type KeyRing, type StreamPart } from 'datagate'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { caslRelease, naiveSigner } from './baselines.js'
import { type AfterSalesRow, ISSUER, NOW, REQUEST } from './fixtures.js'
import { type ComparisonReport, interleave, paired } from './harness.js'

/** The naive pipeline: CASL + pick + operators, then one JSON.stringify and jose's CompactSign. */
export function naiveExport(keys: KeyRing): (rows: readonly AfterSalesRow[]) => Promise<string> {
  const release = caslRelease()
  const sign = naiveSigner(keys, EXPORT_TYP)
  return (rows) => {
    const records = release(rows)
    return sign({ count: records.length, records })
  }
}

async function drain(parts: AsyncIterable<StreamPart>): Promise<number> {
  let count = 0
  for await (const part of parts) count += part.token.length
  return count
}

/** Runs the export comparison. */
export async function exportComparison(
  gate: Gate,
  keys: KeyRing,
  rows: readonly AfterSalesRow[],
): Promise<ComparisonReport> {
  const naive = naiveExport(keys)
  const jwks = createLocalJWKSet(gate.jwks() as Parameters<typeof createLocalJWKSet>[0])
  const options = {
    issuer: ISSUER,
    audience: REQUEST.partner,
    typ: EXPORT_TYP,
    algorithms: ['EdDSA'],
    currentDate: NOW,
  }
  const ours = await gate.export(rows, REQUEST)
  const theirs = await naive(rows)
  const oursRecords = (await jwtVerify(ours.token, jwks, options)).payload.records
  const theirRecords = (await jwtVerify(theirs, jwks, options)).payload.records
  const checks = [
    {
      baseline: 'naive pipeline (records of the verified payloads)',
      ok: isDeepStrictEqual(oursRecords, theirRecords),
    },
  ]

  const loadBefore = loadavg()[0] as number
  const result = await interleave([
    { name: 'gate.export', run: () => gate.export(rows, REQUEST) },
    { name: 'naive export pipeline', run: () => naive(rows) },
    { name: 'JSON.stringify(raw batch)', run: () => JSON.stringify(rows) },
    {
      name: 'gate.exportStream (625 a chunk, the default)',
      run: () => drain(gate.exportStream(rows, REQUEST)),
    },
  ])
  const loadAfter = loadavg()[0] as number
  return {
    id: 'export',
    title: `Export (${rows.length.toLocaleString('en-US')} rows, ${ours.count.toLocaleString('en-US')} records, ${(ours.token.length / 1e6).toFixed(1)} MB compact JWS, EdDSA)`,
    checks,
    timings: result.cases,
    ratios: [
      paired(result, 'gate.export', 'naive export pipeline'),
      paired(result, 'gate.export', 'JSON.stringify(raw batch)', 'time'),
      paired(result, 'gate.exportStream (625 a chunk, the default)', 'gate.export'),
    ],
    notes: ['gate.export includes its audit event (memory sink); the naive pipeline writes none'],
    load: [loadBefore, loadAfter],
  }
}
