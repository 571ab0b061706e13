/**
 * Row conditions (`where`): validation against a dataset, the compiled predicate used per record,
 * and the CASL conditions matcher restricted to the same operators and semantics.
 *
 * Conditions take scalar fields only. `$eq $ne $in $nin` follow MongoDB: `null` stands for a
 * null or missing value, also under a missing parent, so `$ne: null` never matches a record
 * without the field. `$exists` is ucast's. The ordering operators `$gt $gte $lt $lte` match only
 * when the record value has the same type (number or string) as the operand, so a missing value
 * never satisfies `$lt` (ucast's would). The CASL matcher is built with these same interpreters,
 * and every other operator refuses to compile.
 */
import { buildMongoQueryMatcher, type ConditionsMatcher, type MongoQuery } from '@casl/ability'
import type { Dataset } from '../classify/dataset.js'
import type { Finding } from '../errors.js'
import { isForbiddenKey } from '../lib/forbidden-keys.js'
import { classRefusal } from './receivable.js'
import type { ConditionOperator, Conditions, ConditionValue, FieldCondition } from './types.js'

/**
 * The operators a `where` clause may use; any other is refused when the policy loads.
 *
 * @example
 * ```ts
 * import { CONDITION_OPERATORS } from 'datagate/policy'
 *
 * console.log(CONDITION_OPERATORS.includes('$gt'), CONDITION_OPERATORS.includes('$regex' as never)) // true false
 * ```
 */
export const CONDITION_OPERATORS: readonly ConditionOperator[] = [
  '$eq',
  '$ne',
  '$in',
  '$nin',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$exists',
]

const SCALAR_TYPES = new Set(['string', 'number', 'int', 'boolean', 'enum', 'literal'])
const ORDERING = new Set<string>(['$gt', '$gte', '$lt', '$lte'])

function isConditionValue(value: unknown): value is ConditionValue {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  )
}

/**
 * Checks a `where` clause against a dataset and what the partner may see.
 * `at` is the policy path of the clause, for findings.
 */
export function checkConditions(
  where: Readonly<Record<string, unknown>>,
  dataset: Dataset,
  core: boolean,
  at: string,
): Finding[] {
  const findings: Finding[] = []
  for (const [path, condition] of Object.entries(where)) {
    const here = `${at}.${path}`
    if (path.split('.').some(isForbiddenKey)) {
      findings.push({
        code: 'invalid_condition',
        path: here,
        message: `${path} is not a field path`,
      })
      continue
    }
    if (path.startsWith('$')) {
      findings.push({
        code: 'operator_not_allowed',
        path: here,
        message: `top-level operator ${path} is not allowed; list fields, which are combined with AND`,
      })
      continue
    }
    const leaf = dataset.field(path)
    if (!leaf) {
      findings.push({
        code: 'unknown_field',
        path: here,
        message: `dataset ${dataset.name} has no field ${path}`,
      })
      continue
    }
    if (!SCALAR_TYPES.has(leaf.type)) {
      findings.push({
        code: 'invalid_condition',
        path: here,
        message: `${path} holds a ${leaf.type}; conditions take string, number, boolean or enum fields`,
      })
      continue
    }
    if (leaf.segments.includes('[]')) {
      findings.push({
        code: 'invalid_condition',
        path: here,
        message: `${path} is inside an array; conditions take single-valued fields`,
      })
      continue
    }
    const refusal = classRefusal(leaf.class, core)
    if (refusal === 'sensitive') {
      findings.push({
        code: 'condition_on_sensitive_field',
        path: here,
        message: `${path} is sensitive; rows cannot be selected by it`,
      })
    } else if (refusal === 'not_core') {
      findings.push({
        code: 'condition_on_desensitised_field',
        path: here,
        message: `${path} is desensitised; only core partners' agreements may select rows by it`,
      })
    }
    const operators = isConditionValue(condition) ? { $eq: condition } : condition
    if (typeof operators !== 'object' || operators === null || Array.isArray(operators)) {
      findings.push({
        code: 'invalid_condition',
        path: here,
        message: `${path}: a condition is a value or an object of operators`,
      })
      continue
    }
    if (Object.keys(operators).length === 0) {
      findings.push({
        code: 'invalid_condition',
        path: here,
        message: `${path}: an empty condition matches nothing; name an operator`,
      })
      continue
    }
    for (const [op, operand] of Object.entries(operators)) {
      if (!(CONDITION_OPERATORS as readonly string[]).includes(op)) {
        findings.push({
          code: 'operator_not_allowed',
          path: `${here}.${op}`,
          message: `${op} is not allowed; use one of ${CONDITION_OPERATORS.join(' ')}`,
        })
        continue
      }
      const problem = operandProblem(op as ConditionOperator, operand, leaf.type)
      if (problem)
        findings.push({
          code: 'invalid_condition',
          path: `${here}.${op}`,
          message: `${path} ${op}: ${problem}`,
        })
    }
  }
  return findings
}

