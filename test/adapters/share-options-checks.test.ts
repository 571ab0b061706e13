// Every adapter factory that takes share options (express, fastify, fetch, hono, and each one's
// contractHandler) checks them through checkShareOptions: a bad option is ERR_INVALID_ARGUMENT
// (json mode with a key other than Ed25519: ERR_KEY_UNSUPPORTED), never another error, whatever
// the value (symbols, NaN, huge numbers, arrays, look-alike gates).
import Fastify from 'fastify'
import { beforeAll, describe, expect, it } from 'vitest'
import { contractHandler as expressContract } from '../../src/adapters/express/contract.js'
import { share as expressShare } from '../../src/adapters/express/index.js'
import { contractHandler as fastifyContract } from '../../src/adapters/fastify/contract.js'
import { datagate } from '../../src/adapters/fastify/index.js'
import { contractHandler as fetchContract } from '../../src/adapters/fetch/contract.js'
import { withShare } from '../../src/adapters/fetch/index.js'
import { contractHandler as honoContract } from '../../src/adapters/hono/contract.js'
import { share as honoShare } from '../../src/adapters/hono/index.js'
import type { ShareOptions } from '../../src/adapters/share-options.js'
import { isDatagateError } from '../../src/errors.js'
import { createGate, type Gate } from '../../src/export/gate.js'
import { type Fixture, fixture, ISSUER, policy, RepairOrder } from './helpers.js'

let ed: Fixture
let es: Fixture
let keyless: Gate

beforeAll(async () => {
  ed = await fixture()
  es = await fixture({ alg: 'ES256' })
  keyless = createGate({ issuer: ISSUER, datasets: [RepairOrder], policy, audit: false })
})

type Make = (gate: unknown, options: unknown) => Promise<unknown>

/** Each factory, as a promise that rejects with what it threw (fastify: at ready()). */
const factories: [string, Make][] = [
  ['express share', async (g, o) => expressShare(g as Gate, o as ShareOptions)],
  ['fetch withShare', async (g, o) => withShare(g as Gate, o as ShareOptions, async () => [])],
  ['hono share', async (g, o) => honoShare(g as Gate, o as ShareOptions)],
  [
    'fastify plugin',
    async (g, o) => {
      const { dataset: _d, purpose: _p, ...rest } = (o ?? {}) as Record<string, unknown>
      const app = Fastify()
      try {
        await app.register(datagate, {
          gate: g as Gate,
          ...(rest as Omit<ShareOptions, 'dataset' | 'purpose'>),
        })
        await app.ready()
      } finally {
        await app.close()
      }
    },
  ],
  [
    'fastify route',
    async (g, o) => {
      const options = (o ?? {}) as Record<string, unknown>
      const app = Fastify()
      try {
        await app.register(datagate, { gate: ed.gate, authenticate: ed.options().authenticate })
        app.get(
          '/x',
          {
            config: {
              share: {
                dataset: options.dataset,
                purpose: options.purpose,
                ...('mode' in options ? { mode: options.mode } : {}),
                ...('chunkSize' in options ? { chunkSize: options.chunkSize } : {}),
                ...('conditional' in options ? { conditional: options.conditional } : {}),
              } as never,
            },
          },
          async () => [],
        )
        await app.ready()
      } finally {
        await app.close()
      }
      // The route's own gate is the plugin's: a bad gate cannot be given per route.
      if (g !== ed.gate) await expressShare(g as Gate, o as ShareOptions)
    },
  ],
]

const contracts: [string, Make][] = [
  ['express contractHandler', async (g, o) => expressContract(g as Gate, o as never)],
  ['fastify contractHandler', async (g, o) => fastifyContract(g as Gate, o as never)],
  ['fetch contractHandler', async (g, o) => fetchContract(g as Gate, o as never)],
  ['hono contractHandler', async (g, o) => honoContract(g as Gate, o as never)],
]

async function codeOf(make: Make, gate: unknown, options: unknown): Promise<string> {
  try {
    await make(gate, options)
  } catch (error) {
    return isDatagateError(error) ? error.code : `not a DatagateError: ${String(error)}`
  }
  return 'accepted'
}

