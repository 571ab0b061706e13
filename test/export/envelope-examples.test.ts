// Runs every TSDoc @example of the envelope, key and verification modules, so the documented
// examples stay true. `datagate/export` is pointed at a shim re-exporting those modules (the
// examples must not depend on the rest of the barrel); lines ending in `// value ...` are not
// asserted, only that each example runs to the end without throwing.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = new URL('../../', import.meta.url)
const FILES = [
  'src/export/types.ts',
  'src/export/keys.ts',
  'src/export/sign.ts',
  'src/export/verify.ts',
  'src/export/verify-export.ts',
  'src/export/replay-cache.ts',
]
// Inside node_modules so bare imports (jose) resolve from the project; removed afterwards.
const OUT = fileURLToPath(new URL('node_modules/.cache/datagate-envelope-examples/', ROOT))
const SHIM = fileURLToPath(new URL('./envelope-examples.shim.ts', import.meta.url))

function examples(file: string): string[] {
  const source = readFileSync(new URL(file, ROOT), 'utf8')
  const blocks: string[] = []
  for (const match of source.matchAll(/@example\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/g)) {
    blocks.push(match[1]!.replace(/^\s*\* ?/gm, ''))
  }
  return blocks
}

function rewrite(code: string, file: string): string {
  const dir = new URL(file, ROOT)
  return code
    .replaceAll("'datagate/export'", JSON.stringify(SHIM))
    .replace(/'(\.\/[\w-]+)\.js'/g, (_, path: string) =>
      JSON.stringify(fileURLToPath(new URL(`${path}.ts`, dir))),
    )
}

mkdirSync(OUT, { recursive: true })
afterAll(() => rmSync(OUT, { recursive: true, force: true }))

describe('TSDoc examples run', () => {
  for (const file of FILES) {
    const blocks = examples(file)
    it(`${file} has examples`, () => expect(blocks.length).toBeGreaterThan(0))
    blocks.forEach((code, index) => {
      it(`${file} example ${index + 1}`, async () => {
        const path = `${OUT}${file.replaceAll('/', '_')}-${index}.ts`
        writeFileSync(path, `${rewrite(code, file)}\nexport {}\n`)
        const log = console.log
        console.log = () => {}
        try {
          await import(/* @vite-ignore */ path)
        } finally {
          console.log = log
        }
      })
    })
  }
})
