// A structurally valid policy document checked against datasets and normalised into a Policy:
// partners, their keys and agreements, overlaps and aggregate checks, then hashed and frozen.
// The Policy type is declared here, where one is made; load.ts, the face callers know, hands it on.
import type { Dataset } from '../classify/dataset.js'
import type { Finding } from '../errors.js'
import { canonicalJson } from '../lib/canonical-json.js'
import { deepFreeze } from '../lib/deep-freeze.js'
import { textDigest } from '../lib/digest.js'
import { capFindings } from '../lib/findings-cap.js'
import { aggregateFindings } from './aggregate-findings.js'
import { normaliseAgreement } from './agreement.js'
import { consentFindings, roleOf } from './consent-rules.js'
import type { PolicyDocument } from './document.js'
import { guardrailFindings } from './guardrails.js'
import { overlapFindings } from './overlaps.js'
import { MAX_FINDINGS } from './policy-error.js'
import type { Agreement, Partner, PartnerJwks } from './types.js'
import { validateDocument } from './validate-document.js'

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

/** Checks and normalises a validated document; `policy` only when there are no findings. */
export function compileDocument(
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
      const dataset = byName.get(agreementDoc.dataset)
      if (dataset)
        findings.push(
          ...consentFindings(
            doc.role,
            agreementDoc.consent,
            agreement?.fields,
            dataset,
            agreementDoc.aggregate !== undefined,
            here,
          ),
        )
      if (agreement) agreements.push(agreement)
    })
    findings.push(...overlapFindings(agreements, at))
    findings.push(...aggregateFindings(doc, agreements, byName, at))
    findings.push(...guardrailFindings(doc, agreements, byName, at, document.locationPrecision))
    partners.push(
      Object.freeze({
        id: doc.id,
        name: doc.name,
        category: doc.category,
        standing: doc.standing,
        core: doc.core,
        role: roleOf(doc.role),
        roleDeclared: doc.role !== undefined,
        ...(doc.contact === undefined ? {} : { contact: doc.contact }),
        region: doc.region ?? 'CN',
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
