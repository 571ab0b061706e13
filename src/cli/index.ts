/**
 * `datagate/cli`: the zod schemas of the JSON the `datagate` bin prints with `--format json`,
 * stable across minor versions (members are added, never renamed or removed). The bin itself is
 * `datagate` (see docs/cli.md); this entry holds no command code.
 *
 * @packageDocumentation
 */
export {
  ComplianceReportSchema,
  DiffReportSchema,
  ExplainReportSchema,
  KeysReportSchema,
  LintFindingSchema,
  LintReportSchema,
  LogReportSchema,
  LogVerifyReportSchema,
  MatrixReportSchema,
  PolicyTestReportSchema,
  RiskReportSchema,
  ScanReportSchema,
  StandingReportSchema,
  TraceReportSchema,
  YearReportSchema,
} from './schemas.js'
