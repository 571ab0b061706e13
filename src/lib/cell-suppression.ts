// Primary and complementary (secondary) cell suppression over a hierarchy of additive margins.
//
// Every published total is a linear equation `parent = sum(children)` over the node counts. The
// margins datagate publishes form a tree (overall total -> first-dimension subtotals -> cells), in
// which each node appears in at most two equations: as a child of its margin and as the parent of
// its own. Treat equations as vertices and suppressed nodes as edges between the (one or two)
// equations they appear in. A combination of equations isolates one unknown only if the unknowns
// shared inside it cancel, i.e. it spans a connected set C of equations with equal weights, and
// then sum(u(E) for E in C) - 2(|C| - 1) unknowns remain, u(E) being the suppressed members of E.
// When every u(E) is 0 or at least 2 that is 0 (|C| = 1, u = 0) or at least 2, never exactly 1.
// So the fixed point below keeps every equation at zero or at least two suppressed members.

/** One published additive margin: `counts[parent] = sum(counts[children])`. */
export interface MarginEquation {
  readonly parent: number
  readonly children: readonly number[]
}

/** Why a node is suppressed. */
export type SuppressionReason = 'primary' | 'complementary'

/**
 * Suppresses every node with count < k (primary), then, until no equation has exactly one
 * suppressed member, the smallest published child of such an equation, or its parent when no
 * child is left (complementary). Ties go to the lower node index, so the result is deterministic.
 */
export function suppressCells(
  counts: readonly number[],
  equations: readonly MarginEquation[],
  k: number,
): (SuppressionReason | undefined)[] {
  const reasons: (SuppressionReason | undefined)[] = counts.map((count) =>
    count < k ? 'primary' : undefined,
  )
  const memberOf: number[][] = counts.map(() => [])
  for (const [index, equation] of equations.entries()) {
    memberOf[equation.parent]?.push(index)
    for (const child of equation.children) memberOf[child]?.push(index)
  }
  const pending = equations.map((_, index) => index)
  const queued = equations.map(() => true)
  const suppress = (node: number): void => {
    reasons[node] = 'complementary'
    for (const equation of memberOf[node] ?? []) {
      if (!queued[equation]) {
        queued[equation] = true
        pending.push(equation)
      }
    }
  }
  while (pending.length > 0) {
    const index = pending.pop()!
    queued[index] = false
    const equation = equations[index]!
    let suppressed = reasons[equation.parent] === undefined ? 0 : 1
    for (const child of equation.children) if (reasons[child] !== undefined) suppressed++
    if (suppressed !== 1) continue
    let smallest = -1
    for (const child of equation.children) {
      if (reasons[child] !== undefined) continue
      if (smallest === -1 || (counts[child] ?? 0) < (counts[smallest] ?? 0)) smallest = child
    }
    if (smallest !== -1) suppress(smallest)
    else if (reasons[equation.parent] === undefined) suppress(equation.parent)
  }
  return reasons
}
