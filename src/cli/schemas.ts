/**
 * `datagate/cli`: zod schemas of the JSON each `datagate` command prints with `--format json`.
 * These shapes are stable: members are added in minor versions, never renamed or removed, so
 * scripts and CI gates can validate what they read (`LintReportSchema.parse(JSON.parse(out))`).
 *
 * @packageDocumentation
 */
import { z } from 'zod'

/**
 * One lint finding: the `{ code, path, message }` of every datagate finding, a severity, and
 * the partner, agreement, dataset and field it concerns where there is one.
 *
 * @example
 * ```ts
 * import { LintFindingSchema } from 'datagate/cli'
 *
 * const finding = LintFindingSchema.parse({ severity: 'error', code: 'sensitive_field_granted',
 *   path: 'partners[0].agreements[0].fields[2]', message: 'idNumber is sensitive and never leaves',
 *   partner: 'rental-co', agreement: 'a1', field: 'idNumber' })
 * console.log(finding.partner) // rental-co
 * ```
 */
export const LintFindingSchema = z.strictObject({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  path: z.string(),
  message: z.string(),
  partner: z.string().optional(),
  agreement: z.string().optional(),
  dataset: z.string().optional(),
  field: z.string().optional(),
})

/**
 * `datagate lint --format json`.
 *
 * @example
 * ```ts
 * import { LintReportSchema } from 'datagate/cli'
 *
 * const report = LintReportSchema.parse({ policy: 'policy.yaml', policyHash: null,
 *   asOf: '2026-06-01T00:00:00.000Z', errors: 0, warnings: 0, findings: [] })
 * console.log(report.errors) // 0
 * ```
 */
export const LintReportSchema = z.strictObject({
  /** The policy file. */
  policy: z.string(),
  /** `sha256:` hash of the policy, or null when it does not load. */
  policyHash: z.string().nullable(),
  /** The instant expiry and validity were judged at. */
  asOf: z.string(),
  errors: z.int().min(0),
  warnings: z.int().min(0),
  findings: z.array(LintFindingSchema),
})

/**
 * `datagate matrix --format json`: one cell per partner, dataset and field.
 *
 * @example
 * ```ts
 * import { MatrixReportSchema } from 'datagate/cli'
 *
 * const matrix = MatrixReportSchema.parse({ asOf: '2026-06-01T00:00:00.000Z', policyHash: 'sha256:00',
 *   cells: [{ partner: 'maps-co', category: 'traffic', standing: 'gold', dataset: 'outlet',
 *     field: 'city', class: 'public', form: 'public', operator: 'keep', agreements: [{ id: 'm1',
 *     purpose: 'map' }], reason: null }] })
 * console.log(matrix.cells[0]?.form) // public
 * ```
 */
export const MatrixReportSchema = z.strictObject({
  asOf: z.string(),
  policyHash: z.string(),
  cells: z.array(
    z.strictObject({
      partner: z.string(),
      category: z.enum(['capability', 'resource', 'traffic', 'innovation']),
      standing: z.enum(['gold', 'silver', 'bronze', 'yellow', 'terminated']),
      dataset: z.string(),
      field: z.string(),
      class: z.enum(['public', 'desensitised', 'sensitive']),
      /** `public` (as is), `transformed` (by `operator`) or `denied` (for `reason`). */
      form: z.enum(['public', 'transformed', 'denied']),
      operator: z.string().nullable(),
      agreements: z.array(z.strictObject({ id: z.string(), purpose: z.string() })),
      reason: z.string().nullable(),
    }),
  ),
})

const conditionValue = z.union([z.string(), z.number(), z.boolean(), z.null()])
const clause = z.strictObject({
  field: z.string(),
  operator: z.enum(['$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exists']),
  operand: z.union([conditionValue, z.array(conditionValue)]),
  held: z.boolean(),
})

/**
 * `datagate explain --format json`: the `Explanation` of `gate.explain(request, rows?)`.
 *
 * @example
 * ```ts
 * import { ExplainReportSchema } from 'datagate/cli'
 *
 * const shape = ExplainReportSchema.shape.fields.element.shape.reasons.element
 * console.log(shape.options.includes('not_core')) // true
 * ```
 */
