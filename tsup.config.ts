import { defineConfig } from 'tsup'

// One build, ESM and CJS, with shared chunks so that `datagate` and `datagate/export` share one
// DatagateError class. `#hash` stays an import resolved by package.json "imports": node:crypto
// under the `node` condition, @noble/hashes elsewhere (edge runtimes, browsers).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    classify: 'src/classify/index.ts',
    anonymize: 'src/anonymize/index.ts',
    policy: 'src/policy/index.ts',
    export: 'src/export/index.ts',
    node: 'src/node.ts',
    fetch: 'src/adapters/fetch/index.ts',
    hono: 'src/adapters/hono/index.ts',
    express: 'src/adapters/express/index.ts',
    fastify: 'src/adapters/fastify/index.ts',
    client: 'src/client/index.ts',
    postgres: 'src/stores/postgres.ts',
    redis: 'src/stores/redis.ts',
    jobs: 'src/jobs/index.ts',
    // The `datagate` bin (dist/cli.js, shebang kept from the source) and `datagate/cli`, the
    // zod schemas of its JSON output.
    cli: 'src/cli/main.ts',
    'cli-schemas': 'src/cli/index.ts',
    hash: 'src/lib/hash.ts',
    'hash.node': 'src/lib/hash.node.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  splitting: true,
  sourcemap: false,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  external: [
    '#hash',
    /^node:/,
    'express',
    'fastify',
    'fastify-plugin',
    /^hono(\/|$)/,
    'pg',
    'redis',
    'ioredis',
  ],
  treeshake: true,
  // Keep 'node:crypto' as written: Deno and Bun resolve Node built-ins by the prefix.
  removeNodeProtocol: false,
  // import.meta.url in the CJS copy of the CLI (jiti and the bin's version read resolve from it);
  // no core module uses import.meta, so nothing else changes.
  shims: true,
})