function operandProblem(op: ConditionOperator, operand: unknown, type: string): string | undefined {
  if (op === '$exists') return typeof operand === 'boolean' ? undefined : 'expects true or false'
  if (op === '$in' || op === '$nin') {
    if (!Array.isArray(operand) || !operand.every(isConditionValue))
      return 'expects a list of values'
    if (operand.length > 1000) return 'at most 1000 values'
    return undefined
  }
  if (!isConditionValue(operand)) return 'expects a string, number, boolean or null'
  if (ORDERING.has(op)) {
    if (typeof operand !== 'number' && typeof operand !== 'string')
      return 'expects a number or a string'
    if ((type === 'number' || type === 'int') && typeof operand !== 'number')
      return 'the field is a number'
    if (type === 'string' && typeof operand !== 'string') return 'the field is a string'
  }
  return undefined
}

/** A field read: whether the key is there (own property of its parent), and its value. */
type Getter = (record: unknown) => {
  readonly present: boolean
  readonly value: unknown
}

const ABSENT = { present: false, value: undefined } as const

function compileGetter(segments: readonly string[]): Getter {
  const parents = segments.slice(0, -1)
  const last = segments[segments.length - 1] as string
  return (record) => {
    let current: unknown = record
    for (const key of parents) {
      if (typeof current !== 'object' || current === null) return ABSENT
      current = (current as Record<string, unknown>)[key]
    }
    if (typeof current !== 'object' || current === null) return ABSENT
    const present = Object.hasOwn(current, last)
    return {
      present,
      value: present ? (current as Record<string, unknown>)[last] : undefined,
    }
  }
}

/**
 * Equality as MongoDB defines it for scalars: `null` matches a null or missing value (also
 * when the parent object is missing), anything else matches by `===`. ucast differs on a
 * missing parent, which made `{ 'a.b': { $ne: null } }` match records without `a`; the CASL
 * matcher below uses this function too, so plan and CASL agree and `$ne: null` fails closed.
 */
function scalarEquals(value: unknown, operand: ConditionValue): boolean {
  return operand === null ? value === null || value === undefined : value === operand
}

function inList(value: unknown, list: readonly ConditionValue[]): boolean {
  return list.some((item) => scalarEquals(value, item))
}

function ordered(op: string, value: unknown, operand: ConditionValue): boolean {
  if (typeof value !== typeof operand || (typeof value !== 'number' && typeof value !== 'string'))
    return false
  const left = value as number | string
  const right = operand as number | string
  switch (op) {
    case '$gt':
      return left > right
    case '$gte':
      return left >= right
    case '$lt':
      return left < right
    default:
      return left <= right
  }
}

/** A compiled row predicate: no path parsing per record. */
export type RowPredicate = (record: unknown) => boolean

/** Compiles a validated `where` clause into a predicate over parsed records. */
export function compileConditions(where: Conditions | undefined, dataset: Dataset): RowPredicate {
  if (!where) return () => true
  const tests: RowPredicate[] = []
  for (const [path, condition] of Object.entries(where)) {
    const leaf = dataset.field(path)
    if (!leaf) return () => false
    const get = compileGetter(leaf.segments)
    const operators: Record<string, unknown> = isConditionValue(condition)
      ? { $eq: condition }
      : (condition as Record<string, unknown>)
    for (const [op, operand] of Object.entries(operators)) {
      tests.push(compileOperator(op, operand, get))
    }
  }
  return (record) => {
    for (const test of tests) if (!test(record)) return false
    return true
  }
}