export const ExplainReportSchema = z.strictObject({
  partner: z.string(),
  dataset: z.string(),
  purpose: z.string(),
  at: z.string(),
  policyHash: z.string(),
  refusal: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  agreement: z
    .strictObject({ id: z.string(), validFrom: z.string(), validUntil: z.string() })
    .nullable(),
  candidates: z.array(
    z.strictObject({
      id: z.string(),
      validFrom: z.string(),
      validUntil: z.string(),
      inForce: z.boolean(),
    }),
  ),
  cap: z.int().nullable(),
  consent: z.strictObject({ scope: z.string(), subject: z.string() }).optional(),
  fields: z.array(
    z.strictObject({
      path: z.string(),
      class: z.enum(['public', 'desensitised', 'sensitive']),
      released: z.boolean(),
      operator: z.string().nullable(),
      agreement: z.string().nullable(),
      reasons: z.array(
        z.enum([
          'unknown_partner',
          'sensitive',
          'not_core',
          'suspended',
          'revoked',
          'no_agreement',
          'not_in_force',
          'not_granted',
        ]),
      ),
    }),
  ),
  rows: z
    .array(
      z.strictObject({
        index: z.int().min(0),
        released: z.boolean(),
        reason: z.enum(['refused', 'record_invalid', 'condition_failed']).nullable(),
        clauses: z.array(clause),
        decidedBy: clause.nullable(),
      }),
    )
    .optional(),
})

const logFinding = z.strictObject({
  code: z.string(),
  path: z.string(),
  message: z.string(),
  /** The line of the log file the finding is about, when it is about one event. */
  line: z.int().min(1).nullable(),
})

/**
 * `datagate log verify --format json`.
 *
 * @example
 * ```ts
 * import { LogVerifyReportSchema } from 'datagate/cli'
 *
 * const report = LogVerifyReportSchema.parse({ log: 'audit.jsonl', ok: true, count: 0, lastSeq: -1,
 *   torn: null, firstBroken: null, anchored: null, unanchored: null, issues: [], warnings: [] })
 * console.log(report.ok) // true
 * ```
 */
export const LogVerifyReportSchema = z.strictObject({
  log: z.string(),
  /** True when no issue was found (warnings do not count). */
  ok: z.boolean(),
  /** Events read. */
  count: z.int().min(0),
  /** The highest seq read; -1 for an empty log. */
  lastSeq: z.int().min(-1),
  torn: z.strictObject({ line: z.int().min(1) }).nullable(),
  /** Where the log stops being proven: the failure with the lowest seq. */
  firstBroken: z
    .strictObject({
      seq: z.int().min(0),
      reason: z.string(),
      line: z.int().min(1).nullable(),
      message: z.string(),
    })
    .nullable(),
  /** Seqs signed by a verified checkpoint or receipt: 0 to `through`. */
  anchored: z.strictObject({ from: z.literal(0), through: z.int().min(0) }).nullable(),
  /** Seqs after the last anchor, signed by nothing yet (checkpoints themselves need none). */
  unanchored: z.strictObject({ from: z.int().min(0), through: z.int().min(0) }).nullable(),
  issues: z.array(logFinding),
  warnings: z.array(logFinding),
})

const ledgerType = z.enum(['release', 'export', 'delta', 'stream'])
const total = z.strictObject({ events: z.int().min(0), records: z.int().min(0) })

/**
 * `datagate log report --format json`: the sharing ledger. Released data (`entries`, by type:
 * unsigned releases, signed exports, deltas, streams) and refusals (`denied`) are kept apart,
 * and so are their totals: records of a release and of an export are never summed together.
 *
 * @example
 * ```ts
 * import { LogReportSchema } from 'datagate/cli'
 *
 * const types = LogReportSchema.shape.entries.element.shape.type.options
 * console.log(types) // [ 'release', 'export', 'delta', 'stream' ]
 * ```
 */
