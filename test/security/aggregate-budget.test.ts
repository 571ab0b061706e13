// Threat: noisy aggregates released without bound average the noise away. Each partner has an
// epsilon budget per period; the ledger must refuse, atomically and across restarts, a release
// that would pass it.
import { spawn } from 'node:child_process'
import { readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, vi } from 'vitest'
import { memoryAuditSink } from '../../src/export/audit.js'
import { type BudgetStore, memoryBudgetStore } from '../../src/export/budget.js'
import { fileBudgetStore } from '../../src/export/budget-file.node.js'
import { createGate } from '../../src/export/gate.js'
import { generateKeys } from '../../src/export/keys.js'
import { expectCode } from '../export/helpers.js'
import { tempDir } from '../temp-dir.js'
import { findingCodes, NOW, policyOf, Repair, row } from './aggregate-fixtures.js'

const measures = { n: { op: 'count' }, hours: { op: 'sum', field: 'hours' } } as const
// count + hours sum, cells only: 2 x 0.25 = 0.5 epsilon per release; budget 1.2: two releases
const noisy = { aggregate: { by: ['city'], measures, noise: { epsilon: 0.25, sensitivity: 24 } } }
const budget = { epsilon: 1.2, period: 'month' }
const rows = Array.from({ length: 30 }, (_, i) => row(i % 2 ? 'Kiel' : 'Ulm', 'A4', i % 9, i))
const request = { partner: 'stats-co', dataset: 'repair', purpose: 'stats-0' }
const spendCharge = { key: 'shared', amount: 3, limit: 100 }

async function noisyGate(store: BudgetStore, audit = memoryAuditSink()) {
  return createGate({
    issuer: 'oem',
    datasets: [Repair],
    policy: policyOf([noisy], { budget }),
    keys: await generateKeys(),
    budget: store,
    audit,
    now: () => NOW,
  })
}