/** One clause of a `where`: a field, an operator, its operand and the compiled test. */
export interface ConditionClause {
  readonly field: string
  readonly operator: ConditionOperator
  readonly operand: ConditionValue | readonly ConditionValue[] | boolean
  readonly test: RowPredicate
}

/**
 * The clauses of a validated `where`, each compiled as {@link compileConditions} compiles it,
 * for explanations that say which clause decided a row (`policy/explain.ts`).
 */
export function compileClauses(
  where: Conditions | undefined,
  dataset: Dataset,
): readonly ConditionClause[] {
  if (!where) return []
  const clauses: ConditionClause[] = []
  for (const [path, condition] of Object.entries(where)) {
    const leaf = dataset.field(path)
    const get = leaf ? compileGetter(leaf.segments) : undefined
    const operators: Record<string, unknown> = isConditionValue(condition)
      ? { $eq: condition }
      : (condition as Record<string, unknown>)
    for (const [op, operand] of Object.entries(operators))
      clauses.push({
        field: path,
        operator: op as ConditionOperator,
        operand: operand as ConditionClause['operand'],
        test: get ? compileOperator(op, operand, get) : () => false,
      })
  }
  return clauses
}

function compileOperator(op: string, operand: unknown, get: Getter): RowPredicate {
  switch (op) {
    case '$eq':
      return (r) => scalarEquals(get(r).value, operand as ConditionValue)
    case '$ne':
      return (r) => !scalarEquals(get(r).value, operand as ConditionValue)
    case '$in': {
      const list = operand as readonly ConditionValue[]
      return (r) => inList(get(r).value, list)
    }
    case '$nin': {
      const list = operand as readonly ConditionValue[]
      return (r) => !inList(get(r).value, list)
    }
    case '$exists':
      return (r) => get(r).present === operand
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return (r) => ordered(op, get(r).value, operand as ConditionValue)
    default:
      // Unreachable for a validated policy; fail closed rather than fail open.
      return () => false
  }
}

interface InterpreterNode {
  readonly field: string
  readonly value: unknown
}
interface InterpreterContext {
  get(object: unknown, field: string): unknown
}

function interpreter(test: (value: unknown, operand: unknown) => boolean) {
  return (node: InterpreterNode, object: unknown, context: InterpreterContext): boolean =>
    test(context.get(object, node.field), node.value)
}

function strictOrdering(op: string) {
  return (node: InterpreterNode, object: unknown, context: InterpreterContext): boolean =>
    ordered(op, context.get(object, node.field), node.value as ConditionValue)
}

const refuse = {
  type: 'field' as const,
  validate(): never {
    throw new Error('condition operator not allowed')
  },
}

/**
 * The CASL conditions matcher: ucast's mongo matcher with every operator outside
 * {@link CONDITION_OPERATORS} refusing to compile, and strict ordering interpreters.
 */
export const restrictedConditionsMatcher: ConditionsMatcher<MongoQuery> = buildMongoQueryMatcher(
  {
    $all: refuse,
    $size: refuse,
    $regex: refuse,
    $options: refuse,
    $elemMatch: refuse,
    $where: refuse,
    $mod: refuse,
    $not: refuse,
    $and: refuse,
    $or: refuse,
    $nor: refuse,
  },
  {
    eq: interpreter((value, operand) => scalarEquals(value, operand as ConditionValue)),
    ne: interpreter((value, operand) => !scalarEquals(value, operand as ConditionValue)),
    in: interpreter((value, operand) => inList(value, operand as ConditionValue[])),
    nin: interpreter((value, operand) => !inList(value, operand as ConditionValue[])),
    gt: strictOrdering('$gt'),
    gte: strictOrdering('$gte'),
    lt: strictOrdering('$lt'),
    lte: strictOrdering('$lte'),
  },
)

/** Normalised field conditions for CASL: plain values become `$eq`. */
export function toCaslConditions(where: Conditions): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {}
  for (const [path, condition] of Object.entries(where)) {
    out[path] = isConditionValue(condition)
      ? { $eq: condition }
      : { ...(condition as FieldCondition & object) }
  }
  return out
}
