/**
 * Release plans: a (partner, dataset, purpose) triple compiled once into explicit leaf paths
 * with bound operators, a compiled row predicate and the record cap. Per record there is no
 * CASL call and no path parsing; CASL decided the fields when the plan was compiled.
 *
 * @packageDocumentation
 */
import type { IntervalAuditor } from '../anonymize/interval-audit.js'
import type { OperatorContext, RandomSource } from '../anonymize/operator.js'
import {
  compileReader,
  type Dataset,
  type DatasetField,
  freshReadNodes,
  type ParsedRecord,
  type ReadNode,
} from '../classify/dataset.js'
import type { FieldClass } from '../classify/types.js'
import { DatagateError } from '../errors.js'
import { canonicalJson } from '../lib/canonical-json.js'
import { caseNote, didYouMean } from '../lib/suggest.js'
import { abilityFromAgreements } from './ability.js'
import { compileConditions, type RowPredicate } from './conditions.js'
import type { Policy } from './load.js'
import { mayReceive } from './receivable.js'
import type { Agreement, Partner } from './types.js'
import { isActiveAt } from './validity.js'

/** One released field of a plan. */
export interface PlanField {
  readonly path: string
  readonly class: FieldClass
  /** The operator's name: `keep` for public fields, e.g. `mask.phone` for desensitised ones. */
  readonly operator: string
}

/** A compiled release plan: everything a release, export, delta or stream needs. */
export interface ReleasePlan {
  readonly partner: Partner
  readonly dataset: Dataset
  readonly purpose: string
  readonly agreement: Agreement
  /** Hash of the policy the plan was compiled from (plans are dropped when it changes). */
  readonly policyHash: string
  /** `records` releases projected records; `aggregate` releases suppressed group rows. */
  readonly kind: 'records' | 'aggregate'
  /**
   * Whether two runs over the same rows release the same view: no field operator adds noise
   * and the agreement is not a noisy aggregate. Only deterministic plans can be patched.
   */
  readonly deterministic: boolean
  /** Released fields whose operator adds fresh noise on every run. */
  readonly noisyFields: readonly string[]
  /**
   * Validates what the plan reads of a row (released leaves and condition fields) and returns
   * their parse output; throws `ERR_RECORD_INVALID`.
   */
  readonly read: (row: unknown) => ParsedRecord<Record<string, unknown>>
  /** Randomness of noise operators and aggregates. */
  readonly random: RandomSource | undefined
  /** Interval auditor of aggregate agreements with totals. */
  readonly auditor: IntervalAuditor | undefined
  /** Released fields in dataset order. */
  readonly fields: readonly PlanField[]
  /** Records per release at most (the partner's `maxRecordsPerRelease`). */
  readonly cap: number | undefined
  /** Whether a parsed record's row passes the agreement's conditions. */
  readonly predicate: RowPredicate
  /**
   * Projects a parsed record onto the released fields, transformed. Give it only a record `read`
   * just returned, once: when that record holds nothing but released leaves in released order,
   * it is transformed in place and returned as the released record, not copied.
   */
  readonly project: (record: unknown) => Record<string, unknown>
  /**
   * The canonical JSON of what `project` releases from a parsed record (`canonicalJson` of
   * it, written natively where that is provably the same text): a delta's record key.
   */
  readonly canonicalKey: (record: unknown) => string
}

/** What operators are bound with. */
export interface PlanContext {
  readonly pseudonymKey?: Uint8Array | undefined
  readonly random?: RandomSource | undefined
  readonly auditor?: IntervalAuditor | undefined
  /** The policy's hash, carried into reports and claims. */
  readonly policyHash?: string | undefined
}

type Project = (value: unknown) => unknown

interface Trie {
  readonly children: Map<string, Trie>
  transform?: Project
  /** The leaf's operator is `keep`: its transform returns the value it is given. */
  keeps?: boolean
}

