// The attacker of the aggregate threat tests: reads a published table (suppressed rows marked, so
// the attacker knows every group exists, the strongest position) and solves, with its own HiGHS
// models written independently of src/, the minimum and maximum of every hidden count given every
// published count, every margin, integrality and non-emptiness.
import highs from 'highs'
import type { AggregateRow } from '../../src/anonymize/aggregate.js'

type CountRow = AggregateRow<{ readonly n: { readonly op: 'count' } }>
type Solver = Awaited<ReturnType<typeof highs>>

let loaded: Promise<Solver> | undefined
/** One HiGHS instance for the whole test file. */
export function attackerSolver(): Promise<Solver> {
  loaded ??= highs()
  return loaded
}

export interface Recovered {
  readonly row: string
  readonly min: number
  readonly max: number
}

/** The feasible [min, max] of every hidden count of a published count table. */
export function attack(solver: Solver, rows: readonly CountRow[]): Recovered[] {
  const hidden: readonly CountRow[] = rows.filter((row) => row.suppressed)
  if (hidden.length === 0) return []
  const name = (row: CountRow) => `h${hidden.indexOf(row)}`
  const side = (row: CountRow) =>
    row.suppressed ? { v: name(row), c: 0 } : { v: '', c: row.values.n ?? 0 }
  const constraints: string[] = []
  const margin = (parent: CountRow, children: readonly CountRow[]) => {
    // parent = sum(children)  ->  sum(hidden children) - hidden parent = parent value - published children
    let constant = 0
    const terms: string[] = []
    const p = side(parent)
    if (p.v) terms.push(`- ${p.v}`)
    else constant += p.c
    for (const child of children) {
      const c = side(child)
      if (c.v) terms.push(`+ ${c.v}`)
      else constant -= c.c
    }
    if (terms.length > 0)
      constraints.push(` m${constraints.length}: ${terms.join(' ')} = ${constant}`)
  }
  const cells = rows.filter((row) => row.kind === 'cell')
  const subtotals = rows.filter((row) => row.kind === 'subtotal')
  for (const subtotal of subtotals)
    margin(
      subtotal,
      cells.filter((cell) => cell.key[0] === subtotal.key[0]),
    )
  const total = rows.find((row) => row.kind === 'total')
  if (total) margin(total, subtotals.length > 0 ? subtotals : cells)
  const names = hidden.map(name)
  const solve = (target: string, sense: 'Minimize' | 'Maximize') => {
    const model = [
      sense,
      ` obj: ${target}`,
      'Subject To',
      ...(constraints.length > 0 ? constraints : [` free: ${target} >= 0`]),
      'Bounds',
      ...names.map((n) => ` ${n} >= 1`),
      'Generals',
      ` ${names.join(' ')}`,
      'End',
    ].join('\n')
    const result = solver.solve(model, { output_flag: false })
    if (result.Status === 'Optimal') return Math.round(result.ObjectiveValue)
    if (result.Status === 'Unbounded' || result.Status === 'Primal infeasible or unbounded')
      return Number.POSITIVE_INFINITY
    throw new Error(`attacker model: ${result.Status}`)
  }
  return hidden.map((row) => ({
    row: `${row.kind}:${row.key.join('/')}`,
    min: solve(name(row), 'Minimize'),
    max: solve(name(row), 'Maximize'),
  }))
}

/** Records for a table given by its cell counts: `counts[i][j]` records with a = i, b = j. */
export function recordsFor(counts: readonly (readonly number[])[]): { a: number; b: number }[] {
  return counts.flatMap((row, a) =>
    row.flatMap((count, b) => Array.from({ length: count }, () => ({ a, b }))),
  )
}
