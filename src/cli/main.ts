#!/usr/bin/env node
// The `datagate` bin. Everything is in program.ts; this file wires the process to it.
import { createRequire } from 'node:module'
import { run } from './program.js'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

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
