// A newcomer with zod 3 installed passes zod 3 schemas: the error must say zod 4 is needed,
// not merely "expected a zod schema". zod3 is the real zod 3 package (devDependency alias).
import { defineDataset, field, mask } from 'datagate'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { z as z3 } from 'zod3'
import { thrown } from '../errors.js'

describe('zod 3 schemas', () => {
  it('field.* names zod 4 and the supported range', () => {
    for (const call of [
      () => field.public(z3.string() as never),
      () => field.sensitive(z3.string() as never),
      () => field.desensitised(z3.string() as never, mask.phone()),
    ]) {
      const error = thrown(call)
      expect(error.code).toBe('ERR_INVALID_ARGUMENT')
      expect(error.message).toMatch(
        /^field\.(public|sensitive|desensitised): expected a zod 4 schema as first argument; datagate needs zod 4 \(zod \^4\.\d+\.\d+\); got a zod 3 schema/,
      )
      expect(error.cause).toBeInstanceOf(TypeError)
    }
  })

  it('defineDataset with a zod 3 object says so', () => {
    const error = thrown(() =>
      defineDataset('customer', z3.object({ city: z3.string() }) as never, { version: '1' }),
    )
    expect(error.code).toBe('ERR_SCHEMA_INVALID')
    expect(error.message).toContain('got a zod 3 schema')
  })

  it('something that is no schema at all keeps the plain message', () => {
    const error = thrown(() => field.public('string' as never))
    expect(error.message).toBe('field.public: expected a zod schema as first argument')
    expect(
      thrown(() => defineDataset('customer', z.string() as never, { version: '1' })).message,
    ).toBe('dataset customer: the schema must be a z.object')
  })

  it('the supported range written in the message is the one package.json depends on', async () => {
    const { readFile } = await import('node:fs/promises')
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'))
    const range = pkg.peerDependencies?.zod ?? pkg.dependencies.zod
    expect(thrown(() => field.public(z3.string() as never)).message).toContain(`(zod ${range})`)
  })
})
