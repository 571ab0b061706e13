/**
 * The privacy-budget ledger of aggregate releases: each partner's epsilon per period, and the
 * one release per period of `once: true` agreements. The gate charges the ledger before it runs
 * an aggregate release, so a release that would exceed the budget never computes a value.
 *
 * @packageDocumentation
 */
import { DatagateError } from '../errors.js'
import { EPSILON_UNITS, epsilonUnits, releaseEpsilon } from '../lib/aggregate-cost.js'
import { assertArray, assertFunction, assertObject, invalidArgument } from '../lib/assert.js'
import type { Policy } from '../policy/load.js'
import type { ReleasePlan } from '../policy/plan.js'
import type { BudgetPeriod } from '../policy/types.js'

/**
 * One ledger charge: add `amount` to entry `key`, refused if the entry would pass `limit`.
 * Amounts and limits are integers (epsilon in units of 10^-9), so sums are exact.
 *
 * @example
 * ```ts
 * import type { BudgetCharge } from 'datagate'
 *
 * const charge: BudgetCharge = { key: '["epsilon","charge-net","2026-06"]', amount: 300_000_000, limit: 1_000_000_000 }
 * console.log(charge.amount / 1e9) // 0.3
 * ```
 */
export interface BudgetCharge {
  readonly key: string
  readonly amount: number
  readonly limit: number
}

/**
 * The outcome of {@link BudgetStore.spend}: whether every charge was applied, and each entry's
 * total after it (or, when refused, as it stands).
 *
 * @example
 * ```ts
 * import type { BudgetOutcome } from 'datagate'
 *
 * const refused: BudgetOutcome = { ok: false, totals: [900_000_000] }
 * console.log(refused.ok) // false
 * ```
 */
export interface BudgetOutcome {
  readonly ok: boolean
  readonly totals: readonly number[]
}

/**
 * Where the ledger lives: in memory ({@link memoryBudgetStore}), in a folder on disk
 * (`fileBudgetStore` from `datagate/node`), later a database. `spend` must be atomic: all charges
 * or none, and no two concurrent spends may both pass a limit that only one fits under, across
 * every gate instance that shares the store.
 *
 * @example
 * ```ts
 * import { type BudgetStore, memoryBudgetStore } from 'datagate'
 *
 * const store: BudgetStore = memoryBudgetStore()
 * console.log(await store.spend([{ key: 'a', amount: 2, limit: 3 }])) // { ok: true, totals: [2] }
 * console.log(await store.spend([{ key: 'a', amount: 2, limit: 3 }])) // { ok: false, totals: [2] }
 * ```
 */
export interface BudgetStore {
  /** Spends every charge or none, atomically: `ok: false` when one would pass its limit. */
  spend(charges: readonly BudgetCharge[]): BudgetOutcome | Promise<BudgetOutcome>
}

/** Applies charges to a ledger held as a Map, all or nothing: the shared rule of every store. */
export function applyCharges(
  ledger: Map<string, number>,
  charges: readonly BudgetCharge[],
): BudgetOutcome {
  const current = charges.map((charge) => ledger.get(charge.key) ?? 0)
  // Two charges on one key add up before the check.
  const after = new Map<string, number>()
  for (const [i, charge] of charges.entries())
    after.set(charge.key, (after.get(charge.key) ?? current[i]!) + charge.amount)
  const ok = charges.every((charge) => after.get(charge.key)! <= charge.limit)
  if (!ok) return { ok, totals: current }
  for (const [key, total] of after) ledger.set(key, total)
  return { ok, totals: charges.map((charge) => after.get(charge.key)!) }
}

/** Checks the shape of charges a store receives, before it touches its ledger. */
export function assertCharges(charges: unknown): asserts charges is readonly BudgetCharge[] {
  assertArray(charges, 'budget charges')
  for (const charge of charges) {
    assertObject(charge, 'budget charge')
    const { key, amount, limit } = charge
    if (typeof key !== 'string' || !Number.isSafeInteger(amount) || !Number.isSafeInteger(limit))
      invalidArgument('type', 'budget charge', 'a string key and safe-integer amount and limit')
    if ((amount as number) < 0) invalidArgument('range', 'budget charge: amount', 'a number >= 0')
  }
}

/**
 * A ledger in memory: atomic because JavaScript runs one `spend` at a time. It does not survive
 * a restart, so a gate restarted with it would allow every period's budget again: use it for
 * tests and short-lived processes, and `fileBudgetStore` (`datagate/node`) or a shared store in
 * production. The gate never picks it for you.
 *
 * @example
 * ```ts
 * import { memoryBudgetStore } from 'datagate'
 *
 * const store = memoryBudgetStore()
 * const once = { key: 'once/charge-net/2026-06', amount: 1, limit: 1 }
 * console.log((await store.spend([once])).ok, (await store.spend([once])).ok) // true false
 * ```
 */
export function memoryBudgetStore(): BudgetStore {
  const ledger = new Map<string, number>()
  return Object.freeze({
    spend(charges: readonly BudgetCharge[]): BudgetOutcome {
      assertCharges(charges)
      return applyCharges(ledger, charges)
    },
  })
}

/**
 * What in a policy spends from a ledger, or `undefined` when nothing does: a partner with a
 * budget, or an aggregate agreement with `noise` or `once: true`.
 */
function budgetedPart(policy: Policy): string | undefined {
  for (const partner of policy.partners) {
    if (partner.budget) return `partner ${partner.id} has a budget`
    for (const agreement of partner.agreements) {
      const spec = agreement.aggregate
      if (spec?.noise) return `agreement ${agreement.id} adds noise`
      if (spec?.once === true) return `agreement ${agreement.id} is released once per period`
    }
  }
  return undefined
}

