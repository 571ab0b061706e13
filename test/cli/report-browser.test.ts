// The HTML report in a real browser: Debian's chromium driven by playwright-core (never a
// downloaded browser). It must render the grid and the chart, log no console error, make no
// request of any kind, pass axe-core with no serious or critical violation, and print. A
// screenshot is kept under test-results/ (git-ignored). Without /usr/bin/chromium the suite
// skips loudly on a dev machine and fails under CI (CI=true, or DATAGATE_REQUIRE_CHROMIUM=1
// from .ci/run).
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LogProject } from './make-log.js'
import { HOSTILE_NAME, makeReportProject } from './report-project.js'
import { root, runCli } from './run-cli.js'

const CHROMIUM = '/usr/bin/chromium'
const required = process.env.CI === 'true' || process.env.DATAGATE_REQUIRE_CHROMIUM === '1'
const present = existsSync(CHROMIUM)
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
)

interface AxeResult {
  readonly violations: readonly {
    id: string
    impact: string | null
    help: string
    nodes: { target: unknown }[]
  }[]
  readonly passes: readonly unknown[]
}

function browserSuite(name: string, body: () => void): void {
  if (present) {
    describe(name, body)
    return
  }
  const message = `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`
  if (required) {
    describe(name, () => {
      it('needs chromium', () => {
        throw new Error(`${message} (required under CI)`)
      })
    })
    return
  }
  console.warn(`\n*** SKIPPED "${name}": ${message} ***\n`)
  describe.skip(name, body)
}

browserSuite('the HTML report in headless Chromium', () => {
  let project: LogProject
  let browser: Browser
  let page: Page
  const consoleErrors: string[] = []
  const requests: string[] = []

  beforeAll(async () => {
    project = await makeReportProject()
    const run = runCli(
      ['report', '--month', '2026-06', '--format', 'html', '--out', 'report.html'],
      {
        cwd: project.dir,
      },
    )
    expect(run.code).toBe(0)
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    page.on('pageerror', (error) => consoleErrors.push(error.message))
    page.on('request', (request) => requests.push(request.url()))
    // setContent makes no request itself: any request seen is one the report made.
    await page.setContent(readFileSync(join(project.dir, 'report.html'), 'utf8'), {
      waitUntil: 'load',
    })
  })

  afterAll(async () => {
    await browser?.close()
  })

  it('renders the grid and the chart with a size, and every cell carries a text label', async () => {
    const grids = page.locator('table.grid')
    expect(await grids.count()).toBe(2)
    for (const grid of await grids.all()) {
      const box = await grid.boundingBox()
      expect(box?.width).toBeGreaterThan(0)
      expect(box?.height).toBeGreaterThan(0)
    }
    const labels = await page.locator('td.cell').allInnerTexts()
    expect(labels.length).toBeGreaterThan(0)
    for (const label of labels) expect(label).toMatch(/^(public|transformed: |denied)/)
    const chart = await page.locator('svg.chart').boundingBox()
    expect(chart?.width).toBeGreaterThan(0)
    expect(chart?.height).toBeGreaterThan(0)
    const bars = page.locator('svg.chart rect.bar')
    expect(await bars.count()).toBe(6)
    for (const bar of await bars.all()) expect((await bar.boundingBox())?.height).toBeGreaterThan(0)
    await expect
      .poll(() => page.locator('svg.chart').getAttribute('aria-labelledby'))
      .toBe('chart-title chart-desc')
  })

  it('shows a partner named <script> as text and runs no script', async () => {
    expect(await page.evaluate(() => document.scripts.length)).toBe(0)
    expect(await page.getByText(HOSTILE_NAME).count()).toBeGreaterThan(0)
  })

  it('logs no console error and makes no network request', () => {
    expect(consoleErrors).toEqual([])
    expect(requests).toEqual([])
  })

  it('has no serious or critical axe-core violation', async () => {
    // Evaluated over the protocol, not as a <script>: the report's own CSP forbids scripts.
    await page.evaluate(axeSource)
    const result = (await page.evaluate(() =>
      (globalThis as unknown as { axe: { run: () => Promise<unknown> } }).axe.run(),
    )) as AxeResult
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    expect(
      bad.map((v) => `${v.id}: ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`),
    ).toEqual([])
    expect(result.passes.length).toBeGreaterThan(0)
    expect(consoleErrors).toEqual([])
  })

  it('axe-core does flag a low-contrast cell (the check above is live)', async () => {
    const other = await browser.newPage()
    try {
      await other.setContent(readFileSync(join(project.dir, 'report.html'), 'utf8'))
      await other.evaluate(() => {
        const cell = document.querySelector('td.cell')
        if (cell instanceof HTMLElement) cell.style.color = '#d0d0d0'
      })
      await other.evaluate(axeSource)
      const result = (await other.evaluate(() =>
        (globalThis as unknown as { axe: { run: () => Promise<unknown> } }).axe.run(),
      )) as AxeResult
      expect(result.violations.map((v) => `${v.id}:${v.impact}`)).toContain(
        'color-contrast:serious',
      )
    } finally {
      await other.close()
    }
  })

  it('keeps the grid labels when printed, and writes a screenshot under test-results/', async () => {
    await page.emulateMedia({ media: 'print' })
    const labels = await page.locator('td.cell').allInnerTexts()
    expect(labels.some((l) => l.startsWith('denied'))).toBe(true)
    expect(labels.some((l) => l.startsWith('public'))).toBe(true)
    const pdf = await page.pdf({ format: 'A4' })
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    await page.emulateMedia({ media: 'screen' })
    const dir = join(root, 'test-results')
    mkdirSync(dir, { recursive: true })
    const file = join(dir, 'report.png')
    const png = await page.screenshot({ path: file, fullPage: true })
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    expect(existsSync(file)).toBe(true)
  })
})