function buildTrie(
  fields: readonly DatasetField[],
  context: OperatorContext & { partner: string },
): Trie {
  const root: Trie = { children: new Map() }
  for (const f of fields) {
    let node = root
    for (const segment of f.segments) {
      let next = node.children.get(segment)
      if (!next) {
        next = { children: new Map() }
        node.children.set(segment, next)
      }
      node = next
    }
    node.transform = f.operator.bind({ ...context, path: f.path }) as Project
    node.keeps = f.operator.kind === 'keep'
  }
  return root
}

function compileNode(node: Trie): Project {
  const transform = node.transform
  if (transform)
    return (value) => (value === null || value === undefined ? value : transform(value))
  const element = node.children.get('[]')
  if (element) {
    const projectElement = compileNode(element)
    return (value) => {
      if (!Array.isArray(value)) return value === null ? null : undefined
      const out: unknown[] = new Array(value.length)
      for (let i = 0; i < value.length; i++) out[i] = projectElement(value[i])
      return out
    }
  }
  return projectObject([...node.children.keys()], [...node.children.values()].map(compileNode))
}

/**
 * The own members `keys` of an object, each through its projection, in the order of `keys`; a
 * member that projects to undefined is left out. Not an object: null stays null, else undefined.
 */
function projectObject(keys: readonly string[], projects: readonly Project[]): Project {
  const width = keys.length
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return value === null ? null : undefined
    const source = value as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (let i = 0; i < width; i++) {
      const key = keys[i] as string
      if (!Object.hasOwn(source, key)) continue
      const projected = (projects[i] as Project)(source[key])
      if (projected !== undefined) out[key] = projected
    }
    return out
  }
}

/**
 * {@link compileNode}'s projection done in the parse output itself, for plans whose reader
 * returns fresh objects holding only the released leaves, in released order (`read`, from
 * `freshReadNodes`): each leaf is replaced by its transform, a member that projects to undefined
 * is deleted (zod keeps an optional key given as undefined), and every object and array is the
 * one given. A kept leaf that is never undefined needs nothing, nor does an object or array whose
 * members all need nothing: those are not visited (`undefined` here). The released record is
 * then the parse output, and a release makes one object tree a row instead of two (measured in
 * docs/benchmarks.md). What it returns equals what compileNode's projection returns for the
 * same record (test/policy/in-place.test.ts).
 */
function compileInPlace(node: Trie, read: ReadNode): Project | undefined {
  const transform = node.transform
  if (transform) {
    if (node.keeps) return read.definite ? undefined : (value) => value
    return (value) => (value === null || value === undefined ? value : transform(value))
  }
  const element = node.children.get('[]')
  const readElement = read.children.get('[]')
  if (element && readElement) {
    const projectElement = compileInPlace(element, readElement)
    if (projectElement === undefined)
      return read.definite
        ? undefined
        : (value) => (Array.isArray(value) || value === null ? value : undefined)
    return (value) => {
      if (!Array.isArray(value)) return value === null ? null : undefined
      for (let i = 0; i < value.length; i++) value[i] = projectElement(value[i])
      return value
    }
  }
  const keys: string[] = []
  const projects: Project[] = []
  for (const [key, child] of node.children) {
    const readChild = read.children.get(key)
    if (readChild === undefined) continue
    const project = compileInPlace(child, readChild)
    if (project === undefined) continue
    keys.push(key)
    projects.push(project)
  }
  const width = keys.length
  if (width === 0 && read.definite) return undefined
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return value === null ? null : undefined
    const target = value as Record<string, unknown>
    for (let i = 0; i < width; i++) {
      const key = keys[i] as string
      if (!Object.hasOwn(target, key)) continue
      const member = target[key]
      const projected = (projects[i] as Project)(member)
      if (projected === undefined) delete target[key]
      else if (projected !== member) target[key] = projected
    }
    return target
  }
}

/** Property keys that JavaScript orders before all others (array indices), whatever their insertion. */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/

function hasIndexKey(node: Trie): boolean {
  for (const [key, child] of node.children) {
    if (key !== '[]' && ARRAY_INDEX.test(key)) return true
    if (hasIndexKey(child)) return true
  }
  return false
}

