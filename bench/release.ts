// Release throughput: gate.release against three ways a team could do the same without datagate.
// All four produce the courtesy-car view of examples/policy.yaml over the same 50,000 repair
// orders; the bench checks that they do before it times anything.
import { isDeepStrictEqual } from 'node:util'
import { createMongoAbility, subject } from '@casl/ability'
import type { Gate } from 'datagate'
import fastRedact from 'fast-redact'
import { hashBackend } from '#hash'
import { RepairOrder } from '../examples/datasets.js'
import { viewDigest } from '../src/export/patch.js'
import { runRelease } from '../src/policy/release.js'
import {
  PSEUDONYM_KEY,
  REQUEST,
  type RepairOrderRow,
  repairOrders,
  sampleGate,
} from './fixtures.js'
import { type BenchSection, compare, measure, measureAsync } from './harness.js'

/** Rows per release. */
export const RELEASE_ROWS = 50_000

type Released = Record<string, unknown>
type Transform = (value: unknown) => unknown

function bindTransform(path: string): Transform {
  const field = RepairOrder.field(path)
  if (!field) throw new Error(`RepairOrder has no field ${path}`)
  return field.operator.bind({
    partner: REQUEST.partner,
    path,
    pseudonymKey: PSEUDONYM_KEY,
  }) as Transform
}

/** (i) What a careful team writes by hand: the same fields, the same bound operators, no validation. */
function handProjection(): (rows: readonly RepairOrderRow[]) => Released[] {
  const customerId = bindTransform('customerId')
  return (rows) => {
    const out: Released[] = []
    for (const row of rows) {
      if (!(row.estimatedHours > 4)) continue
      out.push({
        orderId: row.orderId,
        outletId: row.outletId,
        customerId: customerId(row.customerId),
        city: row.city,
        estimatedHours: row.estimatedHours,
        vehicle: { model: row.vehicle.model },
      })
    }
    return out
  }
}

function getPath(source: unknown, segments: readonly string[]): unknown {
  let value = source
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<string, unknown>)[segment]
  }
  return value
}

function setPath(target: Released, segments: readonly string[], value: unknown): void {
  let node = target
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i] as string
    let child = node[segment]
    if (typeof child !== 'object' || child === null) {
      child = {}
      node[segment] = child
    }
    node = child as Released
  }
  node[segments[segments.length - 1] as string] = value
}

/**
 * (ii) CASL + pick: the decision asked of CASL for every record and every field of the schema,
 * then a lodash-style pick of the permitted paths and the same bound operators. This is what a
 * compiled plan avoids.
 */
function caslAndPick(
  grantedFields: readonly string[],
): (rows: readonly RepairOrderRow[]) => Released[] {
  const action = REQUEST.purpose
  const ability = createMongoAbility([
    {
      action,
      subject: REQUEST.dataset,
      fields: [...grantedFields],
      conditions: { estimatedHours: { $gt: 4 } },
    },
  ])
  const paths = RepairOrder.fields.map((f) => ({
    path: f.path,
    segments: f.path.split('.'),
    transform: grantedFields.includes(f.path) ? bindTransform(f.path) : undefined,
  }))
  return (rows) => {
    const out: Released[] = []
    for (const row of rows) {
      const record = subject(REQUEST.dataset, row)
      if (!ability.can(action, record)) continue
      const picked: Released = {}
      for (const { path, segments, transform } of paths) {
        if (!ability.can(action, record, path)) continue
        // CASL said yes; a field it permits always has a bound operator.
        const value = getPath(row, segments)
        if (value !== undefined) setPath(picked, segments, transform ? transform(value) : value)
      }
      out.push(picked)
    }
    return out
  }
}

