export * from './types';
export * from './registry';
export * from './backoff';
export * from './transitions';
export { enqueueJob, enqueueJobs, enqueueFromSelect, type EnqueueInput, type EnqueueResult } from './enqueue';
export { claimJobs, rescueAndClaimJobs, type ClaimOptions } from './claim';
export { claimJobById, type ClaimOneOptions } from './claim-one';
export { handOutJobs, type HandOutOptions } from './hand-out';
export { joinJob, type JoinOptions } from './join';
export { advanceStage, type AdvanceOptions } from './advance-stage';
export { completeJob, completeJobs, type Completion } from './complete';
export { failJob, type FailOptions } from './fail';
export { deferJob, type DeferOptions } from './defer';
export { extendLease, rescueExpiredLeases, releaseJobs, isLeaseExpiry } from './lease';
export { cancelJob, cancelJobs, pauseJob, resumeJob } from './control';
export { retryJob, retryJobs, type RetryFilter } from './retry';
export { updateJobProgress } from './progress';
export { getJob, getJobEvents, getJobWithEvents, listJobs, encodeCursor, decodeCursor } from './read';
export type { JobFilter, Page } from './read';
export {
  latestJobForEntity,
  firstJobForCorrelationId,
  firstJobWithMetadataItem,
  listOldestJobs,
  getJobStates,
  type JobState,
} from './lookup';
export {
  countCompletedSince,
  sampleWaitingJobs,
  sampleFinishedDurations,
  sampleRunningTimes,
  type WaitingSample,
  type DurationSample,
  type RunningSample,
} from './samples';
export { deleteJob } from './delete';
export {
  updateWaitingJob,
  rescheduleWaitingJob,
  listRetryCandidates,
  hasProcessingJobs,
  type WaitingChange,
} from './waiting';
export { createExecutor, type Execution, type ExecutorOptions } from './execute';
export { getQueueStats, compactStats, emptyCounts, type QueueStats, type StatusCounts } from './stats';
export { cleanupOldJobs, type CleanupResult } from './cleanup';
export { listQueues, configureQueue, setQueuePaused, type QueueConfig, type QueueSettings } from './queues';
export {
  setLimit,
  removeLimit,
  listLimits,
  limitHolding,
  limitsOpenAt,
  coolDown,
  endCoolDown,
  coolingUntil,
  getLimitEvents,
  checkLimitKey,
  isLimitKey,
  LIMIT_KEY_PATTERN,
  LIMIT_BOUNDS,
  type Limit,
  type LimitSettings,
  type LimitEvent,
} from './limits';
export { enterDrainCall, leaveDrainCall, countDrainCalls, countDueJobs, type DrainCallAdmission } from './drain-calls';
export {
  runBatch,
  newWorkerId,
  type BatchSummary,
  type JobOutcome,
  type Outcome,
  type RunBatchOptions,
} from './run-batch';
export { GroupCommit } from './group-commit';
export { parseTs } from './rows';
export { JOB_FIELDS, type JobField } from './job-columns';
export { uuidArray } from './sql';
export { startWorker, type WorkerHandle, type WorkerOptions, type WorkerStats } from './worker';
export { listenWith, listenHealth, JOBS_CHANNEL, type Listen, type ListenHealth } from './notify';
export {
  getQueueMetrics,
  getDueBacklog,
  getQueueLatency,
  getLimitGauges,
  dueAgeSeconds,
  type QueueMetrics,
  type DueBacklog,
  type QueueLatency,
  type LimitGauge,
} from './metrics';
export {
  processMetrics,
  LATENCY_BUCKETS_S,
  type ProcessMetricsSnapshot,
  type HistogramSnapshot,
} from './process-metrics';
export { startRunSpan, endRunSpan } from './tracing';
export { pingJobTypes, PING_TYPE } from './ping';
