// Real child processes for the tests: a TypeScript script under tsx that reports on stdout, one
// line per fact, which the test reads as it comes.
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))

export interface Child {
  readonly process: ChildProcess
  readonly lines: string[]
  /** Resolves once `predicate` holds for the output so far, or the child has exited. */
  until(predicate: (lines: readonly string[]) => boolean): Promise<void>
  readonly exited: Promise<number | null>
}

/** Starts the TypeScript file `script` under tsx with `args`, from the repository's root. */
export function startScript(
  script: string,
  args: readonly string[],
  options: { stdin?: boolean } = {},
): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    stdio: [options.stdin === true ? 'pipe' : 'ignore', 'pipe', 'inherit'],
  })
  const lines: string[] = []
  const waiters: (() => void)[] = []
  let rest = ''
  child.stdout?.on('data', (data: Buffer) => {
    const parts = (rest + data.toString('utf8')).split('\n')
    rest = parts.pop() ?? ''
    lines.push(...parts)
    for (const wake of waiters.splice(0)) wake()
  })
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      for (const wake of waiters.splice(0)) wake()
      resolve(code)
    }),
  )
  return {
    process: child,
    lines,
    exited,
    async until(predicate) {
      while (!predicate(lines) && child.exitCode === null && child.signalCode === null)
        await new Promise<void>((resolve) => waiters.push(resolve))
    },
  }
}
