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

  it.each(hostile)('%s: gate.release fails closed the same way', async (_n, make) => {
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
})
