// Real child processes for the store tests: each runs a fixture of test/stores/fixtures/ under
// tsx (test/child-process.ts) and reports on stdout, one line per fact.
import { fileURLToPath } from 'node:url'
import { type Child, startScript } from '../child-process.js'

export type { Child } from '../child-process.js'

/** Starts `test/stores/fixtures/<fixture>.ts` with `args`. */
export function startChild(
  fixture: string,
  args: readonly string[],
  options: { stdin?: boolean } = {},
): Child {
  return startScript(
    fileURLToPath(new URL(`fixtures/${fixture}.ts`, import.meta.url)),
    args,
    options,
  )
}

/** Lines of `child` that start with `tag `, without the tag. */
export const tagged = (lines: readonly string[], tag: string): string[] =>
  lines.filter((line) => line.startsWith(`${tag} `)).map((line) => line.slice(tag.length + 1))
