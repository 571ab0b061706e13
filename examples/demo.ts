// The datagate demo: the whole flow on the bundled after-sales sample data.
//
//   npm run demo [-- <output folder>]      (default: .demo-out/)
//
// 1. classify and anonymise: every customer field before and after its operator
// 2. scan raw and released records for personal data
// 3. load the sample policy and show what each partner receives (and who receives nothing)
// 4. measure re-identification risk of a research release
// 5. sign exports for every partner, a delta and a stream; write them, the public JWKS and the
//    audit log into the output folder
// 6. verify everything from the files, as a partner and as compliance staff would: the audit
//    log against its signed checkpoints, their copies and the receipts the partners hold
// 7. serve the partner API (the Express example) on 127.0.0.1 and call it as partners, one refused
// 8. run the `datagate` CLI over the output folder: log verify, then the monthly HTML report
// 9. a consent-filtered release: rental-co as a PIPL handler, 10 % of customers without consent
// 10. trace a leak: a 5 % sample of one partner's export, attributed to it by its pseudonyms

import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  accessMatrix,
  applyDelta,
  assessRisk,
  createGate,
  type DatagateError,
  generateKeys,
  isDatagateError,
  loadPolicy,
  memoryAuditSink,
  memoryBudgetStore,
  scanRecord,
  traceLeak,
  verifyAuditChain,
  verifyAuditLog,
  verifyCheckpoint,
  verifyExport,
  verifyStream,
} from 'datagate'
import {
  fileAuditSink,
  fileBudgetStore,
  fileCheckpointSink,
  jsonlConsentStore,
  readAuditLog,
  readCheckpoints,
} from 'datagate/node'
import stringWidth from 'string-width'
import { Customer, datasets } from './datasets.js'

const out = resolve(process.argv[2] ?? '.demo-out')
const here = new URL('.', import.meta.url)
const read = (name: string): Record<string, unknown>[] =>
  JSON.parse(readFileSync(new URL(`data/${name}.json`, here), 'utf8'))
const data = {
  customer: read('customers'),
  repair_order: read('repair-orders'),
  charging_session: read('charging-sessions'),
  outlet: read('outlets'),
}
// A fixed clock inside the sample agreements' validity, so the demo gives the same output on
// any day. The pseudonym key is fixed for the same reason; in production it comes from a KMS.
const now = () => new Date('2026-06-15T09:00:00Z')
const pseudonymKey = new TextEncoder().encode('demo pseudonym master key, 32+ bytes long')

function heading(text: string): void {
  console.log(`\n\x1b[1m${text}\x1b[0m`)
}

// Columns are padded to their display width (string-width: a CJK character takes two terminal
// cells, a combining mark none), so names such as 张磊 keep the columns aligned. The last
// column is not padded: no trailing spaces.
function table(rows: readonly (readonly string[])[]): void {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => stringWidth(r[c] ?? '')))) ?? []
  const line = (cells: readonly string[]) =>
    `  ${cells.map((cell, c) => (c === cells.length - 1 ? cell : cell + ' '.repeat((widths[c] ?? 0) - stringWidth(cell)))).join('  ')}`
  for (const [i, row] of rows.entries()) {
    console.log(line(row))
    if (i === 0) console.log(line(widths.map((w) => '-'.repeat(w))))
  }
}

// `absent`: the record has no such value (so nothing can leave); `dropped`: it has one, and the
// field's class (sensitive) keeps it in.
function show(value: unknown): string {
  if (value === undefined) return 'absent'
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > 28 ? `${text.slice(0, 27)}…` : text
}

function get(record: unknown, segments: readonly string[]): unknown {
  let current = record
  for (const key of segments) current = (current as Record<string, unknown> | undefined)?.[key]
  return current
}