describe('threat: unbounded noisy releases', () => {
  it('noise without a budget, or one release costing more than the budget, does not load', () => {
    expect(findingCodes(() => policyOf([noisy]))).toEqual(['aggregate_noise_without_budget'])
    expect(
      findingCodes(() => policyOf([noisy], { budget: { epsilon: 0.4, period: 'day' } })),
    ).toEqual(['aggregate_cost_exceeds_budget'])
  })

  it('a release that would exceed the budget is refused with ERR_BUDGET_EXCEEDED and spends nothing; the spend is in the audit event', async () => {
    const audit = memoryAuditSink()
    const store = memoryBudgetStore()
    const gate = await noisyGate(store, audit)
    await gate.export(rows, request)
    await gate.release(rows, request)
    await expectCode(gate.export(rows, request), 'ERR_BUDGET_EXCEEDED')
    await expectCode(gate.release(rows, request), 'ERR_BUDGET_EXCEEDED')
    expect(
      audit.events
        .filter((event) => event.type === 'export' || event.type === 'release')
        .map((event) => [event.type, event.details?.epsilonSpent, event.details?.epsilonTotal]),
    ).toEqual([
      ['export', 0.5, 0.5],
      ['release', 0.5, 1],
    ])
    expect(audit.events.find((event) => event.type === 'export')?.details).toMatchObject({
      budgetPeriod: '2026-06',
      epsilonLimit: 1.2,
    })
    // The refused releases spent nothing: 0.2 is left, exactly.
    const left = await store.spend([
      {
        key: JSON.stringify(['epsilon', 'stats-co', '2026-06']),
        amount: 200_000_000,
        limit: 1_200_000_000,
      },
    ])
    expect(left).toEqual({ ok: true, totals: [1_200_000_000] })
  })

  it('the file-folder ledger survives a restart: a new gate on the same folder sees the spent budget', async () => {
    const folder = tempDir('datagate-budget-')
    const first = await noisyGate(fileBudgetStore(folder))
    await first.export(rows, request)
    await first.export(rows, request)
    const restarted = await noisyGate(fileBudgetStore(folder))
    await expectCode(restarted.export(rows, request), 'ERR_BUDGET_EXCEEDED')
    const ledger = JSON.parse(await readFile(join(folder, 'budget.json'), 'utf8'))
    expect(ledger).toEqual({
      version: 1,
      entries: { '["epsilon","stats-co","2026-06"]': 1_000_000_000 },
    })
  })

  it('no budget store, no budgeted policy: without one, once: true and epsilon would start afresh on every restart', async () => {
    const keys = await generateKeys()
    const gateWith = (policy: ReturnType<typeof policyOf>, budgetStore?: BudgetStore) =>
      createGate({
        issuer: 'oem',
        datasets: [Repair],
        policy,
        keys,
        audit: false,
        ...(budgetStore ? { budget: budgetStore } : {}),
        now: () => NOW,
      })
    const once = policyOf([{ aggregate: { by: ['city'], measures, once: true } }])
    const records = policyOf([{}])
    const budgeted = [
      policyOf([noisy], { budget }),
      once,
      // A partner budget alone: record-level noise.laplace fields spend from it.
      policyOf([{}], { budget }),
    ]
    for (const policy of budgeted) {
      const error = (() => {
        try {
          gateWith(policy)
        } catch (caught) {
          return caught as Error & { code?: string }
        }
        return undefined
      })()
      expect(error?.code).toBe('ERR_INVALID_ARGUMENT')
      expect(error?.message).toMatch(/fileBudgetStore\(folder\).*memoryBudgetStore\(\)/)
    }
    // Record agreements spend nothing and need no store; setPolicy to a budgeted policy does.
    const plain = gateWith(records)
    const before = plain.policy
    expect(() => plain.setPolicy(once)).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
    expect(plain.policy).toBe(before)
    // With an explicit store everything goes, and a store must have a spend function.
    gateWith(once, memoryBudgetStore()).setPolicy(budgeted[0]!)
    expect(() => gateWith(once, {} as BudgetStore)).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
  })

  it('once: true survives a restart on the file-folder ledger: the restarted gate refuses the second release', async () => {
    const folder = tempDir('datagate-budget-')
    const once = policyOf([{ aggregate: { by: ['city'], measures, once: true } }])
    const gateOn = async () =>
      createGate({
        issuer: 'oem',
        datasets: [Repair],
        policy: once,
        keys: await generateKeys(),
        audit: false,
        budget: fileBudgetStore(folder),
        now: () => NOW,
      })
    await (await gateOn()).export(rows, request)
    await expectCode((await gateOn()).export(rows, request), 'ERR_BUDGET_EXCEEDED')
  })

  it('a corrupt ledger file fails closed with ERR_BUDGET_UNAVAILABLE', async () => {
    const folder = tempDir('datagate-budget-')
    await writeFile(join(folder, 'budget.json'), '{"entries": {"x": -5}}')
    const gate = await noisyGate(fileBudgetStore(folder))
    await expectCode(gate.export(rows, request), 'ERR_BUDGET_UNAVAILABLE')
  })

  it('concurrent spends never exceed the budget: memory store, two file stores on one folder', async () => {
    const folder = tempDir('datagate-budget-')
    const stores = [memoryBudgetStore(), fileBudgetStore(folder), fileBudgetStore(folder)]
    const memory = await Promise.all(
      Array.from({ length: 60 }, () => stores[0]!.spend([spendCharge])),
    )
    expect(memory.filter((outcome) => outcome.ok)).toHaveLength(33)
    const files = await Promise.all(
      Array.from({ length: 60 }, (_, i) => stores[1 + (i % 2)]!.spend([spendCharge])),
    )
    expect(files.filter((outcome) => outcome.ok)).toHaveLength(33)
    expect(await fileBudgetStore(folder).read()).toEqual({ shared: 99 })
  })

  it('concurrent spends from four processes on one folder never exceed the budget', async () => {
    const folder = tempDir('datagate-budget-')
    const worker = fileURLToPath(new URL('./aggregate-budget-worker.ts', import.meta.url))
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url))
    const runs = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<number>((resolve, reject) => {
            const child = spawn(tsx, [worker, folder, '25'], {
              stdio: ['ignore', 'pipe', 'inherit'],
            })
            let out = ''
            child.stdout.on('data', (chunk) => {
              out += chunk
            })
            child.on('error', reject)
            child.on('exit', (code) =>
              code === 0 ? resolve(Number(out.trim())) : reject(new Error(`worker exit ${code}`)),
            )
          }),
      ),
    )
    // 100 attempts of 3 units under a limit of 100: exactly 33 pass, whoever wins them.
    expect(runs.reduce((a, b) => a + b, 0)).toBe(33)
    expect(await fileBudgetStore(folder).read()).toEqual({ shared: 99 })
  }, 60_000)

  it('a lock left by a process that died is taken over', async () => {
    const folder = tempDir('datagate-budget-')
    const { hostname } = await import('node:os')
    await writeFile(
      join(folder, 'budget.lock'),
      JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname() }),
    )
    expect((await fileBudgetStore(folder, { lockTimeoutMs: 500 }).spend([spendCharge])).ok).toBe(
      true,
    )
  })

  it('a lock held past the timeout fails closed even when the wall clock goes backwards meanwhile', async () => {
    const folder = tempDir('datagate-budget-')
    const { hostname } = await import('node:os')
    // A live holder on this host (this very process, so never stale).
    await writeFile(
      join(folder, 'budget.lock'),
      JSON.stringify({ pid: process.pid, host: hostname() }),
    )
    let wall = Date.now()
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => (wall -= 1000))
    try {
      const started = performance.now()
      await expectCode(
        Promise.resolve(fileBudgetStore(folder, { lockTimeoutMs: 200 }).spend([spendCharge])),
        'ERR_BUDGET_UNAVAILABLE',
      )
      expect(performance.now() - started).toBeLessThan(5000)
    } finally {
      clock.mockRestore()
    }
  }, 10_000)

  it('a symlinked budget.json, dangling or not, is refused: replacing it would silently unshare the ledger it points to', async () => {
    const shared = tempDir('datagate-budget-shared-')
    const target = join(shared, 'budget.json')
    await writeFile(target, JSON.stringify({ version: 1, entries: { shared: 90 } }))
    const dangling = tempDir('datagate-budget-')
    await symlink(join(shared, 'absent.json'), join(dangling, 'budget.json'))
    await expectCode(
      Promise.resolve(fileBudgetStore(dangling).spend([spendCharge])),
      'ERR_BUDGET_UNAVAILABLE',
    )
    const folders = [tempDir('datagate-budget-'), tempDir('datagate-budget-')]
    for (const folder of folders) await symlink(target, join(folder, 'budget.json'))
    // Two gates meant to share the 10 units left through the link: the lock is per folder, and
    // each first write replaced its link with a file of its own, so neither spend reached it.
    for (const folder of folders)
      await expectCode(
        Promise.resolve(fileBudgetStore(folder).spend([spendCharge])),
        'ERR_BUDGET_UNAVAILABLE',
      )
    expect(JSON.parse(await readFile(target, 'utf8')).entries).toEqual({ shared: 90 })
  })
})
