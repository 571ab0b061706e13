// Runs every documented example, so the documentation stays true: each TSDoc `@example` ```ts
// block under src/, and each ```ts block of README.md and docs/*.md (```ts no-run blocks are
// for examples that need a file or a network and are left out).
//
// Bare imports of the package (`'datagate'`, `'datagate/export'`, ...) are pointed at the
// sources; relative imports in TSDoc (`'./mask.js'`) resolve from the documented file. Each
// block is written to a temporary .ts file inside node_modules (so `zod` and `jose` resolve from
// the project) and imported.
//
// Documented output is checked too: a line `console.log(args) // expected` (or a
// `console.log(...)` line followed by a line holding only `// expected`) must print values
// deep-equal to `expected` when `expected` is a plain literal (numbers, strings, booleans,
// null, undefined, arrays and objects of those; several values separated by spaces for several
// arguments), optionally followed by a remark after `:`, `—`, `;` or `(`. Comments holding `…`
// or `...`, or prose, are not checked; nor are printed values that are not plain data.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { isDeepStrictEqual } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = new URL('../../', import.meta.url)
const OUT = fileURLToPath(new URL('node_modules/.cache/datagate-doc-examples/', ROOT))

const ENTRY_POINTS: Readonly<Record<string, string>> = {
  datagate: 'src/index.ts',
  'datagate/classify': 'src/classify/index.ts',
  'datagate/anonymize': 'src/anonymize/index.ts',
  'datagate/policy': 'src/policy/index.ts',
  'datagate/export': 'src/export/index.ts',
  'datagate/node': 'src/node.ts',
  'datagate/fetch': 'src/adapters/fetch/index.ts',
  'datagate/hono': 'src/adapters/hono/index.ts',
  'datagate/express': 'src/adapters/express/index.ts',
  'datagate/fastify': 'src/adapters/fastify/index.ts',
  'datagate/client': 'src/client/index.ts',
  'datagate/postgres': 'src/stores/postgres.ts',
  'datagate/redis': 'src/stores/redis.ts',
  'datagate/jobs': 'src/jobs/index.ts',
  'datagate/cli': 'src/cli/index.ts',
}

// Examples of the stores talk to the real servers of scripts/test-services.sh: without them they
// are skipped loudly on a developer machine and fail under CI, as test/stores/ does.
const SERVICES = ['DATAGATE_TEST_PG', 'DATAGATE_TEST_REDIS'] as const
const servicesRequired = process.env.CI === 'true' || process.env.DATAGATE_REQUIRE_SERVICES === '1'
const missingService = (code: string) =>
  SERVICES.find((name) => code.includes(`process.env.${name}`) && !process.env[name])

interface Example {
  /** Where the block is, for the test name: `src/anonymize/mask.ts:42`. */
  readonly where: string
  /** The file the block belongs to (relative imports resolve from it). */
  readonly file: string
  readonly code: string
}

