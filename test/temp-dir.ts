// Temporary folders for tests, removed when the test file that made them finishes: a suite run
// on a CI machine otherwise leaves hundreds of folders in the system's temp directory.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'

const made: string[] = []
function removeAll(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
}
// Registered once per test file (vitest evaluates this module afresh for each file). Child
// processes of the tests import fixtures that use it too; outside vitest there is no suite to
// hook, and the folders go when the process exits.
try {
  afterAll(removeAll)
} catch {
  process.once('exit', removeAll)
}

/** A new empty folder under the system's temp directory, named `<prefix>XXXXXX`. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}