/** (iii) fast-redact: removes what the partner must not get; it neither validates nor transforms. */
function fastRedactFloor(
  grantedFields: readonly string[],
): (rows: readonly RepairOrderRow[]) => string[] {
  const granted = new Set(grantedFields)
  // Remove every top-level key, and every nested leaf, that no granted path names.
  const paths = new Set<string>()
  for (const f of RepairOrder.fields) {
    if (granted.has(f.path)) continue
    const top = f.path.split(/[.[]/)[0] as string
    const parentGranted = grantedFields.some((g) => g.startsWith(`${top}.`))
    paths.add(parentGranted ? f.path : top)
  }
  const redact = fastRedact({ paths: [...paths], remove: true })
  return (rows) => {
    const out: string[] = []
    for (const row of rows) {
      if (!(row.estimatedHours > 4)) continue
      out.push(redact(row) as string)
    }
    return out
  }
}

function withoutCustomerId(record: Released): Released {
  const { customerId: _dropped, ...rest } = record
  return rest
}

/** Runs the release benchmark. */
export async function releaseBench(given?: { gate: Gate }): Promise<BenchSection> {
  const gate = given?.gate ?? (await sampleGate()).gate
  const rows = [...repairOrders(RELEASE_ROWS)]
  // CASL's subject() tags the object it is given; the CASL baseline gets its own copy.
  const caslRows = structuredClone(rows)
  const plan = gate.plan(REQUEST)
  const grantedFields = plan.fields.map((f) => f.path)

  const hand = handProjection()
  const casl = caslAndPick(grantedFields)
  const redact = fastRedactFloor(grantedFields)

  const expected = (await gate.release(rows, REQUEST)).records
  const notes: string[] = []
  const checks = {
    hand: isDeepStrictEqual(hand(rows), expected),
    casl: isDeepStrictEqual(casl(caslRows), expected),
    // fast-redact keeps the raw customerId: equal apart from that field.
    fastRedact: isDeepStrictEqual(
      redact(rows).map((text) => withoutCustomerId(JSON.parse(text) as Released)),
      expected.map(withoutCustomerId),
    ),
  }
  for (const [name, ok] of Object.entries(checks)) {
    if (!ok) notes.push(`CHECK FAILED: the ${name} baseline's output differs from gate.release`)
  }
  notes.push(
    `${RELEASE_ROWS.toLocaleString('en-US')} rows, ${expected.length.toLocaleString('en-US')} released (estimatedHours > 4); ` +
      `fields ${grantedFields.join(', ')}; #hash backend in this process: ${hashBackend === 'noble' ? 'noble (tsconfig paths)' : 'node:crypto'}`,
    'hand projection and CASL + pick give output equal to gate.release (checked); fast-redact equal apart from customerId, which it leaves raw',
    'fast-redact only removes keys (and serialises, as designed): no validation, no pseudonyms, so it is a floor, not a peer',
    'every rate here counts rows given to the release (50,000 per call), also for parse-only and digest-only, so their times add up',
  )

  const options = { workPerCall: RELEASE_ROWS, unit: 'records/s' as const }
  const gateRelease = await measureAsync('gate.release', () => gate.release(rows, REQUEST), options)
  const gateJson = await measureAsync(
    'gate.release + JSON.stringify',
    async () => JSON.stringify((await gate.release(rows, REQUEST)).records),
    options,
  )
  const handRun = measure('hand projection', () => hand(rows), options)
  const caslRun = measure('CASL + pick', () => casl(caslRows), options)
  const redactRun = measure('fast-redact (JSON out)', () => redact(rows), options)
  // Where gate.release spends its time: zod validation of every row, and the view digest that
  // release computes for its audit event (computed even when the gate has no audit sink).
  const parseRun = measure(
    'RepairOrder.parse only',
    () => {
      for (const row of rows) RepairOrder.parse(row)
    },
    options,
  )
  const planRun = measure(
    'plan only (runRelease, no digest)',
    () => runRelease(plan, rows, gate.policy.hash),
    options,
  )
  const digestRun = measure('viewDigest(released) only', () => viewDigest(expected), options)

  return {
    title: 'Release throughput (rental-co / courtesy-car)',
    measurements: [
      gateRelease,
      gateJson,
      handRun,
      caslRun,
      redactRun,
      planRun,
      parseRun,
      digestRun,
    ],
    comparisons: [
      compare(gateRelease, handRun),
      compare(gateRelease, caslRun),
      compare(gateJson, redactRun),
      compare(gateRelease, redactRun),
      compare(planRun, handRun),
      compare(planRun, caslRun),
    ],
    notes,
    ok: Object.values(checks).every(Boolean),
  }
}
