// Regressions found by the independent corpus (./independent-corpus.ts): each test names the
// written form or look-alike that the reviewer's corpus missed or reported, with the cause fixed.
// Card numbers below are built with a Luhn digit; none belongs to a real account.
import { describe, expect, it } from 'vitest'
import { type PiiFinding, scanText } from '../../src/classify/scan.js'
import type { PiiKind } from '../../src/classify/types.js'
import { luhnDigit } from './independent-corpus.js'

const now = () => new Date('2026-12-01T00:00:00Z')

function found(text: string): Array<[PiiKind, string]> {
  return scanText(text, { now })
    .filter((f): f is PiiFinding => f.code.startsWith('pii_'))
    .map((f) => [f.kind, text.slice(f.start, f.end)])
}

const withLuhn = (body: string): string => body + luhnDigit(body)

describe('bank cards in the groupings their networks print', () => {
  it('finds an American Express number grouped 4-6-5, as printed on the card', () => {
    const card = withLuhn('37828224631000')
    const grouped = `${card.slice(0, 4)} ${card.slice(4, 10)} ${card.slice(10)}`
    expect(found(`信用卡：${grouped}，已退款`)).toEqual([['bank_card', grouped]])
    const hyphens = grouped.replaceAll(' ', '-')
    expect(found(`card no. ${hyphens}`)).toEqual([['bank_card', hyphens]])
  })

  it('finds a Diners Club (36) number grouped 4-6-4', () => {
    const card = withLuhn('3622720001234')
    const grouped = `${card.slice(0, 4)} ${card.slice(4, 10)} ${card.slice(10)}`
    expect(found(`卡号 ${grouped}`)).toEqual([['bank_card', grouped]])
  })

  it('does not take 4-6-5 groups under a prefix that prints 4-4-4-4', () => {
    const card = withLuhn('45320151128303')
    expect(found(`卡号 ${card.slice(0, 4)} ${card.slice(4, 10)} ${card.slice(10)}`)).toEqual([])
  })
})

describe('card numbers that are not bank cards', () => {
  it('does not report a member, points or fuel card number as a bank card', () => {
    // Luhn-valid, 16 digits, no card network's IIN: only the word 卡号 made it a bank card.
    const member = withLuhn('906494289084928')
    for (const label of [
      '会员卡号',
      '积分卡号：',
      '加油卡号 ',
      '储值卡号',
      '礼品卡号：',
      '会员卡：',
    ]) {
      expect(found(`接车登记 ${label}${member} 客户要求下午取车`)).toEqual([])
    }
  })

  it('still reports a bank card number after a bank-card label that follows a member card', () => {
    const member = withLuhn('906494289084928')
    const card = withLuhn('622202123456789012')
    expect(found(`会员卡号 ${member}，退款银行卡号 ${card}`)).toEqual([['bank_card', card]])
  })
})

describe('a grouped card followed by another number', () => {
  it('finds a hyphen-grouped card followed by a space and digits of something else', () => {
    const card = withLuhn('352820380305453')
    const grouped = `${card.slice(0, 4)}-${card.slice(4, 8)}-${card.slice(8, 12)}-${card.slice(12)}`
    // The pattern's optional last group took the first digits of the next value (a credit
    // code, an IP address), and the mixed separators then rejected the card too.
    expect(
      found(`card no./纳税人识别号：${grouped} ９１３３０５３０ＭＡ４Ｃ６９ＫＮ８２`),
    ).toContainEqual(['bank_card', grouped])
    expect(found(`信用卡/client_ip：${grouped} 36.106.227.47`)).toEqual([
      ['bank_card', grouped],
      ['ip_address', '36.106.227.47'],
    ])
  })
})

describe('waybill numbers after a courier name', () => {
  it('does not report a 13-digit waybill as a Visa card when a courier is named before it', () => {
    // Yunda and EMS waybills have 13 digits; one in ten opening with 4 passes Luhn.
    const waybill = withLuhn('431652701397')
    for (const courier of [
      '韵达',
      '中通：',
      '圆通快递',
      '申通 ',
      '极兔',
      '顺丰',
      'EMS ',
      '邮政快递',
    ]) {
      expect(found(`配件已发${courier}${waybill}，请查收`)).toEqual([])
    }
  })

  it('still reports a card of the Postal Savings Bank named before it', () => {
    const card = withLuhn('621799123456789012')
    expect(found(`退款至中国邮政储蓄银行 ${card}`)).toEqual([['bank_card', card]])
  })
})

describe('IPv6 addresses after a label and a colon', () => {
  it('finds an address after a label whose last characters are hex digits (IPv6:, remote:)', () => {
    const address = '2408:33c4:56b4:bb54:39c3:175e:f787:a6f2'
    expect(found(`"IPv6:${address}"`)).toEqual([['ip_address', address]])
    expect(found(`remote:240e:c18e:14d1:ba18::c0f0 closed`)).toEqual([
      ['ip_address', '240e:c18e:14d1:ba18::c0f0'],
    ])
  })

  it('finds an address opening with :: after a label colon (IP:::1)', () => {
    // No address holds three colons in a row, so the first one belongs to the label.
    expect(found('来源IP:::1')).toEqual([['ip_address', '::1']])
    expect(found('IP:::ffff:192.168.34.30 denied')).toEqual([
      ['ip_address', '::ffff:192.168.34.30'],
    ])
  })

  it('still refuses a colon run that only a label glued to it would make an address', () => {
    expect(found('T08:35:12.123Z')).toEqual([])
    expect(found('xF0:49:63:FF:FE:09:39:DE')).toEqual([])
  })
})
