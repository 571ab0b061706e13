import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // Tests run under Node, so the package's `#hash` import resolves to the node:crypto backend,
    // as it does for users under the `node` export condition. test/lib/hash.test.ts compares both.
    alias: { '#hash': fileURLToPath(new URL('./src/lib/hash.node.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
})