export const LogReportSchema = z.strictObject({
  log: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  /** Links and hashes only; `datagate log verify` checks checkpoints and receipts. */
  chain: z.strictObject({ ok: z.boolean(), firstBrokenSeq: z.int().nullable() }),
  entries: z.array(
    z.strictObject({
      seq: z.int().min(0),
      time: z.string(),
      type: ledgerType,
      partner: z.string(),
      /** From the policy in force at the event (its `policy` event), or null when the log holds none. */
      category: z.string().nullable(),
      dataset: z.string(),
      purpose: z.string(),
      agreement: z.string(),
      fields: z.array(z.strictObject({ path: z.string(), operator: z.string() })),
      records: z.int().min(0),
      policyHash: z.string(),
    }),
  ),
  denied: z.array(
    z.strictObject({
      seq: z.int().min(0),
      time: z.string(),
      partner: z.string(),
      category: z.string().nullable(),
      dataset: z.string(),
      purpose: z.string(),
      code: z.string(),
      policyHash: z.string(),
    }),
  ),
  /**
   * Conditional requests answered `304` (`not-modified` events): the partner already held the
   * view of `payloadDigest`, of `records` records; nothing was released, so they are not entries.
   */
  notModified: z.array(
    z.strictObject({
      seq: z.int().min(0),
      time: z.string(),
      partner: z.string(),
      category: z.string().nullable(),
      dataset: z.string(),
      purpose: z.string(),
      agreement: z.string(),
      records: z.int().min(0),
      payloadDigest: z.string(),
      policyHash: z.string(),
    }),
  ),
  totals: z.strictObject({
    byPartner: z.array(
      total.extend({
        type: z.enum(['release', 'export', 'delta', 'stream', 'denied', 'not-modified']),
        partner: z.string(),
      }),
    ),
    byMonth: z.array(
      total.extend({
        type: z.enum(['release', 'export', 'delta', 'stream', 'denied', 'not-modified']),
        month: z.string(),
      }),
    ),
    byPurpose: z.array(
      total.extend({
        type: z.enum(['release', 'export', 'delta', 'stream', 'denied', 'not-modified']),
        purpose: z.string(),
      }),
    ),
  }),
  /** Policy hashes named by events, with whether the log holds the document. */
  policies: z.array(
    z.strictObject({ policyHash: z.string(), inLog: z.boolean(), firstSeq: z.int().min(0) }),
  ),
})

/**
 * `datagate diff --format json`: the change impact of a policy change. `direction` is `widen`
 * (more leaves, or leaves sooner, longer or less transformed), `narrow`, or `change` when the
 * direction cannot be told (it fails `--fail-on widen` too: closed, not open).
 *
 * @example
 * ```ts
 * import { DiffReportSchema } from 'datagate/cli'
 *
 * console.log(DiffReportSchema.shape.changes.element.shape.direction.options) // [ 'widen', 'narrow', 'change' ]
 * ```
 */
export const DiffReportSchema = z.strictObject({
  old: z.strictObject({ file: z.string(), policyHash: z.string() }),
  new: z.strictObject({ file: z.string(), policyHash: z.string() }),
  widened: z.int().min(0),
  narrowed: z.int().min(0),
  changed: z.int().min(0),
  changes: z.array(
    z.strictObject({
      kind: z.enum([
        'partner_added',
        'partner_removed',
        'standing',
        'core',
        'record_cap',
        'agreement_added',
        'agreement_removed',
        'field_gained',
        'field_lost',
        'operator',
        'condition',
        'validity',
      ]),
      direction: z.enum(['widen', 'narrow', 'change']),
      partner: z.string(),
      agreement: z.string().optional(),
      dataset: z.string().optional(),
      field: z.string().optional(),
      from: z.string().optional(),
      to: z.string().optional(),
      message: z.string(),
    }),
  ),
})

const coverage = z.strictObject({
  covered: z.int().min(0),
  total: z.int().min(0),
  uncovered: z.array(z.string()),
})

/**
 * `datagate test --format json`: each policy test case with its result, and what no case
 * exercised (partners, agreements, `where` clauses).
 *
 * @example
 * ```ts
 * import { PolicyTestReportSchema } from 'datagate/cli'
 *
 * console.log(PolicyTestReportSchema.shape.cases.element.shape.status.options) // [ 'pass', 'fail' ]
 * ```
 */