/**
 * The canonical JSON of released records (what delta keys and view digests are made of), without
 * the generic serialiser: the projection is compiled a second time with every object's keys in
 * sorted order (UTF-16 code units, as canonicalJson sorts them), so `JSON.stringify` of its
 * output writes canonical JSON natively, as one flat string. That holds while every released
 * value is a string, a boolean, null or a finite number (what JSON.stringify and canonicalJson
 * write alike), which each leaf checks; a record with any other value (an object, array or Date
 * an operator or schema made, a non-finite number) is serialised by canonicalJson instead, as is
 * every record of a plan whose field names include an array index (JavaScript would order those
 * first). test/policy/canonical-key.test.ts checks the equality against canonicalJson.
 */
function compileCanonicalKey(root: Trie): (record: unknown) => string {
  let plain = true
  const compile = (node: Trie): Project => {
    const transform = node.transform
    if (transform)
      return (value) => {
        if (value === null || value === undefined) return value
        const out = transform(value)
        const type = typeof out
        if (
          !(
            type === 'string' ||
            type === 'boolean' ||
            out === null ||
            out === undefined ||
            (type === 'number' && Number.isFinite(out))
          )
        )
          plain = false
        return out
      }
    const element = node.children.get('[]')
    if (element) {
      const projectElement = compile(element)
      return (value) => {
        if (!Array.isArray(value)) return value === null ? null : undefined
        const out: unknown[] = new Array(value.length)
        for (let i = 0; i < value.length; i++) {
          const item = projectElement(value[i])
          // canonicalJson writes an undefined member as null; JSON.stringify would too, but
          // keep the generic path for it rather than reason about holes.
          if (item === undefined) plain = false
          out[i] = item
        }
        return out
      }
    }
    // Sorted keys: the object comes out in canonical member order.
    const keys = [...node.children.keys()].sort()
    return projectObject(
      keys,
      keys.map((key) => compile(node.children.get(key) as Trie)),
    )
  }
  const project = compile(root)
  const native = !hasIndexKey(root)
  return (record) => {
    plain = native
    const projected = project(record) ?? {}
    return plain ? JSON.stringify(projected) : canonicalJson(projected)
  }
}

/**
 * The partner, if its standing lets it receive anything: throws `ERR_UNKNOWN_PARTNER`,
 * `ERR_PARTNER_SUSPENDED` (yellow card) or `ERR_PARTNER_REVOKED` (terminated).
 */
export function resolvePartner(policy: Policy, partnerId: string): Partner {
  const partner = policy.partner(partnerId)
  if (!partner)
    throw new DatagateError(
      'ERR_UNKNOWN_PARTNER',
      `no partner ${JSON.stringify(partnerId)} in the policy${didYouMean(
        partnerId,
        policy.partners.map((p) => p.id),
      )}`,
    )
  if (partner.standing === 'yellow')
    throw new DatagateError(
      'ERR_PARTNER_SUSPENDED',
      `partner ${partner.id} holds a yellow card: every release is suspended`,
    )
  if (partner.standing === 'terminated')
    throw new DatagateError(
      'ERR_PARTNER_REVOKED',
      `partner ${partner.id} is terminated: every release is revoked`,
    )
  return partner
}

// Which dataset or purpose the partner does hold, when the request is a near miss: purposes are
// CASL actions and match exactly, so `Claims` for `claims` is refused, and says so.
function refusalHint(partner: Partner, dataset: string, purpose: string): string {
  const datasets = new Set(partner.agreements.map((a) => a.dataset))
  if (!datasets.has(dataset)) return caseNote(dataset, datasets, 'datasets')
  const purposes = partner.agreements.filter((a) => a.dataset === dataset).map((a) => a.purpose)
  return caseNote(purpose, new Set(purposes), 'purposes')
}

