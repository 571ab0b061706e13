import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      // Tests run under Node, so `#hash` resolves to the node:crypto backend as it does for users
      // under the `node` export condition. test/lib/hash.test.ts checks both backends agree.
      { find: '#hash', replacement: src('lib/hash.node.ts') },
      // Examples import the package by name, as users do; in tests that name means the sources.
      // scripts/check-pack.mjs imports the packed tarball instead.
      { find: /^datagate\/(classify|anonymize|policy|export)$/, replacement: src('$1/index.ts') },
      { find: /^datagate\/node$/, replacement: src('node.ts') },
      {
        find: /^datagate\/(fetch|hono|express|fastify)$/,
        replacement: src('adapters/$1/index.ts'),
      },
      { find: /^datagate\/client$/, replacement: src('client/index.ts') },
      { find: /^datagate\/(postgres|redis)$/, replacement: src('stores/$1.ts') },
      { find: /^datagate\/jobs$/, replacement: src('jobs/index.ts') },
      { find: /^datagate\/cli$/, replacement: src('cli/index.ts') },
      { find: /^datagate$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
})
