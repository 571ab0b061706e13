// ReDoS test over every regular expression the detectors ship (after zod's tests/redos.test.ts):
// a static check that no pattern can backtrack without bound, then timings over adversarial
// inputs for each pattern alone and for scanText as a whole.
import { afterAll, describe, expect, it } from 'vitest'
import { DETECTOR_PATTERNS } from '../../src/classify/detectors/patterns.js'
import { DETECTORS } from '../../src/classify/detectors/registry.js'
import { scanText } from '../../src/classify/scan.js'

const now = new Date('2026-11-25T12:00:00Z')

/** Why a pattern's source is not obviously linear, or `undefined` when it is. */
function unboundedConstruct(source: string): string | undefined {
  for (let i = 0; i < source.length; i++) {
    const c = source[i]
    if (c === '\\') {
      const next = source[i + 1] ?? ''
      if (/[1-9k]/.test(next)) return `backreference at ${i}`
      i++
    } else if (c === '[') {
      i = classEnd(source, i)
    } else if (c === '*' || c === '+') {
      return `unbounded quantifier ${c} at ${i}`
    } else if (c === '{') {
      const close = source.indexOf('}', i)
      const body = source.slice(i + 1, close)
      if (!/^\d+(,\d+)?$/.test(body)) return `open or malformed repetition {${body}} at ${i}`
    } else if (c === '(' && source[i + 1] === '?') {
      const kind = source.slice(i, i + 4)
      if (
        kind === '(?<!' ||
        kind === '(?<=' ||
        source.slice(i, i + 3) === '(?=' ||
        source.slice(i, i + 3) === '(?!'
      ) {
        // Lookarounds are allowed only around a single character class.
        const start = kind.startsWith('(?<') ? i + 4 : i + 3
        if (source[start] !== '[') return `lookaround at ${i} is not a single character class`
        const end = classEnd(source, start)
        if (source[end + 1] !== ')') return `lookaround at ${i} is not a single character class`
        i = end + 1
      }
    }
  }
  return undefined
}

function classEnd(source: string, open: number): number {
  for (let j = open + 1; j < source.length; j++) {
    if (source[j] === '\\') j++
    else if (source[j] === ']') return j
  }
  throw new Error(`unterminated class at ${open}`)
}

describe('static shape of every detector pattern', () => {
  it('the registry uses exactly the exported patterns', () => {
    expect(DETECTORS.map((d) => d.name).sort()).toEqual(Object.keys(DETECTOR_PATTERNS).sort())
    for (const detector of DETECTORS) {
      expect(detector.pattern).toBe(DETECTOR_PATTERNS[detector.name])
    }
  })

  it.each(Object.entries(DETECTOR_PATTERNS))('%s has a bounded match length', (_name, pattern) => {
    expect(unboundedConstruct(pattern.source)).toBeUndefined()
    expect(pattern.flags).toBe('')
  })

  it('the checker catches the classic bad shapes', () => {
    for (const bad of ['(a+)+$', '(a|a)*', '\\d{2,}', '(\\w)\\1', '(?=a+)', 'a.*b']) {
      expect(unboundedConstruct(bad), bad).toBeDefined()
    }
  })
})

// A small deterministic PRNG for the mixed inputs.
function mixed(alphabet: string, length: number, seed: number): string {
  let state = seed
  let out = ''
  while (out.length < length) {
    state = (state * 1103515245 + 12345) & 0x7fffffff
    out += alphabet[state % alphabet.length]
  }
  return out
}

/** Adversarial inputs of about `n` characters: near-matches of every detector. */
const ADVERSARIAL: Record<string, (n: number) => string> = {
  digits: (n) => '1'.repeat(n),
  letters: (n) => 'a'.repeat(n),
  upperAlnum: (n) => 'A1'.repeat(n / 2),
  atSigns: (n) => 'a@'.repeat(n / 2),
  longLocalParts: (n) => `${'a'.repeat(64)}@`.repeat(n / 65),
  longDomains: (n) => `a@${'b'.repeat(300)}.`.repeat(n / 303),
  dotsAndLetters: (n) => 'a.'.repeat(n / 2),
  colons: (n) => '::'.repeat(n / 2),
  hexGroups: (n) => 'ffff:'.repeat(n / 5),
  digitColons: (n) => '1:'.repeat(n / 2),
  dottedDigits: (n) => '1.'.repeat(n / 2),
  spacedDigits: (n) => '1 '.repeat(n / 2),
  hyphenDigits: (n) => '1-'.repeat(n / 2),
  groupsOfFour: (n) => '4111 '.repeat(n / 5),
  mobileRun: (n) => '13812345678'.repeat(n / 11),
  mobiles: (n) => '13812345678 '.repeat(n / 12),
  prefixes: (n) => '+86 '.repeat(n / 4),
  plates: (n) => '京A1234'.repeat(n / 6),
  passports: (n) => 'E1234567'.repeat(n / 8),
  residentIds: (n) => '11010519491231002'.repeat(n / 17),
  mixed: (n) => mixed('1aA@.:- +京XE·', n, 7),
}