// 1. Classify and anonymise ------------------------------------------------------------------
heading('1. Classify and anonymise: customer fields before and after their operators')
const sample = data.customer.slice(0, 3)
const rows: string[][] = [
  ['field', 'class', 'operator', ...sample.map((_, i) => `customer ${i + 1}: before -> after`)],
]
for (const f of Customer.fields) {
  const transform = f.operator.bind({ partner: 'demo-preview', path: f.path, pseudonymKey })
  rows.push([
    f.path,
    f.class,
    f.operator.name.replace(/\(.*\)/, ''),
    ...sample.map((record) => {
      const raw = get(record, f.segments)
      if (raw === undefined) return 'absent'
      return `${show(raw)} -> ${f.class === 'sensitive' ? 'dropped' : show(transform(raw))}`
    }),
  ])
}
table(rows)
console.log('  absent: the record has no value; dropped: sensitive, it never leaves')
console.log(
  `  schema hash ${Customer.schemaHash.slice(0, 23)}…, ${Customer.fields.length} classified leaves`,
)

// 2. Scan for personal data -----------------------------------------------------------------
heading('2. PII scan of raw records (what would leak without datagate)')
const rawFindings = data.customer.flatMap((record) => scanRecord(record))
const byCode = new Map<string, number>()
for (const f of rawFindings) byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1)
table([['finding', 'count'], ...[...byCode].map(([code, n]) => [code, String(n)])])

// 3. Policy -----------------------------------------------------------------------------------
heading('3. The sample policy: what each partner receives')
const policy = loadPolicy(readFileSync(new URL('policy.yaml', here), 'utf8'), { datasets })
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
const audit = await fileAuditSink(join(out, 'audit.jsonl'))
// Copies of every signed checkpoint go somewhere the log's writers cannot change; here a
// second file, in production another disk, a bucket or a partner.
const checkpointCopies = await fileCheckpointSink(join(out, 'checkpoints.txt'))
const keys = await generateKeys({ alg: 'EdDSA' })
// The privacy-budget ledger sits next to the audit log: charging-stats-2026 is released once a
// month, and a ledger in memory would forget that on restart. (The demo starts from an empty
// folder on every run, so each run may release it once.)
const budget = fileBudgetStore(out)
const gate = createGate({
  issuer: policy.issuer,
  datasets,
  policy,
  keys,
  pseudonymKey,
  audit,
  checkpointSink: checkpointCopies,
  budget,
  now,
})

const releases: { partner: string; dataset: keyof typeof data; purpose: string }[] = []
const summary: string[][] = [['partner', 'kind', 'standing', 'agreement', 'result', 'fields']]
for (const partner of policy.partners) {
  for (const agreement of partner.agreements) {
    const request = { partner: partner.id, dataset: agreement.dataset, purpose: agreement.purpose }
    if (agreement.aggregate?.once) {
      // An exact table goes out once a month (a second one could be subtracted from the first):
      // the signed export in step 5 is that one release.
      const fields = gate.plan(request).fields
      summary.push([
        partner.id,
        partner.category,
        partner.standing,
        agreement.id,
        `once a month (k=${agreement.k}): exported in step 5`,
        fields.map((f) => (f.operator === 'keep' ? f.path : `${f.path}*`)).join(' '),
      ])
      releases.push({ ...request, dataset: agreement.dataset as keyof typeof data })
      continue
    }
    try {
      const { records, report } = await gate.release(
        data[agreement.dataset as keyof typeof data],
        request,
      )
      const result = report.aggregate
        ? `${records.length} cells (k=${report.aggregate.k}, ${report.aggregate.suppressed.primary + report.aggregate.suppressed.complementary} suppressed)`
        : `${report.rows.released}/${report.rows.received} rows${report.rows.filtered ? `, ${report.rows.filtered} filtered` : ''}${report.rows.capped ? `, capped at ${report.rows.cap}` : ''}`
      summary.push([
        partner.id,
        partner.category,
        partner.standing,
        agreement.id,
        result,
        report.fields.map((f) => (f.operator === 'keep' ? f.path : `${f.path}*`)).join(' '),
      ])
      releases.push({ ...request, dataset: agreement.dataset as keyof typeof data })
    } catch (error) {
      if (!isDatagateError(error)) throw error
      summary.push([
        partner.id,
        partner.category,
        partner.standing,
        agreement.id,
        (error as DatagateError).code,
        '(nothing)',
      ])
    }
  }
}
table(summary)
console.log('  * transformed on release (pseudonymised, masked or generalised)')