export const PolicyTestReportSchema = z.strictObject({
  files: z.array(z.string()),
  passed: z.int().min(0),
  failed: z.int().min(0),
  cases: z.array(
    z.strictObject({
      file: z.string(),
      name: z.string(),
      status: z.enum(['pass', 'fail']),
      /** Why it failed, one line per difference; empty when it passed. */
      failures: z.array(z.string()),
    }),
  ),
  coverage: z.strictObject({ partners: coverage, agreements: coverage, conditions: coverage }),
})

/**
 * `datagate scan --format json`: personal data found in files, with where it is and a masked
 * excerpt (the match itself never appears).
 *
 * @example
 * ```ts
 * import { ScanReportSchema } from 'datagate/cli'
 *
 * const report = ScanReportSchema.parse({ files: 1, skipped: [], findings: [{ file: 'out.json',
 *   format: 'json', jsonPath: 'customers[0].phone', line: null, column: null, detector: 'mobile',
 *   code: 'pii_mobile', excerpt: 'call ‹mobile› now' }], limits: [] })
 * console.log(report.findings[0]?.detector) // mobile
 * ```
 */
export const ScanReportSchema = z.strictObject({
  /** Files scanned. */
  files: z.int().min(0),
  /** Files left out, and why (binary, too large). */
  skipped: z.array(z.strictObject({ file: z.string(), reason: z.string() })),
  findings: z.array(
    z.strictObject({
      file: z.string(),
      format: z.enum(['json', 'ndjson', 'jws', 'csv', 'text']),
      /** Where in a JSON document (or a JWS payload, an NDJSON line): `customers[0].phone`. */
      jsonPath: z.string().nullable(),
      /** 1-based line and column (CSV, text, NDJSON lines). */
      line: z.int().min(1).nullable(),
      column: z.int().min(1).nullable(),
      detector: z.string(),
      code: z.string(),
      /** Up to 24 characters around the match, every match in it replaced by ‹kind›. */
      excerpt: z.string(),
    }),
  ),
  /** Parts of the input that were not scanned (scan_truncated, scan_depth_exceeded, ...). */
  limits: z.array(
    z.strictObject({ file: z.string(), code: z.string(), path: z.string(), message: z.string() }),
  ),
})

/**
 * `datagate risk --format json`: k-anonymity (and l-diversity with `--sensitive`) of a file.
 *
 * @example
 * ```ts
 * import { RiskReportSchema } from 'datagate/cli'
 *
 * const report = RiskReportSchema.parse({ file: 'out.json', quasiIdentifiers: ['city'], sensitive: null,
 *   threshold: 5, k: 2, l: null, classes: 1, records: 2, atRisk: { records: 2, share: 1 },
 *   smallestClasses: [{ size: 2, classes: 1 }], issues: [] })
 * console.log(report.atRisk.share) // 1
 * ```
 */
export const RiskReportSchema = z.strictObject({
  file: z.string(),
  quasiIdentifiers: z.array(z.string()),
  sensitive: z.string().nullable(),
  /** The `--k` threshold the classes were held to. */
  threshold: z.int().min(2),
  /** The smallest class size: the data is k-anonymous for this k. */
  k: z.int().min(0),
  l: z.int().min(0).nullable(),
  classes: z.int().min(0),
  records: z.int().min(0),
  atRisk: z.strictObject({ records: z.int().min(0), share: z.number().min(0).max(1) }),
  smallestClasses: z.array(z.strictObject({ size: z.int().min(1), classes: z.int().min(1) })),
  issues: z.array(z.strictObject({ code: z.string(), path: z.string(), message: z.string() })),
})

/**
 * `datagate keys generate --format json`: where the keys were written (never the key itself).
 *
 * @example
 * ```ts
 * import { KeysReportSchema } from 'datagate/cli'
 *
 * console.log(KeysReportSchema.shape.alg.options) // [ 'EdDSA', 'ES256' ]
 * ```
 */
export const KeysReportSchema = z.strictObject({
  alg: z.enum(['EdDSA', 'ES256']),
  kid: z.string(),
  /** The private JWK, written with mode 0600. */
  privateKey: z.string(),
  /** The public JWKS to give partners and `datagate log verify --jwks`. */
  jwks: z.string(),
})

