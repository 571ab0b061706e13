// Ajv 8 (draft 2020-12), the independent JSON Schema validator the contract tests check against.
// It is in node_modules as a dependency of Fastify (a devDependency), not one of ours.
import Ajv2020Module from 'ajv/dist/2020.js'

type Ajv2020 = import('ajv/dist/2020.js').default
const Ajv2020Class = ((Ajv2020Module as unknown as { default?: unknown }).default ??
  Ajv2020Module) as new (
  options?: Record<string, unknown>,
) => Ajv2020

/** A fresh validator: strict (unknown keywords are errors), Unicode patterns, every error. */
export function ajv(): Ajv2020 {
  return new Ajv2020Class({ strict: true, allErrors: true })
}
