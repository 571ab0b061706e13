// The policy rewrite of `datagate standing --write` and the `standing-change` audit event, in
// process: every way a standing can be written in YAML, JSON indentation, and the event's schema.
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { rewriteStandings } from '../../src/cli/standing-write.js'
import { createAuditLog } from '../../src/export/audit-log.js'
import { memoryAuditSink } from '../../src/export/audit-sinks.js'
import { verifyAuditChain } from '../../src/export/audit-verify.js'
import { verifyAuditLog } from '../../src/export/audit-verify-log.js'

const hash = (c: string) => `sha256:${c.repeat(64)}`
const partner = (id: string, standing: string) =>
  `  - id: ${id}\n    name: ${id}\n    category: traffic\n    standing: ${standing}\n    core: false\n    agreements: []\n`

describe('rewriteStandings', () => {
  it('replaces plain, quoted and commented values in place, several at once, and nothing else', () => {
    const text = `# policy\nissuer: oem\npartners:\n${partner('a', 'gold # top')}${partner('b', '"silver"')}${partner('c', "'bronze'")}${partner('d', 'gold')}`
    const out = rewriteStandings(
      text,
      new Map([
        ['a', 'silver'],
        ['b', 'yellow'],
        ['c', 'terminated'],
      ]),
    )
    expect(out).toBe(
      `# policy\nissuer: oem\npartners:\n${partner('a', 'silver # top')}${partner('b', 'yellow')}${partner('c', 'terminated')}${partner('d', 'gold')}`,
    )
  })

  it('falls back to re-printing the document when a standing is an alias, comments kept', () => {
    const text = `# standings are shared\nissuer: oem\npartners:\n  - id: a\n    standing: &good gold # anchor\n  - id: b\n    standing: *good\n`
    const out = rewriteStandings(text, new Map([['b', 'yellow']]))
    expect(parse(out)).toEqual({
      issuer: 'oem',
      partners: [
        { id: 'a', standing: 'gold' },
        { id: 'b', standing: 'yellow' },
      ],
    })
    expect(out).toContain('# standings are shared')
    expect(out).toContain('# anchor')
  })

  it('a standing whose anchor another partner uses is a usage error, not a rewrite of both', () => {
    const text = `issuer: oem\npartners:\n  - id: a\n    standing: &good gold\n  - id: b\n    standing: *good\n`
    let caught: unknown
    try {
      rewriteStandings(text, new Map([['a', 'yellow']]))
    } catch (error) {
      caught = error
    }
    expect(caught).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    expect((caught as Error).message).toContain('YAML anchor')
  })

  it('a JSON policy with CRLF line ends keeps them', () => {
    const document = { issuer: 'oem', partners: [{ id: 'a', standing: 'gold' }] }
    const crlf = `${JSON.stringify(document, null, 2).replace(/\n/g, '\r\n')}\r\n`
    const out = rewriteStandings(crlf, new Map([['a', 'silver']]))
    expect(out).toBe(crlf.replace('"gold"', '"silver"'))
  })

  it('keeps a JSON policy JSON, with its indentation and key order, tabs included', () => {
    const document = { issuer: 'oem', partners: [{ standing: 'gold', id: 'a', core: false }] }
    const tabbed = `${JSON.stringify(document, null, '\t')}\n`
    const out = rewriteStandings(tabbed, new Map([['a', 'bronze']]))
    expect(out).toBe(
      `${JSON.stringify({ ...document, partners: [{ ...document.partners[0], standing: 'bronze' }] }, null, '\t')}\n`,
    )
  })
})

describe('the standing-change audit event', () => {
  const change = {
    partner: 'maps-co',
    from: 'silver',
    to: 'yellow',
    rating: 3.9,
    complaintRate: 0.012,
    yellowMonths: 1,
  } as const
  const event = {
    type: 'standing-change',
    fromPolicyHash: hash('a'),
    toPolicyHash: hash('b'),
    scoresDigest: hash('c'),
    month: '2026-06',
    changes: [change],
  } as const

  it('is appended, links into the chain and verifies', async () => {
    const sink = memoryAuditSink()
    const log = createAuditLog({ sink })
    const appended = await log.append(event)
    expect(appended).toMatchObject({ ...event, seq: 0 })
    expect(verifyAuditChain(sink.events).ok).toBe(true)
    expect((await verifyAuditLog(sink.events)).ok).toBe(true)
  })

  it.each([
    ['an unknown standing', { changes: [{ ...change, to: 'platinum' }] }],
    ['no change', { changes: [] }],
    ['a rating above 5', { changes: [{ ...change, rating: 5.5 }] }],
    ['a malformed month', { month: '2026-6' }],
    ['a digest that is no hash', { scoresDigest: 'md5:00' }],
    ['a value smuggled in', { changes: [{ ...change, customerPhone: '13812345678' }] }],
  ])('with %s is refused with ERR_INVALID_ARGUMENT', async (_name, patch) => {
    const log = createAuditLog({ sink: memoryAuditSink() })
    await expect(log.append({ ...event, ...patch } as never)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    })
  })
})
