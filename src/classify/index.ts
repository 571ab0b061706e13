/**
 * `datagate/classify`: field classes, dataset descriptors and PII detection.
 *
 * @packageDocumentation
 */
export {
  type Dataset,
  type DatasetField,
  type DatasetOptions,
  defineDataset,
  type ParsedRecord,
  type Released,
} from './dataset.js'
export { DETECTOR_PATTERNS, type DetectorName } from './detectors/patterns.js'
export {
  type Classified,
  type FieldMeta,
  field,
  fieldMeta,
  type ReleasedOf,
  type ReleasedShape,
} from './field.js'
export {
  DETECTABLE_KINDS,
  type PiiFinding,
  type ScanFinding,
  type ScanLimitCode,
  type ScanLimitFinding,
  type ScanRecordOptions,
  type ScanTextOptions,
  scanRecord,
  scanText,
} from './scan.js'
export type { FieldClass, FieldOptions, PiiKind } from './types.js'