const matrix = accessMatrix(policy, [Customer], { now })
const partners = policy.partners.map((p) => p.id)
const cell = (partner: string, path: string) => {
  const entry = matrix.entries.find((e) => e.partner === partner && e.field === path)
  return entry?.access === 'raw'
    ? 'raw'
    : entry?.access === 'transformed'
      ? (entry.operator?.replace(/\(.*\)/, '') ?? '')
      : '-'
}
console.log('\n  access matrix, dataset customer (- = denied):')
table([
  ['field', ...partners],
  ...Customer.fields.map((f) => [f.path, ...partners.map((p) => cell(p, f.path))]),
])

// 4. Re-identification risk -------------------------------------------------------------------
heading('4. Re-identification risk of the research release (quasi-identifiers city, age, model)')
const research = await gate.release(data.customer, {
  partner: 'ev-lab',
  dataset: 'customer',
  purpose: 'research',
})
const risk = assessRisk(research.records, {
  quasiIdentifiers: ['city', 'age', 'vehicle.model'],
  k: 2,
})
console.log(
  `  k = ${risk.k}, ${risk.classes} classes over ${risk.records} records, ${(risk.atRisk.share * 100).toFixed(1)} % in classes under 2`,
)
for (const issue of risk.issues) console.log(`  finding ${issue.code}: ${issue.message}`)
// assessRisk measures; it blocks nothing. The agreement decides what leaves, so step 5 still
// exports this release: the finding is for the people who write the agreement.
console.log(
  `  advisory: the risk check does not block a release (step 5 exports this one as the agreement says).${risk.atRisk.share > 0 ? ' To act on it: widen the generalisation (generalize.range({ width: 20 }) for age), drop a quasi-identifier from the agreement, or share an aggregate with k instead of records; then run `datagate risk` again.' : ''}`,
)
const releasedFindings = research.records.flatMap((record) => scanRecord(record))
console.log(`  PII scan of the released records: ${releasedFindings.length} findings`)

// 5. Signed exports ---------------------------------------------------------------------------
heading(`5. Signed exports, JWKS and audit log in ${out}`)
writeFileSync(join(out, 'jwks.json'), `${JSON.stringify(gate.jwks(), null, 2)}\n`)
const written: { file: string; partner: string; payload?: string }[] = []
for (const request of releases) {
  const detached = request.partner === 'charge-net'
  const signed = await gate.export(data[request.dataset], {
    ...request,
    ...(detached ? { format: 'detached' as const } : {}),
  })
  const file = `${request.partner}.${request.dataset}.${detached ? 'detached.jws' : 'jws'}`
  writeFileSync(join(out, file), signed.token)
  if (signed.payload !== undefined) writeFileSync(join(out, `${file}.payload.json`), signed.payload)
  written.push({
    file,
    partner: request.partner,
    ...(signed.payload !== undefined ? { payload: `${file}.payload.json` } : {}),
  })
  console.log(
    `  ${file.padEnd(40)} ${signed.count} records, kid ${signed.kid.slice(0, 8)}…, ${signed.token.length} bytes`,
  )
}
const outlets = data.outlet
const changed = outlets
  .map((o, i) => (i === 0 ? { ...o, laborRatePerHour: (o.laborRatePerHour as number) + 20 } : o))
  .slice(0, -1)
const mapRequest = { partner: 'maps-co', dataset: 'outlet', purpose: 'map-display' }
const delta = await gate.exportDelta(outlets, changed, mapRequest)
writeFileSync(join(out, 'maps-co.outlet.delta.jws'), delta.token)
console.log(
  `  ${'maps-co.outlet.delta.jws'.padEnd(40)} ${delta.patch.length} JSON Patch operations`,
)
const streamTokens: string[] = []
for await (const part of gate.exportStream(data.repair_order, {
  partner: 'rental-co',
  dataset: 'repair_order',
  purpose: 'courtesy-car',
  chunkSize: 20,
})) {
  streamTokens.push(part.token)
}
writeFileSync(join(out, 'rental-co.repair_order.stream.jsonl'), `${streamTokens.join('\n')}\n`)
console.log(
  `  ${'rental-co.repair_order.stream.jsonl'.padEnd(40)} ${streamTokens.length - 1} chunks + manifest`,
)
const checkpoint = await gate.checkpoint()
if (checkpoint !== undefined) {
  const claims = await verifyCheckpoint(checkpoint, { jwks: gate.jwks(), issuer: policy.issuer })
  console.log(
    `  checkpoint: seq ${claims.seq} head ${claims.head.slice(0, 19)}… signed by kid ${keys.current.kid.slice(0, 8)}…, copied to checkpoints.txt`,
  )
}
await gate.close()
await audit.close()
await checkpointCopies.close()

