// Protection of suppressed cells against everything an attacker knows, not only subtraction.
//
// `suppressCells` keeps every published margin at zero or at least two hidden members, which
// stops exact recovery by linear algebra. It does not stop bounds: hidden cells are integers, at
// least 1 when their group is known to exist, and sum to the published margin minus the published
// cells. Cells 1, 1, 10 publishing 10 and a total of 12 leave x + y = 2 with x, y >= 1, so both
// are exactly 1. This module computes each hidden node's feasible range with an interval auditor
// (an LP solver) and suppresses more nodes until every range is at least `width` wide; without an
// auditor it withholds every margin that covers a hidden node, which leaves each hidden value
// unbounded above (raise it and every hidden margin above it by the same amount).

import { DatagateError, isDatagateError } from '../errors.js'
import type { MarginEquation, SuppressionReason } from './cell-suppression.js'
import type { FeasibleRange, IntervalAuditor, IntervalProblem } from './interval-problem.js'

/** What one audit round found: the narrowest hidden node and its width. */
export interface ProtectionOutcome {
  readonly reasons: (SuppressionReason | undefined)[]
  /** Audit rounds run (each solves two integer programs per hidden node). */
  readonly rounds: number
  /** The smallest feasible-range width of a hidden node after protection (Infinity if none). */
  readonly narrowest: number
}

/** Runs the auditor; whatever it throws fails the audit with our code and a fixed message. */
function askAuditor(auditor: IntervalAuditor, problem: IntervalProblem): readonly FeasibleRange[] {
  try {
    return auditor.ranges(problem)
  } catch (error) {
    if (isDatagateError(error)) throw error
    throw new DatagateError('ERR_INTERVAL_AUDIT_FAILED', 'interval audit: the auditor failed', {
      cause: error,
    })
  }
}

/** A range a hidden count can have: finite integer `min` >= 1 (its lower bound), `max` >= `min`. */
function isFeasibleRange(range: FeasibleRange | undefined): boolean {
  if (typeof range !== 'object' || range === null) return false
  const { min, max } = range
  return (
    typeof min === 'number' &&
    typeof max === 'number' &&
    Number.isFinite(min) &&
    min >= 1 &&
    !Number.isNaN(max) &&
    max >= min
  )
}

/**
 * The feasible range of every hidden node. The attacker's constraints split into independent
 * components (hidden nodes linked by a margin they share); each is solved on its own, and its
 * ranges are cached by its set of hidden nodes: a component changes only when a node that joins
 * it is hidden, which changes that set. Hidden nodes are unknowns >= 1 (their group exists);
 * every published value is known.
 */
function hiddenRanges(
  counts: readonly number[],
  equations: readonly MarginEquation[],
  reasons: readonly (SuppressionReason | undefined)[],
  auditor: IntervalAuditor,
  cache: Map<string, readonly FeasibleRange[]>,
): Map<number, FeasibleRange> {
  const root = new Map<number, number>()
  const find = (node: number): number => {
    let top = node
    while (root.get(top) !== top) top = root.get(top)!
    root.set(node, top)
    return top
  }
  for (const [node, reason] of reasons.entries()) if (reason !== undefined) root.set(node, node)
  const hiddenMembers = equations.map(({ parent, children }) =>
    [parent, ...children].filter((node) => root.has(node)),
  )
  for (const members of hiddenMembers)
    for (const node of members.slice(1)) root.set(find(node), find(members[0]!))
  const components = new Map<number, { nodes: number[]; equations: number[] }>()
  for (const node of root.keys()) {
    const top = find(node)
    if (!components.has(top)) components.set(top, { nodes: [], equations: [] })
    components.get(top)!.nodes.push(node)
  }
  hiddenMembers.forEach((members, index) => {
    if (members.length > 0) components.get(find(members[0]!))!.equations.push(index)
  })
  const ranges = new Map<number, FeasibleRange>()
  for (const { nodes, equations: own } of components.values()) {
    const key = nodes.sort((a, b) => a - b).join(',')
    let solved = cache.get(key)
    if (solved === undefined) {
      const column = new Map(nodes.map((node, i) => [node, i]))
      const problemEquations = own.map((index) => {
        const { parent, children } = equations[index]!
        const terms: [number, number][] = []
        let value = 0
        for (const [node, sign] of [
          [parent, -1] as const,
          ...children.map((c) => [c, 1] as const),
        ]) {
          const unknown = column.get(node)
          if (unknown === undefined) value -= sign * counts[node]!
          else terms.push([unknown, sign])
        }
        return { terms, value }
      })
      solved =
        problemEquations.length === 0
          ? nodes.map(() => ({ min: 1, max: Number.POSITIVE_INFINITY }))
          : askAuditor(auditor, {
              unknowns: nodes.length,
              lower: nodes.map(() => 1),
              equations: problemEquations,
            })
      if (!Array.isArray(solved) || solved.length !== nodes.length)
        throw new DatagateError(
          'ERR_INTERVAL_AUDIT_FAILED',
          'interval audit: the auditor returned a range count that does not match the unknowns',
        )
      // A NaN span compares false against the width and an inverted or too-low range looks wide,
      // so an answer that cannot be a feasible range would pass the table as protected.
      if (!solved.every(isFeasibleRange))
        throw new DatagateError(
          'ERR_INTERVAL_AUDIT_FAILED',
          'interval audit: the auditor returned a range that is not a feasible range of a hidden count (numbers, min >= 1, max >= min)',
        )
      cache.set(key, solved)
    }
    for (const [i, node] of nodes.entries()) ranges.set(node, solved[i]!)
  }
  return ranges
}

