// Types of contractHandler's options and of what each adapter's contractHandler returns.
import type { RequestHandler } from 'express'
import type { RouteHandlerMethod } from 'fastify'
import type { Context } from 'hono'
import { describe, expectTypeOf, it } from 'vitest'
import { contractHandler as expressContract } from '../../src/adapters/express/index.js'
import { contractHandler as fastifyContract } from '../../src/adapters/fastify/index.js'
import {
  type Authenticate,
  type ContractErrorContext,
  type ContractOptions,
  contractHandler,
} from '../../src/adapters/fetch/index.js'
import { contractHandler as honoContract } from '../../src/adapters/hono/index.js'
import type { DatagateError } from '../../src/errors.js'
import type { Gate } from '../../src/export/gate.js'

declare const gate: Gate
const authenticate: Authenticate = async () => ({ partner: 'p' })

describe('contractHandler options', () => {
  it('takes authenticate and an optional onError, and no dataset or purpose', () => {
    expectTypeOf<ContractOptions['authenticate']>().toEqualTypeOf<Authenticate>()
    expectTypeOf<ContractOptions['onError']>().toEqualTypeOf<
      ((error: DatagateError, ctx: ContractErrorContext) => void | Promise<void>) | undefined
    >()
    expectTypeOf<ContractErrorContext>().not.toHaveProperty('dataset')
    expectTypeOf<ContractErrorContext>().toHaveProperty('status').toEqualTypeOf<number>()
    contractHandler(gate, { authenticate })
    // @ts-expect-error authenticate is required
    contractHandler(gate, {})
    // @ts-expect-error a contract is not a release: no dataset option
    contractHandler(gate, { authenticate, dataset: 'customer' })
  })

  it("returns each framework's own handler", () => {
    expectTypeOf(contractHandler(gate, { authenticate })).toEqualTypeOf<
      (request: Request) => Promise<Response>
    >()
    expectTypeOf(honoContract(gate, { authenticate })).toEqualTypeOf<
      (c: Context) => Promise<Response>
    >()
    expectTypeOf(expressContract(gate, { authenticate })).toEqualTypeOf<RequestHandler>()
    expectTypeOf(fastifyContract(gate, { authenticate })).toEqualTypeOf<RouteHandlerMethod>()
  })
})