// 6. Verify from the files ------------------------------------------------------------------
heading('6. Verify from the files: as each partner, and as compliance staff')
const jwks = JSON.parse(readFileSync(join(out, 'jwks.json'), 'utf8'))
const asPartner = (audience: string) => ({ jwks, issuer: policy.issuer, audience, now })
const held = new Map<string, Record<string, unknown>[]>()
for (const { file, partner, payload } of written) {
  const token = readFileSync(join(out, file), 'utf8')
  const options = payload
    ? { ...asPartner(partner), payload: readFileSync(join(out, payload), 'utf8') }
    : asPartner(partner)
  const { records, meta } = await verifyExport(token, options)
  held.set(file, records)
  console.log(`  ok  ${file.padEnd(40)} ${records.length} records, agreement ${meta.agreement}`)
}
// The map platform applies the delta to the outlet view it already holds from its export.
const next = await applyDelta(
  held.get('maps-co.outlet.jws') ?? [],
  readFileSync(join(out, 'maps-co.outlet.delta.jws'), 'utf8'),
  asPartner('maps-co'),
)
console.log(
  `  ok  ${'maps-co.outlet.delta.jws'.padEnd(40)} applied to the held view: ${next.length} outlets`,
)
let streamed = 0
const lines = readFileSync(join(out, 'rental-co.repair_order.stream.jsonl'), 'utf8')
  .trim()
  .split('\n')
for await (const chunk of verifyStream(lines, asPartner('rental-co')))
  streamed += chunk.records.length
console.log(
  `  ok  ${'rental-co.repair_order.stream.jsonl'.padEnd(40)} ${streamed} records, manifest verified`,
)
const log = await readAuditLog(join(out, 'audit.jsonl'))
const chain = verifyAuditChain(log.events)
console.log(
  `  ${chain.ok ? 'ok ' : 'BAD'} audit.jsonl: ${chain.count} events, chain ${chain.ok ? 'intact' : `broken at ${chain.firstBroken?.index}`}${log.torn ? ', torn tail' : ''}`,
)
// Compliance staff: the log against the issuer's published JWKS (never a key found beside
// the log), the checkpoint copies, and every token the partners were given as receipts.
const receipts = [
  ...written.map(({ file, payload }) => {
    const token = readFileSync(join(out, file), 'utf8')
    return payload ? { token, payload: readFileSync(join(out, payload), 'utf8') } : token
  }),
  readFileSync(join(out, 'maps-co.outlet.delta.jws'), 'utf8'),
  lines.at(-1) ?? '',
]
const copies = await readCheckpoints(join(out, 'checkpoints.txt'))
const proof = await verifyAuditLog(log.events, {
  jwks,
  issuer: policy.issuer,
  receipts,
  checkpoints: copies,
  now,
})
const counts = new Map<string, number>()
for (const event of log.events as { type: string }[])
  counts.set(event.type, (counts.get(event.type) ?? 0) + 1)
