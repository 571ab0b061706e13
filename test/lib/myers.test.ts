import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { editScript } from '../../src/lib/myers.js'

function lcsLength(a: readonly string[], b: readonly string[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0))
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      (dp[i] as number[])[j] =
        a[i - 1] === b[j - 1]
          ? ((dp[i - 1] as number[])[j - 1] as number) + 1
          : Math.max((dp[i - 1] as number[])[j] as number, (dp[i] as number[])[j - 1] as number)
  return (dp[a.length] as number[])[b.length] as number
}

const seq = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 30 })

describe('editScript (Myers)', () => {
  it('turns a into b, and is as short as the longest common subsequence allows', () => {
    fc.assert(
      fc.property(seq, seq, (a, b) => {
        const script = editScript(a, b, 1000)
        expect(script).toBeDefined()
        const rebuilt: string[] = []
        let edits = 0
        for (const step of script ?? []) {
          if (step.kind === 'equal') {
            expect(a[step.from]).toBe(b[step.to])
            rebuilt.push(a[step.from] as string)
          } else if (step.kind === 'insert') {
            rebuilt.push(b[step.to] as string)
            edits++
          } else edits++
        }
        expect(rebuilt).toEqual(b)
        expect(edits).toBe(a.length + b.length - 2 * lcsLength(a, b))
      }),
      { numRuns: 500 },
    )
  })

  it('gives up past maxEdits so callers can fall back', () => {
    expect(editScript(['a', 'b', 'c'], ['x', 'y', 'z'], 2)).toBeUndefined()
    expect(editScript(['a', 'b', 'c'], ['x', 'y', 'z'], 6)).toHaveLength(6)
    expect(editScript([], [], 0)).toEqual([])
  })
})
