// Canary test over every DatagateErrorCode: each case triggers its code with canary values and
// canary data keys in the input, and no canary may appear in the error's message, findings,
// cause chain (recursively), or in any audit event written on the way.
//
// `cases` is a Record over DatagateErrorCode, so adding a code to src/errors.ts without a case
// here fails typecheck. Codes added on other branches (e.g. ERR_AUDIT_LOCKED for audit integrity)
// get their case when those branches merge, in the same shape.
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { createClient } from 'redis'
import { beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { bearerPartner } from '../../src/adapters/bearer.js'
import { createHighsAuditor } from '../../src/anonymize/interval-audit.js'
import { defineDataset } from '../../src/classify/dataset.js'
import { type DatagateErrorCode, isDatagateError } from '../../src/errors.js'
import { callbackAuditSink, memoryAuditSink } from '../../src/export/audit.js'
import { fileAuditSink } from '../../src/export/audit-file.node.js'
import { memoryBudgetStore } from '../../src/export/budget.js'
import { fileBudgetStore } from '../../src/export/budget-file.node.js'
import { applyDelta } from '../../src/export/delta.js'
import { createGate, type Gate } from '../../src/export/gate.js'
import type { KeyRing } from '../../src/export/key-ring.js'
import { generateKeys } from '../../src/export/keys.js'
import { applyPatchSafely } from '../../src/export/patch.js'
import { createMemoryReplayCache } from '../../src/export/replay-cache.js'
import { signCompactBytes, signEnvelope } from '../../src/export/sign.js'
import { type StreamPart, verifyStream } from '../../src/export/stream.js'
import { verifyStreamSet } from '../../src/export/stream-set.js'
import {
  memorySubjectCounterStore,
  type SubjectCounterStore,
} from '../../src/export/subject-counter.js'
import { DELTA_TYP, EXPORT_TYP, STREAM_SET_TYP } from '../../src/export/typ.js'
import { verifyEnvelope } from '../../src/export/verify.js'
import { verifyExport } from '../../src/export/verify-export.js'
import { loadPolicy } from '../../src/policy/load.js'
import { redisReplayCache } from '../../src/stores/redis.js'
import { b64u, exportClaims } from '../export/helpers.js'
import { tempDir } from '../temp-dir.js'
import {
  ISSUER,
  Order,
  orderGate,
  orderPolicyDocument,
  orderRow,
  request,
  T0,
  T0_S,
  TEST_PSEUDONYM_KEY,
} from './helpers.js'

const VALUE = 'CANARY-VAL-5f3a'
const KEY = 'CANARY-KEY-9c1e'
const CANARY = /CANARY/i

/** A row whose values and data keys are canaries (as far as the schema lets them be). */
const canaryRow = (overrides: Record<string, unknown> = {}) =>
  orderRow({ orderId: VALUE, city: VALUE, tags: { [KEY]: VALUE }, ...overrides })

interface Outcome {
  readonly error: unknown
  readonly audit?: readonly unknown[]
}

async function outcome(run: () => unknown, audit?: readonly unknown[]): Promise<Outcome> {
  try {
    await run()
  } catch (error) {
    return audit === undefined ? { error } : { error, audit }
  }
  throw new Error('expected a rejection')
}

/** Everything an error exposes, recursively through `cause` (and AggregateError `errors`). */
function exposedText(error: unknown, depth = 0): string {
  if (depth > 20 || error === undefined || error === null) return ''
  if (typeof error !== 'object') return String(error)
  const parts: string[] = [String(error)]
  const record = error as Record<string, unknown>
  if (typeof record.message === 'string') parts.push(record.message)
  if (isDatagateError(error)) parts.push(JSON.stringify(error.findings))
  for (const key of Object.keys(record))
    if (key !== 'cause') {
      try {
        parts.push(key, JSON.stringify(record[key]) ?? '')
      } catch {
        parts.push(key, String(record[key]))
      }
    }
  if (Array.isArray(record.errors))
    for (const inner of record.errors) parts.push(exposedText(inner, depth + 1))
  parts.push(exposedText(record.cause, depth + 1))
  return parts.join('\n')
}

let ring: KeyRing
let gate: Gate
let events: unknown[]
let token: string

beforeAll(async () => {
  ring = await generateKeys()
  const doc = orderPolicyDocument()
  const base = doc.partners[0] as (typeof doc.partners)[number]
  const partner = (id: string, standing: string, agreement: Record<string, unknown> = {}) => ({
    ...base,
    id,
    name: id,
    standing,
    agreements: [{ ...base.agreements[0], ...agreement }],
  })
  const policy = loadPolicy(
    {
      ...doc,
      partners: [
        base,
        partner('yellow-co', 'yellow'),
        partner('gone-co', 'terminated'),
        partner('old-co', 'gold', { validFrom: '2025-01-01', validUntil: '2025-12-31' }),
      ],
    },
    { datasets: [Order] },
  )
  const sink = memoryAuditSink()
  events = sink.events as unknown[]
  gate = createGate({
    issuer: ISSUER,
    datasets: [Order],
    policy,
    keys: ring,
    pseudonymKey: TEST_PSEUDONYM_KEY,
    audit: sink,
    now: () => T0,
  })
  token = (await gate.export([canaryRow()], request)).token
})

const verify = () => ({ jwks: gate.jwks(), issuer: ISSUER, audience: 'rental-co', now: () => T0 })

/** An export set of `size` partitions of canary rows, signed by the gate. */
async function canarySet(size: number): Promise<{ set: string; partitions: string[][] }> {
  const partitions: string[][] = []
  for (let p = 0; p < size; p++) {
    const tokens: string[] = []
    for await (const part of gate.exportStream([canaryRow(), canaryRow()], request))
      tokens.push(part.token)
    partitions.push(tokens)
  }
  const manifests = partitions.map((p) => p.at(-1) as string)
  const { token } = await gate.signStreamSet({ ...request, set: 'nightly-set', manifests })
  return { set: token, partitions }
}

async function drainSet(set: string, partitions: (string[] | undefined)[]): Promise<void> {
  for await (const _ of verifyStreamSet(set, partitions as string[][], verify())) {
    // drain
  }
}

const unb64uText = (text: string) => new TextDecoder().decode(Buffer.from(text, 'base64url'))

/** A compact JWE-shaped token with the given protected header and canary content. */
const fakeJwe = (header: Record<string, unknown>) =>
  [b64u(JSON.stringify(header)), b64u(VALUE), b64u(VALUE), b64u(KEY), b64u(VALUE)].join('.')
const jweHeader = { alg: 'ECDH-ES+A256KW', enc: 'A256GCM', cty: 'JWT' }

/**
 * A gate whose one agreement aggregates repair orders by city (canary city names, canary data
 * keys in `tags`), released once per period, recording into `events`.
 */
function aggregateGate(aggregate: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const doc = orderPolicyDocument()
  const base = doc.partners[0] as (typeof doc.partners)[number]
  const agreement = { ...base.agreements[0], k: 3, aggregate: { once: true, ...aggregate } }
  const policy = loadPolicy(
    { ...doc, partners: [{ ...base, agreements: [agreement] }] },
    { datasets: [Order] },
  )
  return createGate({
    issuer: ISSUER,
    datasets: [Order],
    policy,
    keys: ring,
    pseudonymKey: TEST_PSEUDONYM_KEY,
    audit: callbackAuditSink((event) => {
      events.push(event)
    }),
    budget: memoryBudgetStore(),
    now: () => T0,
    ...extra,
  })
}

/** Rows in cells of 1, 1 and 10 records, every city a canary. */
const canaryCells = () =>
  [1, 1, 10].flatMap((size, cell) =>
    Array.from({ length: size }, (_, i) =>
      canaryRow({ city: `${VALUE}-${cell}`, orderId: `${VALUE}-${cell}-${i}`, hours: i }),
    ),
  )

/** A gate over repair orders counted by customer, for an overseas rental-co under refuse. */
function countedOrderGate(sink: ReturnType<typeof memoryAuditSink>, store: SubjectCounterStore) {
  const Counted = defineDataset('repair_order', Order.schema, {
    version: '1',
    subject: 'customerId',
  })
  const doc = orderPolicyDocument()
  const base = doc.partners[0] as (typeof doc.partners)[number]
  const policy = loadPolicy(
    {
      ...doc,
      crossBorder: { filing: 2, onThreshold: 'refuse' },
      partners: [{ ...base, region: 'DE' }],
    },
    { datasets: [Counted] },
  )
  return createGate({
    issuer: ISSUER,
    datasets: [Counted],
    policy,
    keys: ring,
    pseudonymKey: TEST_PSEUDONYM_KEY,
    audit: sink,
    subjects: { store, key: TEST_PSEUDONYM_KEY.slice().reverse() },
    now: () => T0,
  })
}

const byCity = { by: ['city'], measures: { n: { op: 'count' }, h: { op: 'sum', field: 'hours' } } }

const cases: Record<DatagateErrorCode, () => Promise<Outcome>> = {
  ERR_INVALID_ARGUMENT: () => {
    const cyclic: Record<string, unknown> = { [KEY]: VALUE }
    cyclic.self = { [KEY]: cyclic }
    return outcome(() =>
      signEnvelope({ iss: ISSUER, aud: 'rental-co', exp: T0_S + 60, records: [cyclic] }, ring, {
        typ: EXPORT_TYP,
      }),
    )
  },
  ERR_KEY_INVALID: () =>
    outcome(() => orderGate({ pseudonymKey: new TextEncoder().encode(VALUE.repeat(4)) })),
  ERR_SCHEMA_INVALID: () =>
    outcome(() =>
      defineDataset('schema_case', z.object({ a: z.literal(VALUE) }), { version: '1' }),
    ),
  ERR_RECORD_INVALID: () =>
    outcome(
      () => gate.release([canaryRow({ hours: VALUE, tags: { [KEY]: 42 } })], request),
      events,
    ),
  ERR_OPERATOR_FAILED: () =>
    outcome(() => gate.release([canaryRow({ customerId: `\uD800${VALUE}` })], request), events),
  ERR_POLICY_INVALID: () =>
    outcome(() =>
      loadPolicy(orderPolicyDocument({ city: { $in: VALUE }, hours: { $gt: VALUE } }), {
        datasets: [Order],
      }),
    ),
  ERR_UNKNOWN_PARTNER: () =>
    outcome(() => gate.release([canaryRow()], { ...request, partner: 'nobody' }), events),
  ERR_UNKNOWN_DATASET: () =>
    outcome(() => gate.release([canaryRow()], { ...request, dataset: 'nothing' }), events),
  ERR_PARTNER_SUSPENDED: () =>
    outcome(() => gate.export([canaryRow()], { ...request, partner: 'yellow-co' }), events),
  ERR_PARTNER_REVOKED: () =>
    outcome(() => gate.export([canaryRow()], { ...request, partner: 'gone-co' }), events),
  ERR_AGREEMENT_EXPIRED: () =>
    outcome(() => gate.export([canaryRow()], { ...request, partner: 'old-co' }), events),
  ERR_NOT_PERMITTED: () =>
    outcome(() => gate.export([canaryRow()], { ...request, purpose: 'advertising' }), events),
  ERR_KEY_UNSUPPORTED: () =>
    outcome(() => gate.export([canaryRow()], { ...request, encrypt: true }), events),
  ERR_TOKEN_MALFORMED: async () => {
    // Signed, so it passes the signature check and reaches JSON.parse, whose V8 message quotes
    // the text around the error: here, the canary.
    const bytes = new TextEncoder().encode(`{"records":${VALUE}}`)
    const signed = await signCompactBytes(bytes, ring, EXPORT_TYP)
    return outcome(() => verifyExport(signed.token, verify()))
  },
  ERR_SIGNATURE_INVALID: () =>
    outcome(() =>
      verifyExport(`${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`, verify()),
    ),
  ERR_ALG_NOT_ALLOWED: () =>
    outcome(() => verifyExport(token, { ...verify(), algorithms: ['ES256'] })),
  ERR_TYP_INVALID: () => outcome(() => verifyEnvelope(token, { ...verify(), typ: DELTA_TYP })),
  ERR_CRIT_UNSUPPORTED: () =>
    outcome(() =>
      verifyExport(fakeJwe({ ...jweHeader, crit: [KEY], [KEY]: VALUE }), {
        ...verify(),
        decryptionKey: { kty: 'EC' },
      }),
    ),
  ERR_EMBEDDED_KEY: () =>
    outcome(() =>
      verifyExport(fakeJwe({ ...jweHeader, jwk: { kty: 'oct', k: b64u(VALUE) } }), {
        ...verify(),
        decryptionKey: { kty: 'EC' },
      }),
    ),
  ERR_ISSUER_MISMATCH: () => outcome(() => verifyExport(token, { ...verify(), issuer: 'other' })),
  ERR_AUDIENCE_MISMATCH: () =>
    outcome(() => verifyExport(token, { ...verify(), audience: 'other' })),
  ERR_TOKEN_EXPIRED: () =>
    outcome(() => verifyExport(token, { ...verify(), now: () => new Date(T0.getTime() + 9e9) })),
  ERR_TOKEN_REPLAYED: () => {
    const replayCache = createMemoryReplayCache()
    return outcome(async () => {
      await verifyExport(token, { ...verify(), replayCache })
      await verifyExport(token, { ...verify(), replayCache })
    })
  },
  ERR_REPLAY_CACHE_UNAVAILABLE: async () => {
    // A real node-redis client that never connected (nothing listens on port 1): the claim of a
    // token whose jti is a canary fails closed, and neither the message nor a cause quotes the key.
    const signed = await signEnvelope(
      exportClaims({ iss: ISSUER, aud: 'rental-co', iat: T0_S, exp: T0_S + 60, jti: VALUE }),
      ring,
      { typ: EXPORT_TYP },
    )
    const client = createClient({ url: 'redis://127.0.0.1:1' })
    const replayCache = redisReplayCache({ client, prefix: `${KEY}:` })
    return outcome(() => verifyExport(signed.token, { ...verify(), replayCache }))
  },
  ERR_CLAIM_INVALID: async () => {
    const claims = exportClaims({
      iss: ISSUER,
      iat: T0_S,
      exp: T0_S + 60,
      count: 3,
      records: [{ [KEY]: VALUE }],
    })
    const signed = await signEnvelope(claims, ring, { typ: EXPORT_TYP })
    return outcome(() => verifyExport(signed.token, verify()))
  },
  ERR_DECRYPTION_FAILED: () =>
    outcome(() => verifyExport(token, { ...verify(), decryptionKey: { kty: 'EC' } })),
  ERR_DIGEST_MISMATCH: async () => {
    const delta = await gate.exportDelta([canaryRow()], [canaryRow({ hours: 9 })], request)
    return outcome(() => applyDelta([{ [KEY]: VALUE }], delta.token, verify()), events)
  },
  ERR_PATCH_INVALID: () =>
    outcome(() =>
      applyPatchSafely({ [KEY]: VALUE }, [{ op: 'test', path: `/${KEY}`, value: `${VALUE}!` }]),
    ),
  ERR_PATCH_UNSAFE: () =>
    outcome(() =>
      applyPatchSafely({ [KEY]: VALUE }, [{ op: 'add', path: `/__proto__/${KEY}`, value: VALUE }]),
    ),
  ERR_STREAM_INVALID: async () => {
    const parts: StreamPart[] = []
    for await (const part of gate.exportStream([canaryRow(), canaryRow()], {
      ...request,
      chunkSize: 1,
    }))
      parts.push(part)
    return outcome(async () => {
      for await (const _ of verifyStream(parts.slice(0, -1), verify())) {
        // drain
      }
    }, events)
  },
  ERR_STREAM_SET_INVALID: async () => {
    const { set, partitions } = await canarySet(2)
    const [stray] = (await canarySet(1)).partitions
    return outcome(() => drainSet(set, [partitions[0], stray]), events)
  },
  ERR_STREAM_SET_INCOMPLETE: async () => {
    const { set, partitions } = await canarySet(2)
    return outcome(() => drainSet(set, partitions.slice(0, 1)), events)
  },
  ERR_STREAM_SET_DUPLICATE: async () => {
    const { set, partitions } = await canarySet(2)
    return outcome(() => drainSet(set, [partitions[0], partitions[0], partitions[1]]), events)
  },
  ERR_STREAM_SET_ORDER: async () => {
    const { set, partitions } = await canarySet(2)
    return outcome(() => drainSet(set, [partitions[1], partitions[0]]), events)
  },
  ERR_STREAM_SET_COUNT: async () => {
    const { set, partitions } = await canarySet(2)
    const claims = JSON.parse(unb64uText(set.split('.')[1] as string)) as { count: number }
    const wrong = await signEnvelope({ ...claims, count: claims.count + 1 }, ring, {
      typ: STREAM_SET_TYP,
    })
    return outcome(() => drainSet(wrong.token, partitions), events)
  },
  ERR_INTERVAL_AUDIT_FAILED: async () => {
    // A solver that fails and, as solvers do, quotes the model it was given: the model must hold
    // only generated names and published numbers, never a group key.
    const auditor = await createHighsAuditor(async () => ({
      solve(problem: string) {
        throw new Error(`cannot solve:\n${problem}`)
      },
    }))
    const audited = aggregateGate({ ...byCity, totals: 'overall' }, { auditor })
    return outcome(() => audited.export(canaryCells(), request), events)
  },
  ERR_BUDGET_EXCEEDED: async () => {
    const once = aggregateGate(byCity)
    await once.export(canaryCells(), request)
    return outcome(() => once.export(canaryCells(), request), events)
  },
  ERR_BUDGET_UNAVAILABLE: async () => {
    // A ledger damaged on disk, holding canaries: V8's JSON.parse message quotes the text around
    // the error, so it must not become the cause.
    const folder = tempDir('datagate-budget-canary-')
    try {
      await writeFile(join(folder, 'budget.json'), `{"entries":{"${KEY}": ${VALUE}}}`)
      const broken = aggregateGate(byCity, { budget: fileBudgetStore(folder) })
      return await outcome(() => broken.export(canaryCells(), request), events)
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  },
  ERR_CONSENT_UNAVAILABLE: () => {
    // A store whose failure quotes the subjects it was asked about (canaries): neither the
    // message nor the cause chain may carry them.
    const doc = orderPolicyDocument()
    const base = doc.partners[0] as (typeof doc.partners)[number]
    const agreement = base.agreements[0] as (typeof base.agreements)[number]
    const consentPolicy = loadPolicy(
      {
        ...doc,
        partners: [
          {
            ...base,
            role: 'handler',
            agreements: [{ ...agreement, consent: { scope: 'rental', subject: 'name' } }],
          },
        ],
      },
      { datasets: [Order] },
    )
    const failing = createGate({
      issuer: ISSUER,
      datasets: [Order],
      policy: consentPolicy,
      keys: ring,
      pseudonymKey: TEST_PSEUDONYM_KEY,
      audit: memoryAuditSink(),
      now: () => T0,
      consent: {
        has: () => false,
        filter: (subjects) => {
          throw new Error(`no consent table for ${subjects.join(', ')}`)
        },
      },
    })
    return outcome(() => failing.export([canaryRow({ name: VALUE })], request))
  },
  ERR_WATERMARK_UNAVAILABLE: () => {
    // A watermarked agreement whose condition holds a canary, on a gate without a watermark key.
    const doc = orderPolicyDocument()
    const base = doc.partners[0] as (typeof doc.partners)[number]
    const agreement = {
      ...base.agreements[0],
      where: { city: { $ne: VALUE } },
      watermark: { rows: 2 },
    }
    const policy = loadPolicy(
      { ...doc, partners: [{ ...base, agreements: [agreement] }] },
      { datasets: [Order] },
    )
    return outcome(() =>
      createGate({
        issuer: ISSUER,
        datasets: [Order],
        policy,
        keys: ring,
        audit: false,
        now: () => T0,
      }),
    )
  },
  ERR_AUDIT_WRITE_FAILED: async () => {
    const failing = createGate({
      issuer: ISSUER,
      datasets: [Order],
      policy: loadPolicy(orderPolicyDocument(), { datasets: [Order] }),
      keys: ring,
      pseudonymKey: TEST_PSEUDONYM_KEY,
      audit: callbackAuditSink(() => {
        throw new Error('disk full')
      }),
      now: () => T0,
    })
    return outcome(() => failing.export([canaryRow()], request))
  },
  ERR_AUDIT_REQUIRED: () =>
    outcome(() =>
      createGate({
        issuer: ISSUER,
        datasets: [Order],
        policy: loadPolicy(orderPolicyDocument({ city: VALUE }), { datasets: [Order] }),
        keys: ring,
        pseudonymKey: TEST_PSEUDONYM_KEY,
        now: () => T0,
      }),
    ),
  ERR_AUDIT_LOCKED: async () => {
    const folder = tempDir('datagate-locked-')
    const path = join(folder, 'audit.jsonl')
    const first = await fileAuditSink(path)
    try {
      return await outcome(() => fileAuditSink(path))
    } finally {
      await first.close()
      await rm(folder, { recursive: true, force: true })
    }
  },
  ERR_UNAUTHENTICATED: async () => {
    // A token with canary claims, signed by a key the API does not trust, for another audience.
    const trusted = await generateKeyPair('EdDSA')
    const other = await generateKeyPair('EdDSA')
    const token = await new SignJWT({ [KEY]: VALUE, city: VALUE })
      .setProtectedHeader({ alg: 'EdDSA', kid: VALUE })
      .setIssuer(VALUE)
      .setAudience(VALUE)
      .setSubject(VALUE)
      .setExpirationTime('5m')
      .sign(other.privateKey)
    const authenticate = bearerPartner({
      key: await exportJWK(trusted.publicKey),
      issuer: 'partners',
      audience: 'oem-api',
    })
    return outcome(() =>
      authenticate({ headers: new Headers({ authorization: `Bearer ${token}` }), request: VALUE }),
    )
  },
  ERR_GATE_CLOSED: async () => {
    const sink = memoryAuditSink()
    const closing = createGate({
      issuer: ISSUER,
      datasets: [Order],
      policy: loadPolicy(orderPolicyDocument(), { datasets: [Order] }),
      keys: ring,
      pseudonymKey: TEST_PSEUDONYM_KEY,
      audit: sink,
      now: () => T0,
    })
    await closing.close()
    return outcome(() => closing.export([canaryRow()], request), sink.events)
  },
  ERR_THRESHOLD_EXCEEDED: async () => {
    // An overseas partner under `onThreshold: refuse` with a filing threshold of 2: three
    // subjects (canary customer ids) cross it; the refusal and its denied event name counts only.
    const sink = memoryAuditSink()
    const counted = countedOrderGate(sink, memorySubjectCounterStore())
    return outcome(
      () =>
        counted.export(
          [0, 1, 2].map((i) => canaryRow({ customerId: `${VALUE}-${i}` })),
          request,
        ),
      sink.events,
    )
  },
  ERR_COUNTER_UNAVAILABLE: async () => {
    const sink = memoryAuditSink()
    const down = countedOrderGate(sink, {
      merge: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
      read: () => [],
    })
    return outcome(() => down.export([canaryRow({ customerId: VALUE })], request), sink.events)
  },
  ERR_AUDIT_LOG_TORN: async () => {
    const folder = tempDir('datagate-torn-')
    try {
      const path = join(folder, 'audit.jsonl')
      await writeFile(path, `{"seq":0,"city":"${VALUE}","${KEY}":`)
      return await outcome(() => fileAuditSink(path))
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  },
}

describe('canary over every error code', () => {
  it.each(Object.keys(cases) as DatagateErrorCode[])(
    '%s: no canary value or data key in message, findings, cause or audit event',
    async (code) => {
      const { error, audit } = await cases[code]()
      const described = isDatagateError(error) ? `${error.code}: ${error.message}` : String(error)
      expect(isDatagateError(error, code), described).toBe(true)
      expect(exposedText(error)).not.toMatch(CANARY)
      if (audit !== undefined) expect(JSON.stringify(audit)).not.toMatch(CANARY)
    },
  )
})

describe('canary: other places that once kept a thrown message as cause', () => {
  it.each([
    ['a flattened JWS that is not JSON', () => verifyExport(`{"payload":${VALUE}}`, verify())],
    [
      'a patch document that cannot be cloned',
      () => applyPatchSafely({ [KEY]: () => 'CANARY-VAL-in-source' }, []),
    ],
  ])('%s', async (_name, run) => {
    const { error } = await outcome(run)
    expect(isDatagateError(error)).toBe(true)
    expect(exposedText(error)).not.toMatch(CANARY)
  })
})