/**
 * Checks that a gate whose policy spends from a ledger was given one. No default: an in-memory
 * ledger forgets every spend on restart, so `once: true` and epsilon budgets would start afresh
 * after each one (restart, release again, subtract). Throws `ERR_INVALID_ARGUMENT` naming what
 * needs the ledger; checks the shape of `store` when one is given.
 */
export function assertBudgetStore(
  policy: Policy,
  store: BudgetStore | undefined,
  what: string,
): void {
  if (store !== undefined) {
    assertObject(store, `${what}: budget`)
    assertFunction(store.spend, `${what}: budget.spend`)
    return
  }
  const part = budgetedPart(policy)
  if (part === undefined) return
  throw new DatagateError(
    'ERR_INVALID_ARGUMENT',
    `${what}: the policy spends privacy budget (${part}) and no budget store was given; pass budget: fileBudgetStore(folder) from datagate/node, or memoryBudgetStore() for tests and short-lived processes (it forgets every spend on restart)`,
  )
}

/** The UTC period a time falls in: `2026-06-01`, `2026-06`, `2026-Q2`, `2026`. */
export function periodOf(period: BudgetPeriod, time: Date): string {
  const iso = time.toISOString()
  if (period === 'day') return iso.slice(0, 10)
  if (period === 'month') return iso.slice(0, 7)
  if (period === 'quarter') return `${iso.slice(0, 4)}-Q${Math.floor(time.getUTCMonth() / 3) + 1}`
  return iso.slice(0, 4)
}

/** What a charged release records in its audit event (`details` holds primitives only). */
export type BudgetDetails = Readonly<Record<string, string | number | boolean>>

/**
 * The epsilon one record release of `plan` spends: the sum over its granted fields whose operator
 * declares one (`noise.laplace`). One person's record changes every noisy field of it
 * (sequential composition); distinct records are disjoint (parallel composition), assuming one
 * record per person. 0 for aggregate plans: their fields are aggregated, and the agreement's own
 * noise is what the partner sees.
 */
export function recordEpsilon(plan: ReleasePlan): number {
  if (plan.agreement.aggregate) return 0
  let epsilon = 0
  for (const granted of plan.fields)
    epsilon += plan.dataset.field(granted.path)?.operator.epsilon ?? 0
  return epsilon
}

/**
 * Runs `charge` before `parts` produces anything, so that a stream spends before its first
 * chunk leaves, and a refused charge leaves nothing.
 */
export async function* chargeFirst<T>(
  charge: () => Promise<unknown>,
  parts: AsyncGenerator<T, void, undefined>,
): AsyncGenerator<T, void, undefined> {
  await charge()
  yield* parts
}

/**
 * Charges the ledger for one release of `plan` at `time`: the agreement's epsilon cost against
 * the partner's budget for the period, and for `once: true` one release per period. A record
 * release of fields with `noise.laplace` spends their epsilon (see {@link recordEpsilon}) from
 * the same budget when the partner has one. Returns the audit details, or `undefined` when the
 * release costs nothing (records without noise, or to a partner without a budget; exact
 * aggregates without `once`, which the policy loader refuses anyway). Throws
 * `ERR_BUDGET_EXCEEDED` when the ledger refuses; nothing is spent then.
 */
export async function chargeRelease(
  store: BudgetStore | undefined,
  plan: ReleasePlan,
  time: Date,
): Promise<BudgetDetails | undefined> {
  const spec = plan.agreement.aggregate
  const partner = plan.partner
  const budget = partner.budget
  const period = periodOf(budget?.period ?? 'month', time)
  // Record-level noise spends only from a declared budget: without one it is a per-value
  // perturbation with no bound over repeated releases (docs/anonymize.md says so).
  const epsilon = spec ? releaseEpsilon(spec) : budget ? recordEpsilon(plan) : 0
  const noisy = spec ? spec.noise !== undefined : epsilon > 0
  const charges: BudgetCharge[] = []
  if (noisy) {
    // The loader refuses noise without a budget; a hand-made policy without one spends from 0.
    charges.push({
      key: JSON.stringify(['epsilon', partner.id, period]),
      amount: epsilonUnits(epsilon),
      limit: budget ? epsilonUnits(budget.epsilon) : 0,
    })
  }
  if (spec?.once === true)
    charges.push({
      key: JSON.stringify(['once', partner.id, plan.agreement.id, period]),
      amount: 1,
      limit: 1,
    })
  if (charges.length === 0) return undefined
  // assertBudgetStore ran on this policy; a missing store here fails closed all the same.
  if (store === undefined)
    throw new DatagateError('ERR_INVALID_ARGUMENT', 'the gate has no budget store to charge')
  const outcome = await store.spend(charges)
  if (outcome.ok !== true) {
    throw new DatagateError(
      'ERR_BUDGET_EXCEEDED',
      noisy
        ? `agreement ${plan.agreement.id}: partner ${partner.id} has not enough privacy budget left in ${period} for this release`
        : `agreement ${plan.agreement.id} is released once per period and was released in ${period}`,
    )
  }
  return {
    budgetPeriod: period,
    ...(noisy
      ? {
          epsilonSpent: epsilon,
          epsilonTotal: outcome.totals[0]! / EPSILON_UNITS,
          epsilonLimit: budget?.epsilon ?? 0,
        }
      : {}),
    ...(spec?.once === true ? { once: true } : {}),
  }
}