const volume = z.strictObject({
  partner: z.string(),
  month: z.string(),
  type: ledgerType,
  events: z.int().min(0),
  records: z.int().min(0),
})

/**
 * `datagate report --format json`: the monthly compliance report. It holds the other commands'
 * reports as they print them (`matrix`, `lint`, `log verify`, `log report`), the release
 * volumes per partner, month and type (types never summed together), and a record of
 * processing per partner and agreement with the legal basis from the agreement's `basis`.
 * `chain`, `ledger` and `volumes` are null or empty when the config names no audit log.
 *
 * @example
 * ```ts
 * import { ComplianceReportSchema } from 'datagate/cli'
 *
 * const shape = ComplianceReportSchema.shape.processing.element.shape.agreements.element.shape
 * console.log(Object.keys(shape.categories.shape)) // [ 'public', 'desensitised' ]
 * ```
 */
export const ComplianceReportSchema = z.strictObject({
  /** The month reported (YYYY-MM), or null for the whole log. */
  month: z.string().nullable(),
  /** The instant the matrix, lint and validity were judged at: the month's end, else now. */
  asOf: z.string(),
  policy: z.strictObject({
    file: z.string(),
    issuer: z.string(),
    hash: z.string(),
    partners: z.int().min(0),
    agreements: z.int().min(0),
    datasets: z.array(z.string()),
  }),
  matrix: MatrixReportSchema,
  lint: LintReportSchema,
  /** `datagate log verify` over the whole configured log (with the config's jwks). */
  chain: LogVerifyReportSchema.nullable(),
  /** `datagate log report` of the month (its `denied` are the refused attempts). */
  ledger: LogReportSchema.nullable(),
  /** Records per partner, month and type, the twelve months through the reported one. */
  volumes: z.array(volume),
  processing: z.array(
    z.strictObject({
      partner: z.string(),
      /** The recipient as named in the policy. */
      name: z.string(),
      category: z.enum(['capability', 'resource', 'traffic', 'innovation']),
      standing: z.enum(['gold', 'silver', 'bronze', 'yellow', 'terminated']),
      core: z.boolean(),
      agreements: z.array(
        z.strictObject({
          id: z.string(),
          dataset: z.string(),
          purpose: z.string(),
          /** Fields granted by class: public ones as they are, desensitised ones with their operator. */
          categories: z.strictObject({
            public: z.array(z.string()),
            desensitised: z.array(z.strictObject({ path: z.string(), operator: z.string() })),
          }),
          validFrom: z.string(),
          validUntil: z.string(),
          inForce: z.boolean(),
          /** The agreement's `basis`, or null when the policy records none. */
          basis: z.string().nullable(),
        }),
      ),
    }),
  ),
  /**
   * The notice manifest (PIPL Art. 23): per agreement that releases personal information, what
   * the individual must have been told: recipient and contact, purpose, method, categories.
   */
  notices: z.array(
    z.strictObject({
      partner: z.string(),
      agreement: z.string(),
      dataset: z.string(),
      /** The recipient as named in the policy, and its `contact` (null when the policy has none). */
      recipient: z.strictObject({ name: z.string(), contact: z.string().nullable() }),
      role: z.enum(['entrusted', 'handler', 'joint-handler']),
      /** False when the policy declares no role and `entrusted` is the default. */
      roleDeclared: z.boolean(),
      /** Whether the individual's separate consent is required (handler, joint-handler). */
      separateConsent: z.boolean(),
      purpose: z.string(),
      /** How the data is provided: the release shapes the agreement allows. */
      method: z.array(z.string()),
      /** Personal information granted: desensitised or pii-tagged fields, with kind and operator. */
      categories: z.array(
        z.strictObject({ path: z.string(), pii: z.string().nullable(), operator: z.string() }),
      ),
      /** The consent scope and subject field the gate checks, or null. */
      consent: z.strictObject({ scope: z.string(), subject: z.string() }).nullable(),
      validFrom: z.string(),
      validUntil: z.string(),
      inForce: z.boolean(),
    }),
  ),
})

