// Myers' O((N+M)D) shortest edit script over two sequences of keys (E. W. Myers, "An O(ND)
// Difference Algorithm and Its Variations", Algorithmica 1986). Used to diff released views
// record by record, so a record removed in the middle costs one operation, not a shift of
// every record after it. Gives up (returns undefined) past `maxEdits`, so the caller can fall
// back to a positional diff instead of using quadratic memory.

/** One step of an edit script. */
export type EditStep =
  | { readonly kind: 'equal'; readonly from: number; readonly to: number }
  | { readonly kind: 'delete'; readonly from: number }
  | { readonly kind: 'insert'; readonly to: number }

/** Shortest edit script from `a` to `b`, or `undefined` when it needs more than `maxEdits` edits. */
export function editScript<T extends string | number>(
  a: readonly T[],
  b: readonly T[],
  maxEdits: number,
): EditStep[] | undefined {
  const n = a.length
  const m = b.length
  const max = Math.min(n + m, maxEdits)
  const offset = max + 1
  const v = new Int32Array(2 * max + 3)
  const trace: Int32Array[] = []
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice())
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number))
          ? (v[offset + k + 1] as number)
          : (v[offset + k - 1] as number) + 1
      let y = x - k
      while (x < n && y < m && a[x] === b[y]) {
        x++
        y++
      }
      v[offset + k] = x
      if (x >= n && y >= m) return backtrack(trace, d, n, m, offset)
    }
  }
  return undefined
}

function backtrack(
  trace: readonly Int32Array[],
  depth: number,
  n: number,
  m: number,
  offset: number,
): EditStep[] {
  const steps: EditStep[] = []
  let x = n
  let y = m
  for (let d = depth; d > 0; d--) {
    const v = trace[d] as Int32Array
    const k = x - y
    const down =
      k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number))
    const prevK = down ? k + 1 : k - 1
    const prevX = v[offset + prevK] as number
    const prevY = prevX - prevK
    while (x > prevX && y > prevY) {
      x--
      y--
      steps.push({ kind: 'equal', from: x, to: y })
    }
    if (down) {
      y--
      steps.push({ kind: 'insert', to: y })
    } else {
      x--
      steps.push({ kind: 'delete', from: x })
    }
  }
  while (x > 0 && y > 0) {
    x--
    y--
    steps.push({ kind: 'equal', from: x, to: y })
  }
  return steps.reverse()
}
