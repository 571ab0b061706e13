// What a team could write instead of datagate, shared by the comparisons. Every baseline uses the
// dataset's own operators bound as the plan binds them, so the outputs can be checked equal to
// ours and only the machinery around the operators differs.
import { createMongoAbility } from '@casl/ability'
import { permittedFieldsOf } from '@casl/ability/extra'
import type { KeyRing } from 'datagate'
import { CompactSign } from 'jose'
import get from 'lodash/get.js'
import pick from 'lodash/pick.js'
import set from 'lodash/set.js'
import {
  AfterSalesOrder,
  type AfterSalesRow,
  GRANTED,
  ISSUER,
  NOW,
  PSEUDONYM_KEY,
  REQUEST,
} from './fixtures.js'

/** A released record, as the baselines build it. */
export type Released = Record<string, unknown>

type Transform = (value: unknown) => unknown

/** The dataset's operator of `path`, bound for the bench partner. */
export function bindTransform(path: string): Transform {
  const field = AfterSalesOrder.field(path)
  if (!field) throw new Error(`AfterSalesOrder has no field ${path}`)
  return field.operator.bind({
    partner: REQUEST.partner,
    path,
    pseudonymKey: PSEUDONYM_KEY,
  }) as Transform
}

/** The agreement's row condition, written by hand. */
export function keepsRow(row: AfterSalesRow): boolean {
  return row.estimatedHours > 2
}

/**
 * Hand projection: the 10 granted leaves as an object literal with the bound operators. No
 * validation; what a careful team writes for one partner and keeps in step with the policy by hand.
 */
export function handProjection(): (row: AfterSalesRow) => Released {
  const openedAt = bindTransform('openedAt')
  const customerId = bindTransform('customer.id')
  const phone = bindTransform('customer.phone')
  const vin = bindTransform('vehicle.vin')
  return (row) => ({
    orderId: row.orderId,
    city: row.city,
    status: row.status,
    openedAt: openedAt(row.openedAt),
    estimatedHours: row.estimatedHours,
    customer: { id: customerId(row.customer.id), phone: phone(row.customer.phone) },
    vehicle: { vin: vin(row.vehicle.vin), model: row.vehicle.model },
    fault: { category: row.fault.category },
  })
}

/** Hand release: the hand-written condition and projection over a batch. */
export function handRelease(): (rows: readonly AfterSalesRow[]) => Released[] {
  const project = handProjection()
  return (rows) => {
    const out: Released[] = []
    for (const row of rows) if (keepsRow(row)) out.push(project(row))
    return out
  }
}

/** Hand release after the full zod parse of every row (what validating by hand costs). */
export function handReleaseWithZod(): (rows: readonly AfterSalesRow[]) => Released[] {
  const project = handProjection()
  const schema = AfterSalesOrder.schema
  return (rows) => {
    const out: Released[] = []
    for (const row of rows) {
      const parsed = schema.parse(row) as AfterSalesRow
      if (keepsRow(parsed)) out.push(project(parsed))
    }
    return out
  }
}

interface PickPath {
  readonly path: string
  readonly segments: readonly string[]
  readonly transform: Transform
}

/**
 * A deep pick of dotted paths, as lodash's `pick` does it (without lodash's string-path parsing
 * and memoisation): read each path, write it into a fresh object, creating the parents.
 */
function pickInto(row: unknown, paths: readonly PickPath[], fields: ReadonlySet<string>): Released {
  const out: Released = {}
  for (const { path, segments, transform } of paths) {
    if (!fields.has(path)) continue
    let value = row
    for (const segment of segments) {
      if (typeof value !== 'object' || value === null) {
        value = undefined
        break
      }
      value = (value as Record<string, unknown>)[segment]
    }
    if (value === undefined) continue
    let node = out
    for (let i = 0; i < segments.length - 1; i++) {
      const segment = segments[i] as string
      let child = node[segment]
      if (typeof child !== 'object' || child === null) {
        child = {}
        node[segment] = child
      }
      node = child as Released
    }
    node[segments[segments.length - 1] as string] = value === null ? null : transform(value)
  }
  return out
}

/** CASL's ability over the bench agreement, its condition as the rule's, built once. */
function benchAbility() {
  const action = REQUEST.purpose
  const ability = createMongoAbility(
    [
      {
        action,
        subject: REQUEST.dataset,
        fields: [...GRANTED],
        conditions: { estimatedHours: { $gt: 2 } },
      },
    ],
    { detectSubjectType: () => REQUEST.dataset },
  )
  const allFields = AfterSalesOrder.fields.map((f) => f.path)
  const options = {
    fieldsFrom: (rule: { fields?: string[] | undefined }) => rule.fields ?? allFields,
  }
  return { action, ability, options }
}

/**
 * CASL + lodash.pick, issue 8's naive peer: per row, CASL's `permittedFieldsOf` decides the
 * fields (and, through the rule's conditions, whether the row passes at all), lodash's `pick`
 * copies those paths, and the operators are applied where the dataset has one (lodash `get` and
 * `set` at the desensitised paths; public leaves keep their value). The ability is built once,
 * with the subject type fixed, as DESIGN.md asks.
 */
export function caslRelease(): (rows: readonly AfterSalesRow[]) => Released[] {
  const { action, ability, options } = benchAbility()
  const transformed = GRANTED.filter(
    (path) => AfterSalesOrder.field(path)?.class === 'desensitised',
  ).map((path) => ({ path, transform: bindTransform(path) }))
  return (rows) => {
    const out: Released[] = []
    for (const row of rows) {
      const fields = permittedFieldsOf(ability, action, row as never, options)
      if (fields.length === 0) continue
      const picked = pick(row, fields) as Released
      for (const { path, transform } of transformed) {
        const value: unknown = get(picked, path)
        if (value !== undefined && value !== null) set(picked, path, transform(value))
      }
      out.push(picked)
    }
    return out
  }
}

/**
 * CASL + a hand-written deep pick: the same as {@link caslRelease} with lodash's `pick`
 * replaced by a loop over pre-split paths (no string-path parsing), a harder baseline than the
 * issue's, reported beside it.
 */
export function caslHandPickRelease(): (rows: readonly AfterSalesRow[]) => Released[] {
  const { action, ability, options } = benchAbility()
  const paths: PickPath[] = GRANTED.map((path) => ({
    path,
    segments: path.split('.'),
    transform: bindTransform(path),
  }))
  return (rows) => {
    const out: Released[] = []
    for (const row of rows) {
      const fields = permittedFieldsOf(ability, action, row as never, options)
      if (fields.length === 0) continue
      out.push(pickInto(row, paths, new Set(fields)))
    }
    return out
  }
}

const encoder = new TextEncoder()

/**
 * How the naive pipelines sign: the claims a team would write by hand around `body`, one
 * JSON.stringify, and jose's CompactSign under the ring's current key with `typ`.
 */
export function naiveSigner(
  keys: KeyRing,
  typ: string,
): (body: Record<string, unknown>) => Promise<string> {
  const signer = keys.current
  const privateKey = signer.privateKey
  if (!privateKey) throw new Error('the bench ring signs')
  return (body) => {
    const iat = Math.floor(NOW.getTime() / 1000)
    const payload = {
      iss: ISSUER,
      aud: REQUEST.partner,
      iat,
      exp: iat + 86_400,
      jti: crypto.randomUUID(),
      purpose: REQUEST.purpose,
      dataset: REQUEST.dataset,
      ...body,
    }
    return new CompactSign(encoder.encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ })
      .sign(privateKey)
  }
}
