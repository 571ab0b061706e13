/**
 * CASL abilities from agreements: purpose = action, dataset = subject type, granted leaf paths
 * = fields, `where` = conditions. The subject type always comes from the dataset, never from
 * the record, and fields match exactly (wildcards were expanded to leaves when the policy loaded,
 * so CASL's `address.*` also matching `address` cannot widen a grant).
 *
 * @packageDocumentation
 */
import { Ability, type MongoQuery, type RawRuleOf } from '@casl/ability'
import { DatagateError } from '../errors.js'
import { invalidArgument } from '../lib/assert.js'
import { isCaslWildcard } from '../lib/casl-wildcards.js'
import { readClock } from '../lib/clock.js'
import { didYouMean } from '../lib/suggest.js'
import { restrictedConditionsMatcher, toCaslConditions } from './conditions.js'
import type { Policy } from './load.js'
import type { Agreement } from './types.js'
import { isActiveAt } from './validity.js'

/** A partner's CASL ability over one dataset: `can(purpose, record | datasetName, field?)`. */
export type PartnerAbility = Ability<[string, string | Record<string, unknown>], MongoQuery>

/** Options of {@link partnerAbility}. */
export interface PartnerAbilityOptions {
  /** The clock: agreements must be valid at the time it returns. Default: the system clock. */
  readonly now?: () => Date
}

function exactFieldMatcher(fields: string[]): (field: string) => boolean {
  const set = new Set(fields)
  return (field) => set.has(field)
}

/** Agreements of a partner for a dataset that are valid at `time` (epoch ms). */
export function activeAgreements(
  agreements: readonly Agreement[],
  dataset: string,
  time: number,
): Agreement[] {
  return agreements.filter((a) => a.dataset === dataset && isActiveAt(a, time))
}

function refuseWildcard(name: string, what: 'dataset' | 'purpose'): void {
  // "manage" and "all" are CASL wildcards: a rule on them would cover every action or subject.
  if (isCaslWildcard(name))
    invalidArgument('range', what, `a ${what} other than "manage" and "all" (CASL wildcards)`)
}

/**
 * Builds the CASL ability for the given agreements of one dataset. Refuses a wildcard dataset or
 * purpose even though loadPolicy already does: a rule with `manage` would allow every purpose.
 */
export function abilityFromAgreements(
  dataset: string,
  agreements: readonly Agreement[],
): PartnerAbility {
  refuseWildcard(dataset, 'dataset')
  for (const agreement of agreements) refuseWildcard(agreement.purpose, 'purpose')
  const rules: RawRuleOf<PartnerAbility>[] = agreements.map((agreement) => ({
    action: agreement.purpose,
    subject: dataset,
    fields: [...agreement.fields],
    ...(agreement.where ? { conditions: toCaslConditions(agreement.where) as MongoQuery } : {}),
  }))
  return new Ability(rules, {
    conditionsMatcher: restrictedConditionsMatcher,
    fieldMatcher: exactFieldMatcher,
    detectSubjectType: () => dataset,
  })
}

/**
 * The CASL ability of a partner over one dataset, from its agreements valid at `now`.
 * A suspended or terminated partner gets an ability that allows nothing. `manage` and `all` are
 * CASL wildcards, never purposes or datasets: naming one throws `ERR_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { defineDataset, field, loadPolicy, partnerAbility } from 'datagate'
 *
 * const Order = defineDataset('repair_order', z.object({
 *   orderId: field.public(z.string()),
 *   estimatedHours: field.public(z.number()),
 * }), { version: '1' })
 * const policy = loadPolicy({
 *   issuer: 'oem',
 *   partners: [{ id: 'rental-co', name: 'Rental Co', category: 'capability', standing: 'gold', core: true,
 *     agreements: [{ id: 'a1', dataset: 'repair_order', purpose: 'courtesy-car', fields: ['orderId'],
 *       where: { estimatedHours: { $gt: 4 } }, validFrom: '2026-01-01', validUntil: '2026-12-31' }] }],
 * }, { datasets: [Order] })
 * const ability = partnerAbility(policy, 'rental-co', 'repair_order', { now: () => new Date('2026-06-01') })
 * console.log(ability.can('courtesy-car', { orderId: 'R1', estimatedHours: 6 }, 'orderId')) // true
 * console.log(ability.can('courtesy-car', { orderId: 'R2', estimatedHours: 2 }, 'orderId')) // false
 * console.log(ability.can('advertising', { orderId: 'R1', estimatedHours: 6 }, 'orderId')) // false
 * try { partnerAbility(policy, 'rental-co', 'all') } catch (e) { console.log((e as { code: string }).code) } // 'ERR_INVALID_ARGUMENT'
 * ```
 */
export function partnerAbility(
  policy: Policy,
  partnerId: string,
  dataset: string,
  options: PartnerAbilityOptions = {},
): PartnerAbility {
  refuseWildcard(dataset, 'dataset')
  const partner = policy.partner(partnerId)
  if (!partner)
    throw new DatagateError(
      'ERR_UNKNOWN_PARTNER',
      `no partner ${JSON.stringify(partnerId)} in the policy${didYouMean(
        partnerId,
        policy.partners.map((p) => p.id),
      )}`,
    )
  const time = readClock(options.now, 'options.now').getTime()
  const usable = partner.standing !== 'yellow' && partner.standing !== 'terminated'
  return abilityFromAgreements(
    dataset,
    usable ? activeAgreements(partner.agreements, dataset, time) : [],
  )
}
