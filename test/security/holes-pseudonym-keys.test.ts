// Threats: the gate kept the caller's key buffer (zeroing it afterwards silently switched every
// later pseudonym to the all-zero key), and it accepted keys of obviously low entropy.
import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import type { DatagateError } from '../../src/errors.js'
import { keyWeakness } from '../../src/lib/key-strength.js'
import { orderGate, orderRow, request, TEST_PSEUDONYM_KEY } from './helpers.js'

async function refusal(key: Uint8Array): Promise<DatagateError> {
  try {
    await orderGate({ pseudonymKey: key })
  } catch (error) {
    return error as DatagateError
  }
  throw new Error('the gate accepted the key')
}

describe('pseudonym keys', () => {
  it('the gate copies the master key: zeroing the caller buffer changes no later pseudonym', async () => {
    const key = TEST_PSEUDONYM_KEY.slice()
    const gate = await orderGate({ pseudonymKey: key })
    const reference = await orderGate({ pseudonymKey: TEST_PSEUDONYM_KEY.slice() })
    key.fill(0) // the plan is compiled on first use, after this
    const [mine] = (await gate.release([orderRow()], request)).records
    const [expected] = (await reference.release([orderRow()], request)).records
    expect(mine?.customerId).toBe(expected?.customerId)
  })

  it('the gate copies a Buffer key too: Buffer#slice shares memory, so zeroing it changed pseudonyms', async () => {
    // crypto.randomBytes and Buffer.from(hex, 'hex') give Buffers; their slice() is a view.
    const key = Buffer.from(TEST_PSEUDONYM_KEY)
    const gate = await orderGate({ pseudonymKey: key })
    const reference = await orderGate({ pseudonymKey: TEST_PSEUDONYM_KEY.slice() })
    key.fill(0)
    const [mine] = (await gate.release([orderRow()], request)).records
    const [expected] = (await reference.release([orderRow()], request)).records
    expect(mine?.customerId).toBe(expected?.customerId)
  })

  it('a key that only looks like a Uint8Array (a Proxy) is refused with ERR_KEY_INVALID', async () => {
    const key = new Proxy(TEST_PSEUDONYM_KEY.slice(), {})
    expect((await refusal(key)).code).toBe('ERR_KEY_INVALID')
  })

  it.each([
    ['all zero', new Uint8Array(32)],
    ['all bytes equal', new Uint8Array(32).fill(7)],
    ['a 2-byte pattern', Uint8Array.from({ length: 32 }, (_, i) => (i % 2 ? 0xaa : 0x55))],
    ['a 16-byte pattern twice', Uint8Array.from({ length: 32 }, (_, i) => (i % 16) * 17)],
    ['a repeated word', new TextEncoder().encode('secret'.repeat(6))],
    ['few distinct bytes', Uint8Array.from({ length: 32 }, (_, i) => [1, 2, 3][(i * i) % 3] ?? 0)],
    [
      'a 16-byte hex pattern twice, its last byte changed',
      new TextEncoder().encode('0123456789abcdef0123456789abcdeX'),
    ],
    [
      'a repeated word with two bytes changed',
      new TextEncoder().encode('passw0rdpassw0rdpassw0rdPassw0rD'),
    ],
  ])('refuses %s with ERR_KEY_INVALID, never quoting the key', async (_name, key) => {
    const error = await refusal(key)
    expect(error.code).toBe('ERR_KEY_INVALID')
    expect(error.message).not.toMatch(/secret|[0-9a-f]{16}/)
  })

  it('a 1 MiB random key is judged quickly (the near-repeat check looks at a bounded prefix)', () => {
    const key = new Uint8Array(1 << 20)
    for (let i = 0; i < key.length; i += 65_536) crypto.getRandomValues(key.subarray(i, i + 65_536))
    const started = performance.now()
    expect(keyWeakness(key)).toBeUndefined()
    expect(performance.now() - started).toBeLessThan(500)
  })

  it('accepts random keys and keys written as hex text', () => {
    for (let i = 0; i < 200; i++)
      expect(keyWeakness(crypto.getRandomValues(new Uint8Array(32)))).toBeUndefined()
    const hex = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join('')
    expect(keyWeakness(new TextEncoder().encode(hex))).toBeUndefined()
  })
})
