// The epsilon one noisy aggregate release spends, by sequential composition: one record changes
// one cell, and the subtotal and total above it when they are published, and in each of those
// rows every noisy statistic: the count (always drawn, since suppression decides on it), each
// summed field's sum and each averaged field's number of values. Disjoint cells of one level
// compose in parallel, so the cost does not grow with the number of groups.

/** The parts of an aggregate specification that fix its privacy cost. */
export interface CostedAggregate {
  readonly by: readonly string[]
  readonly measures: { readonly [name: string]: { readonly op: string; readonly field?: string } }
  readonly totals?: 'none' | 'overall' | 'margins' | undefined
  readonly noise?: { readonly epsilon: number } | undefined
}

/** Epsilon spent per release; 0 without noise. */
export function releaseEpsilon(spec: CostedAggregate): number {
  if (spec.noise === undefined) return 0
  const summed = new Set<string>()
  const averaged = new Set<string>()
  for (const measure of Object.values(spec.measures)) {
    if (measure.field === undefined) continue
    if (measure.op === 'sum' || measure.op === 'avg') summed.add(measure.field)
    if (measure.op === 'avg') averaged.add(measure.field)
  }
  const totals = spec.totals ?? 'none'
  const levels =
    1 + (totals === 'none' ? 0 : 1) + (totals === 'margins' && spec.by.length > 1 ? 1 : 0)
  return spec.noise.epsilon * (1 + summed.size + averaged.size) * levels
}

/** Ledger units per epsilon: budgets are kept as integers so that sums of spends are exact. */
export const EPSILON_UNITS = 1e9

/** Epsilon in ledger units, rounded up so that a spend is never under-counted. */
export function epsilonUnits(epsilon: number): number {
  return Math.ceil(epsilon * EPSILON_UNITS - 1e-6)
}
