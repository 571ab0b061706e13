/**
 * `loadPolicy`: parses a policy document (YAML text, JSON text or an object), validates it
 * against the datasets and normalises it: wildcards expanded to leaf paths, dates parsed.
 *
 * @packageDocumentation
 */

import { parse as parseYaml } from 'yaml'
import type { z } from 'zod'
import type { Dataset } from '../classify/dataset.js'
import { DatagateError, type Finding } from '../errors.js'
import { assertArray, assertObject } from '../lib/assert.js'
import { boundedTreeCopy } from '../lib/bounded-tree.js'
import { canonicalJson } from '../lib/canonical-json.js'
import { isCaslWildcard } from '../lib/casl-wildcards.js'
import { deepFreeze } from '../lib/deep-freeze.js'
import { textDigest } from '../lib/digest.js'
import { capFindings } from '../lib/findings-cap.js'
import { isForbiddenKey } from '../lib/forbidden-keys.js'
import { parseIsoDate } from '../lib/iso-date.js'
import { describeIssue, formatIssuePath, issueFinding } from '../lib/zod-findings.js'
import { aggregateFindings, normaliseAggregate } from './aggregate-findings.js'
import { checkConditions } from './conditions.js'
import { type AgreementDocument, type PolicyDocument, policyDocumentSchema } from './document.js'
import { classRefusal, mayReceive } from './receivable.js'
import type { Agreement, Conditions, Partner, PartnerJwks } from './types.js'
import { periodsOverlap } from './validity.js'

/**
 * A loaded, validated policy. Deeply frozen: every object in it, `document` and each agreement's
 * `where` included, refuses edits, since `hash` and every compiled plan were made from it as
 * loaded. Load a new one to change it.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { defineDataset, field, loadPolicy, type Policy } from 'datagate'
 *
 * const Order = defineDataset('repair_order', z.object({ hours: field.public(z.number()) }), { version: '1' })
 * const policy: Policy = loadPolicy({ issuer: 'oem', partners: [{ id: 'rental-co', name: 'Rental Co',
 *   category: 'capability', standing: 'gold', core: true, agreements: [{ id: 'a1', dataset: 'repair_order',
 *   purpose: 'courtesy-car', fields: ['hours'], where: { hours: { $gt: 4 } },
 *   validFrom: '2026-01-01', validUntil: '2026-12-31' }] }] }, { datasets: [Order] })
 * console.log(Object.isFrozen(policy.partners[0]?.agreements[0]?.where?.hours)) // true
 * ```
 */
export interface Policy {
  readonly issuer: string
  readonly partners: readonly Partner[]
  /** `sha256:<hex>` of the canonical JSON of the document; every export and audit event names it. */
  readonly hash: string
  /** The document as written (after structural validation), for re-checking against other datasets. */
  readonly document: PolicyDocument
  /** Names of the datasets the policy was checked against. */
  readonly datasets: readonly string[]
  /** The partner with this id, or `undefined`. */
  partner(id: string): Partner | undefined
}

/** Options of {@link loadPolicy}. */
export interface LoadPolicyOptions {
  /** Every dataset the policy's agreements may name. */
  readonly datasets: readonly Dataset[]
}

/** Largest policy text accepted, in characters. */
export const MAX_POLICY_TEXT = 5_000_000

// A policy document, as an object or after YAML aliases are expanded, is copied into a tree of
// at most this many nodes (each path counted once) before anything else reads it.
const MAX_POLICY_NODES = 1_000_000
// Real policies nest about eight levels; deeper ones are refused, never skipped.
const MAX_POLICY_DEPTH = 256
const MAX_FINDINGS = 100

const DAY_MS = 86_400_000
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/

function fail(all: readonly Finding[]): never {
  const findings = capFindings(all, MAX_FINDINGS)
  const summary = findings
    .slice(0, 5)
    .map((f) => `${f.path}: ${f.message}`)
    .join('; ')
  const more = all.length > 5 ? `; and ${all.length - 5} more` : ''
  throw new DatagateError(
    'ERR_POLICY_INVALID',
    `policy has ${all.length} problem(s): ${summary}${more}`,
    { findings },
  )
}