const timings: string[] = []

function time(run: () => void): number {
  const start = performance.now()
  run()
  return performance.now() - start
}

/** Fastest of `times` runs, to keep scheduler noise out of the ratio. */
function best(run: () => void, times = 2): number {
  let fastest = Number.POSITIVE_INFINITY
  for (let i = 0; i < times; i++) fastest = Math.min(fastest, time(run))
  return fastest
}

function execAll(pattern: RegExp, text: string): number {
  const global = new RegExp(pattern.source, 'g')
  let count = 0
  for (let m = global.exec(text); m !== null; m = global.exec(text)) count++
  return count
}

/**
 * Time on n and on 4n characters; linear code gives a ratio near 4, quadratic near 16.
 * Timings under `floor` ms (on 4n; a quarter of it on n) count as the floor: there timer
 * resolution and GC pauses dominate, while a quadratic matcher on a megabyte takes seconds.
 */
function growth(
  run: (text: string) => unknown,
  make: (n: number) => string,
  n: number,
  floor: number,
) {
  const small = make(n)
  const large = make(4 * n)
  run(small) // warm up: V8 compiles a regexp to native code when it is reused
  const t1 = best(() => run(small), 3)
  const t4 = best(() => run(large), 3)
  return { t1, t4, ratio: Math.max(t4, floor) / Math.max(t1, floor / 4) }
}

describe('the growth measure catches quadratic matching', () => {
  it('flags an unbounded pattern that backtracks on every start position', () => {
    // Bounded sizes so the demonstration stays fast; /a+@/ on a run of a's is quadratic.
    const quadratic = growth(
      (text) => execAll(/a+@/, text),
      (n) => 'a'.repeat(n),
      4000,
      2,
    )
    expect(quadratic.ratio).toBeGreaterThan(6)
    expect(unboundedConstruct('a+@')).toBeDefined()
  })
})

describe('each pattern alone runs in linear time on adversarial input', () => {
  for (const [name, pattern] of Object.entries(DETECTOR_PATTERNS)) {
    it(`${name}`, () => {
      let worst = 0
      for (const [input, make] of Object.entries(ADVERSARIAL)) {
        const { t1, t4, ratio } = growth((text) => execAll(pattern, text), make, 250_000, 50)
        expect(t4, `${name} on ${input}: ${t4.toFixed(1)} ms`).toBeLessThan(2000)
        expect(ratio, `${name} on ${input}: ${t1.toFixed(1)} -> ${t4.toFixed(1)} ms`).toBeLessThan(
          12,
        )
        worst = Math.max(worst, t4)
      }
      timings.push(`pattern ${name}: worst ${worst.toFixed(1)} ms on 1M characters`)
    })
  }
})

describe('scanText runs in linear time on adversarial input', () => {
  for (const [input, make] of Object.entries(ADVERSARIAL)) {
    it(`${input}`, () => {
      const scan = (text: string) => scanText(text, { now, maxLength: 2_000_000 })
      const { t1, t4, ratio } = growth(scan, make, 250_000, 50)
      expect(t4, `${input}: ${t4.toFixed(0)} ms for 1M characters`).toBeLessThan(2000)
      expect(ratio, `${input}: ${t1.toFixed(1)} ms -> ${t4.toFixed(1)} ms`).toBeLessThan(12)
      timings.push(
        `scanText ${input}: 250k ${t1.toFixed(1)} ms, 1M ${t4.toFixed(1)} ms (x${ratio.toFixed(1)})`,
      )
    })
  }
})

afterAll(() => {
  // Printed for the record (CI logs); the assertions above are what fail.
  console.log(timings.join('\n'))
})