/**
 * Suppresses more nodes until every hidden node's feasible range is at least `width` wide.
 * Each round suppresses one published node that shares an equation with the narrowest hidden
 * node: the smallest cell-level member first (it costs the least information), else the
 * smallest margin. Ends because every round hides one more node, and hiding every margin
 * leaves every range unbounded.
 */
export function protectIntervals(
  counts: readonly number[],
  equations: readonly MarginEquation[],
  initial: readonly (SuppressionReason | undefined)[],
  isMargin: readonly boolean[],
  auditor: IntervalAuditor,
  width: number,
): ProtectionOutcome {
  const reasons = [...initial]
  const memberOf: number[][] = counts.map(() => [])
  for (const [index, { parent, children }] of equations.entries())
    for (const node of [parent, ...children]) memberOf[node]!.push(index)
  const cache = new Map<string, readonly FeasibleRange[]>()
  for (let rounds = 1; ; rounds++) {
    const ranges = hiddenRanges(counts, equations, reasons, auditor, cache)
    if (ranges.size === 0) return { reasons, rounds: rounds - 1, narrowest: Infinity }
    let weakest = -1
    let narrowest = Number.POSITIVE_INFINITY
    // Sorted by node, so ties go to the earlier node and the result is deterministic.
    for (const [node, range] of [...ranges].sort(([a], [b]) => a - b)) {
      const span = range.max - range.min
      if (span < narrowest) {
        narrowest = span
        weakest = node
      }
    }
    if (narrowest >= width) return { reasons, rounds, narrowest }
    let pick = -1
    for (const equation of memberOf[weakest]!) {
      const { parent, children } = equations[equation]!
      for (const node of [...children, parent])
        if (reasons[node] === undefined && isBetterPick(pick, node, isMargin, counts)) pick = node
    }
    // The narrowness can come from further away (all of the weakest node's own equations are
    // hidden): then hide the smallest published member of any equation that has a hidden one.
    if (pick === -1) pick = smallestPublishedMember(equations, reasons, counts, isMargin)
    if (pick === -1) {
      throw new DatagateError(
        'ERR_INTERVAL_AUDIT_FAILED',
        'interval audit: a suppressed cell stays narrower than the protection width with every margin withheld',
      )
    }
    reasons[pick] = 'complementary'
  }
}

/** The complementary cell to hide next: a cell before a margin, then the smallest count. */
function isBetterPick(
  pick: number,
  node: number,
  isMargin: readonly boolean[],
  counts: readonly number[],
): boolean {
  return (
    pick === -1 ||
    (isMargin[pick] && !isMargin[node]) ||
    (isMargin[pick] === isMargin[node] && counts[node]! < counts[pick]!)
  )
}

function smallestPublishedMember(
  equations: readonly MarginEquation[],
  reasons: readonly (SuppressionReason | undefined)[],
  counts: readonly number[],
  isMargin: readonly boolean[],
): number {
  let pick = -1
  for (const { parent, children } of equations) {
    const members = [...children, parent]
    if (!members.some((node) => reasons[node] !== undefined)) continue
    for (const node of members)
      if (reasons[node] === undefined && isBetterPick(pick, node, isMargin, counts)) pick = node
  }
  return pick
}

/** Without an auditor: withholds every margin that covers a hidden node (children first). */
export function withholdMargins(
  equations: readonly MarginEquation[],
  initial: readonly (SuppressionReason | undefined)[],
): (SuppressionReason | undefined)[] {
  const reasons = [...initial]
  // Equations come children first (subtotals before the total), so one pass carries a hidden
  // cell up through its subtotal to the total.
  for (const { parent, children } of equations)
    if (reasons[parent] === undefined && children.some((child) => reasons[child] !== undefined))
      reasons[parent] = 'complementary'
  return reasons
}

/** How a table with totals was protected, as `aggregate` reports it. */
export type Protection =
  | {
      readonly method: 'interval-audit'
      readonly auditor: string
      readonly width: number
      readonly narrowest: number
      readonly rounds: number
    }
  | { readonly method: 'margins-withheld' }

/**
 * Protects the suppressed rows of an exact table: nothing to do without margins; with an auditor
 * the interval audit; without one, every margin over a hidden row is withheld.
 */
export function protectTable(
  counts: readonly number[],
  equations: readonly MarginEquation[],
  reasons: readonly (SuppressionReason | undefined)[],
  isMargin: readonly boolean[],
  auditor: IntervalAuditor | undefined,
  width: number,
): { reasons: readonly (SuppressionReason | undefined)[]; protection: Protection | undefined } {
  if (equations.length === 0) return { reasons, protection: undefined }
  if (auditor === undefined)
    return {
      reasons: withholdMargins(equations, reasons),
      protection: { method: 'margins-withheld' },
    }
  const outcome = protectIntervals(counts, equations, reasons, isMargin, auditor, width)
  return {
    reasons: outcome.reasons,
    protection: {
      method: 'interval-audit',
      auditor: auditor.name,
      width,
      narrowest: outcome.narrowest,
      rounds: outcome.rounds,
    },
  }
}