// The final checkpoint signs the event before it, so a closed log is anchored to count - 2.
const anchoredAll = proof.anchoredThrough === proof.count - 2
console.log(
  `  ${proof.ok ? 'ok ' : 'BAD'} audit.jsonl against ${copies.length} checkpoint copies and ${receipts.length} partner receipts: ${anchoredAll ? 'every event' : 'events'} anchored through seq ${proof.anchoredThrough} by signed checkpoints${proof.ok ? '' : `, ${proof.issues.map((i) => i.code).join(', ')}`}`,
)
// Why there are more events than files: every release is audited, the unsigned ones too.
const eventNotes: Readonly<Record<string, string>> = {
  policy: 'the policy in force, when the gate started',
  checkpoint: 'signed checkpoints: at start, gate.checkpoint() in step 5, and at close',
  release: 'unsigned gate.release calls that built the tables of steps 3 and 4 (no file)',
  denied: 'the refusal of insure-co (yellow card) in step 3',
  export: 'the signed exports of step 5, one file each',
  delta: 'the signed delta of step 5',
  'stream-start': 'the stream of step 5, opened (before its first chunk)',
  'stream-end': 'the stream of step 5, closed with its manifest',
}
console.log(`\n  ${log.events.length} audit events, by type:`)
table([
  ['type', 'count', 'why'],
  ...[...counts].map(([type, n]) => [type, String(n), eventNotes[type] ?? '']),
])
const auditText = readFileSync(join(out, 'audit.jsonl'), 'utf8')
const leaked = data.customer.filter(
  (c) => auditText.includes(c.name as string) || auditText.includes(c.phone as string),
)
console.log(
  `  ${leaked.length === 0 ? 'ok ' : 'BAD'} audit.jsonl holds no customer name or phone number`,
)
if (!chain.ok || !proof.ok || leaked.length > 0) process.exit(1)

// 7. The partner API over HTTP ---------------------------------------------------------------
heading('7. The partner API over HTTP: the Express example on 127.0.0.1, called as partners')
await import('./partner-demo.js')

// 8. Compliance staff with the CLI -----------------------------------------------------------
// The `datagate` bin (dist/cli.js: `npm run demo` builds first; `npx datagate ...` once
// installed) over the files above, with a project config written beside them that names the
// sample datasets and policy. Its exit codes are the demo's.
heading('8. Compliance staff with the datagate CLI, over the files above')
const config = join(out, 'datagate.config.json')
writeFileSync(
  config,
  `${JSON.stringify(
    {
      datasets: fileURLToPath(new URL('datasets.ts', here)),
      policy: fileURLToPath(new URL('policy.yaml', here)),
      audit: './audit.jsonl',
      jwks: './jwks.json',
      checkpoints: './checkpoints.txt',
    },
    null,
    2,
  )}\n`,
)
const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const report = join(out, 'report.html')
for (const args of [
  ['log', 'verify'],
  ['report', '--month', '2026-06', '--format', 'html', '--out', report],
]) {
  console.log(
    `$ datagate --config ${relative(process.cwd(), config)} ${args.map((arg) => relative(process.cwd(), arg) || arg).join(' ')}`,
  )
  const run = spawnSync(process.execPath, [bin, '--config', config, ...args], {
    stdio: 'inherit',
    env: { ...process.env, DATAGATE_CONFIG: '' },
  })
  if (run.status !== 0) process.exit(run.status ?? 1)
}
console.log(
  `\nThe monthly compliance report (self-contained HTML): ${relative(process.cwd(), report)}`,
)
console.log(
  `The sharing ledger as CSV: npx datagate --config ${relative(process.cwd(), config)} log report --format csv`,
)

