// Issue 7, "PII detectors / missed today": identifiers written in forms the scanner did not
// find. Each test names the written form it proves is found, with the span in the original text.
import { describe, expect, it } from 'vitest'
import { type PiiFinding, scanText } from '../../src/classify/scan.js'
import type { PiiKind } from '../../src/classify/types.js'

const now = () => new Date('2026-11-25T12:00:00Z')
const ID = '11010519491231002X'
const FULL_WIDTH = (text: string) =>
  text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))

/** The kind and the original substring of every finding. */
function found(text: string): Array<[PiiKind, string]> {
  return scanText(text, { now })
    .filter((f): f is PiiFinding => f.code.startsWith('pii_'))
    .map((f) => [f.kind, text.slice(f.start, f.end)])
}

describe('resident identity numbers (GB 11643) in other written forms', () => {
  it('finds a resident ID written in full-width digits', () => {
    const id = FULL_WIDTH(ID)
    expect(found(`身份证号${id}。`)).toEqual([['resident_id', id]])
  })

  it('finds a resident ID with spaces inside', () => {
    expect(found('证件号码 110105 19491231 002X 已核验')).toEqual([
      ['resident_id', '110105 19491231 002X'],
    ])
    expect(found('1101 0519 4912 3100 2X')).toEqual([['resident_id', '1101 0519 4912 3100 2X']])
  })

  it('finds a resident ID with hyphens inside', () => {
    expect(found('身份证：110105-19491231-002X')).toEqual([['resident_id', '110105-19491231-002X']])
  })

  it('finds a resident ID with NBSP inside', () => {
    const id = '110105\u00a019491231\u00a0002X'
    expect(found(`客户${id}，请核实`)).toEqual([['resident_id', id]])
  })

  it('finds a resident ID with zero-width spaces inside', () => {
    const id = '1101\u200b0519491231\u200b002X'
    expect(found(`身份证${id}`)).toEqual([['resident_id', id]])
  })
})

describe('mainland mobile numbers in other written forms', () => {
  it.each([
    ['finds a mobile written 86 138 1234 5678', '86 138 1234 5678'],
    ['finds a mobile written 8613812345678', '8613812345678'],
    ['finds a mobile written +86 (138) 1234-5678', '+86 (138) 1234-5678'],
    ['finds a mobile written 138.1234.5678', '138.1234.5678'],
    ['finds a mobile written in full-width digits', FULL_WIDTH('13812345678')],
    [
      'finds a full-width +86 mobile with ideographic spaces',
      '＋８６\u3000１３８\u3000１２３４\u3000５６７８',
    ],
    ['finds a mobile with NBSP separators', '138\u00a01234\u00a05678'],
    ['finds a mobile with en dash separators', '138\u20131234\u20135678'],
  ])('%s', (_name, written) => {
    expect(found(`联系电话${written}，请回电`)).toEqual([['mobile', written]])
  })
})
