/**
 * `datagate/jobs`: bulk exports across workers over an existing PostgreSQL job queue (pg-boss 10,
 * or any queue behind {@link ExportQueue}); Node only. One job per partition signs a stream of
 * that partition into a sink, a final job signs the export-set manifest; partners check the
 * whole set with `verifyStreamSet` from `datagate`.
 *
 * @packageDocumentation
 */
export { folderSink } from './folder-sink.js'
export {
  type ExportJobData,
  type ExportQueue,
  type PgBossLike,
  type PgBossQueueOptions,
  pgBossQueue,
} from './queue.js'
export { readExportSet, readPartition } from './read.js'
export {
  type ExportJobs,
  type ExportJobsOptions,
  type ExportStatus,
  registerExportJobs,
  type StartExportRequest,
} from './register.js'
export type { ExportSink, SinkBody } from './sink.js'