function filesUnder(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(new URL(dir, ROOT), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`
    if (entry.isDirectory()) out.push(...filesUnder(path))
    else if (entry.name.endsWith('.ts')) out.push(path)
  }
  return out.sort()
}

function lineOf(source: string, index: number): number {
  return source.slice(0, index).split('\n').length
}

/** Every ```ts block opened right after an `@example` tag in a TSDoc comment. */
function tsdocExamples(file: string): Example[] {
  const source = readFileSync(new URL(file, ROOT), 'utf8')
  const out: Example[] = []
  for (const match of source.matchAll(/@example[^\n]*\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/g)) {
    out.push({
      where: `${file}:${lineOf(source, match.index)}`,
      file,
      code: match[1]!.replace(/^[ \t]*\* ?/gm, ''),
    })
  }
  return out
}

/** Every block fenced as exactly ```ts (not ```ts no-run) in a Markdown file. */
function markdownExamples(file: string): Example[] {
  const source = readFileSync(new URL(file, ROOT), 'utf8')
  const out: Example[] = []
  for (const match of source.matchAll(/^```ts[ \t]*\n([\s\S]*?)^```[ \t]*$/gm)) {
    out.push({ where: `${file}:${lineOf(source, match.index)}`, file, code: match[1]! })
  }
  return out
}

function rewriteImports(code: string, file: string): string {
  const from = new URL(file, ROOT)
  return code
    .replace(/(['"])(datagate(?:\/[a-z]+)?)\1/g, (whole, _quote: string, name: string) => {
      const target = ENTRY_POINTS[name]
      return target === undefined ? whole : JSON.stringify(fileURLToPath(new URL(target, ROOT)))
    })
    .replace(/(['"])(\.\.?\/[\w./-]+)\.js\1/g, (_whole, _quote: string, path: string) =>
      JSON.stringify(fileURLToPath(new URL(`${path}.ts`, from))),
    )
}

// --- documented output ---------------------------------------------------------------------

/** A tiny parser of plain JS literals, as written in `// expected` comments. */
class LiteralParser {
  private at = 0
  constructor(private readonly text: string) {}

  /** The values, or `undefined` when the text is not a sequence of literals (then: prose). */
  values(): unknown[] | undefined {
    const values: unknown[] = []
    try {
      this.space()
      while (this.at < this.text.length && !this.remark()) {
        values.push(this.value())
        const before = this.at
        this.space()
        if (this.at < this.text.length && this.at === before && !this.remark()) return undefined
      }
    } catch {
      return undefined
    }
    return values.length > 0 ? values : undefined
  }

  private remark(): boolean {
    return /^(?::|—|;|\()/.test(this.text.slice(this.at))
  }

  private space(): void {
    while (/\s/.test(this.text[this.at] ?? '')) this.at++
  }

  private fail(): never {
    throw new SyntaxError(`not a literal at ${this.at}`)
  }

  private value(): unknown {
    this.space()
    const char = this.text[this.at]
    if (char === '[') return this.array()
    if (char === '{') return this.object()
    if (char === "'" || char === '"') return this.string()
    const word =
      /^(?:-?(?:\d[\d_]*(?:\.\d+)?(?:e[+-]?\d+)?|Infinity)n?|true|false|null|undefined|NaN)(?![\w$])/.exec(
        this.text.slice(this.at),
      )?.[0]
    if (word === undefined) this.fail()
    this.at += word.length
    if (word === 'true') return true
    if (word === 'false') return false
    if (word === 'null') return null
    if (word === 'undefined') return undefined
    if (word.endsWith('n')) return BigInt(word.slice(0, -1))
    return Number(word.replaceAll('_', ''))
  }

  private string(): string {
    const quote = this.text[this.at++]
    let out = ''
    while (this.at < this.text.length) {
      const char = this.text[this.at++]!
      if (char === quote) return out
      if (char === '\\') {
        const next = this.text[this.at++]
        out += next === 'n' ? '\n' : next === 't' ? '\t' : (next ?? '')
      } else out += char
    }
    this.fail()
  }

  private array(): unknown[] {
    this.at++
    const out: unknown[] = []
    for (;;) {
      this.space()
      if (this.text[this.at] === ']') {
        this.at++
        return out
      }
      out.push(this.value())
      this.space()
      if (this.text[this.at] === ',') this.at++
      else if (this.text[this.at] !== ']') this.fail()
    }
  }

  private object(): Record<string, unknown> {
    this.at++
    const out: Record<string, unknown> = {}
    for (;;) {
      this.space()
      if (this.text[this.at] === '}') {
        this.at++
        return out
      }
      const char = this.text[this.at]
      let key: string
      if (char === "'" || char === '"') key = this.string()
      else {
        const name = /^[\w$]+/.exec(this.text.slice(this.at))?.[0]
        if (name === undefined) this.fail()
        key = name
        this.at += name.length
      }
      this.space()
      if (this.text[this.at++] !== ':') this.fail()
      out[key] = this.value()
      this.space()
      if (this.text[this.at] === ',') this.at++
      else if (this.text[this.at] !== '}') this.fail()
    }
  }
}

/** The expected values of a `// comment`, or `undefined` when it is not checkable. */
function expectedValues(comment: string): unknown[] | undefined {
  if (comment.includes('…') || comment.includes('...')) return undefined
  return new LiteralParser(comment.trim()).values()
}

const NOT_PLAIN = Symbol('not plain data')

/** `value` as plain data (so it compares with a parsed literal), or {@link NOT_PLAIN}. */
function plain(value: unknown, depth = 0): unknown {
  if (depth > 20) return NOT_PLAIN
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' ? NOT_PLAIN : value
  }
  if (Array.isArray(value)) {
    const out = value.map((item) => plain(item, depth + 1))
    return out.includes(NOT_PLAIN) ? NOT_PLAIN : out
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    const converted = plain(item, depth + 1)
    if (converted === NOT_PLAIN) return NOT_PLAIN
    out[key] = converted
  }
  return out
}

interface Expectation {
  readonly line: number
  readonly source: string
  readonly values: readonly unknown[]
}

/**
 * Replaces each `console.log(` with `__docLog(<line>, ` (bound by {@link PRELUDE}) and returns the expectations of the
 * lines whose output is documented.
 */
function instrument(code: string): { code: string; expectations: Expectation[] } {
  const lines = code.split('\n')
  const expectations: Expectation[] = []
  const out = lines.map((line, index) => {
    if (!line.includes('console.log(')) return line
    const number = index + 1
    const trailing = /^\s*console\.log\(.*\)\s*\/\/(.*)$/.exec(line)?.[1]
    const below = /^\s*\/\/(.*)$/.exec(lines[index + 1] ?? '')?.[1]
    const comment = trailing ?? (/^\s*console\.log\(.*\)\s*$/.test(line) ? below : undefined)
    const values = comment === undefined ? undefined : expectedValues(comment)
    if (values !== undefined) expectations.push({ line: number, source: line.trim(), values })
    return line.replaceAll('console.log(', `__docLog(${number}, `)
  })
  return { code: out.join('\n'), expectations }
}

type Logged = Map<number, unknown[][]>

// One line, so the line numbers of the example stay those of the block plus one.
const PRELUDE =
  'const __docLog = (globalThis as { __docLog?: (line: number, ...args: unknown[]) => void }).__docLog!\n'

async function run(example: Example, name: string): Promise<void> {
  const { code, expectations } = instrument(rewriteImports(example.code, example.file))
  const path = `${OUT}${name}.ts`
  writeFileSync(path, `${PRELUDE}${code}\nexport {}\n`)
  const logged: Logged = new Map()
  const global = globalThis as { __docLog?: (line: number, ...args: unknown[]) => void }
  global.__docLog = (line, ...args) => {
    const calls = logged.get(line) ?? []
    calls.push(args)
    logged.set(line, calls)
  }
  try {
    await import(/* @vite-ignore */ path)
  } finally {
    delete global.__docLog
  }
  for (const expectation of expectations) {
    const calls = logged.get(expectation.line)
    expect(calls, `${expectation.source}: never printed`).toBeDefined()
    for (const args of calls ?? []) {
      const actual = args.map((arg) => plain(arg))
      if (actual.includes(NOT_PLAIN)) continue
      expect(
        isDeepStrictEqual(actual, expectation.values),
        `${expectation.source}\n  printed:  ${JSON.stringify(actual)}\n  expected: ${JSON.stringify(expectation.values)}`,
      ).toBe(true)
    }
  }
}

// --- the examples ----------------------------------------------------------------------------

const SOURCES = filesUnder('src')
const MARKDOWN = [
  'README.md',
  ...readdirSync(new URL('docs/', ROOT))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
]

mkdirSync(OUT, { recursive: true })
afterAll(() => rmSync(OUT, { recursive: true, force: true }))

function register(examples: readonly Example[]): void {
  examples.forEach((example, index) => {
    const name = `${example.file.replaceAll(/[/.]/g, '_')}-${index}`
    const missing = missingService(example.code)
    if (missing !== undefined && !servicesRequired) {
      console.warn(`*** SKIPPED example ${example.where}: ${missing} is not set ***`)
      it.skip(example.where, () => run(example, name))
    } else it(example.where, () => run(example, name))
  })
}

describe('TSDoc examples under src/ run and print what they document', () => {
  const examples = SOURCES.flatMap(tsdocExamples)
  it('there are examples', () => expect(examples.length).toBeGreaterThan(100))
  register(examples)
})

describe('README.md and docs/*.md examples run and print what they document', () => {
  for (const file of MARKDOWN) register(markdownExamples(file))
})

describe('the expected-output parser', () => {
  it('reads literals, several values and remarks, and refuses prose', () => {
    expect(expectedValues(" ['a', 'b']")).toEqual([['a', 'b']])
    expect(expectedValues(' 5 1 false')).toEqual([5, 1, false])
    expect(expectedValues(' false: Luhn check fails')).toEqual([false])
    expect(expectedValues(" { a: 1, 'b-c': [null] }")).toEqual([{ a: 1, 'b-c': [null] }])
    expect(expectedValues(' every detector has a pattern')).toBeUndefined()
    expect(expectedValues(" [ { id: 'w3…' } ]")).toBeUndefined()
    expect(expectedValues(' 3 rows')).toBeUndefined()
  })
})