/**
 * Picks the agreement that governs a release and checks the partner's standing.
 * Throws `ERR_UNKNOWN_PARTNER`, `ERR_PARTNER_SUSPENDED`, `ERR_PARTNER_REVOKED`,
 * `ERR_NOT_PERMITTED` or `ERR_AGREEMENT_EXPIRED`.
 */
export function resolveAgreement(
  policy: Policy,
  partnerId: string,
  dataset: string,
  purpose: string,
  time: number,
): { readonly partner: Partner; readonly agreement: Agreement } {
  const partner = resolvePartner(policy, partnerId)
  const candidates = partner.agreements.filter(
    (a) => a.dataset === dataset && a.purpose === purpose,
  )
  if (candidates.length === 0)
    throw new DatagateError(
      'ERR_NOT_PERMITTED',
      `partner ${partner.id} has no agreement for ${dataset}/${purpose}${refusalHint(partner, dataset, purpose)}`,
    )
  const active = candidates.find((a) => isActiveAt(a, time))
  if (!active) {
    const ids = candidates.map((a) => a.id).join(', ')
    throw new DatagateError(
      'ERR_AGREEMENT_EXPIRED',
      `no agreement of partner ${partner.id} for ${dataset}/${purpose} is valid at ${new Date(time).toISOString()} (${ids})`,
    )
  }
  return { partner, agreement: active }
}

/**
 * Compiles the plan for one agreement. Fields come from the CASL ability built from the
 * agreement; a field CASL grants that the partner may not receive (which a loaded policy
 * cannot contain) fails closed with `ERR_POLICY_INVALID`.
 */
export function compilePlan(
  partner: Partner,
  agreement: Agreement,
  dataset: Dataset,
  context: PlanContext,
): ReleasePlan {
  const ability = abilityFromAgreements(dataset.name, [agreement])
  const granted = dataset.fields.filter((f) => ability.can(agreement.purpose, dataset.name, f.path))
  for (const f of granted) {
    if (!mayReceive(f.class, partner.core)) {
      throw new DatagateError(
        'ERR_POLICY_INVALID',
        `agreement ${agreement.id} grants ${f.path} (${f.class}) to partner ${partner.id}, which may not receive it`,
      )
    }
  }
  const trie = buildTrie(granted, {
    partner: partner.id,
    path: '',
    pseudonymKey: context.pseudonymKey,
    random: context.random,
  })
  const conditionFields = agreement.where ? Object.keys(agreement.where) : []
  const readPaths = [...granted.map((f) => f.path), ...conditionFields]
  // In place when the reader returns nothing but released leaves: every condition field is
  // released too (a condition-only leaf would have to be deleted from every record).
  const grantedPaths = new Set(granted.map((f) => f.path))
  const fresh = conditionFields.every(
    (path) => grantedPaths.has(path) || dataset.field(path) === undefined,
  )
    ? freshReadNodes(dataset, readPaths)
    : undefined
  const projectRoot =
    fresh === undefined
      ? compileNode(trie)
      : (compileInPlace(trie, fresh) ?? ((record: unknown) => record))
  const noisyFields = granted.filter((f) => f.operator.kind === 'noise').map((f) => f.path)
  const kind = agreement.aggregate ? 'aggregate' : 'records'
  return Object.freeze({
    partner,
    dataset,
    purpose: agreement.purpose,
    agreement,
    policyHash: context.policyHash ?? '',
    kind,
    deterministic: noisyFields.length === 0 && !agreement.aggregate?.noise,
    noisyFields: Object.freeze(noisyFields),
    read: compileReader(dataset, readPaths),
    random: context.random,
    auditor: context.auditor,
    fields: Object.freeze(
      granted.map((f) =>
        Object.freeze({ path: f.path, class: f.class, operator: f.operator.name }),
      ),
    ),
    cap: partner.maxRecordsPerRelease,
    predicate: compileConditions(agreement.where, dataset),
    project: (record: unknown) => (projectRoot(record) ?? {}) as Record<string, unknown>,
    canonicalKey: compileCanonicalKey(trie),
  })
}