function parseText(text: string): unknown {
  if (text.length > MAX_POLICY_TEXT) {
    fail([
      {
        code: 'too_large',
        path: '(document)',
        message: `policy text exceeds ${MAX_POLICY_TEXT} characters`,
      },
    ])
  }
  const trimmed = text.trimStart()
  try {
    if (trimmed.startsWith('{')) return JSON.parse(text)
    return parseYaml(text, {
      schema: 'core',
      uniqueKeys: true,
      maxAliasCount: 100,
      prettyErrors: true,
    })
  } catch (error) {
    const where = error instanceof Error && 'linePos' in error ? lineOf(error) : ''
    return fail([
      {
        code: 'syntax_error',
        path: '(document)',
        message: `the policy is not valid YAML or JSON${where}`,
      },
    ])
  }
}

function lineOf(error: Error): string {
  const pos = (error as Error & { linePos?: readonly { line: number; col: number }[] }).linePos
  const first = pos?.[0]
  return first ? ` (line ${first.line}, column ${first.col})` : ''
}

function structuralFindings(issues: readonly z.core.$ZodIssue[]): Finding[] {
  return issues.map((issue) =>
    issueFinding(issue, formatIssuePath(issue.path) || '(document)', describeIssue(issue)),
  )
}

/**
 * Bounds the raw document before any other step (zod would assign a `__proto__` key, setting a
 * prototype, so the condition it held would vanish and a `where` would silently widen): a fresh
 * tree copy, or the findings that refuse it. A getter or Proxy that throws is refused as well,
 * without its message (it could quote anything).
 */
function boundedDocument(raw: unknown): { tree: unknown; findings: readonly Finding[] } {
  try {
    return boundedTreeCopy(raw, {
      maxNodes: MAX_POLICY_NODES,
      maxDepth: MAX_POLICY_DEPTH,
      maxFindings: MAX_FINDINGS,
    })
  } catch {
    return {
      tree: undefined,
      findings: [
        { code: 'unreadable', path: '(document)', message: 'the policy object could not be read' },
      ],
    }
  }
}

/** Structural validation of a raw document: bounded copy first, then the zod schema. */
function validateDocument(
  raw: unknown,
):
  | { document: PolicyDocument; findings: readonly [] }
  | { document: undefined; findings: readonly Finding[] } {
  const { tree, findings } = boundedDocument(raw)
  if (findings.length > 0) return { document: undefined, findings }
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree))
    return {
      document: undefined,
      findings: [{ code: 'invalid_type', path: '(document)', message: 'expected a policy object' }],
    }
  const parsed = policyDocumentSchema.safeParse(tree)
  if (!parsed.success)
    return { document: undefined, findings: structuralFindings(parsed.error.issues) }
  return { document: parsed.data, findings: [] }
}

/**
 * Epoch ms of a policy date: `YYYY-MM-DD` (the start, or with `endOfDay` the last millisecond,
 * of that UTC day) or an ISO date-time with `Z` or an offset. A day that does not exist
 * (`2026-02-30`) is refused, never rolled into the next month.
 */
function parseDate(value: string | Date, endOfDay: boolean): number | undefined {
  const time =
    value instanceof Date ? value.getTime() : parseIsoDate(value, { requireOffset: true })
  if (Number.isNaN(time)) return undefined
  return endOfDay && typeof value === 'string' && DATE_ONLY.test(value) ? time + DAY_MS - 1 : time
}