describe('checkShareOptions through every adapter', () => {
  it('refuses every bad option with ERR_INVALID_ARGUMENT, never another error', async () => {
    const good = () => ed.options()
    const bad: [string, (o: ShareOptions) => unknown][] = [
      ['options null', () => null],
      ['options a string', () => 'repair_order'],
      ['options an array', () => []],
      ['dataset empty', (o) => ({ ...o, dataset: '' })],
      ['dataset a number', (o) => ({ ...o, dataset: 5 })],
      ['purpose missing', (o) => ({ ...o, purpose: undefined })],
      ['authenticate a string', (o) => ({ ...o, authenticate: 'bearer' })],
      ['authenticate missing', (o) => ({ ...o, authenticate: undefined })],
      ['mode unknown', (o) => ({ ...o, mode: 'JSON' })],
      ['mode a symbol', (o) => ({ ...o, mode: Symbol('json') })],
      ['mode an object', (o) => ({ ...o, mode: { toString: () => 'json' } })],
      ['mode null', (o) => ({ ...o, mode: null })],
      ['conditional a string', (o) => ({ ...o, conditional: 'true' })],
      ['conditional null', (o) => ({ ...o, conditional: null })],
      ['onError a string', (o) => ({ ...o, onError: 'log' })],
      ['onError null', (o) => ({ ...o, onError: null })],
      ['chunkSize 0', (o) => ({ ...o, chunkSize: 0 })],
      ['chunkSize -1', (o) => ({ ...o, chunkSize: -1 })],
      ['chunkSize 1.5', (o) => ({ ...o, chunkSize: 1.5 })],
      ['chunkSize NaN', (o) => ({ ...o, chunkSize: Number.NaN })],
      ['chunkSize Infinity', (o) => ({ ...o, chunkSize: Number.POSITIVE_INFINITY })],
      ['chunkSize 2^53', (o) => ({ ...o, chunkSize: 2 ** 53 })],
      ['chunkSize a string', (o) => ({ ...o, chunkSize: '5' })],
      ['chunkSize a bigint', (o) => ({ ...o, chunkSize: 5n })],
    ]
    const results: Record<string, string> = {}
    for (const [adapter, make] of factories) {
      expect(await codeOf(make, ed.gate, good()), `${adapter} good options`).toBe('accepted')
      for (const [label, change] of bad) {
        // The fastify plugin takes no dataset or purpose (each route names them).
        if (adapter === 'fastify plugin' && /^(dataset|purpose)/.test(label)) continue
        if (
          adapter === 'fastify route' &&
          !/^(dataset|purpose|mode|conditional|chunkSize)/.test(label)
        )
          continue
        results[`${adapter}: ${label}`] = await codeOf(make, ed.gate, change(good()))
      }
    }
    const unexpected = Object.entries(results).filter(([, code]) => code !== 'ERR_INVALID_ARGUMENT')
    expect(unexpected).toEqual([])
    expect(Object.keys(results).length).toBeGreaterThan(80)
  })

  it('refuses a bad gate, json mode without an Ed25519 key, and json mode on a keyless gate', async () => {
    const lookalikes: [string, unknown][] = [
      ['null', null],
      ['a string', 'gate'],
      ['an object', {}],
      ['export not a function', { export: 1 }],
      // Has export(), so passes for a gate, but has no signingKey(): json mode must not crash on it.
      ['export only', { export: () => undefined }],
    ]
    const results: Record<string, string> = {}
    for (const [adapter, make] of [...factories, ...contracts]) {
      if (adapter === 'fastify route') continue
      const options = adapter.includes('contract')
        ? { authenticate: ed.options().authenticate }
        : { ...ed.options(), mode: 'json' }
      for (const [label, gate] of lookalikes)
        results[`${adapter}: gate ${label}`] = await codeOf(make, gate, options)
      if (!adapter.includes('contract')) {
        results[`${adapter}: json on ES256`] = await codeOf(make, es.gate, options)
        results[`${adapter}: json on a keyless gate`] = await codeOf(make, keyless, options)
      }
    }
    for (const [key, code] of Object.entries(results)) {
      const expected = key.endsWith('json on ES256')
        ? 'ERR_KEY_UNSUPPORTED'
        : 'ERR_INVALID_ARGUMENT'
      expect(code, key).toBe(expected)
    }
  })

  it('refuses bad contractHandler options alike', async () => {
    for (const [adapter, make] of contracts) {
      expect(await codeOf(make, ed.gate, { authenticate: ed.options().authenticate })).toBe(
        'accepted',
      )
      for (const options of [
        null,
        'x',
        [],
        {},
        { authenticate: 'x' },
        { authenticate: () => ({}), onError: 5 },
      ])
        expect(await codeOf(make, ed.gate, options), `${adapter} ${JSON.stringify(options)}`).toBe(
          'ERR_INVALID_ARGUMENT',
        )
    }
  })
})