/**
 * `datagate trace --format json`: the partners ranked by how well the leaked records match what
 * each could have received, the most likely recipient first.
 *
 * @example
 * ```ts
 * import { TraceReportSchema } from 'datagate/cli'
 *
 * const report = TraceReportSchema.parse({ file: 'leak.csv', input: 'csv', dataset: 'repair_order',
 *   leakedRecords: 2, basis: { source: null, pseudonymKey: false, watermarkKey: true, audit: null,
 *   auditEvents: 0, periods: ['2026-06'] }, partners: [{ partner: 'tow-co', name: 'Tow Co', score: 1,
 *   confidence: 'conclusive', signals: { records: 0, pseudonyms: 0, masked: 0, fieldSet: 2,
 *   watermarks: 1, exports: 0 }, watermarkPeriods: [{ agreement: 'tow-2026', period: '2026-06', rows: 1 }],
 *   exportEvents: [], period: { from: '2026-06-01T00:00:00.000Z', to: '2026-06-30T23:59:59.999Z' } }] })
 * console.log(report.partners[0]?.confidence) // conclusive
 * ```
 */
export const TraceReportSchema = z.strictObject({
  /** The leaked file. */
  file: z.string(),
  /** How it was read: a JSON document, NDJSON records, CSV, one token, or tokens a line. */
  input: z.enum(['json', 'ndjson', 'csv', 'token', 'tokens']),
  dataset: z.string(),
  leakedRecords: z.int().min(0),
  /** What the trace could compare. */
  basis: z.strictObject({
    /** The `--source` file, or null. */
    source: z.string().nullable(),
    pseudonymKey: z.boolean(),
    watermarkKey: z.boolean(),
    /** The audit log read for digests, or null. */
    audit: z.string().nullable(),
    auditEvents: z.int().min(0),
    /** Watermark periods (`YYYY-MM`, UTC months) looked in. */
    periods: z.array(z.string()),
  }),
  partners: z.array(
    z.strictObject({
      partner: z.string(),
      name: z.string(),
      /** 0 to 1: the strongest signal's weight times the share of leaked records it explains. */
      score: z.number().min(0).max(1),
      confidence: z.enum(['conclusive', 'strong', 'weak', 'none']),
      /** Leaked records each signal matched (`exports`: audit events). */
      signals: z.strictObject({
        records: z.int().min(0),
        pseudonyms: z.int().min(0),
        masked: z.int().min(0),
        fieldSet: z.int().min(0),
        watermarks: z.int().min(0),
        exports: z.int().min(0),
      }),
      watermarkPeriods: z.array(
        z.strictObject({ agreement: z.string(), period: z.string(), rows: z.int().min(1) }),
      ),
      exportEvents: z.array(
        z.strictObject({
          seq: z.int(),
          time: z.string(),
          type: z.string(),
          agreement: z.string(),
          jti: z.string().nullable(),
        }),
      ),
      /** When the partner received it, where known. */
      period: z.strictObject({ from: z.string(), to: z.string() }).nullable(),
    }),
  ),
})

const taggedField = z.strictObject({ path: z.string(), kind: z.string() })

/**
 * `datagate report --year YYYY --format json`: the yearly summary of important data and
 * sensitive personal information shared, per partner, purpose, dataset and region (the region
 * the policy in force at each event declared), the year's people counts as the audit events
 * recorded them (`null` when no counted release happened), the thresholds in force and the
 * findings of those crossed. The year is a calendar year in Asia/Shanghai (UTC+8).
 *
 * @example
 * ```ts
 * import { YearReportSchema } from 'datagate/cli'
 *
 * console.log(Object.keys(YearReportSchema.shape.subjects.shape))
 * // [ 'overseas', 'overseasSensitivePI', 'all', 'partners' ]
 * ```
 */
