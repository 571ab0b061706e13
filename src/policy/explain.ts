/**
 * Explanations: for one (partner, dataset, purpose) at one instant, why each field is released
 * or withheld, and for given rows which `where` clause decided each one. The same rules as
 * release plans (resolveAgreement, the CASL ability, classRefusal, compiled clauses), run
 * without transforming anything: an explanation never holds a record value.
 *
 * @packageDocumentation
 */
import { compileReader, type Dataset } from '../classify/dataset.js'
import type { FieldClass } from '../classify/types.js'
import { DatagateError } from '../errors.js'
import { assertObject, assertString } from '../lib/assert.js'
import { abilityFromAgreements } from './ability.js'
import { compileClauses } from './conditions.js'
import type { Policy } from './load.js'
import { resolveAgreement } from './plan.js'
import { classRefusal } from './receivable.js'
import type { ConditionOperator, ConditionValue } from './types.js'
import { isActiveAt } from './validity.js'

/** Why a field is withheld. */
export type WithholdReason =
  | 'unknown_partner'
  | 'sensitive'
  | 'not_core'
  | 'suspended'
  | 'revoked'
  | 'no_agreement'
  | 'not_in_force'
  | 'not_granted'

/** One field of an {@link Explanation}. */
export interface FieldExplanation {
  readonly path: string
  readonly class: FieldClass
  /** Whether the field leaves: granted, receivable, partner in good standing, agreement in force. */
  readonly released: boolean
  /** The operator applied when released (`keep` for public fields), else `null`. */
  readonly operator: string | null
  /** The agreement in force that grants it, even when standing withholds it; else `null`. */
  readonly agreement: string | null
  /** Every reason it is withheld; empty when released. */
  readonly reasons: readonly WithholdReason[]
}

/** One `where` clause judged on one row. */
export interface ClauseExplanation {
  readonly field: string
  readonly operator: ConditionOperator
  readonly operand: ConditionValue | readonly ConditionValue[] | boolean
  readonly held: boolean
}

/** One row of an {@link Explanation}. */
export interface RowExplanation {
  readonly index: number
  /**
   * Whether the row would be released (before the partner's record cap, and before consent: with
   * {@link Explanation.consent}, only if its subject holds that consent at release time).
   */
  readonly released: boolean
  /** `refused` (the request is), `record_invalid` (the row fails the schema), `condition_failed`, or `null`. */
  readonly reason: 'refused' | 'record_invalid' | 'condition_failed' | null
  /** Every clause with whether it held; empty for an invalid row or an agreement without `where`. */
  readonly clauses: readonly ClauseExplanation[]
  /** The first clause that failed (clauses are ANDed), or `null` when every clause held. */
  readonly decidedBy: ClauseExplanation | null
}

/** What {@link explainRelease} returns. */
export interface Explanation {
  readonly partner: string
  readonly dataset: string
  readonly purpose: string
  /** The instant judged, ISO 8601. */
  readonly at: string
  readonly policyHash: string
  /** The refusal the gate would give, or `null` when it releases. */
  readonly refusal: { readonly code: string; readonly message: string } | null
  /** The agreement in force for the request, if any. */
  readonly agreement: {
    readonly id: string
    readonly validFrom: string
    readonly validUntil: string
  } | null
  /** Every agreement for the dataset and purpose, with whether it is in force at `at`. */
  readonly candidates: readonly {
    readonly id: string
    readonly validFrom: string
    readonly validUntil: string
    readonly inForce: boolean
  }[]
  /** The partner's record cap per release, or `null`. */
  readonly cap: number | null
  /**
   * Present when the agreement in force releases only with each data subject's consent: rows
   * are released only if their subject holds `scope` at release time. The explanation does not
   * ask the consent store, so `rows[].released` does not count it.
   */
  readonly consent?: { readonly scope: string; readonly subject: string }
  readonly fields: readonly FieldExplanation[]
  /** Present when rows were given. */
  readonly rows?: readonly RowExplanation[]
}

const iso = (time: number) => new Date(time).toISOString()

/**
 * Explains a request against a policy and its dataset at `at`: per field, released (operator,
 * agreement) or withheld and why; per row (when `rows` are given), whether the row condition
 * held and which clause decided. Throws `ERR_INVALID_ARGUMENT` for a malformed request; a
 * refusal is part of the explanation, not thrown.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { defineDataset, explainRelease, field, loadPolicy } from 'datagate'
 *
 * const Order = defineDataset('repair_order', z.object({
 *   hours: field.public(z.number()),
 *   phone: field.sensitive(z.string()),
 * }), { version: '1' })
 * const policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'rental-co', name: 'Rental Co',
 *   category: 'capability', standing: 'gold', core: true, agreements: [{ id: 'a1', dataset: 'repair_order',
 *   purpose: 'courtesy-car', fields: ['hours'], where: { hours: { $gt: 4 } },
 *   validFrom: '2026-01-01', validUntil: '2026-12-31' }] }] }, { datasets: [Order] })
 * const why = explainRelease(policy, Order, { partner: 'rental-co', dataset: 'repair_order',
 *   purpose: 'courtesy-car' }, { at: new Date('2026-06-01'), rows: [{ hours: 2, phone: 'x' }] })
 * console.log(why.fields.map((f) => `${f.path}:${f.released ? f.operator : f.reasons.join('+')}`)) // [ 'hours:keep', 'phone:sensitive+not_granted' ]
 * console.log(why.rows?.[0]?.decidedBy) // { field: 'hours', operator: '$gt', operand: 4, held: false }
 * ```
 */