function expandFields(
  declared: readonly string[],
  dataset: Dataset,
  core: boolean,
  at: string,
  findings: Finding[],
): string[] {
  const granted = new Set<string>()
  declared.forEach((entry, index) => {
    const here = `${at}[${index}]`
    if (entry === '*' || entry.endsWith('.*') || entry.endsWith('[].*')) {
      const prefix = entry === '*' ? '' : entry.slice(0, -2)
      const under = dataset.fields.filter(
        (f) => prefix === '' || f.path.startsWith(`${prefix}.`) || f.path.startsWith(`${prefix}[]`),
      )
      if (under.length === 0) {
        findings.push({
          code: 'unknown_field',
          path: here,
          message: `dataset ${dataset.name} has no fields under ${entry}`,
        })
        return
      }
      const allowed = under.filter((f) => mayReceive(f.class, core))
      if (allowed.length === 0) {
        findings.push({
          code: 'wildcard_grants_nothing',
          path: here,
          message: `${entry} holds no field this partner may receive (sensitive${core ? '' : ' or desensitised'} only)`,
        })
      }
      for (const f of allowed) granted.add(f.path)
      return
    }
    const leaf = dataset.field(entry)
    if (!leaf) {
      const isObject = dataset.fields.some(
        (f) => f.path.startsWith(`${entry}.`) || f.path.startsWith(`${entry}[]`),
      )
      findings.push({
        code: 'unknown_field',
        path: here,
        message: isObject
          ? `${entry} is an object in dataset ${dataset.name}; grant its leaves or ${entry}.*`
          : `dataset ${dataset.name} has no field ${entry}`,
      })
      return
    }
    const refusal = classRefusal(leaf.class, core)
    if (refusal === 'sensitive') {
      findings.push({
        code: 'sensitive_field_granted',
        path: here,
        message: `${entry} is sensitive and never leaves`,
      })
      return
    }
    if (refusal === 'not_core') {
      findings.push({
        code: 'desensitised_field_to_non_core',
        path: here,
        message: `${entry} is desensitised; only core partners may receive it`,
      })
      return
    }
    granted.add(entry)
  })
  return dataset.fields.filter((f) => granted.has(f.path)).map((f) => f.path)
}

function normaliseAgreement(
  doc: AgreementDocument,
  dataset: Dataset | undefined,
  core: boolean,
  at: string,
  findings: Finding[],
): Agreement | undefined {
  const before = findings.length
  const validFrom = parseDate(doc.validFrom, false)
  const validUntil = parseDate(doc.validUntil, true)
  if (validFrom === undefined)
    findings.push({
      code: 'invalid_date',
      path: `${at}.validFrom`,
      message: 'expected YYYY-MM-DD or an ISO date-time with a zone',
    })
  if (validUntil === undefined)
    findings.push({
      code: 'invalid_date',
      path: `${at}.validUntil`,
      message: 'expected YYYY-MM-DD or an ISO date-time with a zone',
    })
  if (validFrom !== undefined && validUntil !== undefined && validUntil < validFrom)
    findings.push({
      code: 'validity_reversed',
      path: `${at}.validUntil`,
      message: 'validUntil is before validFrom',
    })
  for (const member of ['purpose', 'dataset'] as const) {
    if (isCaslWildcard(doc[member]))
      findings.push({
        code: 'reserved_name',
        path: `${at}.${member}`,
        message: `${doc[member]} is a CASL wildcard (every ${member === 'purpose' ? 'action' : 'subject'}) and cannot name a ${member}`,
      })
  }
  if (doc.fields.length === 0)
    findings.push({
      code: 'empty_field_list',
      path: `${at}.fields`,
      message: 'an agreement must grant at least one field',
    })
  if (!dataset) {
    findings.push({
      code: 'unknown_dataset',
      path: `${at}.dataset`,
      message: `no dataset named ${doc.dataset}`,
    })
    return undefined
  }
  const fields = expandFields(doc.fields, dataset, core, `${at}.fields`, findings)
  if (doc.where) findings.push(...checkConditions(doc.where, dataset, core, `${at}.where`))
  if (doc.k !== undefined && !doc.aggregate)
    findings.push({
      code: 'k_without_aggregate',
      path: `${at}.k`,
      message: 'k applies to aggregate agreements only; add aggregate',
    })
  if (doc.aggregate) {
    const granted = new Set(fields)
    doc.aggregate.by.forEach((path, i) => {
      if (!granted.has(path))
        findings.push({
          code: 'aggregate_field_not_granted',
          path: `${at}.aggregate.by[${i}]`,
          message: `${path} is not among the granted fields`,
        })
    })
    for (const [name, measure] of Object.entries(doc.aggregate.measures)) {
      if (isForbiddenKey(name))
        findings.push({
          code: 'invalid_measure',
          path: `${at}.aggregate.measures`,
          message: `${name} cannot name a measure`,
        })
      if (measure.op !== 'count' && !granted.has(measure.field))
        findings.push({
          code: 'aggregate_field_not_granted',
          path: `${at}.aggregate.measures.${name}.field`,
          message: `${measure.field} is not among the granted fields`,
        })
    }
  }
  if (findings.length > before || validFrom === undefined || validUntil === undefined)
    return undefined
  return Object.freeze({
    id: doc.id,
    dataset: doc.dataset,
    purpose: doc.purpose,
    fields: Object.freeze(fields),
    declaredFields: Object.freeze([...doc.fields]),
    where: doc.where as Conditions | undefined,
    validFrom,
    validUntil,
    k: doc.aggregate ? (doc.k ?? 5) : undefined,
    aggregate: doc.aggregate ? normaliseAggregate(doc.aggregate) : undefined,
  })
}