// 9. Consent per data subject -----------------------------------------------------------------
// rental-co declared a PIPL handler (it decides for itself what to do with the data), so its
// agreement releases only the repair orders of customers who consented to the scope. The
// consent events are a JSONL file in the output folder; every 10th customer gave none.
heading('9. Consent per data subject: rental-co as a handler, 10 % of customers without consent')
const customers = [...new Set(data.repair_order.map((r) => r.customerId as string))].sort()
const withoutConsent = new Set(customers.filter((_, i) => i % 10 === 9))
const consentFile = join(out, 'consent.jsonl')
writeFileSync(
  consentFile,
  customers
    .filter((id) => !withoutConsent.has(id))
    .map((subject) =>
      JSON.stringify({
        subject,
        scope: 'courtesy-car-share',
        at: '2026-01-10T00:00:00Z',
        event: 'grant',
      }),
    )
    .join('\n')
    .concat('\n'),
)
const handlerPolicy = loadPolicy(
  {
    ...policy.document,
    partners: policy.document.partners.map((p) =>
      p.id !== 'rental-co'
        ? p
        : {
            ...p,
            role: 'handler' as const,
            contact: 'privacy@rental-co.example',
            agreements: p.agreements.map((a) => ({
              ...a,
              consent: { scope: 'courtesy-car-share', subject: 'customerId' },
            })),
          },
    ),
  },
  { datasets },
)
const consentAudit = memoryAuditSink()
const consentGate = createGate({
  issuer: policy.issuer,
  datasets,
  policy: handlerPolicy,
  pseudonymKey,
  audit: consentAudit,
  budget: memoryBudgetStore(),
  consent: jsonlConsentStore(consentFile),
  now,
})
const courtesy = { partner: 'rental-co', dataset: 'repair_order', purpose: 'courtesy-car' }
const consented = await consentGate.release(data.repair_order, courtesy)
const event = consentAudit.events.find((e) => e.type === 'release')
const dropped = event?.type === 'release' ? event.consentDropped : undefined
const expectedDropped = data.repair_order.filter((r) =>
  withoutConsent.has(r.customerId as string),
).length
console.log(
  `  ${withoutConsent.size} of ${customers.length} customers gave no consent: ${expectedDropped} of ${data.repair_order.length} repair orders are theirs`,
)
console.log(
  `  ${dropped === expectedDropped ? 'ok ' : 'BAD'} dropped before the release: audit event release consentDropped ${dropped}`,
)
console.log(
  `  ${consented.report.rows.received === data.repair_order.length - expectedDropped ? 'ok ' : 'BAD'} the partner's report counts only the ${consented.report.rows.received} rows it could be given (${consented.records.length} released after the agreement's conditions and cap)`,
)
await consentGate.close()
if (dropped !== expectedDropped) process.exit(1)

// 10. A leak traced ---------------------------------------------------------------------------
// A 5 % sample of rental-co's export turns up where it should not: traceLeak runs every
// partner's plan again over the source rows and counts the leaked records holding each one's
// keyed pseudonyms (only the recipient's key makes them). The sample is read from the token as
// a finder would, without verifying it.
heading("10. A leak traced: a 5 % sample of one partner's export, attributed by its pseudonyms")
const leakedToken = readFileSync(join(out, 'rental-co.repair_order.jws'), 'utf8')
const exported = (
  JSON.parse(Buffer.from(leakedToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    records: unknown[]
  }
).records
const leakSample = exported.filter((_, i) => i % 20 === 7)
const trace = traceLeak(
  { records: leakSample },
  { policy, datasets, source: data.repair_order, pseudonymKey },
)
console.log(`  ${trace.leakedRecords} leaked ${trace.dataset} records, partners ranked:`)
for (const p of trace.partners.slice(0, 3))
  console.log(
    `  ${p.partner.padEnd(10)} ${p.confidence.padEnd(8)} score ${p.score.toFixed(3)}, pseudonyms ${p.signals.pseudonyms}/${trace.leakedRecords}`,
  )
if (trace.partners[0]?.partner !== 'rental-co' || trace.partners[0].confidence !== 'strong')
  process.exit(1)

// What is in the output folder, written as its README.md once every step has written its files:
// each file named with what it holds, the demo's fixed clock, and how a partner verifies the
// exports with jose or Python. A file without a note here is listed as undescribed (the demo
// test refuses that), so a new step that writes a file must say what it is.
function describeFile(name: string): string | undefined {
  const notes: Readonly<Record<string, string>> = {
    'README.md': 'this file',
    'audit.jsonl':
      'the audit log: one JSON event a line, hash-chained (`datagate log verify` checks it)',
    'checkpoints.txt':
      "copies of the log's signed checkpoints, one compact JWS a line, kept apart from the log",
    'budget.json': 'the privacy-budget ledger: the once-a-month aggregate spent',
    'consent.jsonl': "step 9's consent events (one grant a line); every 10th customer has none",
    'jwks.json': "the issuer's public signing keys (JWKS): what partners verify with",
    'datagate.config.json': 'the CLI config of step 8 (datasets, policy, audit, jwks, checkpoints)',
    'report.html': 'the monthly compliance report (self-contained HTML), written by step 8',
    'maps-co.outlet.delta.jws':
      'a signed RFC 6902 JSON Patch for maps-co, applied to the view of maps-co.outlet.jws',
  }
  if (notes[name] !== undefined) return notes[name]
  const [partner, dataset] = name.split('.')
  if (name.endsWith('.detached.jws.payload.json'))
    return `the payload text of the detached export beside it, byte for byte as signed`
  if (name.endsWith('.detached.jws'))
    return `a detached (RFC 7797, \`b64: false\`) export for ${partner} of ${dataset}: \`header..signature\`; the payload is the .payload.json beside it`
  if (name.endsWith('.stream.jsonl'))
    return `a signed stream for ${partner} of ${dataset}: one compact JWS chunk a line, the manifest last`
  if (name.endsWith('.jws')) return `a signed export (compact JWS) for ${partner} of ${dataset}`
  return undefined
}

const demoTime = now()
const firstExport = written.find((w) => w.payload === undefined)
const exportClaims = firstExport
  ? (JSON.parse(
      Buffer.from(
        readFileSync(join(out, firstExport.file), 'utf8').split('.')[1] ?? '',
        'base64url',
      ).toString('utf8'),
    ) as { aud: string; iat: number; exp: number })
  : undefined
const names = [...new Set([...readdirSync(out), 'README.md'])].sort()
const readme = `# The datagate demo's output

Written by \`npm run demo\` (examples/demo.ts). Every file:

| file | what it holds |
|---|---|
${names.map((name) => `| \`${name}\` | ${describeFile(name) ?? '(undescribed)'} |`).join('\n')}