export const YearReportSchema = z.strictObject({
  year: z.int(),
  timeZone: z.literal('Asia/Shanghai'),
  /** First and last instant of the year, UTC. */
  from: z.string(),
  to: z.string(),
  policy: z.strictObject({ file: z.string(), issuer: z.string(), hash: z.string() }),
  /** The audit log read, or null when the config names none. */
  log: z.string().nullable(),
  /** Whether the log's chain held while it was read. */
  chainOk: z.boolean().nullable(),
  thresholds: z.strictObject({
    crossBorder: z.strictObject({
      filing: z.int(),
      assessment: z.int(),
      sensitivePI: z.int(),
      onThreshold: z.enum(['warn', 'refuse']),
    }),
    importantData: z.strictObject({
      individuals: z.int(),
      onThreshold: z.enum(['warn', 'refuse']),
    }),
  }),
  subjects: z.strictObject({
    /** People whose personal information went to partners outside CN. */
    overseas: z.int().nullable(),
    overseasSensitivePI: z.int().nullable(),
    /** People whose personal information went to any partner. */
    all: z.int().nullable(),
    partners: z.array(
      z.strictObject({
        partner: z.string(),
        subjects: z.int().nullable(),
        sensitivePI: z.int().nullable(),
      }),
    ),
  }),
  sharing: z.array(
    z.strictObject({
      partner: z.string(),
      purpose: z.string(),
      dataset: z.string(),
      region: z.string(),
      /** Null when the log holds no policy event naming the region (`region` is then `unknown`). */
      overseas: z.boolean().nullable(),
      agreements: z.array(z.string()),
      /** Assessment references of those agreements. */
      assessments: z.array(z.string()),
      important: z.array(taggedField),
      sensitivePI: z.array(taggedField),
      events: z.int().min(0),
      records: z.int().min(0),
    }),
  ),
  findings: z.array(LintFindingSchema),
})

const standingEnum = z.enum(['gold', 'silver', 'bronze', 'yellow', 'terminated'])

/**
 * `datagate standing --format json`: the policy diff of `datagate diff` (`old`, `new`, the
 * counts and `changes`, the same members), plus each partner's month of scores and what it
 * decided, the scores file's digest, findings, and whether the change was written and recorded.
 *
 * @example
 * ```ts
 * import { DiffReportSchema, StandingReportSchema } from 'datagate/cli'
 *
 * const hash = `sha256:${'0'.repeat(64)}`
 * const report = StandingReportSchema.parse({
 *   old: { file: 'policy.yaml', policyHash: hash }, new: { file: 'policy.yaml (proposed)', policyHash: hash },
 *   widened: 0, narrowed: 0, changed: 0, changes: [], policy: 'policy.yaml', month: '2026-06',
 *   scores: { file: 'scores.csv', digest: hash }, findings: [], written: false, audit: null,
 *   partners: [{ partner: 'rental-co', from: 'gold', to: 'gold', basis: 'scores', rating: 4.9,
 *     complaintRate: 0.001, yellowMonths: 0 }],
 * })
 * console.log(report.partners[0]?.to) // 'gold'
 * console.log(Object.keys(DiffReportSchema.shape).every((key) => key in StandingReportSchema.shape)) // true
 * ```
 */
export const StandingReportSchema = DiffReportSchema.extend({
  /** The policy file the standings are read from (and written to with --write). */
  policy: z.string(),
  /** The month decided, `YYYY-MM`. */
  month: z.string(),
  /** The scores file and the `sha256:` of its bytes. */
  scores: z.strictObject({ file: z.string(), digest: z.string() }),
  /** Every partner of the policy, in its order. */
  partners: z.array(
    z.strictObject({
      partner: z.string(),
      from: standingEnum,
      to: standingEnum,
      /** `scores`: decided by the month's scores; `terminated`: stays terminated; `no_scores`: none for the month, unchanged. */
      basis: z.enum(['scores', 'terminated', 'no_scores']),
      rating: z.number().nullable(),
      complaintRate: z.number().nullable(),
      /** Consecutive yellow months ending with the month. */
      yellowMonths: z.int().min(0).nullable(),
    }),
  ),
  /** `unknown_partner` (error: the scores name a partner the policy does not have), `no_scores` (warning). */
  findings: z.array(LintFindingSchema),
  /** Whether --write changed the policy file. */
  written: z.boolean(),
  /** The `standing-change` event recorded with --write, else null. */
  audit: z.strictObject({ log: z.string(), seq: z.int().min(0), hash: z.string() }).nullable(),
})
