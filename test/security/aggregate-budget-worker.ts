// Child process of aggregate-budget.test.ts: `attempts` concurrent spends of 3 units under a
// limit of 100 on the folder's ledger; prints how many passed.
import { fileBudgetStore } from '../../src/export/budget-file.node.js'

const [folder, attempts] = process.argv.slice(2)
const store = fileBudgetStore(folder!)
const outcomes = await Promise.all(
  Array.from({ length: Number(attempts) }, () =>
    store.spend([{ key: 'shared', amount: 3, limit: 100 }]),
  ),
)
console.log(outcomes.filter((outcome) => outcome.ok).length)