function sameGrant(a: Agreement, b: Agreement): boolean {
  return (
    canonicalJson(a.fields) === canonicalJson(b.fields) &&
    canonicalJson(a.where ?? null) === canonicalJson(b.where ?? null) &&
    canonicalJson(a.aggregate ?? null) === canonicalJson(b.aggregate ?? null) &&
    a.k === b.k
  )
}

function overlapFindings(agreements: readonly Agreement[], at: string): Finding[] {
  const findings: Finding[] = []
  for (let i = 0; i < agreements.length; i++) {
    for (let j = i + 1; j < agreements.length; j++) {
      const a = agreements[i] as Agreement
      const b = agreements[j] as Agreement
      if (a.dataset !== b.dataset || a.purpose !== b.purpose) continue
      if (!periodsOverlap(a, b)) continue
      findings.push({
        code: 'overlapping_agreements',
        path: `${at}.agreements`,
        message: sameGrant(a, b)
          ? `agreements ${a.id} and ${b.id} duplicate each other for ${a.dataset}/${a.purpose} in overlapping periods`
          : `agreements ${a.id} and ${b.id} contradict each other for ${a.dataset}/${a.purpose} in overlapping periods (fields, conditions or aggregation differ)`,
      })
    }
  }
  return findings
}

/**
 * Checks a document against datasets and normalises it: the same bounded copy and structural
 * validation as {@link loadPolicy} first (a `Policy` handed to the gate may not come from it),
 * then every agreement. Returns every finding; `policy` only when there are none.
 */
export function compilePolicy(
  document: PolicyDocument,
  datasets: readonly Dataset[],
): { readonly policy: Policy | undefined; readonly findings: readonly Finding[] } {
  const validated = validateDocument(document)
  if (validated.document === undefined)
    return { policy: undefined, findings: capFindings(validated.findings, MAX_FINDINGS) }
  return compileDocument(validated.document, datasets)
}

