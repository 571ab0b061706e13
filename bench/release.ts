// gate.release against the ways a team could release the same view without datagate, on the
// 100,000-row workload. Every baseline's output is checked equal to gate.release's first.
import { loadavg } from 'node:os'
import { isDeepStrictEqual } from 'node:util'
import type { Gate } from 'datagate'
import fastRedact from 'fast-redact'
import {
  caslHandPickRelease,
  caslRelease,
  handRelease,
  handReleaseWithZod,
  keepsRow,
  type Released,
} from './baselines.js'
import { AfterSalesOrder, type AfterSalesRow, GRANTED, REQUEST } from './fixtures.js'
import { type ComparisonReport, interleave, paired } from './harness.js'

/**
 * fast-redact: removes every leaf the partner must not get and serialises. It neither validates
 * nor transforms, so it is a floor, not a peer.
 */
function fastRedactRelease(): (rows: readonly AfterSalesRow[]) => string[] {
  const granted = new Set<string>(GRANTED)
  const paths = new Set<string>()
  for (const f of AfterSalesOrder.fields) {
    if (granted.has(f.path)) continue
    const top = f.path.split('.')[0] as string
    paths.add(GRANTED.some((g) => g.startsWith(`${top}.`)) ? f.path : top)
  }
  const redact = fastRedact({ paths: [...paths], remove: true })
  return (rows) => {
    const out: string[] = []
    for (const row of rows) if (keepsRow(row)) out.push(redact(row) as string)
    return out
  }
}

const DESENSITISED = ['openedAt', 'customer', 'vehicle.vin']

/** Without the desensitised leaves, which fast-redact leaves raw. */
function publicPart(record: Released): Released {
  const copy = structuredClone(record)
  for (const path of DESENSITISED) {
    const [head, tail] = path.split('.') as [string, string | undefined]
    if (tail === undefined) delete copy[head]
    else delete (copy[head] as Released)[tail]
  }
  return copy
}

/** Runs the release comparison. */
export async function releaseComparison(
  gate: Gate,
  rows: readonly AfterSalesRow[],
): Promise<ComparisonReport> {
  const hand = handRelease()
  const handZod = handReleaseWithZod()
  const casl = caslRelease()
  const caslHandPick = caslHandPickRelease()
  const redact = fastRedactRelease()

  const expected = (await gate.release(rows, REQUEST)).records
  const checks = [
    { baseline: 'hand projection', ok: isDeepStrictEqual(hand(rows), expected) },
    { baseline: 'hand projection + zod parse', ok: isDeepStrictEqual(handZod(rows), expected) },
    {
      baseline: 'CASL permittedFieldsOf + lodash.pick',
      ok: isDeepStrictEqual(casl(rows), expected),
    },
    {
      baseline: 'CASL permittedFieldsOf + hand-written pick',
      ok: isDeepStrictEqual(caslHandPick(rows), expected),
    },
    {
      baseline: 'fast-redact (apart from the desensitised leaves it leaves raw)',
      ok: isDeepStrictEqual(
        redact(rows).map((text) => publicPart(JSON.parse(text) as Released)),
        expected.map(publicPart),
      ),
    },
  ]

  const loadBefore = loadavg()[0] as number
  const result = await interleave([
    { name: 'gate.release', run: () => gate.release(rows, REQUEST) },
    { name: 'CASL + pick + operators', run: () => casl(rows) },
    { name: 'CASL + hand-written pick + operators', run: () => caslHandPick(rows) },
    { name: 'hand projection + zod parse', run: () => handZod(rows) },
    { name: 'hand projection', run: () => hand(rows) },
    { name: 'fast-redact', run: () => redact(rows) },
  ])
  const loadAfter = loadavg()[0] as number
  return {
    id: 'release',
    title: `Release (${rows.length.toLocaleString('en-US')} rows, ${expected.length.toLocaleString('en-US')} released)`,
    checks,
    timings: result.cases,
    ratios: [
      paired(result, 'gate.release', 'CASL + pick + operators'),
      paired(result, 'gate.release', 'CASL + hand-written pick + operators'),
      paired(result, 'gate.release', 'hand projection + zod parse'),
      paired(result, 'gate.release', 'hand projection'),
      paired(result, 'gate.release', 'fast-redact'),
    ],
    notes: [
      "CASL + pick: lodash's pick of the permitted paths, then lodash get/set of the operators at the desensitised paths (issue 8's baseline); CASL + hand-written pick: the same with a loop over pre-split paths, harder to beat, reported beside it",
      'fast-redact removes keys and serialises; it neither validates nor transforms',
    ],
    load: [loadBefore, loadAfter],
  }
}