export function explainRelease(
  policy: Policy,
  dataset: Dataset,
  request: { readonly partner: string; readonly dataset: string; readonly purpose: string },
  options: { readonly at: Date; readonly rows?: Iterable<unknown> },
): Explanation {
  assertObject(request, 'explain: request')
  assertString(request.partner, 'explain: request.partner', { nonEmpty: true })
  assertString(request.purpose, 'explain: request.purpose', { nonEmpty: true })
  if (request.dataset !== dataset.name)
    throw new DatagateError('ERR_UNKNOWN_DATASET', `no dataset ${JSON.stringify(request.dataset)}`)
  const time = options.at.getTime()
  const partner = policy.partner(request.partner)
  let refusal: Explanation['refusal'] = null
  try {
    resolveAgreement(policy, request.partner, dataset.name, request.purpose, time)
  } catch (error) {
    if (!(error instanceof DatagateError)) throw error
    refusal = { code: error.code, message: error.message }
  }
  const candidates = (partner?.agreements ?? []).filter(
    (a) => a.dataset === dataset.name && a.purpose === request.purpose,
  )
  const active = candidates.find((a) => isActiveAt(a, time))
  const ability = active ? abilityFromAgreements(dataset.name, [active]) : undefined
  const fields = dataset.fields.map((f): FieldExplanation => {
    const reasons: WithholdReason[] = []
    const granted =
      active !== undefined && ability?.can(active.purpose, dataset.name, f.path) === true
    if (!partner) reasons.push('unknown_partner')
    else {
      const refusedClass = classRefusal(f.class, partner.core)
      if (refusedClass) reasons.push(refusedClass)
      if (partner.standing === 'yellow') reasons.push('suspended')
      if (partner.standing === 'terminated') reasons.push('revoked')
      if (candidates.length === 0) reasons.push('no_agreement')
      else if (!active) reasons.push('not_in_force')
      else if (!granted) reasons.push('not_granted')
    }
    const released = reasons.length === 0
    return {
      path: f.path,
      class: f.class,
      released,
      operator: released ? f.operator.name : null,
      agreement: granted && active ? active.id : null,
      reasons,
    }
  })
  const explanation: Explanation = {
    partner: request.partner,
    dataset: dataset.name,
    purpose: request.purpose,
    at: iso(time),
    policyHash: policy.hash,
    refusal,
    agreement: active
      ? { id: active.id, validFrom: iso(active.validFrom), validUntil: iso(active.validUntil) }
      : null,
    candidates: candidates.map((a) => ({
      id: a.id,
      validFrom: iso(a.validFrom),
      validUntil: iso(a.validUntil),
      inForce: isActiveAt(a, time),
    })),
    cap: partner?.maxRecordsPerRelease ?? null,
    ...(active?.consent
      ? { consent: { scope: active.consent.scope, subject: active.consent.subject } }
      : {}),
    fields,
  }
  if (options.rows === undefined) return explanation
  return {
    ...explanation,
    rows: explainRows(dataset, active?.where, fields, refusal !== null, options.rows),
  }
}

function explainRows(
  dataset: Dataset,
  where: Parameters<typeof compileClauses>[0],
  fields: readonly FieldExplanation[],
  refused: boolean,
  rows: Iterable<unknown>,
): RowExplanation[] {
  const clauses = compileClauses(where, dataset)
  // What a release would read: the released leaves and the condition fields.
  const read = compileReader(dataset, [
    ...fields.filter((f) => f.agreement !== null).map((f) => f.path),
    ...clauses.map((c) => c.field),
  ])
  const out: RowExplanation[] = []
  let index = 0
  for (const row of rows) {
    let record: unknown
    try {
      record = read(row).record
    } catch (error) {
      if (!(error instanceof DatagateError)) throw error
      out.push({ index, released: false, reason: 'record_invalid', clauses: [], decidedBy: null })
      index++
      continue
    }
    const judged = clauses.map((c) => ({
      field: c.field,
      operator: c.operator,
      operand: c.operand,
      held: c.test(record),
    }))
    const decidedBy = judged.find((c) => !c.held) ?? null
    out.push({
      index,
      released: !refused && decidedBy === null,
      reason: refused ? 'refused' : decidedBy ? 'condition_failed' : null,
      clauses: judged,
      decidedBy,
    })
    index++
  }
  return out
}
