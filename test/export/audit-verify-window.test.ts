import { describe, expect, it } from 'vitest'
import { PositionWindow, UnanchoredTail } from '../../src/export/audit-verify-window.js'

describe('the bounded state of verifyAuditLog', () => {
  it('forgets positions past the window except pinned ones, so an old signed head fails closed', () => {
    const window = new PositionWindow(new Set([0]), 2)
    for (let seq = 0; seq < 5; seq++) window.add(seq, `h${seq}`)
    expect([0, 1, 2, 3, 4].map((seq) => window.get(seq))).toEqual([
      'h0',
      undefined,
      undefined,
      'h3',
      'h4',
    ])
  })

  it('folds the oldest tail times past the window and never judges the tail younger than it is', () => {
    const tail = new UnanchoredTail(2)
    for (let seq = 0; seq < 6; seq++) tail.add(seq, 1000 + seq)
    expect(tail.summary(-1)).toEqual({ first: 0, oldest: 1000, newest: 1005 })
    // An anchor inside the folded range keeps the fold whole: judged older, never younger.
    expect(tail.summary(1)).toEqual({ first: 2, oldest: 1000, newest: 1005 })
    tail.anchor(4)
    expect(tail.summary(4)).toEqual({ first: 5, oldest: 1005, newest: 1005 })
    tail.anchor(5)
    expect(tail.summary(5)).toBeUndefined()
  })
})