## The clock

The demo runs on a fixed clock, **${demoTime.toISOString()}**, so that its output is the same on any
day. Tokens were issued then${exportClaims ? ` (\`iat\` ${exportClaims.iat}) and expire ${new Date(exportClaims.exp * 1000).toISOString()} (\`exp\` ${exportClaims.exp})` : ''}:
checked against a later clock they are expired. Verify them at the demo's time, as below. The
signing key was generated for this run; \`jwks.json\` holds its public half.

## Verify with jose (Node)

Run in this folder, with \`jose\` installed (\`npm install jose\`):

\`\`\`js
import { readFileSync } from 'node:fs'
import { createLocalJWKSet, jwtVerify } from 'jose'

const jwks = createLocalJWKSet(JSON.parse(readFileSync('jwks.json', 'utf8')))
const { payload } = await jwtVerify(readFileSync('${firstExport?.file ?? 'maps-co.outlet.jws'}', 'utf8'), jwks, {
  issuer: 'oem-aftersales',
  audience: '${exportClaims?.aud ?? 'maps-co'}',
  algorithms: ['EdDSA'],
  typ: 'datagate-export+jwt',
  currentDate: new Date('${new Date(demoTime.getTime() + 5000).toISOString()}'), // the demo's clock, not today's
})
console.log(payload.records.length, 'records verified')
\`\`\`

Detached exports (\`*.detached.jws\`) need \`flattenedVerify\` with the payload file as is: see
docs/partners.md of the datagate package.

## Verify with Python (jwcrypto)

\`\`\`python
import json
from jwcrypto import jwk, jws

DEMO_NOW = ${Math.floor(demoTime.getTime() / 1000) + 5}  # the demo's clock, not time.time()
keyset = jwk.JWKSet.from_json(open("jwks.json", encoding="utf-8").read())
signed = jws.JWS()
signed.deserialize(open("${firstExport?.file ?? 'maps-co.outlet.jws'}", encoding="utf-8").read())
key = keyset.get_key(signed.jose_header["kid"])
signed.allowed_algs = [key.get("alg")]
signed.verify(key, alg=key.get("alg"))
claims = json.loads(signed.payload)
assert signed.jose_header["typ"] == "datagate-export+jwt"
assert claims["iss"] == "oem-aftersales" and claims["aud"] == "${exportClaims?.aud ?? 'maps-co'}"
assert claims["iat"] <= DEMO_NOW < claims["exp"], "expired at the demo's time"
print(len(claims["records"]), "records verified")
\`\`\`

The detached form and every check a partner should make: docs/partners.md.
`
writeFileSync(join(out, 'README.md'), readme)
console.log(
  `\nWhat each file in ${relative(process.cwd(), out) || '.'} is, and how to verify them: ${relative(process.cwd(), join(out, 'README.md'))}`,
)
