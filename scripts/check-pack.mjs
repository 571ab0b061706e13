// Checks the package as a user gets it: `npm pack`, install the tarball into an empty project,
// then import every subpath with `import` and `require`, run the contract's flow from the
// installed copy, and bundle `datagate/classify` for an edge runtime to prove what it leaves out.
import { execFileSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  })
let failures = 0
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`)
  if (!ok) failures++
}

const work = mkdtempSync(join(tmpdir(), 'datagate-pack-'))
try {
  const [{ filename, files }] = JSON.parse(
    run('npm', ['pack', '--json', '--pack-destination', work], root),
  )
  check(
    files.every(
      (f) =>
        f.path.startsWith('dist/') ||
        /^docs\/[\w-]+\.md$/.test(f.path) ||
        ['package.json', 'README.md', 'LICENSE'].includes(f.path),
    ),
    `tarball holds only dist, docs/*.md, README, LICENSE (${files.length} files)`,
  )
  check(
    !files.some((f) => f.path.startsWith('docs/api/')),
    'the generated API reference (docs/api) is not in the tarball',
  )
  const consumer = join(work, 'consumer')
  run('mkdir', ['-p', consumer])
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  )
  run(
    'npm',
    // express, hono, fastify and fastify-plugin are optional peer dependencies: the consumer installs them for the adapters.
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      join(work, filename),
      'express@5',
      'hono@4',
      'fastify@5',
      'fastify-plugin@6',
    ],
    consumer,
  )

  // The README as npm shows it and as it sits in node_modules: every link resolves. Relative
  // links must name a file the tarball ships; links into the project must point at the
  // repository named in package.json; every other absolute link must be https.
  const installed = join(consumer, 'node_modules', 'datagate')
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'))
  const repository = String(manifest.repository?.url ?? '')
    .replace(/^git\+/, '')
    .replace(/\.git$/, '')
  check(
    /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/.test(repository) &&
      String(manifest.homepage).startsWith(repository) &&
      String(manifest.bugs?.url).startsWith(repository),
    `package.json names the repository, homepage and bugs (${repository})`,
  )
  const linksOf = (markdown) => [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1])
  const deadLinks = (markdown) =>
    linksOf(markdown).filter((link) => {
      if (/^[a-z][a-z+.-]*:/i.test(link)) {
        const project = link.startsWith('https://github.com/datagate-js/')
        return !link.startsWith('https://') || (project && !link.startsWith(`${repository}/`))
      }
      const target = link.split('#')[0]
      return target !== '' && !existsSync(join(installed, target))
    })
  const readme = readFileSync(join(installed, 'README.md'), 'utf8')
  const links = linksOf(readme)
  const dead = deadLinks(readme)
  check(
    links.length > 10 && dead.length === 0,
    `every README link resolves in the installed package (${links.length} links${dead.length ? `; dead: ${dead.join(', ')}` : ''})`,
  )
  check(
    deadLinks(
      '[a](docs/api/index.html) [b](http://example.com) [c](https://github.com/datagate-js/other/x) [d](docs/policy.md#standing)',
    ).length === 3,
    'control: the link check finds an unshipped file, a plain-http link and a link to another repository',
  )

  const subpaths = [
    'datagate',
    'datagate/classify',
    'datagate/anonymize',
    'datagate/policy',
    'datagate/export',
    'datagate/node',
    'datagate/fetch',
    'datagate/hono',
    'datagate/express',
    'datagate/fastify',
    'datagate/client',
    'datagate/postgres',
    'datagate/redis',
    'datagate/jobs',
    'datagate/cli',
  ]
  for (const subpath of subpaths) {
    const esm = run(
      'node',
      [
        '--input-type=module',
        '-e',
        `import * as m from '${subpath}'; console.log(Object.keys(m).length)`,
      ],
      consumer,
    )
    check(Number(esm) > 0, `import '${subpath}' (${esm.trim()} exports)`)
    const cjs = run(
      'node',
      ['-e', `console.log(Object.keys(require('${subpath}')).length)`],
      consumer,
    )
    check(Number(cjs) === Number(esm), `require('${subpath}') gives the same ${cjs.trim()} exports`)
  }

  // The bin as npm installs it: linked into node_modules/.bin and runnable.
  const binVersion = run(
    join(consumer, 'node_modules', '.bin', 'datagate'),
    ['--version'],
    consumer,
  )
  check(
    binVersion.trim() === JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version,
    `the datagate bin runs from the tarball (--version ${binVersion.trim()})`,
  )

  // Importing the core, the fetch adapter or the client never loads a framework: with express
  // and hono replaced by packages that throw when loaded, they still import (ESM and CJS).
  for (const framework of ['express', 'hono', 'fastify', 'fastify-plugin']) {
    const dir = join(consumer, 'node_modules', framework)
    rmSync(`${dir}.real`, { recursive: true, force: true })
    renameSync(dir, `${dir}.real`)
    mkdirSync(dir)
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: framework,
        version: '0.0.0',
        exports: { '.': './index.js', './*': './index.js' },
      }),
    )
    writeFileSync(join(dir, 'index.js'), `throw new Error('${framework} was loaded')\n`)
  }
  try {
    for (const subpath of ['datagate', 'datagate/export', 'datagate/fetch', 'datagate/client']) {
      let ok = true
      try {
        run('node', ['--input-type=module', '-e', `import '${subpath}'`], consumer)
        run('node', ['-e', `require('${subpath}')`], consumer)
      } catch {
        ok = false
      }
      check(
        ok,
        `importing '${subpath}' loads no framework: express, hono, fastify (import and require)`,
      )
    }
    let control = false
    try {
      run('node', ['--input-type=module', '-e', "import 'datagate/hono'"], consumer)
    } catch (error) {
      // Linking fails on the stub (no named exports) or evaluating it throws: either way it was reached.
      control = /hono was loaded|module 'hono\/factory'/.test(String(error.stderr))
    }
    check(control, 'control: with the stubs in place, datagate/hono does fail to load hono')
    let fastifyControl = false
    try {
      run('node', ['-e', "require('datagate/fastify')"], consumer)
    } catch (error) {
      fastifyControl = /fastify-plugin was loaded/.test(String(error.stderr))
    }
    check(
      fastifyControl,
      'control: with the stubs in place, datagate/fastify does fail to load fastify-plugin',
    )
  } finally {
    for (const framework of ['express', 'hono', 'fastify', 'fastify-plugin']) {
      const dir = join(consumer, 'node_modules', framework)
      rmSync(dir, { recursive: true, force: true })
      renameSync(`${dir}.real`, dir)
    }
  }

  const contract = [
    'defineDataset',
    'field',
    'mask',
    'pseudonymize',
    'generalize',
    'scanText',
    'createGate',
    'loadPolicy',
    'generateKeys',
    'verifyExport',
    'applyDelta',
    'verifyAuditChain',
    'verifyAuditLog',
    'DatagateError',
  ]
  const missing = run(
    'node',
    [
      '--input-type=module',
      '-e',
      `import * as m from 'datagate'; console.log(${JSON.stringify(contract)}.filter((n) => !(n in m)).join(','))`,
    ],
    consumer,
  ).trim()
  check(
    missing === '',
    `the contract's names are exported from 'datagate'${missing ? ` (missing: ${missing})` : ''}`,
  )

  const flow = `
    const { z } = require('zod')
    const d = require('datagate')
    const Customer = d.defineDataset('customer', z.object({
      customerId: d.field.desensitised(z.string(), d.pseudonymize()),
      name: d.field.sensitive(z.string()),
      phone: d.field.desensitised(z.string(), d.mask.phone()),
      city: d.field.public(z.string()),
    }), { version: '1' })
    const policy = d.loadPolicy('issuer: oem\\npartners:\\n  - id: p\\n    name: P\\n    category: resource\\n    standing: gold\\n    core: true\\n    agreements:\\n      - { id: a, dataset: customer, purpose: x, fields: [customerId, phone, city], validFrom: 2026-01-01, validUntil: 2099-12-31 }\\n', { datasets: [Customer] })
    ;(async () => {
      const keys = await d.generateKeys()
      const gate = d.createGate({ issuer: 'oem', datasets: [Customer], policy, keys, pseudonymKey: Uint8Array.from({ length: 32 }, (_, i) => (i * 151 + 1) & 0xff), audit: d.memoryAuditSink() })
      const signed = await gate.export([{ customerId: 'C1', name: 'Zhang San', phone: '13812345678', city: 'Hangzhou' }], { partner: 'p', dataset: 'customer', purpose: 'x' })
      const { records } = await d.verifyExport(signed.token, { jwks: gate.jwks(), issuer: 'oem', audience: 'p' })
      const shared = require('datagate/classify').defineDataset === d.defineDataset
      console.log(JSON.stringify({ phone: records[0].phone, name: 'name' in records[0], shared }))
    })().catch((e) => { console.error(e); process.exit(1) })`
  const flowOut = JSON.parse(run('node', ['-e', flow], consumer))
  check(
    flowOut.phone === '138****5678' && flowOut.name === false,
    'the contract flow runs from the installed package (CJS): masked phone, no name',
  )
  check(
    flowOut.shared === true,
    "subpaths share one copy of each function (datagate/classify's defineDataset is datagate's)",
  )

  // Edge bundle: no `node:` condition, so `#hash` must resolve to @noble/hashes, and the
  // classify stage must not drag in jose (signing) or CASL (policy).
  const esbuild = join(root, 'node_modules', '.bin', 'esbuild')
  // Bundles `source` as an edge worker would: neutral platform, worker/browser conditions, so
  // no `node` condition and no Node built-ins.
  const edgeBundle = (name, source) => {
    const entry = join(consumer, name)
    writeFileSync(entry, source)
    return run(
      esbuild,
      [
        entry,
        '--bundle',
        '--format=esm',
        '--platform=neutral',
        '--main-fields=module,main',
        '--conditions=worker,browser',
        '--log-level=error',
      ],
      consumer,
    )
  }
  const bundle = edgeBundle(
    'edge.mjs',
    "import { defineDataset, field, scanText } from 'datagate/classify'\nconsole.log(typeof defineDataset, typeof field, typeof scanText)\n",
  )
  check(
    !/from\s*["']node:|require\(["']node:/.test(bundle),
    'datagate/classify bundles for an edge runtime without node: imports',
  )
  check(
    !bundle.includes('CompactSign') && !bundle.includes('jose'),
    'datagate/classify pulls in no jose',
  )
  check(
    !bundle.includes('@casl') &&
      !bundle.includes('PureAbility') &&
      !bundle.includes('buildMongoQueryMatcher'),
    'datagate/classify pulls in no CASL',
  )
  const fullBundle = edgeBundle(
    'edge-full.mjs',
    "import { createGate, verifyExport } from 'datagate'\nconsole.log(typeof createGate, typeof verifyExport)\n",
  )
  check(
    !/from\s*["']node:|require\(["']node:/.test(fullBundle),
    'the whole library bundles for an edge runtime without node: imports',
  )
  check(
    fullBundle.includes('node_modules/datagate/dist/hash.js') &&
      fullBundle.includes('node_modules/@noble/hashes/sha2.js') &&
      !fullBundle.includes('hash.node'),
    "outside Node, '#hash' resolves to @noble/hashes",
  )
  const adapterBundle = edgeBundle(
    'edge-adapters.mjs',
    "import { withShare, bearerPartner } from 'datagate/fetch'\nimport { fetchShared } from 'datagate/client'\nconsole.log(typeof withShare, typeof bearerPartner, typeof fetchShared)\n",
  )
  check(
    !/from\s*["']node:|require\(["']node:/.test(adapterBundle),
    'datagate/fetch and datagate/client bundle for an edge runtime without node: imports',
  )
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version
  console.log(
    `\npacked datagate@${version}: ${failures === 0 ? 'all checks passed' : `${failures} check(s) failed`}`,
  )
} finally {
  rmSync(work, { recursive: true, force: true })
}
process.exit(failures === 0 ? 0 : 1)
