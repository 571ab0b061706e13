#!/usr/bin/env node
// The `datagate` bin. Everything is in program.ts; this file wires the process to it.
import { createRequire } from 'node:module'
import { run } from './program.js'

// dist/cli.js sits one folder below package.json; src/cli/main.ts (the demo runs the bin from
// its sources) two.
function packageVersion(): string {
  const require = createRequire(import.meta.url)
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const { name, version } = require(path) as { name?: unknown; version?: unknown }
      if (name === 'datagate' && typeof version === 'string') return version
    } catch {
      // not at this depth
    }
  }
  return '0.0.0-unknown'
}

const version = packageVersion()

run(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() },
  version,
).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`datagate: internal error: ${String(error)}\n`)
    process.exitCode = 3
  },
)