function compileDocument(
  document: PolicyDocument,
  datasets: readonly Dataset[],
): { readonly policy: Policy | undefined; readonly findings: readonly Finding[] } {
  const findings: Finding[] = []
  const byName = new Map(datasets.map((d) => [d.name, d]))
  const seenPartners = new Set<string>()
  const partners: Partner[] = []
  document.partners.forEach((doc, p) => {
    const at = `partners[${p}]`
    if (seenPartners.has(doc.id))
      findings.push({
        code: 'duplicate_partner',
        path: `${at}.id`,
        message: `partner id ${doc.id} appears twice`,
      })
    seenPartners.add(doc.id)
    doc.encryptionKeys?.keys.forEach((jwk, i) => {
      if ('d' in jwk || 'k' in jwk || 'p' in jwk)
        findings.push({
          code: 'private_key_in_policy',
          path: `${at}.encryptionKeys.keys[${i}]`,
          message: 'a partner key set must hold public keys only',
        })
    })
    const seenAgreements = new Set<string>()
    const agreements: Agreement[] = []
    doc.agreements.forEach((agreementDoc, a) => {
      const here = `${at}.agreements[${a}]`
      if (seenAgreements.has(agreementDoc.id))
        findings.push({
          code: 'duplicate_agreement',
          path: `${here}.id`,
          message: `agreement id ${agreementDoc.id} appears twice for partner ${doc.id}`,
        })
      seenAgreements.add(agreementDoc.id)
      const agreement = normaliseAgreement(
        agreementDoc,
        byName.get(agreementDoc.dataset),
        doc.core,
        here,
        findings,
      )
      if (agreement) agreements.push(agreement)
    })
    findings.push(...overlapFindings(agreements, at))
    findings.push(...aggregateFindings(doc, agreements, byName, at))
    partners.push(
      Object.freeze({
        id: doc.id,
        name: doc.name,
        category: doc.category,
        standing: doc.standing,
        core: doc.core,
        // sign.ts checks each key at use (kty, crv, no private part); the policy only refuses private keys.
        encryptionKeys: doc.encryptionKeys as PartnerJwks | undefined,
        maxRecordsPerRelease: doc.maxRecordsPerRelease,
        ...(doc.budget === undefined ? {} : { budget: Object.freeze({ ...doc.budget }) }),
        agreements: Object.freeze(agreements),
      }),
    )
  })
  if (findings.length > 0) return { policy: undefined, findings }
  const byId = new Map(partners.map((p) => [p.id, p]))
  const policy: Policy = deepFreeze({
    issuer: document.issuer,
    partners: Object.freeze(partners),
    hash: textDigest(canonicalJson(document)),
    document,
    datasets: Object.freeze(datasets.map((d) => d.name)),
    partner: (id: string) => byId.get(id),
  })
  return { policy, findings }
}

/**
 * Loads a policy: YAML text, JSON text or an object. Validates the structure with zod strict
 * objects, then every agreement against the datasets. Throws `ERR_POLICY_INVALID` whose
 * `findings` list every problem at once (see docs/policy.md for each code).
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { defineDataset, field, loadPolicy } from 'datagate'
 *
 * const Outlet = defineDataset('outlet', z.object({
 *   outletId: field.public(z.string()),
 *   city: field.public(z.string()),
 *   managerName: field.sensitive(z.string()),
 * }), { version: '1' })
 *
 * const policy = loadPolicy(`
 * issuer: oem-aftersales
 * partners:
 *   - id: maps-co
 *     name: Maps Co
 *     category: traffic
 *     standing: silver
 *     core: false
 *     agreements:
 *       - id: outlet-map-2026
 *         dataset: outlet
 *         purpose: map-display
 *         fields: ['*']
 *         validFrom: 2026-01-01
 *         validUntil: 2026-12-31
 * `, { datasets: [Outlet] })
 * console.log(policy.partner('maps-co')?.agreements[0]?.fields) // [ 'outletId', 'city' ]
 * ```
 */
export function loadPolicy(input: string | object, options: LoadPolicyOptions): Policy {
  assertObject(options, 'loadPolicy: options')
  assertArray(options.datasets, 'loadPolicy: options.datasets')
  const raw = typeof input === 'string' ? parseText(input) : input
  const validated = validateDocument(raw)
  if (validated.document === undefined) fail(validated.findings)
  const { policy, findings } = compileDocument(validated.document, options.datasets)
  if (!policy) fail(findings)
  return policy
}
