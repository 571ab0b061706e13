// Prints vitest's totals as one plain line ("vitest: N passed, N failed, N skipped") from the
// JSON report, so CI logs end with a count any reader (or tool) can find.
import { readFileSync } from 'node:fs'

const report = JSON.parse(readFileSync(new URL('../.vitest/results.json', import.meta.url), 'utf8'))
const passed = report.numPassedTests ?? 0
const failed = report.numFailedTests ?? 0
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
console.log(`vitest: ${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed === 0 && report.success !== false ? 0 : 1)
