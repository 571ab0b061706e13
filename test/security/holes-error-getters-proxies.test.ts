// Threat: getters and Proxies that throw inside a record escaped as raw errors carrying their own
// message. They become ERR_RECORD_INVALID, without the message and without it as a cause.
import { describe, expect, it } from 'vitest'
import { isDatagateError } from '../../src/errors.js'
import { Order, orderGate, orderRow, request } from './helpers.js'

const CANARY = 'CANARY-110105199001011234'

function explode(): never {
  throw new Error(`getter failed on ${CANARY}`)
}

const hostile: [string, () => unknown][] = [
  [
    'a throwing getter',
    () => {
      const row = orderRow()
      Object.defineProperty(row, 'city', { enumerable: true, get: explode })
      return row
    },
  ],
  ['a Proxy whose get trap throws', () => new Proxy(orderRow(), { get: explode })],
  ['a Proxy whose ownKeys trap throws', () => new Proxy(orderRow(), { ownKeys: explode })],
  [
    'a Proxy whose getOwnPropertyDescriptor trap throws',
    () => new Proxy(orderRow(), { getOwnPropertyDescriptor: explode }),
  ],
  [
    'a nested getter that throws a non-Error',
    () => {
      const row = orderRow({ tags: {} })
      Object.defineProperty(row.tags, 'x', {
        enumerable: true,
        get() {
          throw CANARY
        },
      })
      return row
    },
  ],
]

function chain(error: unknown): string {
  const parts: string[] = []
  let current: unknown = error
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    parts.push(String(current), JSON.stringify(current) ?? '')
    if (isDatagateError(current)) parts.push(JSON.stringify(current.findings))
    current = (current as { cause?: unknown })?.cause
  }
  return parts.join('\n')
}

describe('getters and Proxies that throw', () => {
  it.each(hostile)(
    '%s: Dataset.parse throws ERR_RECORD_INVALID without the message',
    (_n, make) => {
      let caught: unknown
      try {
        Order.parse(make())
      } catch (error) {
        caught = error
      }
      expect(isDatagateError(caught, 'ERR_RECORD_INVALID')).toBe(true)
      expect(chain(caught)).not.toContain('CANARY')
    },
  )

  // A release validates only the leaves it reads: hostile members it reads fail closed, and one
  // it does not read (`tags` is not granted) is never invoked at all (docs/classify.md).
  const read = hostile.filter(([name]) => !name.startsWith('a nested'))
  it.each(read)('%s: gate.release fails closed the same way', async (_n, make) => {
    const gate = await orderGate()
    let caught: unknown
    try {
      await gate.release([orderRow(), make()], request)
    } catch (error) {
      caught = error
    }
    expect(isDatagateError(caught, 'ERR_RECORD_INVALID')).toBe(true)
    expect(chain(caught)).not.toContain('CANARY')
  })

  it('a throwing getter below a leaf the release does not read is never invoked', async () => {
    const gate = await orderGate()
    let calls = 0
    const row = orderRow({ tags: {} })
    Object.defineProperty(row.tags as object, 'x', {
      enumerable: true,
      get() {
        calls++
        throw CANARY
      },
    })
    const { records } = await gate.release([row], request)
    expect(calls).toBe(0)
    expect(JSON.stringify(records)).not.toContain('CANARY')
    expect(() => Order.parse(row)).toThrow(expect.objectContaining({ code: 'ERR_RECORD_INVALID' }))
  })

  it('a throwing getter on a leaf the release reads fails closed as unreadable', async () => {
    const gate = await orderGate()
    const row = orderRow()
    Object.defineProperty(row, 'customerId', {
      enumerable: true,
      get() {
        throw CANARY
      },
    })
    let caught: unknown
    try {
      await gate.release([row], request)
    } catch (error) {
      caught = error
    }
    expect(isDatagateError(caught, 'ERR_RECORD_INVALID')).toBe(true)
    expect((caught as { findings: { code: string }[] }).findings[0]?.code).toBe('unreadable')
    expect(chain(caught)).not.toContain('CANARY')
  })
})
